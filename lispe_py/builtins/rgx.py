"""LispE's own regular expressions (``rgx``): a small backtracking matcher for its syntax.

Syntax: ``%d`` digit, ``%a`` letter, ``%c`` lowercase, ``%C`` uppercase, ``%x`` hexadecimal
digit, ``%s`` space or tab, ``%S`` separator (any white space), ``%p`` punctuation, ``%r``
carriage return, ``%n`` non-breaking space, ``%e`` emoji, ``%H`` hangul; ``%`` or ``\\``
before any other character makes it literal. ``?`` any character, ``x*`` zero or more,
``x+`` one or more, ``~x`` one character that does not match x, ``{a b %d}`` one of the
alternatives (each character is one, a space too), ``[ab]`` a sequence, ``(ab)`` an optional
sequence."""

import sys
import unicodedata

from ..errors import LispEError
from ..values import Integers, Strings, TRUE, to_string
from .core import integer
from .registry import builtin


class Rgx:
    """A compiled LispE regular expression (prints as its pattern)."""

    kind = "rgx_"

    def __init__(self, pattern):
        self.pattern = pattern
        self.nodes = _parse(pattern)

    def lispe_str(self):
        return self.pattern

    # ---- matching: match_at(s, pos) -> end or -1
    def match_at(self, s, pos):
        out = []

        def done(p):
            out.append(p)
            return True
        _match(self.nodes, 0, s, pos, done)
        return out[0] if out else -1

    def search(self, s, pos=0):
        for i in range(max(pos, 0), len(s) + 1):
            e = self.match_at(s, i)
            if e >= 0:
                return i, e
        return None

    def fullmatch(self, s):
        ok = []

        def done(p):
            if p == len(s):
                ok.append(p)
                return True
            return False
        _match(self.nodes, 0, s, 0, done)
        return bool(ok)

    def finditer(self, s, pos=0):
        i = max(pos, 0)
        while i <= len(s):
            r = self.search(s, i)
            if r is None:
                return
            b, e = r
            yield b, e
            i = e if e > b else e + 1


# ----------------------------------------------------------------------------- parsing

def _is_emoji(c):
    o = ord(c)
    return 0x1F000 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF or 0x1F1E6 <= o <= 0x1F1FF


def _is_hangul(c):
    o = ord(c)
    return 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


def _is_punct(c):
    return unicodedata.category(c)[0] in "PS"


_CLASSES = {
    "d": str.isdigit,
    "a": str.isalpha,
    "c": str.islower,
    "C": str.isupper,
    "x": lambda c: c in "0123456789abcdefABCDEF",
    "s": lambda c: c in " \t\u00a0",
    "S": str.isspace,
    "p": _is_punct,
    "r": lambda c: c == "\r",
    "n": lambda c: c == "\u00a0",
    "e": _is_emoji,
    "H": _is_hangul,
}


def _bad():
    return LispEError("Unrecognized regular expression")


def _parse(p):
    nodes, i = _parse_seq(p, 0, None)
    return nodes


def _parse_seq(p, i, end):
    items = []
    while i < len(p):
        c = p[i]
        if end is not None and c == end:
            return items, i + 1
        if c in "*+" and items:
            items[-1] = ("star" if c == "*" else "plus", items[-1])
            i += 1
            continue
        node, i = _parse_atom(p, i)
        items.append(node)
    if end is not None:
        raise _bad()
    return items, i


def _parse_atom(p, i):
    c = p[i]
    if c == "\\" or c == "%":
        if i + 1 >= len(p):
            return ("char", c), i + 1
        x = p[i + 1]
        if c == "%" and x in _CLASSES:
            return ("class", _CLASSES[x]), i + 2
        return ("char", x), i + 2
    if c == "?":
        return ("any",), i + 1
    if c == "~":
        if i + 1 >= len(p):
            raise _bad()
        node, j = _parse_atom(p, i + 1)
        return ("not", node), j
    if c == "[":
        seq, j = _parse_seq(p, i + 1, "]")
        return ("seq", seq), j
    if c == "(":
        seq, j = _parse_seq(p, i + 1, ")")
        return ("opt", seq), j
    if c == "{":
        alts = []
        j = i + 1
        while True:
            if j >= len(p):
                raise _bad()
            if p[j] == "}":
                return ("alt", alts), j + 1
            if j + 2 < len(p) and p[j + 1] == "-" and p[j] not in "%\\" and p[j + 2] != "}":
                alts.append(("range", p[j], p[j + 2]))     # {a-z}: a character between
                j += 3
                continue
            node, j = _parse_atom(p, j)
            alts.append(node)
    if c in "]})":
        raise _bad()
    return ("char", c), i + 1


# ----------------------------------------------------------------------------- matching

def _one(node, ch):
    """Does the single-character node accept ch?"""
    t = node[0]
    if t == "char":
        return ch == node[1]
    if t == "any":
        return True
    if t == "class":
        return node[1](ch)
    if t == "not":
        return not _one(node[1], ch)
    if t == "alt":
        return any(_one(a, ch) for a in node[1])
    if t == "range":
        return node[1] <= ch <= node[2]
    if t == "seq" and len(node[1]) == 1:
        return _one(node[1][0], ch)
    return False


