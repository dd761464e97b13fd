"""List builtins: construction, access (at/@ with negative and nested indexes), mutation,
typed lists, ranges, higher-order functions."""

import math

from ..callables import Instance
from ..errors import LispEError
from ..protocols import AT, CAR, CDR, EXTRACT, SET_AT, SIZE, find
from ..values import (DICTS, TRUE, Atom, Dictionary, DictionaryI, DictionaryN, Float32, Floats,
                      Form, Integers, LList, List, Numbers, Short, Shorts, Strings, TYPED_LISTS,
                      lbool, to_string, truthy, wrap64)
from .arith import _cmp_pair, eq_values, values_equal
from .core import integer, number
from .registry import Builtin, builtin


def _oob():
    return LispEError("index out of bounds")


# ----------------------------------------------------------------------------- construction

@builtin("list", arity=(0, None))
def list_(*args):
    """(list a b ...): a new list."""
    return List(args)


@builtin("llist", arity=(0, None))
def llist(*args):
    """(llist a b ...): a new linked list."""
    return LList(args)


def _flatten_into(out, x, conv):
    if isinstance(x, (list, tuple)):
        for y in x:
            _flatten_into(out, y, conv)
    else:
        out.append(conv(x))


def _typed(cls, conv):
    def make(*args):
        out = cls()
        for a in args:
            _flatten_into(out, a, conv)
        return out
    return make


def _to_int(x):
    return integer(x)


def _to_str(x):
    return to_string(x)


_integers = _typed(Integers, _to_int)
_numbers = _typed(Numbers, number)
_floats = _typed(Floats, lambda x: Float32(number(x)))
_shorts = _typed(Shorts, lambda x: Short(integer(x)))
_strings = _typed(Strings, _to_str)


@builtin("integers", arity=(0, None))
def integers(*args):
    """(integers a b ...): a typed list of integers (list arguments are flattened)."""
    return _integers(*args)


@builtin("numbers", arity=(0, None))
def numbers(*args):
    """(numbers a b ...): a typed list of doubles."""
    return _numbers(*args)


@builtin("floats", arity=(0, None))
def floats(*args):
    """(floats a b ...): a typed list of 32-bit floats."""
    return _floats(*args)


@builtin("shorts", arity=(0, None))
def shorts(*args):
    """(shorts a b ...): a typed list of 16-bit integers."""
    return _shorts(*args)


@builtin("strings", arity=(0, None))
def strings(*args):
    """(strings a b ...): a typed list of strings."""
    return _strings(*args)


def _coerce_for(container, v):
    t = type(container)
    if t is Integers:
        return integer(v) if not isinstance(v, str) else integer(v)
    if t is Numbers:
        return number(v)
    if t is Floats:
        return Float32(number(v))
    if t is Shorts:
        return Short(integer(v))
    if t is Strings:
        return to_string(v)
    return v


@builtin("cons")
def cons(x, l):
    """(cons x l): a new list with x in front of l; (cons x atom) is a dotted pair."""
    if l is None:
        return List([x])
    if isinstance(l, LList):
        return LList([x] + list(l), l.tail)
    if isinstance(l, list):
        if type(l) in TYPED_LISTS:
            try:
                v = _coerce_for(l, x) if not isinstance(x, str) or type(l) is Strings else 0
            except LispEError:
                v = 0
            return type(l)([v] + list(l))
        return List([x] + list(l))
    return LList([x], l)


@builtin("consb")
def consb(l, x):
    """(consb l x): a new list with x appended."""
    if l is None:
        return List([x])
    if isinstance(l, list):
        return type(l)(list(l) + [_coerce_for(l, x)]) if type(l) is not Form else List(list(l) + [x])
    raise LispEError("You cannot apply 'consb' to: '%s'" % to_string(l))


@builtin("car")
def car(l):
    """(car l): first element; nil for an empty list."""
    if isinstance(l, list):
        return l[0] if l else None
    if isinstance(l, str):
        if not l:
            raise LispEError("Empty string")
        return l[:1]
    h = find(CAR, l)
    if h is not None:
        return h(l)
    raise LispEError("You cannot apply 'car' to: '%s'" % to_string(l))


