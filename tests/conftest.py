import os
import sys

import pytest

# One torch thread per test process: pytest-xdist already runs a process per core, and the
# tiny models of the tests slow down many times over when OpenMP threads oversubscribe the
# cores. Set before torch is imported here, inherited by every subprocess and fork.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


@pytest.fixture
def lispe():
    """A fresh interpreter; ``lispe(src)`` returns the printed final value and stdout."""
    import io
    from lispe_py.interpreter import Interpreter
    from lispe_py.values import to_string

    def run(src):
        out = io.StringIO()
        interp = Interpreter(stdout=out, stderr=io.StringIO())
        v = interp.eval_source(src, "<test>")
        return out.getvalue() + to_string(v)
    return run


def run_cli(args, cwd=None, stdin=None, timeout=120):
    import subprocess
    return subprocess.run([sys.executable, "-m", "lispe_py"] + list(args), cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def call_builtin(name, *args):
    """Call a registered builtin directly (after checking it accepts that many arguments)."""
    from lispe_py.builtins.registry import BUILTINS
    b = BUILTINS[name]
    assert b.accepts(len(args)), f"{name} refuses {len(args)} arguments"
    return b.fn(*args)
