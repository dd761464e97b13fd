"""List builtins: construction, access (at/@ with negative and nested indexes), mutation,
typed lists, ranges, higher-order functions."""

import math

from ..callables import Instance
from ..errors import LispEError
from ..protocols import AT, CAR, CDR, EXTRACT, SET_AT, SIZE, find
from ..values import (DICTS, TRUE, Atom, Dictionary, DictionaryI, DictionaryN, Float32, Floats,
                      Form, Integers, LList, List, Numbers, Short, Shorts, Strings, TYPED_LISTS,
                      lbool, to_string, truthy, wrap64)
from .arith import _less, _more, as_float, as_integer, as_number, eq_values
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
        t = type(l)
        if t in TYPED_LISTS:
            # the value converted to the element type as LispE reads it (strings parsed, atoms
            # 1, containers 0; an empty list is "nil" in strings)
            if t is Strings:
                v = "nil" if type(x) is List and not x else to_string(x)
            else:
                v = {Integers: as_integer, Numbers: as_number, Floats: as_float,
                     Shorts: lambda y: Short(as_integer(y))}[t](x)
            return t([v] + list(l))
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
    if isinstance(c, set):
        # a set: its elements in iteration order; nil out of range (negative too)
        i = k if type(k) is int else int(k) if isinstance(k, float) else None
        if i is None or i < 0 or i >= len(c):
            return None
        from ..runtime import iterate
        return iterate(c)[i]
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


_MARKERS = ("+", "-", "-+")


def _marker(x):
    """The operator written before a bound of @@ (+"x", -"x", -+"x"), as the name it
    evaluates to, or None."""
    if (type(x) is Atom or isinstance(x, Builtin)) and x.name in _MARKERS:
        return x.name
    return None


@builtin("-+", arity=(0, None))
def minus_plus(*args):
    """-+ only marks a bound of @@: (@@ s -+"x" 0)."""
    raise LispEError("unknown instruction: '-+'")


def _is_index(v):
    return type(v) in (int, float, Float32, Short)


def _extract_str(c, fk, fv, upto):
    """LispE String::extraction. A string bound is searched: "x" starts after it and ends
    before it, +"x" includes it, -"x" searches from the end; after a string start, a positive
    number is a count of characters."""
    n = len(c)
    fis = -1
    if isinstance(fv, str):
        i = c.rfind(fv) if fk in ("-", "-+") else c.find(fv)
        if i < 0:
            return ""
        if fk in (None, "-"):
            frm, fis = i + len(fv), 0
        else:
            frm, fis = i, len(fv)
    elif _is_index(fv):
        frm = as_integer(fv)
        if frm < 0:
            frm += n
    else:
        raise LispEError("cannot use the first position in 'extract'")
    if frm < 0 or frm >= n:
        return ""
    if upto is None:
        return c[frm]
    uk, uv = upto
    if uk is not None and uk.startswith("bad "):
        raise LispEError("Wrong value after second operator: '%s'" % uk[4:])
    if uk == "end":
        u = n
    elif isinstance(uv, str):
        if uk in (None, "+"):
            j = c.find(uv, frm + max(fis, 0))
        else:
            j = c.rfind(uv)
        if j < 0:
            return ""
        u = j + len(uv) if uk in ("+", "-+") else j
    elif _is_index(uv):
        u = as_integer(uv)
        if fis != -1 and u > 0:
            u += frm + fis
        elif u <= 0:
            u += n
    else:
        raise LispEError("cannot use the second position in 'extract'")
    if u <= frm:
        return ""
    return c[frm:min(u, n)]