@builtin("cdr")
def cdr(l):
    """(cdr l): the rest of l; nil when fewer than two elements remain."""
    if isinstance(l, LList):
        if len(l) > 1:
            return LList(l[1:], l.tail)
        return l.tail
    if isinstance(l, list):
        if len(l) <= 1:
            return None
        t = type(l)
        return List(l[1:]) if t is Form else t(l[1:])
    if isinstance(l, str):
        if not l:
            raise LispEError("Empty string")
        return l[1:]
    h = find(CDR, l)
    if h is not None:
        return h(l)
    raise LispEError("You cannot apply 'cdr' to: '%s'" % to_string(l))


def cxr(path):
    """caar, cadr, cdddr...: path is the letters between c and r, applied right to left."""
    def f(l):
        for ch in reversed(path):
            l = car(l) if ch == "a" else cdr(l)
        return l
    return f


for _p in ["aa", "ad", "da", "dd", "aaa", "aad", "ada", "add", "daa", "dad", "dda", "ddd",
           "aaaa", "aaad", "aada", "aadd", "adaa", "adad", "adda", "addd", "daaa", "daad",
           "dada", "dadd", "ddaa", "ddad", "ddda", "dddd"]:
    def _mk(p):
        def fn(l):
            return cxr(p)(l)
        fn.__doc__ = "(c%sr l): composed car/cdr." % p
        return fn
    builtin("c%sr" % _p)(_mk(_p))


@builtin("last")
def last(l):
    """(last l): the last element."""
    if isinstance(l, list):
        return l[-1] if l else None
    if isinstance(l, str):
        return l[-1:] if l else None
    return None          # LispE: nil for anything else (numbers, dictionaries, nil)


# ----------------------------------------------------------------------------- access

def _index(x, size):
    if isinstance(x, float):
        x = int(x)
    if not isinstance(x, int):
        raise LispEError("cannot use this element in an arithmetic expression: '%s'" % to_string(x))
    if x < 0:
        x += size
    if x < 0 or x >= size:
        raise _oob()
    return x


def at_one(c, k):
    if isinstance(c, list):
        return c[_index(k, len(c))]
    if isinstance(c, str):
        return c[_index(k, len(c))]
    if isinstance(c, dict):
        if isinstance(c, Dictionary):
            key = to_string(k)
        elif isinstance(c, DictionaryI):
            if isinstance(k, str):
                raise LispEError("cannot use this element in an arithmetic expression: '%s'" % k)
            key = integer(k)
        else:
            key = number(k)
        try:
            return c[key]
        except KeyError:
            raise _oob()
    if isinstance(c, Instance):
        name = k.name if type(k) is Atom else to_string(k)
        if name in c.fields:
            return c.fields[name]
        raise _oob()
    h = find(AT, c)
    if h is not None:
        return h(c, [k])
    raise LispEError("value cannot be access through index")


@builtin("at", "@", "nth", arity=(2, None))
def at(c, *keys):
    """(at c i j ...): nested access; negative indexes count from the end."""
    h = find(AT, c) if not isinstance(c, (list, str, dict)) else None
    if h is not None:
        return h(c, list(keys))
    for k in keys:
        c = at_one(c, k)
    return c


def _set_one(c, k, v):
    if isinstance(c, list):
        n = len(c)
        if isinstance(k, float):
            k = int(k)
        if not isinstance(k, int):
            raise LispEError("cannot use this element in an arithmetic expression: '%s'" % to_string(k))
        if k < 0:
            k += n
        if k < 0:
            raise _oob()
        v = _coerce_for(c, v)
        if k >= n:
            c.append(v)
        else:
            c[k] = v
        return
    if isinstance(c, dict):
        c[_dict_key(c, k)] = v
        return
    if isinstance(c, Instance):
        c.fields[k.name if type(k) is Atom else to_string(k)] = v
        return
    h = find(SET_AT, c)
    if h is not None:
        h(c, [k], v)
        return
    raise LispEError("You cannot apply 'set@' to: '%s'" % to_string(c))


