"""String builtins: trim, case, split, replace, format, find helpers, character tests."""

import re
import string as _string

from ..errors import LispEError
from ..values import Atom as _Atom, Integers, List, Strings, TRUE, lbool, to_string
from .arith import as_integer as integer    # LispE asInteger: strings parsed, atoms 1, others 0
from .registry import builtin as _builtin


def builtin(*names, **kw):
    """Every function of LispE's strings module is a library (deflib) function: extra
    arguments are ignored, a missing one is ``Wrong parameter description``, and a defun of
    its name is ``Function 'trim' already declared``."""
    kw.setdefault("library", True)
    return _builtin(*names, **kw)


def _s(x):
    return x if isinstance(x, str) else to_string(x)


@builtin("trim")
def trim(s):
    """(trim s): s without leading and trailing whitespace."""
    return _s(s).strip()


@builtin("trimleft")
def trimleft(s):
    """(trimleft s): without leading whitespace."""
    return _s(s).lstrip()


@builtin("trimright")
def trimright(s):
    """(trimright s): without trailing whitespace."""
    return _s(s).rstrip()


@builtin("trim0")
def trim0(s):
    """(trim0 s): without trailing zeros after a decimal point."""
    s = _s(s)
    if "." in s:
        s = s.rstrip("0").rstrip(".") if s.rstrip("0").endswith(".") else s.rstrip("0")
    return s


@builtin("lower")
def lower(s):
    """(lower s): lower case."""
    return _s(s).lower()


@builtin("upper")
def upper(s):
    """(upper s): upper case."""
    return _s(s).upper()


@builtin("split", arity=(1, 2))
def split(s, sep=None):
    """(split s [sep]): the non-empty fields of s (default separator: whitespace)."""
    s = _s(s)
    if sep is None:
        return Strings(s.split())
    sep = _s(sep)
    if sep == "":
        return Strings(list(s))
    return Strings(x for x in s.split(sep) if x)


@builtin("splite", arity=(1, 2))
def splite(s, sep=None):
    """(splite s [sep]): like split, keeping empty fields. As in LispE, the field after the
    last separator is lost ((splite "a,b" ",") is ("a")), and so is a last empty field
    when splitting at blanks."""
    s = _s(s)
    if sep is None:
        parts = re.split(r"\s", s) if s else []
        if parts and parts[-1] == "":
            parts.pop()
        return Strings(parts)
    sep = _s(sep)
    if sep == "":
        return Strings(list(s))
    return Strings(s.split(sep)[:-1])


@builtin("replace", arity=(3, 4))
def replace(s, find, rep, index=None):
    """(replace s find rep): every occurrence of find replaced by rep."""
    if not isinstance(s, str):
        raise LispEError("cannot apply 'replace' to this type of object")
    s, find, rep = _s(s), _s(find), _s(rep)
    if index is None:
        if not find:            # LispE leaves the string unchanged
            return s
        return s.replace(find, rep)
    # LispE's index form is odd, and followed as observed: find, then the text from index
    i = max(integer(index), 0)
    return find + s[i:]


@builtin("format", arity=(1, None))
def format_(fmt, *args):
    """(format "x=%1 y=%2" a b): %1..%9 replaced by the arguments."""
    fmt = _s(fmt)

    def sub(m):
        i = int(m.group(1)) - 1
        # LispE leaves the mark of a nil argument in place
        return to_string(args[i]) if 0 <= i < len(args) and args[i] is not None else m.group(0)
    return re.sub(r"%([1-9])", sub, fmt)


@builtin("left", arity=2)
def left(s, n):
    """(left s n): the first n characters."""
    return _s(s)[:max(integer(n), 0)]


@builtin("right", arity=2)
def right(s, n):
    """(right s n): the last n characters."""
    n = integer(n)
    return _s(s)[-n:] if n > 0 else ""


@builtin("middle", arity=3)
def middle(s, i, n):
    """(middle s i n): n characters from position i."""
    i = integer(i)
    n = integer(n)
    if i < 0:
        # the binary reads outside the string there
        raise LispEError("'middle' with a negative position is not supported yet in lispe-py")
    return _s(s)[i:] if n < 0 else _s(s)[i:i + n]     # a negative count: to the end (npos)


@builtin("padding", arity=3)
def padding(s, c, n):
    """(padding s c n): s padded with c up to n characters."""
    s = _s(s)
    n = integer(n)
    c = _s(c)
    if not c or len(s) >= n:
        return s
    while len(s) < n:
        s += c
    return s[:n]


@builtin("ord", arity=1)
def ord_(s):
    """(ord s): the code points of s, a list."""
    return Integers(ord(c) for c in _s(s))


@builtin("chr", arity=1)
def chr_(n):
    """(chr n): the character of code point n."""
    n = integer(n)
    return chr(n) if n else ""      # LispE: code 0 gives an empty string


@builtin("chrbyte", arity=1, library=True, params=["nb"],
         doc="Returns the byte character corresponding to the code 'nb' or a list of integers")
def chrbyte(n):
    """(chrbyte n): the byte string of byte n; (chrbyte list): the bytes of a list of numbers
    as one byte string, UTF-8 sequences read as characters ((chrbyte (integers 228 184 173))
    is 中). An element that is not a number counts as 0; a byte outside 0..255 is an error.
    Bytes that are not UTF-8 are kept as they are (printed raw, as LispE does)."""
    from ..values import StringByte
    items = n if isinstance(n, list) else (n,)
    data = bytearray()
    for x in items:
        try:
            b = integer(x)
        except LispEError:
            b = 0
        if not 0 <= b <= 255:
            raise LispEError("cannot convert this value to a stringbyte")
        data.append(b)
    return StringByte(data.decode("utf-8", "surrogateescape"))


