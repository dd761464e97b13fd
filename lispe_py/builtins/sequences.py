"""Sequence builtins of issue 15: enum, bytes, setrange, the list walkers LispE's composition
engine uses (takelist, droplist, takenb, scanlist, filtercar, takecar, dropcar), list marks
(mark, resetmark, cyclicp), addr_, getfast/setfast and the memory sizes."""

from ..errors import LispEError
from ..values import (TRUE, Floats, Integers, List, LList, Numbers, Shorts, Strings, lbool,
                      truthy, type_name)
from .core import integer
from .registry import builtin


def _iter(interp, v):
    from ..runtime import iterate
    return iterate(v)


class Enum:
    """What (enum l) gives in LispE: a lazy sequence of (index element) pairs over the live
    container (a loop sees the values changed while it walks, up to the size it had when the
    walk started); prints as the pairs."""

    kind = "enum"
    __slots__ = ("items", "start")

    def __init__(self, items, start):
        self.items = items
        self.start = start

    def lispe_iter(self):
        items = self.items
        if not isinstance(items, list):
            items = list(items)
        i = self.start
        for k in range(len(items)):         # as many as the container held when it started
            if k >= len(items):
                return
            yield List([i + k, items[k]])

    def __len__(self):
        return len(self.items)

    def lispe_str(self):
        from ..values import to_string
        return to_string(List(self.lispe_iter()))


def _register_enum():
    from .. import protocols
    protocols.SIZE[Enum] = len


_register_enum()


@builtin("enum", arity=(1, 2))
def enum(l, start=0):
    """(enum container [start]): the (index element) pairs of the container, indexes from
    start (0), walked lazily."""
    from ..runtime import iterate
    i = integer(start)
    if isinstance(l, (list, str)):
        items = iterate(l)
    elif isinstance(l, (int, float)) or l is None:
        items = ()
    else:
        items = [l]
    return Enum(items, i)


@builtin("bytes", arity=1)
def bytes_(s):
    """(bytes s): the bytes of the UTF-32 (little-endian) encoding of string s, as shorts;
    () for anything else."""
    if not isinstance(s, str):
        return Shorts()
    from ..values import Short
    return Shorts(Short(b) for b in s.encode("utf-32-le"))


def _coerce(container, v):
    from .lists import _coerce_for
    return _coerce_for(container, v)


@builtin("setrange", arity=(4, 6))
def setrange(l, beg, end, value, *extra):
    """(setrange l beg end value): replace the elements from beg to end (excluded) with the
    single element value (converted to the list's type); l is changed and returned."""
    if not isinstance(l, list):
        raise LispEError("Expecting a list as first argument")
    n = len(l)
    b = integer(beg)
    e = integer(end)
    if b < 0:
        b += n
    if e < 0:
        e += n
    b = max(0, min(b, n))
    e = min(e, n)
    if b >= e:
        return l
    try:
        v = _coerce(l, value)
    except LispEError:
        v = type(l)([0])[0] if type(l) is not List else value
    l[b:e] = [v]
    return l


def _result_like(l):
    if isinstance(l, str):
        return []
    t = type(l)
    if t in (Integers, Numbers, Floats, Shorts, Strings):
        return t()
    if t is LList:
        return LList()
    return List()


def _finish(l, out):
    if isinstance(l, str):
        return "".join(out)
    return out


def _walker(interp, env, f):
    from ..callables import Lambda
    from .functional import caller
    if isinstance(f, Lambda) and not f.params.names:
        raise LispEError("Wrong number of arguments")
    if isinstance(f, (int, float)) or isinstance(f, str):
        raise LispEError("unknown instruction: '%s'" % type_name(f))
    from ..values import Atom
    if type(f) is Atom and f.name in _ONE_ARG_IDENTITY:
        return lambda x: x          # (+ x) is x
    return caller(interp, env, f, False)


_ONE_ARG_IDENTITY = frozenset("+ - * / % ^^ & | ^ << >> &&& ||| ^^^".split())


@builtin("takelist", interp=True, arity=2)
def takelist(interp, env, f, l):
    """(takelist f l): the leading elements of l for which (f x) is true (a partial call such
    as '(< 3) gets the element last); the result has l's type."""
    out = _result_like(l)
    if not _size(l):
        return _finish(l, out)
    g = _walker(interp, env, f)
    for x in _iter(interp, l):
        if not truthy(g(x)):
            break
        out.append(x)
    return _finish(l, out)