def _extract_list(c, fk, fv, upto):
    """LispE List::extraction: string bounds are searched among the elements. As in LispE,
    +"x" and -+"x" as first bound leave the start at 0 (and count from the element found)."""
    n = len(c)
    match = lambda v: _matcher(c, v)

    def first(v, start):
        m = match(v)
        for j in range(max(start, 0), n):
            if m(c[j]):
                return j
        return None

    def last(v):
        m = match(v)
        for j in range(n - 1, -1, -1):
            if m(c[j]):
                return j
        return None
    frm, fis = 0, -1
    if isinstance(fv, str):
        j = last(fv) if fk in ("-", "-+") else first(fv, 0)
        if j is None:
            return List()
        if fk is None:
            frm, fis = j, 0
        elif fk == "+" or fk == "-+":
            fis = j
        else:
            frm, fis = j + 1, 0
    elif _is_index(fv):
        frm = as_integer(fv)
        if frm < 0:
            frm += n
    else:
        raise LispEError("cannot use the first position in 'extract'")
    if frm < 0 or frm >= n:
        return List()
    if upto is None:
        return c[frm]
    uk, uv = upto
    if uk is not None and uk.startswith("bad "):
        raise LispEError("Wrong value after second operator: '%s'" % uk[4:])
    if uk == "end":
        u = n
    elif isinstance(uv, str):
        j = first(uv, frm + max(fis, 0)) if uk in (None, "+") else last(uv)
        if j is None:
            return List()
        u = j + 1 if uk == "+" else j - 1 if uk == "-+" else j
    elif _is_index(uv):
        u = as_integer(uv)
        if fis != -1 and u > 0:
            u += frm + fis
        elif u <= 0:
            u += n
    else:
        raise LispEError("cannot use the second position in 'extract'")
    if u <= frm:
        return List()
    out = c[frm:min(u, n)]
    t = type(c)
    if t is LList:
        return LList(out, c.tail if u >= n else None)
    return List(out) if t in (Form, List) else t(out)


def _extract_numeric(c, args):
    """Integers, numbers, floats, shorts: the bounds are read as integers whatever they are
    (a string is parsed, nil is 0; a marker is 0 too and shifts the bounds)."""
    n = len(c)
    frm = as_integer(args[0])
    if frm < 0:
        frm += n
    if frm < 0 or frm >= n:
        return List()
    if len(args) == 1:
        return c[frm]
    u = as_integer(args[1])
    if u <= 0:
        u += n
    if u <= frm:
        return List()
    return type(c)(c[frm:min(u, n)])


@builtin("@@", "extract", arity=(2, 5))
def extract(c, *args):
    """(@@ c from [upto]): a slice; a negative from counts from the end, upto 0 = to the end;
    string bounds are searched, with the markers +"x" (included), -"x" (from the end),
    -+"x" (both), and (@@ c from -) goes to the end."""
    if type(c) in (Integers, Numbers, Floats, Shorts):
        return _extract_numeric(c, args)
    fk = _marker(args[0])
    if fk is not None and len(args) > 1:
        fv = args[1]
        if not isinstance(fv, str):
            raise LispEError("Wrong value after first operator: '%s'" % fk)
        i = 2
    else:
        fk, fv, i = None, args[0], 1
    upto = None
    if i < len(args):
        uk = _marker(args[i])
        if uk == "-" and i == len(args) - 1:
            upto = ("end", None)
        elif uk is not None and i + 1 < len(args):
            uv = args[i + 1]
            if not isinstance(uv if uk != "-+" else fv, str):
                uk = "bad " + uk        # raised once the start is known to be inside
            upto = (uk, uv)
            i += 1
        else:
            upto = (None, args[i])
        i += 1
    if i < len(args):
        raise LispEError("Wrong number of arguments for: '@@'")
    if isinstance(c, str):
        return _extract_str(c, fk, fv, upto)
    if isinstance(c, list):
        return _extract_list(c, fk, fv, upto)
    h = find(EXTRACT, c)
    if h is not None and fk is None and (upto is None or upto[0] is None):
        return h(c, fv, None if upto is None else upto[1])
    return None          # LispE: nil for what cannot be sliced


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
    """(push l v): append v at the end (at the front of an llist); returns l. On a string,
    the string followed by v (strings are values in lispe-py: the variable is unchanged)."""
    if isinstance(l, str):
        return l + "".join(to_string(v) for v in vals)
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
def reverse(l, copy=None):
    """(reverse l [copy]): l reversed in place and returned, as LispE does (a quoted list
    too); with copy true, a reversed copy. A string gives a reversed string."""
    if isinstance(l, str):
        return l[::-1]
    if isinstance(l, list):
        t = type(l)
        if truthy(copy):
            return (List if t is Form else t)(reversed(l))
        l.reverse()
        return l
    if l is None or type(l) is Atom:
        return List()
    if isinstance(l, (int, float)):
        return -l                # LispE: reversing a number negates it
    raise LispEError("You cannot apply 'reverse' to: '%s'" % to_string(l))


def flip_value(v):
    """(flip x) where x is not a call of two arguments or more: a list with its first two
    elements swapped (a copy); anything else is an error."""
    if isinstance(v, list) and not isinstance(v, dict):
        t = type(v)
        items = list(v)
        if len(items) >= 2:
            items[0], items[1] = items[1], items[0]
        if t is LList:
            return LList(items, v.tail)
        return (List if t is Form else t)(items)
    raise LispEError("cannot flip this element")