def _dict_key(d, k):
    if isinstance(d, Dictionary):
        return to_string(k)
    if isinstance(d, DictionaryI):
        return integer(k)
    return number(k)


@builtin("set@", arity=(3, None))
def set_at(c, *rest):
    """(set@ c i ... v): store v at the (nested) place; returns c."""
    keys, v = rest[:-1], rest[-1]
    h = find(SET_AT, c) if not isinstance(c, (list, dict, Instance)) else None
    if h is not None:
        h(c, list(keys), v)
        return c
    target = c
    for k in keys[:-1]:
        target = at_one(target, k)
    _set_one(target, keys[-1], v)
    return c


def _extract_bound_str(s, b, start, is_end):
    if isinstance(b, str):
        i = s.find(b, start)
        if i < 0:
            return None
        return i if is_end else i + len(b)
    return None


@builtin("@@", "extract", arity=(2, 3))
def extract(c, frm, upto=None):
    """(@@ c from [upto]): a slice; a negative from counts from the end, upto 0 = to the end."""
    n = len(c) if isinstance(c, (list, str)) else 0
    if isinstance(c, str) and isinstance(frm, str):
        i = c.find(frm)
        if i < 0:
            return ""
        frm = i + len(frm)
    if not isinstance(c, (list, str)):
        h = find(EXTRACT, c)
        if h is not None:
            return h(c, frm, upto)
        return None          # LispE: nil for what cannot be sliced
    f = integer(frm) if not isinstance(frm, int) else frm
    if f < 0:
        f += n
        if f < 0:
            f = 0
    if upto is None:
        if f >= n:
            return List() if isinstance(c, list) else ""
        return c[f]
    if (type(upto) is Atom or isinstance(upto, Builtin)) and upto.name == "-":
        u = n
    elif isinstance(c, str) and isinstance(upto, str):
        j = c.find(upto, f)
        if j < 0:
            return ""
        u = j
    else:
        u = integer(upto)
        if u <= 0:
            u = n + u
        elif u > n:
            u = n
    if f >= n or u < f:
        return List() if isinstance(c, list) else ""
    out = c[f:u]
    if isinstance(c, list):
        t = type(c)
        return List(out) if t in (Form, List) else t(out)
    return out


@builtin("size")
def size(c):
    """(size c): number of elements (code points for strings); 0 for non-containers."""
    if isinstance(c, (list, str, dict, set)):
        return len(c)
    h = find(SIZE, c)
    if h is not None:
        return h(c)
    return 0


# ----------------------------------------------------------------------------- mutation

@builtin("push", "pushlast", arity=(2, None))
def push(l, *vals):
    """(push l v): append v at the end (at the front of an llist); returns l."""
    if isinstance(l, LList):
        for v in vals:
            l.insert(0, v)
        return l
    if isinstance(l, list):
        for v in vals:
            l.append(_coerce_for(l, v))
        return l
    raise LispEError("cannot push in this kind of elements")


@builtin("pushfirst", arity=(2, None))
def pushfirst(l, *vals):
    """(pushfirst l v): insert v at the front; returns l."""
    if isinstance(l, list):
        for v in vals:
            l.insert(0, _coerce_for(l, v))
        return l
    raise LispEError("cannot push in this kind of elements")


@builtin("pop", "poplast", arity=(1, 2))
def pop(c, k=None):
    """(pop l [i]): remove the last element (or index/key i); returns the container."""
    if isinstance(c, str):
        if k is None:
            return c[:-1]
        i = _index(integer(k), len(c))
        return c[:i] + c[i + 1:]
    if isinstance(c, list):
        if not c:
            return None
        if k is None:
            if isinstance(c, LList):
                c.pop(0)
            else:
                c.pop()
            return c
        c.pop(_index(integer(k), len(c)))
        return c
    if isinstance(c, dict):
        key = _dict_key(c, k)
        if key not in c:
            return None
        del c[key]
        return c
    if isinstance(c, set):
        c.discard(k)
        return c
    return None              # LispE: nil for anything else


