"""Files and system: fread, fwrite, fappend, command, getenv, chrono."""

import os
import time

from ..errors import LispEError
from ..values import Strings, TRUE, to_string
from .registry import builtin


def _guard(interp, what):
    if interp.sandbox is not None:
        interp.sandbox.check(what)


@builtin("fread", interp=True, arity=1)
def fread(interp, env, path):
    """(fread path): the file's content as a string (LispE adds a final newline)."""
    _guard(interp, "read")
    path = to_string(path)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read() + "\n"
    except OSError:
        raise LispEError("Unknown file: %s" % path, prefix=False)


def _write(interp, path, s, mode):
    _guard(interp, "write")
    path = to_string(path)
    try:
        with open(path, mode, encoding="utf-8") as f:
            f.write(to_string(s))
    except OSError:
        raise LispEError("Cannot write in file: %s" % path)
    return TRUE


@builtin("fwrite", interp=True, arity=2)
def fwrite(interp, env, path, s):
    """(fwrite path s): write s to the file; true."""
    return _write(interp, path, s, "w")


@builtin("fappend", interp=True, arity=2)
def fappend(interp, env, path, s):
    """(fappend path s): append s to the file; true."""
    return _write(interp, path, s, "a")


@builtin("command", interp=True, arity=1)
def command(interp, env, cmd):
    """(command "shell command"): its output lines (strings, each ending with a newline)."""
    _guard(interp, "command")
    import subprocess
    out = subprocess.run(to_string(cmd), shell=True, capture_output=True, text=True).stdout
    return Strings(out.splitlines(keepends=True))


@builtin("getenv", interp=True, arity=1)
def getenv(interp, env, name):
    """(getenv name): an environment variable ("" when unset)."""
    _guard(interp, "environment")
    return os.environ.get(to_string(name), "")


@builtin("setenv", interp=True, arity=2)
def setenv(interp, env, name, value):
    """(setenv name value)"""
    _guard(interp, "environment")
    os.environ[to_string(name)] = to_string(value)
    return TRUE


@builtin("realpath", interp=True, arity=1)
def realpath(interp, env, p):
    """(realpath path): the absolute path."""
    _guard(interp, "read")
    return os.path.realpath(to_string(p))


@builtin("isdirectory", interp=True, arity=1)
def isdirectory(interp, env, p):
    """(isdirectory path)"""
    _guard(interp, "read")
    from ..values import lbool
    return lbool(os.path.isdir(to_string(p)))


class Chrono(float):
    """A time stamp of (chrono): the difference of two is a number of milliseconds."""
    kind = "chrono_"


def _chrono_arith(op, a, b):
    if op == "-" and type(a) is Chrono and type(b) is Chrono:
        return float(a) - float(b)
    raise LispEError("cannot evaluate '%s' with these operands" % op)


def _register_chrono():
    from .. import protocols
    protocols.ARITH[Chrono] = _chrono_arith


_register_chrono()


@builtin("chrono", arity=0)
def chrono():
    """(chrono): a time stamp in milliseconds."""
    return Chrono(time.perf_counter() * 1000.0)
