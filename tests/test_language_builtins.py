"""Names of the real LispE that lispe-py does not support yet fail clearly; constants."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, SHARED
from lispe_py.errors import LispEError


def test_unsupported_names_raise_a_clear_error(lispe):
    with pytest.raises(LispEError, match="'deflib' is not supported yet in lispe-py"):
        lispe('(deflib f (x))')
    with pytest.raises(LispEError, match="'deflibpat' is not supported yet in lispe-py"):
        lispe("(list deflibpat)")
    with pytest.raises(LispEError, match="Unbound atom: 'nosuchname'"):
        lispe("(nosuchname 1)")


def test_constants(lispe):
    assert lispe("(list _sep (type _version) (type os_version) ϕ)") == '("/" string_ list_ 1.61803)'


def test_setconst_label(lispe):
    assert lispe("(list (label a 10) a (setconst c 3) c)") == "(10 10 true 3)"
    with pytest.raises(LispEError, match="'c' is a constant value"):
        lispe("(setconst c 3) (setq c 4)")


def test_function_redefinition_is_allowed(lispe):
    assert lispe("(defun f (x) (* x 2)) (defun f (x) (* x 3)) (f 2)") == "6"


def test_every_real_name_is_known():
    real = os.path.join(SHARED, "tools", "lispe-real")
    if not os.path.exists(real):
        pytest.skip("the real LispE is not present")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "compare_builtins.py"), "--check"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
