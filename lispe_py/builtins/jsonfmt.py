"""JSON and pretty printing: json, json_parse, json_read, json_write, prettify.

As LispE does: ``nil`` is written ``false``, atoms as strings, numbers in ``%g`` form;
only ``"`` and ``\\`` are escaped in strings. ``json_parse`` reads integral numbers as
integers, ``null`` as nil, and knows no ``\\u`` escape."""

from ..errors import LispEError
from ..values import (TRUE, Atom, Dictionary, Float32, List, dict_items, format_number,
                      to_string)
from .registry import builtin


def _jstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_json(v):
    if v is None:
        return "false"
    if v is TRUE:
        return "true"
    t = type(v)
    if t is int:
        return str(v)
    if t is float or t is Float32:
        return format_number(v)
    if isinstance(v, str):
        return _jstr(v)
    if t is Atom:
        return _jstr(v.name)
    if isinstance(v, list):
        return "[" + ",".join(to_json(x) for x in v) + "]"
    if isinstance(v, dict):
        if isinstance(v, Dictionary):
            return "{" + ",".join(_jstr(k) + ":" + to_json(x) for k, x in dict_items(v)) + "}"
        return "{" + ",".join(to_string(k) + ":" + to_json(x) for k, x in dict_items(v)) + "}"
    if isinstance(v, (int, float)):
        return to_string(v)
    if isinstance(v, (set, frozenset)):
        from ..runtime import iterate
        return "[" + ",".join(to_json(x) for x in iterate(v)) + "]"
    return _jstr(to_string(v))


@builtin("json", arity=1)
def json(v):
    """(json v): v as a JSON string."""
    return to_json(v)


class _JsonError(Exception):
    def __init__(self, pos):
        self.pos = pos


_ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_WS = " \t\r\n"


def parse_json(s):
    n = len(s)

    def ws(i):
        while i < n and s[i] in _WS:
            i += 1
        return i

    def value(i):
        i = ws(i)
        if i >= n:
            raise _JsonError(n)
        c = s[i]
        if c == "{":
            d = Dictionary()
            i = ws(i + 1)
            while True:
                if i >= n:
                    raise _JsonError(n)
                if s[i] == "}":
                    return d, i + 1
                if s[i] != '"':
                    raise _JsonError(i)
                k, i = string(i)
                i = ws(i)
                if i >= n or s[i] != ":":
                    raise _JsonError(min(i, n))
                x, i = value(i + 1)
                d[k] = x
                i = ws(i)
                if i < n and s[i] == ",":
                    i = ws(i + 1)
                elif i < n and s[i] == "}":
                    continue
                else:
                    raise _JsonError(min(i, n))
        if c == "[":
            out = List()
            i = ws(i + 1)
            while True:
                if i >= n:
                    raise _JsonError(n)
                if s[i] == "]":
                    return out, i + 1
                x, i = value(i)
                out.append(x)
                i = ws(i)
                if i < n and s[i] == ",":
                    i = ws(i + 1)
                elif i < n and s[i] == "]":
                    continue
                else:
                    raise _JsonError(min(i, n))
        if c == '"':
            return string(i)
        for word, v in (("true", TRUE), ("false", None), ("null", None)):
            if s.startswith(word, i):
                return v, i + len(word)
        j = i
        if j < n and s[j] in "+-":
            j += 1
        while j < n and (s[j].isdigit() or s[j] in ".eE+-"):
            j += 1
        text = s[i:j]
        try:
            f = float(text)
        except ValueError:
            raise _JsonError(i)
        if f.is_integer() and abs(f) < 2 ** 63:
            return int(f), j
        return f, j

    def string(i):
        out = []
        i += 1
        while i < n:
            c = s[i]
            if c == '"':
                return "".join(out), i + 1
            if c == "\\" and i + 1 < n:
                d = s[i + 1]
                out.append(_ESC.get(d, d))
                i += 2
                continue
            out.append(c)
            i += 1
        raise _JsonError(n)

    i = ws(0)
    if i >= n or s[i] not in "[{":
        raise _JsonError(n)
    v, i = value(i)
    return v


@builtin("json_parse", arity=1)
def json_parse(s):
    """(json_parse str): the LispE value of a JSON text (an object or an array)."""
    s = to_string(s)
    try:
        return parse_json(s)
    except _JsonError as e:
        raise LispEError("JSON' structure contains errors line: 0 at position: %d" % e.pos)


@builtin("json_read", interp=True, arity=1)
def json_read(interp, env, path):
    """(json_read path): parse the JSON file at path."""
    if interp.sandbox is not None:
        interp.sandbox.check("read")
    path = to_string(path)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        raise LispEError("Unknown file: %s" % path, prefix=False)
    return json_parse(text)


@builtin("json_write", interp=True, arity=2)
def json_write(interp, env, v, path):
    """(json_write v path): write v as JSON into the file at path."""
    if interp.sandbox is not None:
        interp.sandbox.check("write")
    path = to_string(path)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(to_json(v))
    except OSError:
        raise LispEError("Cannot write in file: %s" % path)
    return TRUE


# prettify is in strings.py
