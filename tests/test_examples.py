"""Every examples/*.lsp runs to completion; those with examples/expected/NAME.out print exactly it.

An example that reads a ``--quick`` argument (long training or long sequences) runs with it:
the same pipeline with fewer steps or a shorter context, so the suite stays short."""

import glob
import os

import pytest

from conftest import ROOT, run_cli

EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "*.lsp")))


@pytest.mark.parametrize("path", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_example_runs(path):
    with open(path, encoding="utf-8") as f:
        quick = ["--quick"] if '"--quick"' in f.read() else []
    r = run_cli([path] + quick, cwd=os.path.dirname(path), timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    expected = os.path.join(ROOT, "examples", "expected", os.path.basename(path)[:-4] + ".out")
    if os.path.exists(expected):
        with open(expected, encoding="utf-8") as f:
            assert r.stdout == f.read()