@builtin("popfirst", arity=1)
def popfirst(c):
    """(popfirst l): remove the first element; returns l."""
    if isinstance(c, list):
        if not c:
            return None
        c.pop(0)
        return c
    if isinstance(c, str):
        return c[1:]
    return None              # LispE: nil for anything else


@builtin("insert", arity=3)
def insert(l, v, i):
    """(insert l v i): insert v before index i; returns l."""
    if not isinstance(l, (list, str)):
        return None      # LispE: nil for anything else
    i = integer(i)
    if i < 0:
        raise LispEError("Wrong index in 'insert'")
    if isinstance(l, list):
        l.insert(min(i, len(l)), _coerce_for(l, v))
        return l
    return l[:i] + to_string(v) + l[i:]


@builtin("extend", arity=2)
def extend(l, other):
    """(extend l other): append the elements of other (or other itself); returns l."""
    if not isinstance(l, list):
        raise LispEError("missing list in 'extend'")
    if isinstance(other, list):
        for v in list(other):
            l.append(_coerce_for(l, v))
    else:
        l.append(_coerce_for(l, other))
    return l


@builtin("reverse", arity=(1, 2))
def reverse(l, deep=None):
    """(reverse l): a reversed copy (strings too)."""
    if isinstance(l, str):
        return l[::-1]
    if isinstance(l, list):
        t = type(l)
        return (List if t is Form else t)(reversed(l))
    if l is None or type(l) is Atom:
        return List()
    if isinstance(l, (int, float)):
        return -l                # LispE: reversing a number negates it
    raise LispEError("You cannot apply 'reverse' to: '%s'" % to_string(l))


@builtin("clone", arity=1)
def clone(x):
    """(clone x): a deep copy."""
    from ..runtime import deep_copy
    return deep_copy(x)


@builtin("fill", arity=2)
def fill(x, n):
    """(fill s n): s repeated n times (a string), or a list of n copies."""
    n = integer(n)
    if isinstance(x, str):
        return x * max(n, 0)
    return List([x] * max(n, 0))


@builtin("replicate", arity=2)
def replicate(n, v):
    """(replicate n v): a list of n copies of v."""
    return List([v] * max(integer(n), 0))


# ----------------------------------------------------------------------------- ranges

@builtin("range", arity=3)
def range_(a, b, step):
    """(range a b step): values from a up to (not including) b."""
    return _range(a, b, step, False)


@builtin("rangein", arity=3)
def rangein(a, b, step):
    """(rangein a b step): like range, b included."""
    return _range(a, b, step, True)


def _range_bound(x):
    """A bound or step of range: nil is 0, strings are read as numbers (as floats)."""
    from .core import parse_number
    if isinstance(x, (int, float)):
        return x
    if x is None:
        return 0.0
    if isinstance(x, str):
        return parse_number(x)
    return number(x)


