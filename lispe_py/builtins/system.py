"""System and code builtins of issue 15: ls, fileinfo, exit, getstruct, indent, bodies,
loadcode, and terminal input (input@, getchar, pipe)."""

import os
import sys
import time

from ..errors import LispEError
from ..values import Dictionary, Integers, List, Strings, TRUE, to_string
from .core import integer
from .registry import builtin


def _sandbox(interp, what):
    if getattr(interp, "sandbox", None) is not None:
        interp.sandbox.check(what)


@builtin("ls", interp=True, library=True, params=["path"], doc="Returns the content of a directory")
def ls(interp, env, path):
    """(ls path): the entries of directory path, each as path/name (() when it is not one)."""
    _sandbox(interp, "read")
    p = to_string(path)
    try:
        names = os.listdir(p)
    except OSError:
        return Strings()
    base = p if p.endswith("/") else p + "/"
    return Strings(base + n for n in names)


def _date(t):
    return time.strftime("%Y/%m/%d %H:%M:%S", time.localtime(t))


@builtin("fileinfo", interp=True, library=True, params=["path"],
         doc="Returns information about a file")
def fileinfo(interp, env, path):
    """(fileinfo path): a dictionary (size, date, access, change, directory, pathname), or nil."""
    _sandbox(interp, "read")
    p = to_string(path)
    try:
        st = os.stat(p)
    except OSError:
        return None
    import stat
    d = Dictionary()
    d["size"] = st.st_size
    d["date"] = _date(st.st_mtime)
    d["access"] = _date(st.st_atime)
    d["change"] = _date(st.st_ctime)
    d["directory"] = TRUE if stat.S_ISDIR(st.st_mode) else None
    d["pathname"] = p
    return d


class ExitProgram(SystemExit):
    """(exit code): ends the program with that status."""


@builtin("exit", library=True, params=["value"], doc="exit the current program")
def exit_(value):
    """(exit value): end the program now with exit status value."""
    try:
        code = integer(value)
    except LispEError:
        code = 0
    sys.stdout.flush()
    raise ExitProgram(code)


@builtin("getstruct", library=True, params=["str", "open", "close", "(pos 0)"],
         doc="(getstruct str open close (pos)): extracts a sub-string from an 'open' chararacter "
             "to a 'close' character starting at 'pos'")
def getstruct(text, o, c, pos=0):
    """(getstruct str open close (pos 0)): (sub-string start end) of the first structure from
    an open character to its matching close one (nested pairs and strings are skipped); nil."""
    s = to_string(text)
    o = to_string(o)
    c = to_string(c)
    i = s.find(o, max(integer(pos), 0))
    if i < 0 or not o or not c:
        return None
    depth = 0
    j = i
    n = len(s)
    while j < n:
        ch = s[j]
        if ch == '"':
            j += 1
            while j < n and s[j] != '"':
                if s[j] == "\\":
                    j += 1
                j += 1
        elif s.startswith(o, j):
            depth += 1
        elif s.startswith(c, j):
            depth -= 1
            if depth == 0:
                end = j + len(c)
                return List([s[i:end], i, end])
        j += 1
    return None


@builtin("indent", library=True, params=["str", "lispmode"], doc="Indent a string containing code")
def indent(text, lispmode):
    """(indent str lispmode): the code with LispE's indentation. In Lisp mode the real LispE
    1.2025.11.12 gives the text back followed by two newlines, and so does lispe-py; otherwise
    lines are indented by three spaces per open bracket."""
    s = to_string(text)
    from ..values import truthy
    if truthy(lispmode):
        return s + "\n\n"
    out = []
    depth = 0
    for line in s.split("\n"):
        stripped = line.strip()
        lead = 0
        while lead < len(stripped) and stripped[lead] in ")]}":
            lead += 1
        out.append(" " * (3 * max(depth - lead, 0)) + stripped)
        in_str = False
        for ch in stripped:
            if ch == '"':
                in_str = not in_str
            elif not in_str and ch in "([{":
                depth += 1
            elif not in_str and ch in ")]}":
                depth = max(depth - 1, 0)
    return "\n".join(out) + "\n\n"


@builtin("bodies", arity=1)
def bodies(f):
    """(bodies f): the definitions of a pattern function (its clauses, last defined first);
    a function or lambda itself; anything else unchanged."""
    from ..callables import PatternFunction
    if isinstance(f, PatternFunction):
        return List(src for _m, _b, src in reversed(f.clauses))
    return f


@builtin("loadcode", interp=True, arity=1)
def loadcode(interp, env, code):
    """(loadcode str): read and evaluate the LispE code in str; the value of its last form."""
    src = to_string(code)
    runtime = interp.compile_program(src, interp.file)
    value = None
    for fn, _form in runtime:
        value = fn(env)
    return value


# ----------------------------------------------------------------------------- terminal input

@builtin("input@", interp=True, arity=(0, 1))
def input_at(interp, env, prompt=None):
    """(input@ [prompt]): a line typed on the terminal (without its newline)."""
    if prompt is not None:
        interp.stdout.write(to_string(prompt))
        interp.stdout.flush()
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


@builtin("getchar", arity=0)
def getchar():
    """(getchar): one key pressed on the terminal, without echo ("" when stdin is not one)."""
    if not sys.stdin.isatty():
        return ""
    import termios
    import tty
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        ch = sys.stdin.read(1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
    return ch


@builtin("pipe", arity=0)
def pipe():
    """(pipe): the next line of standard input without its newline (nil at the end)."""
    line = sys.stdin.readline()
    if not line:
        return None
    return line[:-1] if line.endswith("\n") else line


del Integers
