"""docs/reference.md is generated from the registry (tools/gen_reference.py) and up to date."""

import os
import re
import subprocess
import sys

from conftest import ROOT

REFERENCE = os.path.join(ROOT, "docs", "reference.md")


def test_reference_is_up_to_date():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_reference.py"), "--check"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr + "(run: python tools/gen_reference.py)"


def test_reference_lists_every_name_with_module_and_aliases():
    import importlib
    from lispe_py.builtins.registry import BUILTINS
    from lispe_py.evaluator import SPECIAL_FORMS
    from lispe_py.libraries import LIBRARIES
    for module in LIBRARIES.values():
        if module:
            importlib.import_module(module)
    with open(REFERENCE, encoding="utf-8") as f:
        text = f.read()
    plain = text.replace("\\|", "|")
    listed = set(re.findall(r"`([^`]+)`", plain)) | set(re.findall(r"``([^`]+)``", plain))
    names = set(BUILTINS) | set(SPECIAL_FORMS)
    assert sorted(n for n in names if n not in listed) == []
    assert "### lispe_py.torch.attention" in text and "### lispe_py.builtins.tiktoken_lib" in text
    row = next(l for l in text.splitlines() if l.startswith("| `tensor_rand` "))
    assert "(tensor_rand shape)" in row and "`torch_rand`" in row