@builtin("clone", arity=1)
def clone(x):
    """(clone x): a deep copy."""
    from ..runtime import deep_copy
    return deep_copy(x)


@builtin("fill", arity=2, library=True)
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

def _matcher(c, v):
    """The test find, rfind, findall, count and in apply to each element of c: a typed list
    compares with v converted to its element type ((find (integers 1 2) "1") is 0,
    (find (strings "1") 1) is 0); other containers use LispE's egal (eq)."""
    t = type(c)
    if t is Integers or t is Shorts:
        w = as_integer(v)
        return lambda x: x == w
    if t is Numbers:
        w = as_number(v)
        return lambda x: x == w
    if t is Floats:
        w = as_float(v)
        return lambda x: x == w
    if t is Strings:
        w = to_string(v)
        return lambda x: x == w
    return lambda x: eq_values(x, v)


@builtin("find", arity=(2, 3))
def find_(c, v, start=0):
    """(find c v [start]): index of v in c (position in a string), or nil."""
    start = integer(start)
    if isinstance(c, str):
        i = c.find(to_string(v), start)
        return None if i < 0 else i
    if isinstance(c, list):
        m = _matcher(c, v)
        for i in range(start, len(c)):
            if m(c[i]):
                return i
        return None
    if isinstance(c, dict):
        for k, x in c.items():
            if eq_values(x, v):
                return k
        return None
    return None              # LispE: nil for anything else


@builtin("rfind", arity=(2, 3))
def rfind(c, v, start=None):
    """(rfind c v): last index of v in c, or nil."""
    if isinstance(c, str):
        i = c.rfind(to_string(v)) if start is None else c.rfind(to_string(v), 0, integer(start))
        return None if i < 0 else i
    if isinstance(c, list):
        m = _matcher(c, v)
        for i in range(len(c) - 1, -1, -1):
            if m(c[i]):
                return i
        return None
    if isinstance(c, dict):
        found = None
        for k, x in c.items():
            if eq_values(x, v):
                found = k
        return found
    return None              # LispE: nil for anything else


@builtin("findall", arity=(2, 3))
def findall(c, v, start=0):
    """(findall c v): every index of v in c (the keys holding v in a dictionary)."""
    out = Integers()
    if isinstance(c, str):
        s = to_string(v)
        i = c.find(s, integer(start))
        while i >= 0 and s:
            out.append(i)
            i = c.find(s, i + 1)
        return out
    if isinstance(c, dict):
        keys = [k for k, x in c.items() if eq_values(x, v)]
        if isinstance(c, Dictionary):
            return Strings(keys)
        return Integers(keys) if isinstance(c, DictionaryI) else Numbers(keys)
    if not isinstance(c, list):
        return List()            # LispE: () for what is not a container
    m = _matcher(c, v)
    for i, x in enumerate(c):
        if m(x):
            out.append(i)
    return out


@builtin("count", arity=(2, 3))
def count(c, v, start=0):
    """(count c v): how many times v occurs in c (non-overlapping for strings)."""
    if isinstance(c, str):
        s = to_string(v)
        return c.count(s, integer(start)) if s else 0
    if isinstance(c, list):
        m = _matcher(c, v)
        return sum(1 for x in c[max(integer(start), 0):] if m(x))
    if isinstance(c, dict):
        return sum(1 for x in c.values() if eq_values(x, v))
    return 0


@builtin("in", arity=2)
def in_(c, v):
    """(in c v): true when v is an element of c (a substring; a value of a dictionary)."""
    if isinstance(c, str):
        return lbool(to_string(v) in c)
    if isinstance(c, list):
        m = _matcher(c, v)
        return lbool(any(m(x) for x in c))
    if isinstance(c, dict):
        return lbool(any(eq_values(x, v) for x in c.values()))
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


def _shape(x):
    """(rho x): the sizes along the first elements ((rho (list (list 1 2) 3)) is (2 2))."""
    out = Integers()
    while True:
        if isinstance(x, (list, str, dict)):
            out.append(len(x))
            if isinstance(x, list) and x and isinstance(x[0], list):
                x = x[0]
                continue
        else:
            out.append(0)
        return out


