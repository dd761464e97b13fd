"""Less common LispE builtins: complex numbers, dates, list helpers (slice, swap, nconc,
rotate...), string helpers (deaccentuate, emojip, uuid), APL-style ``ρ`` and ``¬``."""

import datetime as _dt
import unicodedata

from ..errors import LispEError
from ..values import (TRUE, Complex, Form, Integers, List, LList, StringByte, Strings, lbool,
                      to_string, truthy)
from .core import integer, number
from .registry import BUILTINS, alias, builtin


# ----------------------------------------------------------------------------- complex

@builtin("complex", arity=2)
def complex_(re_, im):
    """(complex re im): a complex number (prints re,imi)."""
    return Complex(number(re_), number(im))


@builtin("real", arity=1)
def real(c):
    """(real c): the real part of a complex number."""
    return float(c.real) if isinstance(c, complex) else number(c)


@builtin("imaginary", arity=1)
def imaginary(c):
    """(imaginary c): the imaginary part of a complex number."""
    return float(c.imag) if isinstance(c, complex) else 0.0


# ----------------------------------------------------------------------------- dates

class Date:
    """A LispE ``date_`` value: prints as YYYY/MM/DD HH:MM:SS."""

    __slots__ = ("dt",)
    kind = "date_"

    def __init__(self, dt):
        self.dt = dt

    def lispe_str(self):
        return self.dt.strftime("%Y/%m/%d %H:%M:%S")


def _date(d):
    if not isinstance(d, Date):
        raise LispEError("Expecting a 'date' object")
    return d.dt


@builtin("date", arity=0)
def date():
    """(date): the current date and time."""
    return Date(_dt.datetime.now().replace(microsecond=0))


def _date_part(name, get):
    def f(d):
        return get(_date(d))
    f.__doc__ = "(%s d): that part of the date d, an integer." % name
    builtin(name, library=True, arity=(1, 1))(f)


_date_part("year", lambda d: d.year)
_date_part("month", lambda d: d.month)
_date_part("day", lambda d: d.day)
_date_part("hour", lambda d: d.hour)
_date_part("minute", lambda d: d.minute)
_date_part("second", lambda d: d.second)
_date_part("weekday", lambda d: (d.weekday() + 1) % 7)
_date_part("yearday", lambda d: d.timetuple().tm_yday - 1)


@builtin("setdate", arity=(1, 6))
def setdate(y, mo=1, d=1, h=0, mi=0, s=0):
    """(setdate y [m d h mi s]): a date from its parts."""
    try:
        return Date(_dt.datetime(integer(y), integer(mo), integer(d), integer(h), integer(mi),
                                 integer(s)))
    except ValueError as e:
        raise LispEError("Wrong date: %s" % e)


# ----------------------------------------------------------------------------- lists

@builtin("slice", arity=2)
def slice_(l, n):
    """(slice l n): l cut into pieces of n elements (the last may be shorter)."""
    n = integer(n)
    if n <= 0:
        raise LispEError("Wrong size for 'slice'")
    if isinstance(l, str):
        return Strings(l[i:i + n] for i in range(0, len(l), n))
    if isinstance(l, list):
        t = type(l) if type(l) in (Integers, Strings) or isinstance(l, List) else List
        maker = List if t.__name__ in ("Form", "LList") else t
        return List(maker(l[i:i + n]) for i in range(0, len(l), n))
    raise LispEError("You cannot apply 'slice' to: '%s'" % to_string(l))


@builtin("swap", arity=(2, 3))
def swap(l, i, j=None):
    """(swap l i [j]): exchange the elements at i and j (i + 1 by default) in place; returns l."""
    i = integer(i)
    j = i + 1 if j is None else integer(j)
    if not isinstance(l, list) or not (0 <= i < len(l) and 0 <= j < len(l)):
        raise LispEError("cannot swap values in this list")
    l[i], l[j] = l[j], l[i]
    return l


@builtin("replaceall", arity=3)
def replaceall(c, old, new):
    """(replaceall l old new): replace every element equal to old (in place); the count."""
    if isinstance(c, str):
        return c.count(to_string(old)) if old != "" else 0
    if not isinstance(c, list):
        raise LispEError("You cannot apply 'replaceall' to: '%s'" % to_string(c))
    eq = BUILTINS["="].fn
    n = 0
    for i, x in enumerate(c):
        try:
            same = truthy(eq(x, old))
        except Exception:
            same = False
        if same:
            c[i] = new
            n += 1
    return n


@builtin("nconc", arity=(1, None))
def nconc(l, *others):
    """(nconc l x...): append the elements of each x (or x itself) to l, in place."""
    if not isinstance(l, list):
        raise LispEError("Expecting a list as first element")
    for o in others:
        if isinstance(o, list):
            l.extend(list(o))
        elif o is not None:
            l.append(o)
    return l