def _match(nodes, idx, s, pos, k):
    if idx == len(nodes):
        return k(pos)
    node = nodes[idx]
    return _node(node, s, pos, lambda p: _match(nodes, idx + 1, s, p, k))


def _node(node, s, pos, k):
    t = node[0]
    if t in ("char", "any", "class", "not", "range"):
        if pos < len(s) and _one(node, s[pos]):
            return k(pos + 1)
        return False
    if t == "seq":
        return _match(node[1], 0, s, pos, k)
    if t == "opt":
        return _match(node[1], 0, s, pos, k) or k(pos)
    if t == "alt":
        for a in node[1]:
            if _node(a, s, pos, k):
                return True
        return False
    if t == "plus":
        return _node(node[1], s, pos, lambda p: _star(node[1], s, p, k, pos))
    if t == "star":
        return _star(node[1], s, pos, k, -1)
    raise _bad()


def _star(inner, s, pos, k, last):
    if pos == last:             # no progress: stop repeating
        return k(pos)
    if _node(inner, s, pos, lambda p: p != pos and _star(inner, s, p, k, pos)):
        return True
    return k(pos)


# ----------------------------------------------------------------------------- builtins

def _rgx(x):
    if not isinstance(x, Rgx):
        raise LispEError("the first element must be a regular expression")
    return x


def _run(fn, *args):
    limit = sys.getrecursionlimit()
    if limit < 100000:
        sys.setrecursionlimit(100000)
    try:
        return fn(*args)
    finally:
        sys.setrecursionlimit(limit)


@builtin("rgx", library=True, params=["exp", "(str)"], doc="Creates a regular expression from a string")
def rgx(exp, text=None):
    """(rgx exp): a LispE regular expression compiled from the string exp."""
    return Rgx(to_string(exp))


@builtin("rgx_find", library=True, params=["exp", "str", "(pos 0)"],
         doc="Searches in 'str' the sub-string that matches the regular expression from 'pos'")
def rgx_find(exp, text, pos=0):
    """(rgx_find exp str (pos 0)): the first sub-string of str matching exp, or ""."""
    r = _rgx(exp)
    s = to_string(text)
    m = _run(r.search, s, integer(pos))
    return "" if m is None else s[m[0]:m[1]]


@builtin("rgx_findall", library=True, params=["exp", "str", "(pos 0)"],
         doc="Searches in 'str' all the sub-strings that matches the regular expression from 'pos'")
def rgx_findall(exp, text, pos=0):
    """(rgx_findall exp str (pos 0)): every sub-string of str matching exp (strings)."""
    r = _rgx(exp)
    s = to_string(text)
    return Strings(s[b:e] for b, e in _run(lambda: list(r.finditer(s, integer(pos)))))


@builtin("rgx_find_i", library=True, params=["exp", "str", "(pos 0)"],
         doc="Returns the position in 'str' of the sub-string that matches the regular expression starting at 'pos'")
def rgx_find_i(exp, text, pos=0):
    """(rgx_find_i exp str (pos 0)): (start end) of the first match, or ()."""
    r = _rgx(exp)
    m = _run(r.search, to_string(text), integer(pos))
    return Integers() if m is None else Integers(m)


@builtin("rgx_findall_i", library=True, params=["exp", "str", "(pos 0)"],
         doc="Returns all the positions in 'str' of the sub-string that matches the regular expression starting at 'pos'")
def rgx_findall_i(exp, text, pos=0):
    """(rgx_findall_i exp str (pos 0)): start end start end ... of every match."""
    r = _rgx(exp)
    out = Integers()
    for b, e in _run(lambda: list(r.finditer(to_string(text), integer(pos)))):
        out.extend((b, e))
    return out


@builtin("rgx_match", library=True, params=["exp", "str"],
         doc="Checks that 'str' matches the regular expression")
def rgx_match(exp, text):
    """(rgx_match exp str): true when the whole of str matches exp."""
    return TRUE if _run(_rgx(exp).fullmatch, to_string(text)) else None


@builtin("rgx_replace", library=True, params=["exp", "str", "rep"],
         doc="Replaces 'str' by 'rep' via a regular expression")
def rgx_replace(exp, text, rep):
    """(rgx_replace exp str rep): str with every match of exp replaced by rep."""
    r = _rgx(exp)
    s = to_string(text)
    rep = to_string(rep)
    out = []
    last = 0
    for b, e in _run(lambda: list(r.finditer(s))):
        out.append(s[last:b])
        out.append(rep)
        last = e
    out.append(s[last:])
    return "".join(out)


@builtin("rgx_split", library=True, params=["exp", "str"], doc="Split 'str' via a regular expression")
def rgx_split(exp, text):
    """(rgx_split exp str): the pieces of str between the matches of exp (() when none)."""
    r = _rgx(exp)
    s = to_string(text)
    spans = _run(lambda: list(r.finditer(s)))
    if not spans:
        return Strings()
    out = Strings()
    last = 0
    for b, e in spans:
        out.append(s[last:b])
        last = e
    if last < len(s):
        out.append(s[last:])
    return out
