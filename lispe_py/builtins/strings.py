"""String builtins: trim, case, split, replace, format, find helpers, character tests."""

import re
import string as _string

from ..errors import LispEError
from ..values import Integers, List, Strings, TRUE, lbool, to_string
from .core import integer
from .registry import builtin


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
    """(splite s [sep]): like split, keeping empty fields."""
    s = _s(s)
    if sep is None:
        return Strings(re.split(r"\s", s)) if s else Strings()
    sep = _s(sep)
    parts = s.split(sep)
    if len(parts) > 1:
        parts = parts[:-1] if parts[-1] == "" or True else parts
    return Strings(parts)


@builtin("replace", arity=(3, 4))
def replace(s, find, rep, index=None):
    """(replace s find rep): every occurrence of find replaced by rep."""
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
        return to_string(args[i]) if 0 <= i < len(args) else m.group(0)
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
    return _s(s)[i:i + integer(n)]


@builtin("padding", arity=3)
def padding(s, c, n):
    """(padding s c n): s padded with c up to n characters."""
    s = _s(s)
    n = integer(n)
    c = _s(c) or " "
    while len(s) < n:
        s += c
    return s[:max(n, len(_s(s)))] if len(s) > n else s


@builtin("ord", arity=1)
def ord_(s):
    """(ord s): the code points of s, a list."""
    return Integers(ord(c) for c in _s(s))


@builtin("chr", arity=1)
def chr_(n):
    """(chr n): the character of code point n."""
    return chr(integer(n))


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
    """(startwith s prefix)"""
    return lbool(_s(s).startswith(_s(p)))


@builtin("endwith", arity=2)
def endwith(s, p):
    """(endwith s suffix)"""
    return lbool(_s(s).endswith(_s(p)))


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