@builtin("nconcn", arity=(1, None))
def nconcn(l, *others):
    """(nconcn l x...): like nconc, on a copy of l."""
    if not isinstance(l, list):
        raise LispEError("Expecting a list as first element")
    out = List(l)
    return nconc(out, *others)


@builtin("to_llist", arity=1)
def to_llist(l):
    """(to_llist l): the elements of l in a linked list."""
    if not isinstance(l, list):
        raise LispEError("Expecting a list")
    return LList(l)


@builtin("conspoint", arity=2)
def conspoint(a, b):
    """(conspoint a b): the dotted pair (a . b)."""
    return LList([a], b)


@builtin("pushtrue", arity=(2, None))
def pushtrue(l, *vs):
    """(pushtrue l v...): push the values that are true; returns l."""
    if not isinstance(l, list):
        raise LispEError("cannot push in this kind of elements")
    for v in vs:
        # LispE skips nil and empty lists only: 0, "" and {} are pushed
        if v is not None and not (isinstance(v, list) and not v):
            l.append(v)
    return l


@builtin("rotate", "⌽", arity=(1, 2))
def rotate(a, n=None):
    """(rotate l [n]): l rotated n places to the left (1 by default; negative: to the right),
    a new list of l's type; a string rotates its characters (one place to the right without
    n), a number stays (negated when n is given), as the binary does."""
    if isinstance(a, str):
        if not a:
            return a
        k = -1 if n is None else integer(n)
        k %= len(a)
        return a[k:] + a[:k]
    if isinstance(a, list) and not isinstance(a, dict):
        if not a:
            return List()
        k = (1 if n is None else integer(n)) % len(a)
        t = type(a)
        items = list(a[k:]) + list(a[:k])
        return t(items) if t is not Form and t is not LList else List(items)
    if isinstance(a, (int, float)) and not isinstance(a, bool):
        return a if n is None else -a
    raise LispEError("Expecting a list")


@builtin("transpose", arity=1)
def transpose(m):
    """(transpose m): the rows of a matrix (a list of lists of the same size) as its columns:
    strings when every cell is a string, else numbers (as the binary's matrices hold them).
    Anything else is returned as is."""
    if not (isinstance(m, list) and m and all(isinstance(r, list) for r in m)):
        return m
    n = len(m[0])
    if any(len(r) != n for r in m):
        raise LispEError("cannot transpose a matrix whose rows differ in size")

    if all(isinstance(x, str) for r in m for x in r):
        # a matrix of strings (what maplist of split gives in LispE: matrix_string_)
        return List(Strings(r[j] for r in m) for j in range(n))

    def cell(x):
        return x if isinstance(x, (int, float)) and not isinstance(x, bool) else number(x)
    cols = [[cell(r[j]) for r in m] for j in range(n)]
    if all(type(x) is int for c in cols for x in c):
        return List(Integers(c) for c in cols)
    return List(List(c) for c in cols)


@builtin("ρ", arity=(1, None))
def rho_apl(*args):
    """(ρ l): the shape of l; (ρ dims... values): like rho."""
    return BUILTINS["rho"].fn(*args)


alias("¬", "not")


# ----------------------------------------------------------------------------- strings

@builtin("deaccentuate", arity=1)
def deaccentuate(s):
    """(deaccentuate s): s without its accents."""
    s = to_string(s)
    return "".join(c for c in unicodedata.normalize("NFD", s)
                   if unicodedata.category(c) != "Mn")


def _is_emoji(c):
    o = ord(c)
    return (0x1F000 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF or 0x1F900 <= o <= 0x1F9FF
            or o in (0x200D, 0xFE0F) or 0x1F1E6 <= o <= 0x1F1FF)


@builtin("emojip", "emoji?", arity=1)
def emojip(s):
    """(emojip s): true if s is made of emoji."""
    s = to_string(s)
    return lbool(bool(s) and all(_is_emoji(c) for c in s))


@builtin("stringbytes", arity=(0, None))
def stringbytes(*args):
    """(stringbytes s...): a list of byte strings."""
    return Strings(StringByte(to_string(a)) for a in args)


@builtin("uuid", arity=0)
def uuid_():
    """(uuid): a random identifier."""
    import uuid
    h = uuid.uuid4().hex
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:28])


__all__ = ["Date", "TRUE"]


@builtin("stringbyte", arity=1)
def stringbyte(x):
    """(stringbyte x): x as a byte string."""
    return StringByte(to_string(x))


@builtin("atoms", interp=True, arity=0)
def atoms(interp, env):
    """(atoms): the names of the builtins and special forms."""
    from .registry import SPECIAL_FORMS
    from ..values import Atom
    return List(Atom(n) for n in sorted(set(BUILTINS) | set(SPECIAL_FORMS)))
