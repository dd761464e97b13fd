"""Every ```lisp and ```python block of docs/tutorial.md runs as written."""

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli

TUTORIAL = os.path.join(ROOT, "docs", "tutorial.md")


def _blocks(lang):
    with open(TUTORIAL, encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"^```%s\n(.*?)^```" % lang, text, re.M | re.S)


def test_tutorial_has_runnable_blocks():
    assert len(_blocks("lisp")) >= 2 and len(_blocks("python")) >= 1


@pytest.mark.parametrize("i", range(1, len(_blocks("lisp"))))   # block 0: the test below
def test_lisp_block_runs(i, tmp_path):
    pytest.importorskip("matplotlib")
    prog = tmp_path / "block.lsp"
    prog.write_text(_blocks("lisp")[i])
    r = run_cli([str(prog)], cwd=str(tmp_path), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


def test_first_model_learns_saves_and_plots(tmp_path):
    pytest.importorskip("matplotlib")
    prog = tmp_path / "first_model.lsp"
    prog.write_text(_blocks("lisp")[0])
    r = run_cli([str(prog)], cwd=str(tmp_path), timeout=300)
    assert r.returncode == 0, r.stderr
    m = re.search(r"prediction for x = 2: ([0-9.]+)", r.stdout)
    assert m and abs(float(m.group(1)) - 7.0) < 0.2
    assert r.stdout.endswith("first_loss.png\n")
    assert (tmp_path / "first_model.pt").exists() and (tmp_path / "first_loss.png").exists()


@pytest.mark.parametrize("i", range(len(_blocks("python"))))
def test_python_block_runs(i, tmp_path):
    r = subprocess.run([sys.executable, "-c", _blocks("python")[i]], cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONPATH=ROOT))
    assert r.returncode == 0, r.stderr