@builtin("droplist", interp=True, arity=2)
def droplist(interp, env, f, l):
    """(droplist f l): l from the first element for which (f x) is true (the elements before
    it are dropped); the result has l's type."""
    out = _result_like(l)
    if not _size(l):
        return _finish(l, out)
    g = _walker(interp, env, f)
    keep = False
    for x in _iter(interp, l):
        if keep or truthy(g(x)):
            keep = True
            out.append(x)
    return _finish(l, out)


@builtin("filtercar", interp=True, arity=2)
def filtercar(interp, env, f, l):
    """(filtercar f l): the elements of l for which (f x) is true, as a list."""
    g = _walker(interp, env, f)
    return List(x for x in _iter(interp, l) if truthy(g(x)))


@builtin("takecar", interp=True, arity=2)
def takecar(interp, env, f, l):
    """(takecar f l): the leading elements of l for which (f x) is true, as a list."""
    g = _walker(interp, env, f)
    out = List()
    for x in _iter(interp, l):
        if not truthy(g(x)):
            break
        out.append(x)
    return out


@builtin("dropcar", interp=True, arity=2)
def dropcar(interp, env, f, l):
    """(dropcar f l): l from the first element for which (f x) is true, as a list."""
    g = _walker(interp, env, f)
    out = List()
    keep = False
    for x in _iter(interp, l):
        if keep or truthy(g(x)):
            keep = True
            out.append(x)
    return out


@builtin("scanlist", interp=True, arity=2)
def scanlist(interp, env, f, l):
    """(scanlist f l): (f x) for the first element x of l (nil for an empty list)."""
    items = list(_iter(interp, l))
    if not items:
        return None
    return _walker(interp, env, f)(items[0])


def _size(l):
    try:
        return len(l)
    except TypeError:
        return 0


@builtin("takenb", arity=2)
def takenb(n, l):
    """(takenb n l): the first n elements of l (the last -n when n is negative)."""
    if not isinstance(l, list):
        raise LispEError("Expecting a list as second element")
    k = integer(n)
    out = _result_like(l)
    out.extend(l[:k] if k >= 0 else l[k:])
    return out


# ----------------------------------------------------------------------------- marks

def _marks(interp):
    return interp.__dict__.setdefault("list_marks", {})    # id -> (list, flag)


@builtin("mark", interp=True, arity=(1, 2))
def mark(interp, env, l, *flag):
    """(mark l [flag]): the mark of list l (nil when unset); (mark l flag) sets it: true."""
    marks = _marks(interp)
    if not flag:
        m = marks.get(id(l))
        return lbool(m is not None and m[0] is l and m[1])
    marks[id(l)] = (l, truthy(flag[0]))
    return TRUE


@builtin("resetmark", interp=True, arity=1)
def resetmark(interp, env, l):
    """(resetmark l): clear the marks of l and of the lists it contains; true."""
    seen = set()

    def walk(x):
        if isinstance(x, list) and id(x) not in seen:
            seen.add(id(x))
            _marks(interp).pop(id(x), None)
            for y in x:
                walk(y)
    walk(l)
    return TRUE


@builtin("cyclicp", arity=1)
def cyclicp(l):
    """(cyclicp l): true when l contains itself (directly or through nested lists)."""
    path = set()

    def walk(x):
        if isinstance(x, list):
            if id(x) in path:
                return True
            path.add(id(x))
            try:
                return any(walk(y) for y in x)
            finally:
                path.discard(id(x))
        return False
    return lbool(walk(l))


@builtin("addr_", arity=1)
def addr_(x):
    """(addr_ x): an integer identifying the value x (its address)."""
    return id(x)


# ----------------------------------------------------------------------------- getfast/setfast

def _fast(interp):
    return interp.fast_slots


@builtin("setfast", interp=True, arity=2)
def setfast(interp, env, key, value):
    """(setfast key value): store value in the fast slot of key's type (one slot per type:
    every integer key shares a slot, every string key another...); value."""
    _fast(interp)[type_name(key)] = value
    return value


@builtin("getfast", interp=True, arity=1)
def getfast(interp, env, key):
    """(getfast key): the value of the fast slot of key's type, or nil."""
    return _fast(interp).get(type_name(key))


# ----------------------------------------------------------------------------- memory

# The real LispE (1.2025.11.12, Linux) answers 0 to both: its memory counters are not kept
# on this platform. A program that prints them prints what LispE prints.

@builtin("memory_size", library=True, doc="Memory used")
def memory_size():
    """(memory_size): 0, as the real LispE on Linux answers (a number)."""
    return 0.0


@builtin("memory_full_size", library=True, doc="Full Memory Usage")
def memory_full_size():
    """(memory_full_size): 0, as the real LispE on Linux answers (a number)."""
    return 0.0