@builtin("rho", arity=(1, None))
def rho(*args):
    """(rho d1 d2 ... values): reshape values (cycled) into nested lists; (rho x): the shape."""
    if len(args) == 1:
        return _shape(args[0])
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
        raise LispEError("the second argument should be a list for 'sort'")
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
    """max (sign 1) / min (sign -1): the running best is compared first, with LispE's
    first-operand rule: (max 2 2.5) is 2; a value that cannot be ordered (an atom, nil) never
    gives way once it is the best, and replaces a number it exceeds as read by that number
    ((max (list -14 'a 3)) is a, an atom reading as 1)."""
    if len(args) == 1:
        x = args[0]
        if isinstance(x, list):
            if not x:
                return None
            args = list(x)
        else:
            raise LispEError("cannot find the %s for this object" % name)
    test = _less if sign > 0 else _more
    best = args[0]
    for y in args[1:]:
        if test(best, y):
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
    """(minmax a b ...): (min max). With a list, as min and max; with several arguments LispE
    compares each new value first: (minmax 2 2.5 1) is (1 2.5)."""
    if len(args) == 1:
        x = args[0]
        if not isinstance(x, list):
            raise LispEError("cannot find the minmax for this object")
        if not x:
            return None
        # one pass, the running values first, and the maximum only looked at when the
        # minimum did not change: (minmax (list 0.01 "a" 1)) is (1 0.01)
        lo = hi = x[0]
        for y in x[1:]:
            if _more(lo, y):
                lo = y
            elif _less(hi, y):
                hi = y
        return List([lo, hi])
    lo = hi = args[0]
    for y in args[1:]:
        if _less(y, lo):
            lo = y
        elif _more(y, hi):
            hi = y
    return List([lo, hi])


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
    if not l and t in (Integers, Shorts, Numbers, Floats):
        return 0            # LispE: the integer 0 for an empty typed list
    acc = 1
    for x in l:
        acc = acc * _arith_element(x)
    if t is Integers or t is Shorts:
        return wrap64(acc)
    if t is Floats:
        return Float32(acc + 0.0)
    if not l:
        return 1
    return float(acc) + 0.0     # the binary's product is never -0


__all__ = ["at", "set_at", "size", "push", "IRange", "DICTS", "DictionaryN", "TRUE"]


# ----------------------------------------------------------------------------- to_list, shift, outer

_TL_SEPARATORS = " \t\n\r.()[]{}\"'"