def _range(a, b, step, inclusive):
    if isinstance(a, str) and not a.strip()[:1].isdigit():
        s, e, st = ord(a), ord(to_string(b)), integer(step)
        if st == 0:
            raise LispEError("infinite loop")
        return Strings(chr(c) for c in range(s, e + (1 if st > 0 else -1), st))
    if all(type(x) is int for x in (a, b, step)):
        if step == 0:
            raise LispEError("infinite loop")
        # LispE: the end of rangein is b + step; a positive step going down is negated
        end = b + step if inclusive else b
        if a > b and step > 0:
            step = -step
        _check_size(abs((end - a) // step) if step else 0)
        return Integers(range(a, end, step))
    a, b, step = float(_range_bound(a)), float(_range_bound(b)), float(_range_bound(step))
    if step == 0:
        raise LispEError("Exceeding range")
    end = b + step if inclusive else b
    if a > b and step > 0:
        step = -step
    n = max(0, int(math.ceil((end - a) / step - 1e-9)))
    _check_size(n)
    return Numbers(a + i * step for i in range(n))


def _check_size(n):
    if n > 500_000_000:
        raise LispEError("the list is too large: %d elements" % n)


def _iota(n, start):
    if isinstance(n, float):
        _check_size(int(n))
        return Numbers(float(i) for i in range(start, int(n) + start))
    n = integer(n)
    _check_size(n)
    return Integers(range(start, n + start))


@builtin("iota", "⍳", arity=(1, None))
def iota(*ns):
    """(iota n): 1..n (integers; numbers when n is a float)."""
    if len(ns) == 1:
        return _iota(ns[0], 1)
    return List(_iota(n, 1) for n in ns)


@builtin("iota0", "⍳0", arity=(1, None))
def iota0(*ns):
    """(iota0 n): 0..n-1."""
    if len(ns) == 1:
        return _iota(ns[0], 0)
    return List(_iota(n, 0) for n in ns)


class IRange:
    """(irange a b step): a lazy range that loop walks; possibly infinite."""

    kind = "list_"

    def __init__(self, start, step, end=None, inclusive=False):
        self.start, self.step, self.end, self.inclusive = start, step, end, inclusive

    def lispe_iter(self):
        x = self.start
        while True:
            if self.end is not None:
                if self.step > 0 and (x > self.end or (x == self.end and not self.inclusive)):
                    return
                if self.step < 0 and (x < self.end or (x == self.end and not self.inclusive)):
                    return
            yield x
            x += self.step

    def lispe_str(self):
        return "(irange %s %s)" % (to_string(self.start), to_string(self.step))


@builtin("irange", arity=(2, 3))
def irange(a, b, step=None):
    """(irange a step) or (irange a b step): a lazy range for loop."""
    if step is None:
        return IRange(a, b)
    return IRange(a, step, b)


@builtin("irangein", arity=3)
def irangein(a, b, step):
    """(irangein a b step): a lazy range including b."""
    return IRange(a, step, b, True)


# ----------------------------------------------------------------------------- searching

@builtin("find", arity=(2, 3))
def find_(c, v, start=0):
    """(find c v [start]): index of v in c (position in a string), or nil."""
    start = integer(start)
    if isinstance(c, str):
        i = c.find(to_string(v), start)
        return None if i < 0 else i
    if isinstance(c, list):
        for i in range(start, len(c)):
            try:
                if _cmp_eq(v, c[i]):
                    return i
            except LispEError:
                continue
        return None
    if isinstance(c, dict):
        for k, x in c.items():
            if values_equal(x, v):
                return k
        return None
    return None              # LispE: nil for anything else


def _cmp_eq(v, x):
    if isinstance(x, (int, float)) and isinstance(v, (int, float)):
        return _cmp_pair(x, v) == 0
    return values_equal(x, v)


@builtin("rfind", arity=(2, 3))
def rfind(c, v, start=None):
    """(rfind c v): last index of v in c, or nil."""
    if isinstance(c, str):
        i = c.rfind(to_string(v)) if start is None else c.rfind(to_string(v), 0, integer(start))
        return None if i < 0 else i
    if isinstance(c, list):
        for i in range(len(c) - 1, -1, -1):
            if values_equal(c[i], v):
                return i
        return None
    return None              # LispE: nil for anything else


@builtin("findall", arity=(2, 3))
def findall(c, v, start=0):
    """(findall c v): every index of v in c."""
    out = Integers()
    if isinstance(c, str):
        s = to_string(v)
        i = c.find(s, integer(start))
        while i >= 0 and s:
            out.append(i)
            i = c.find(s, i + 1)
        return out
    if not isinstance(c, list):
        return List()            # LispE: () for what is not a container
    for i, x in enumerate(c):
        if values_equal(x, v):
            out.append(i)
    return out


@builtin("count", arity=(2, 3))
def count(c, v, start=0):
    """(count c v): how many times v occurs in c (non-overlapping for strings)."""
    if isinstance(c, str):
        s = to_string(v)
        return c.count(s, integer(start)) if s else 0
    if isinstance(c, list):
        return sum(1 for x in c[max(integer(start), 0):] if values_equal(x, v))
    if isinstance(c, dict):
        return sum(1 for x in c.values() if values_equal(x, v))
    return 0


@builtin("in", arity=2)
def in_(c, v):
    """(in c v): true when v is an element of c (a substring; a value of a dictionary)."""
    if isinstance(c, str):
        return lbool(to_string(v) in c)
    if isinstance(c, list):
        return lbool(any(values_equal(x, v) for x in c))
    if isinstance(c, dict):
        return lbool(any(values_equal(x, v) for x in c.values()))
    if isinstance(c, set):
        return lbool(v in c)
    return None


@builtin("unique", arity=1)
def unique(l):
    """(unique l): l without repeated elements (first occurrences kept); other values as they are."""
    if not isinstance(l, list):
        return l
    out, seen = [], set()
    for x in l:                 # LispE compares the printed forms: 1 and 1.0 are the same
        key = to_string(x)
        if key not in seen:
            seen.add(key)
            out.append(x)
    t = type(l)
    return (List if t is Form else t)(out)


@builtin("flatten", arity=1)
def flatten(l):
    """(flatten l): all atoms of nested lists, in one list."""
    out = List()
    _flatten_into(out, l, lambda x: x)
    return out


@builtin("rho", arity=(2, None))
def rho(*args):
    """(rho d1 d2 ... values): reshape values (cycled) into nested lists."""
    dims = [integer(d) for d in args[:-1]]
    values = args[-1]
    if not isinstance(values, list):
        values = List([values])
    flat = list(values)
    if not flat:
        flat = [0]
    total = 1
    for d in dims:
        total *= d
    _check_size(total)
    items = [flat[i % len(flat)] for i in range(total)]
    model = values if type(values) in TYPED_LISTS else List()

    def build(dims, items):
        if len(dims) == 1:
            return type(model)(items) if type(model) is not Form else List(items)
        step = len(items) // dims[0] if dims[0] else 0
        return List(build(dims[1:], items[i * step:(i + 1) * step]) for i in range(dims[0]))
    return build(dims, items)


@builtin("join", arity=(1, 2))
def join(l, sep=""):
    """(join l [sep]): the elements' printed forms joined by sep."""
    if not isinstance(l, list):
        raise LispEError("'join' can only be used for lists")
    return to_string(sep).join(to_string(x) for x in l)


# ----------------------------------------------------------------------------- sorting, numeric

@builtin("sort", interp=True, arity=2)
def sort(interp, env, comp, l):
    """(sort comparator l): sorted copy; the comparator must be strict."""
    if not isinstance(l, list):
        raise LispEError("wrong function call")
    if isinstance(comp, list) and not isinstance(comp, Form) and type(comp) is not List:
        raise LispEError("wrong function call")
    f = interp.callable_of(comp, env)
    if isinstance(f, list):
        raise LispEError("wrong function call")
    items = list(l)
    if items:
        if truthy(interp.apply(f, [items[0], items[0]], env)):
            raise LispEError("The comparison must be strict for a 'sort': (comp a a) must return 'nil'.")
    t = type(l)
    name = f.name if isinstance(f, Builtin) else None
    if name in ("<", ">") and _uniform(items):
        # equal elements cannot be told apart: Python's sort gives LispE's result, faster
        items.sort(reverse=(name == ">"))
    else:
        _lispe_sort(items, lambda a, b: truthy(interp.apply(f, [a, b], env)), 0, len(items) - 1)
    return (List if t is Form else t)(items)


def _uniform(items):
    if not items:
        return True
    first = type(items[0])
    return (first is int or first is str) and all(type(x) is first for x in items)


def _lispe_sort(x, less, lo, hi):
    """Sort x[lo..hi] in place exactly as LispE does (its order matters for ties and for
    comparators that are not total orders, such as < on mixed integers and floats):
    a fixed network for 2 and 3 elements, exchange passes below 7, Lomuto quicksort above."""
    n = hi - lo + 1
    if n < 2:
        return
    if n == 2:
        if less(x[hi], x[lo]):
            x[lo], x[hi] = x[hi], x[lo]
        return
    if n == 3:
        m = lo + 1
        if not less(x[lo], x[m]):
            x[lo], x[m] = x[m], x[lo]
        if less(x[m], x[hi]):
            return
        x[m], x[hi] = x[hi], x[m]
        if not less(x[lo], x[m]):
            x[lo], x[m] = x[m], x[lo]
        return
    if n < 7:
        while hi > lo:
            last = lo
            for j in range(lo, hi):
                if less(x[j + 1], x[j]):
                    x[j], x[j + 1] = x[j + 1], x[j]
                    last = j
                    if j > lo and less(x[j], x[j - 1]):
                        x[j], x[j - 1] = x[j - 1], x[j]
            hi = last
        return
    pivot_value = x[hi]
    p = lo - 1
    for j in range(lo, hi):
        if less(x[j], pivot_value):
            p += 1
            x[p], x[j] = x[j], x[p]
    p += 1
    x[p], x[hi] = x[hi], x[p]
    _lispe_sort(x, less, lo, p - 1)
    _lispe_sort(x, less, p + 1, hi)


def _extreme(args, sign, name):
    if len(args) == 1:
        x = args[0]
        if isinstance(x, list):
            if not x:
                return None
            args = list(x)
        else:
            raise LispEError("cannot find the %s for this object" % name)
    best = args[0]
    for y in args[1:]:
        c = _cmp_pair(best, y)
        if c is not None and ((sign > 0 and c < 0) or (sign < 0 and c > 0)):
            best = y
    return best


@builtin("max", arity=(1, None))
def max_(*args):
    """(max a b ...) or (max list): the largest (first-operand comparison rule)."""
    return _extreme(args, 1, "maximum")


@builtin("min", arity=(1, None))
def min_(*args):
    """(min a b ...) or (min list): the smallest."""
    return _extreme(args, -1, "minimum")


@builtin("minmax", arity=(1, None))
def minmax(*args):
    """(minmax a b ...): (min max)."""
    return List([_extreme(args, -1, "minimum"), _extreme(args, 1, "maximum")])


@builtin("sum", "∑", arity=1)
def sum_(l):
    """(sum l): the sum; integers stay integers, a generic list gives a number."""
    if not isinstance(l, list):
        h = find(AT, l)
        if h is not None:
            from ..protocols import ARITH
            a = find(ARITH, l)
            if a is not None:
                return a("sum", l, None)
        raise LispEError("expecting a container as argument")
    t = type(l)
    if t is Integers or t is Shorts:
        return wrap64(sum(l))
    if t is Floats:
        return Float32(sum(l))
    if t is Strings:
        return "".join(l)
    if not l:
        return 0
    return float(sum(_arith_element(x) for x in l))


def _arith_element(x):
    if isinstance(x, (int, float)) and not isinstance(x, bool) and x is not TRUE:
        return x
    raise LispEError("cannot use this element in an arithmetic expression: '%s'" % to_string(x))


@builtin("product", "∏", arity=1)
def product(l):
    """(product l): the product of the elements."""
    if not isinstance(l, list) or type(l) is Strings:
        raise LispEError("expecting a container as argument")
    t = type(l)
    acc = 1
    for x in l:
        acc = acc * _arith_element(x)
    if t is Integers or t is Shorts:
        return wrap64(acc)
    if t is Floats:
        return Float32(acc)
    if not l:
        return 1
    return float(acc)


__all__ = ["at", "set_at", "size", "push", "IRange", "DICTS", "DictionaryN", "TRUE"]