@builtin("startwith", arity=2)
def startwith(s, p):
    """(startwith s prefix): an empty prefix is nil, as in LispE."""
    p = _s(p)
    return lbool(p != "" and _s(s).startswith(p))


@builtin("endwith", arity=2)
def endwith(s, p):
    """(endwith s suffix): an empty suffix is nil, as in LispE."""
    p = _s(p)
    return lbool(p != "" and _s(s).endswith(p))


def _test(pred):
    def f(s):
        s = _s(s)
        return lbool(bool(s) and all(pred(c) for c in s))
    return f


builtin("lowerp", "lower?")(_test(str.islower))
builtin("upperp", "upper?")(_test(str.isupper))
builtin("alphap", "alpha?")(_test(str.isalpha))
builtin("digitp", "digit?")(_test(str.isdigit))
builtin("vowelp", "vowel?")(_test(lambda c: c.lower() in "aeiouyàâäéèêëîïôöùûü"))
builtin("consonantp", "consonant?")(_test(lambda c: c.isalpha() and c.lower() not in "aeiouy"))
builtin("punctuationp", "punctuation?")(_test(lambda c: c in _string.punctuation))


@builtin("editdistance", arity=2)
def editdistance(a, b):
    """(editdistance a b): Levenshtein distance."""
    a, b = _s(a), _s(b)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@builtin("ngrams", arity=2)
def ngrams(s, n):
    """(ngrams s n): the substrings of length n."""
    n = integer(n)
    if isinstance(s, list):
        return List(List(s[i:i + n]) for i in range(len(s) - n + 1))
    s = _s(s)
    return Strings(s[i:i + n] for i in range(len(s) - n + 1))


@builtin("segment", arity=(1, 2))
def segment(s, keep=None):
    """(segment s): words, numbers and punctuation as separate strings."""
    return Strings(re.findall(r"\d+(?:\.\d+)?|\w+|[^\w\s]", _s(s)))


__all__ = ["TRUE"]


# ----------------------------------------------------------------------------- prettify

def _is_instruction(x):
    """An atom naming a LispE instruction (a core builtin or a special form, not a library
    function): prettify keeps it on the line of its opening bracket."""
    from .registry import SPECIAL_FORMS
    from .registry import BUILTINS
    if type(x) is not _Atom or x is TRUE:
        return False
    b = BUILTINS.get(x.name)
    return x.name in SPECIAL_FORMS or (b is not None and not b.library)


def _quoted(s):
    return to_string(List([s]))[1:-1]


def _prettyfying(x, out, width):
    """LispE Element::prettyfying, without indentation (as the binary prints it)."""
    if isinstance(x, list):
        if not x:
            out.append(" ()")
            return
        head = x[0]
        name = head.name if type(head) is _Atom else None
        if name in ("lambda", "λ"):
            out.append(" " + to_string(x))
            return
        if name in ("defun", "defpat", "deflib") and len(x) >= 3:
            out.append("(%s %s %s\n" % (name, to_string(x[1]), to_string(x[2])))
            for y in x[3:]:
                _prettyfying(y, out, width)
            out.append(")\n")
            return
        if name in ("loop", "mloop", "lloop") and len(x) >= 3:
            out.append("(%s %s " % (name, to_string(x[1])))
            if isinstance(x[2], list):
                out.append("\n")
                _prettyfying(x[2], out, width)
            else:
                out.append(to_string(x[2]) + "\n")
            for y in x[3:]:
                _prettyfying(y, out, width)
            out.append(")\n")
            return
        if name in ("if", "check", "ncheck", "ife") and len(x) >= 2:
            out.append("(%s %s\n" % (name, to_string(x[1])))
            for y in x[2:]:
                _prettyfying(y, out, width)
            out.append(")\n")
            return
        local = to_string(x)
        if len(local) < width:
            out.append(local + "\n")
            return
        out.append("(")
        i = 0
        if name in ("while", "setq", "setg", "loopcount", "key", "keyn") and len(x) >= 2:
            out.append(name + " ")
            _prettyfying(x[1], out, width)
            if not out[-1].endswith("\n"):
                out.append("\n")
            i = 2
        else:
            if _is_instruction(head):
                out.append(to_string(head))
                i = 1
            out.append("\n")
        for y in x[i:]:
            _prettyfying(y, out, width)
            if not out[-1].endswith("\n"):
                out.append("\n")
        out.append(")\n")
        return
    if isinstance(x, str):
        out.append(_quoted(x))
        return
    if isinstance(x, dict):
        local = to_string(x)
        if len(local) < width:
            out.append(local)
            return
        out.append("{\n")
        from ..values import dict_keys
        for k in dict_keys(x):
            out.append(to_string(k) + ":")
            _prettyfying(x[k], out, width)
            if not out[-1].endswith("\n"):
                out.append("\n")
        out.append("}\n")
        return
    from ..callables import Lambda
    if isinstance(x, Lambda):
        out.append(" " + to_string(x))     # a lambda value is a (λ ...) list in LispE
        return
    out.append(to_string(x))


@builtin("prettify", arity=(1, 2), library=False)
def prettify(v, width=None):
    """(prettify v [width]): v laid out on several lines: a list whose printed form is not
    shorter than width (50 by default) gets one element per line; defun, if and loop are
    always split."""
    if isinstance(v, str):
        return v
    w = 50 if width is None else integer(width)
    out = []
    _prettyfying(v, out, w)
    return "".join(out)
