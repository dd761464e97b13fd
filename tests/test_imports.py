"""Every module of lispe_py imports on its own, in a fresh interpreter (the layers point
one way: values <- runtime <- builtins <- compiler <- forms <- interpreter <- faces).

One subprocess imports the third-party libraries once (torch...), then forks a child per
module: each child starts with no lispe_py module loaded and imports just that one."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_SCRIPT = r"""
import os, sys, traceback
names = sys.argv[1:]
for pre in ("torch", "numpy", "lark"):
    try:
        __import__(pre)
    except Exception:
        pass
assert not any(m == "lispe_py" or m.startswith("lispe_py.") for m in sys.modules)
failed = 0
running = 0
for name in names:
    if running >= 4:
        _, status = os.wait()
        running -= 1
        failed += status != 0
    pid = os.fork()
    if pid == 0:
        try:
            __import__(name)
        except BaseException:
            sys.stdout.write("FAIL %s\n%s\n" % (name, traceback.format_exc()))
            sys.stdout.flush()
            os._exit(1)
        os._exit(0)
    running += 1
while running:
    _, status = os.wait()
    running -= 1
    failed += status != 0
sys.exit(1 if failed else 0)
"""


def _modules():
    out = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, "lispe_py")):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in sorted(filenames):
            if not f.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), ROOT)[:-3].split(os.sep)
            if rel[-1] == "__init__":
                rel = rel[:-1]
            if rel[-1] == "__main__":
                continue
            out.append(".".join(rel))
    return out


def test_every_module_imports_alone():
    mods = _modules()
    assert "lispe_py.evaluator" in mods and "lispe_py.runtime" in mods
    r = subprocess.run([sys.executable, "-c", _SCRIPT] + mods, capture_output=True, text=True,
                       cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