def _string_elements(text):
    """to_list of a string, read as the binary reads it: words are atoms, "..." strings,
    brackets lists, {...} (dictionary ...), 'x a quote; '.' separates; a decimal with a
    fraction is a number, any integer 0 (the binary's reading); a sign or other
    punctuation before a letter is its own atom ("-a" is (- a))."""
    from ..numparse import lispe_decimal
    n = len(text)
    stack = [List()]
    quotes = [0]            # pending ' marks per open list

    def emit(v):
        top = stack[-1]
        while quotes[-1]:
            quotes[-1] -= 1
            v = List([Atom("quote"), v])
        top.append(v)

    i = 0
    while i < n:
        c = text[i]
        if c in " \t\n\r.":
            i += 1
        elif c in "([{":
            stack.append(List([Atom("dictionary")]) if c == "{" else List())
            quotes.append(0)
            i += 1
        elif c in ")]}":
            if len(stack) > 1:
                v = stack.pop()
                quotes.pop()
                emit(v)
            i += 1
        elif c == "'":
            quotes[-1] += 1
            i += 1
        elif c == '"':
            j = i + 1
            out = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                out.append(text[j])
                j += 1
            emit("".join(out))
            i = j + 1
        elif c == ":" and len(stack) > 1 and stack[-1][:1] == [Atom("dictionary")]:
            i += 1
        elif c.isdigit() or (c in "+-" and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and text[j].isdigit():
                j += 1
            if text[i:j].lstrip("+-") == "0" and j < n and text[j] in "xXbB":
                j += 1
                while j < n and text[j] in "0123456789abcdefABCDEF":
                    j += 1
                emit(0)
            elif j + 1 < n and text[j] == "." and text[j + 1].isdigit():
                k = j + 1
                while k < n and text[k].isdigit():
                    k += 1
                if k < n and text[k] in "eE":
                    e = k + 1
                    if e < n and text[e] in "+-":
                        e += 1
                    if e < n and text[e].isdigit():
                        while e < n and text[e].isdigit():
                            e += 1
                        k = e
                emit(lispe_decimal(text[i:k]))
                j = k
            else:
                emit(0)
            i = j
        elif not c.isalnum() and c != "_":
            # punctuation: its run is one atom, split from a letter that follows
            j = i + 1
            while j < n and not text[j].isalnum() and text[j] != "_" and text[j] not in _TL_SEPARATORS \
                    and text[j] != ":":
                j += 1
            emit(Atom(text[i:j]))
            i = j
        else:
            indict = stack[-1][:1] == [Atom("dictionary")]
            j = i + 1
            while j < n and text[j] not in _TL_SEPARATORS and not (indict and text[j] == ":"):
                j += 1
            emit(Atom(text[i:j]))
            i = j
    while len(stack) > 1:
        v = stack.pop()
        quotes.pop()
        emit(v)
    return stack[0]


@builtin("to_list", "⊂", arity=(1, 2))
def to_list(x, n=None):
    """(to_list x): the elements of a container as a list (x itself in a one-element list
    otherwise); (to_list x n): a list of n copies of x."""
    if n is not None:
        return List([x] * max(as_integer(n), 0))
    if isinstance(x, str):
        return _string_elements(x)
    if isinstance(x, list):
        return List(x)
    if isinstance(x, set):
        from ..runtime import iterate
        return List(iterate(x))
    return List([x])


@builtin("shift", interp=True, arity=(2, None))
def shift(interp, env, *args):
    """(shift f l): (f x y) for each pair of neighbours of l ((shift '- (list 10 2 3)) is
    (8 -1)); nil when l has fewer than two elements or more arguments are given; another
    value of two elements or more (a string) is an error."""
    if len(args) != 2 or size(args[1]) < 2:
        return None
    f, l = args
    if not isinstance(l, list):
        raise LispEError("arguments to 'shift' should be given as a list")
    if type(f) is List and not f:
        return List()
    if f is None:
        raise LispEError("Unknown function call", prefix=False)
    if type(f) is List:
        from ..values import type_name
        raise LispEError("unknown instruction: '%s'" % type_name(f[0]))
    if not (type(f) is Atom or isinstance(f, (Builtin, Form)) or callable(getattr(f, "lispe_call", None))
            or type(f).__name__ in ("Lambda", "Function", "PatternFunction")):
        from ..values import type_name
        raise LispEError("unknown instruction: '%s'" % type_name(f))
    fn = interp.callable_of(f, env)
    items = list(l)
    if isinstance(fn, Builtin) and fn.name in ("+", "-", "*", "/"):
        # the binary's pairwise operation on a float takes only a float after it
        for i in range(len(items) - 1):
            if type(items[i]) is Float32 and type(items[i + 1]) is not Float32:
                raise LispEError("cannot use this element in an arithmetic expression: '%s'"
                                 % to_string(items[i + 1]))
    return List(interp.apply(fn, [items[i], items[i + 1]], env) for i in range(len(items) - 1))


@builtin("outer", "°", interp=True, arity=3)
def outer(interp, env, op, a, b):
    """(outer op l1 l2): the table of (op x y) for x in l1, y in l2. Rows of numbers are typed
    (integers, numbers); LispE builds a matrix there (printed the same way)."""
    if not isinstance(a, list) or not isinstance(b, list):
        raise LispEError("arguments for '°' are lists")
    if isinstance(op, list) and not isinstance(op, Form) and type(op) is not List:
        raise LispEError("wrong function call")
    if type(op) is List:
        raise LispEError("wrong function call")
    f = interp.callable_of(op, env)
    rows = [[interp.apply(f, [x, y], env) for y in b] for x in a]
    # LispE evaluates a comparison given to outer as 1 or 0 (only then are booleans numbers)
    boolean = getattr(f, "name", None) in ("<", ">", "<=", ">=", "=", "!=", "eq", "neq")

    def numeric(v):
        return type(v) in (int, float, Float32, Short) or boolean and (v is TRUE or v is None)
    if rows and rows[0] and all(numeric(v) for r in rows for v in r):
        # a matrix: booleans are 1 and 0, each row typed after its first value
        out = List()
        for r in rows:
            first = r[0]
            ints = first is TRUE or first is None or type(first) in (int, Short)
            conv = as_integer if ints else as_number
            out.append((Integers if ints else Numbers)(
                conv(1 if v is TRUE else 0 if v is None else v) for v in r))
        return out
    return List(List(r) for r in rows)
