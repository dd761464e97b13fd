"""LispE data types and their exact printed forms.

Representation (chosen so the evaluator's hot path handles plain Python objects):

=============  ==================================================
LispE          Python
=============  ==================================================
integer        ``int`` (never ``bool``), kept in 64-bit range
number         ``float``
float          :class:`Float32` (a ``float`` rounded to 32 bits)
short          :class:`Short` (an ``int`` in 16-bit range)
string         ``str``
atom           :class:`Atom` (interned; ``true`` is :data:`TRUE`)
nil            ``None``
list           :class:`List` (a ``list``); code lists are :class:`Form`
typed lists    :class:`Integers`, :class:`Numbers`, :class:`Floats`,
               :class:`Shorts`, :class:`Strings`
llist          :class:`LList`
dictionary     :class:`Dictionary` (str keys), :class:`DictionaryI`,
               :class:`DictionaryN`
set            :class:`SetS`, :class:`SetI`, :class:`SetN`
error value    :class:`Maybe`
=============  ==================================================

Foreign objects (tensors, modules) print through :data:`PRINTERS`, a
``type -> function`` table that extension families fill in.
"""

import math
import struct

__all__ = [
    "Atom", "atom", "TRUE", "EMPTY", "List", "Form", "Integers", "Numbers", "Floats",
    "Shorts", "Strings", "LList", "Dictionary", "DictionaryI", "DictionaryN", "Set", "SetS",
    "SetI", "SetN", "StringByte", "Complex", "Float32", "Short", "Maybe", "to_string", "in_list", "format_number",
    "type_name", "truthy", "lbool", "PRINTERS", "TYPE_NAMES", "wrap64",
]


# --------------------------------------------------------------------------- atoms

class Atom:
    """A LispE symbol. Atoms are interned: compare them with ``is``."""

    __slots__ = ("name",)
    _table = {}

    def __new__(cls, name):
        a = cls._table.get(name)
        if a is None:
            a = object.__new__(cls)
            a.name = name
            cls._table[name] = a
        return a

    def __repr__(self):
        return f"Atom({self.name!r})"

    def __reduce__(self):
        return (Atom, (self.name,))


def atom(name):
    """Return the interned atom called ``name``."""
    return Atom(name)


TRUE = Atom("true")
EMPTY = Atom("")        # what println/print return: prints as nothing
QUOTE = Atom("quote")


# --------------------------------------------------------------------------- numbers

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1


def wrap64(n):
    """Wrap a Python int to a signed 64-bit value, as C++ ``long`` does."""
    if _I64_MIN <= n <= _I64_MAX:
        return n
    n &= 0xFFFFFFFFFFFFFFFF
    return n - (1 << 64) if n >= (1 << 63) else n


_f32 = struct.Struct("f")


class Float32(float):
    """LispE ``float``: a double rounded to single precision."""

    __slots__ = ()

    def __new__(cls, value=0.0):
        try:
            v = _f32.unpack(_f32.pack(value))[0]
        except OverflowError:
            v = math.copysign(math.inf, value)
        return float.__new__(cls, v)


class Short(int):
    """LispE ``short``: a 16-bit signed integer."""

    __slots__ = ()

    def __new__(cls, value=0):
        v = int(value) & 0xFFFF
        if v >= 0x8000:
            v -= 0x10000
        return int.__new__(cls, v)


def format_number(x):
    """C++ ``%g`` form of a double, with C's spelling of infinities and NaN."""
    if x != x:
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    if x == math.inf:
        return "inf"
    if x == -math.inf:
        return "-inf"
    return "%g" % x


class StringByte(str):
    """LispE ``stringbyte`` (``b"..."``): a string of bytes; behaves as a string here."""

    __slots__ = ()
    kind = "stringbyte_"


class Complex(complex):
    """LispE ``complex`` (``12.3,2i``): prints as ``real,imagi``."""

    __slots__ = ()
    kind = "complex_"

    def lispe_str(self):
        im = self.imag      # LispE writes an imaginary part of 1 or -1 as i or -i
        return format_number(self.real) + "," + ("" if im == 1 else "-" if im == -1
                                                 else format_number(im)) + "i"


# --------------------------------------------------------------------------- containers

class List(list):
    """A LispE list (array backed)."""

    __slots__ = ()
    kind = "list_"


class Form(List):
    """A list read from source code: carries its position for error messages.

    ``pos`` is ``(line, column)`` of the opening bracket; ``poss`` the position of
    each element (or None)."""

    __slots__ = ("pos", "poss")

    def __init__(self, items=(), pos=None, poss=None):
        list.__init__(self, items)
        self.pos = pos
        self.poss = poss


class Integers(List):
    __slots__ = ()
    kind = "integers_"


class Numbers(List):
    __slots__ = ()
    kind = "numbers_"


class Floats(List):
    __slots__ = ()
    kind = "floats_"


class Shorts(List):
    __slots__ = ()
    kind = "shorts_"


class Strings(List):
    __slots__ = ()
    kind = "strings_"


class LList(List):
    """A LispE linked list. ``tail`` holds the cdr of a dotted pair."""

    __slots__ = ("tail",)
    kind = "llist_"

    def __init__(self, items=(), tail=None):
        list.__init__(self, items)
        self.tail = tail


TYPED_LISTS = (Integers, Numbers, Floats, Shorts, Strings)


class Dictionary(dict):
    """String-keyed dictionary; prints sorted by key (lispe-py's deliberate order)."""

    __slots__ = ()
    kind = "dictionary_"


class DictionaryI(dict):
    """Integer-keyed dictionary; prints in libstdc++ ``unordered_map`` order."""

    __slots__ = ()
    kind = "dictionary_i_"


class DictionaryN(dict):
    """Double-keyed dictionary; prints in libstdc++ ``unordered_map`` order."""

    __slots__ = ()
    kind = "dictionary_n_"


class SetS(set):
    __slots__ = ()
    kind = "set_s_"


class SetI(set):
    __slots__ = ()
    kind = "set_i_"


class SetN(set):
    __slots__ = ()
    kind = "set_n_"


class Set(set):
    """LispE ``set_`` (what ``(set ...)`` builds): any values, one per printed form (``3`` and
    ``"3"`` are the same element; the first one stays). It iterates and prints in the order
    of libstdc++'s ``unordered_map`` over those strings, the binary's container, insertions
    and erasures included. The Python set holds the keys; ``vals`` maps each to its value."""

    __slots__ = ("vals", "umap")
    kind = "set_"

    def __init__(self, items=()):
        set.__init__(self)
        from .builtins.unordered import UnorderedMap, string_hash
        self.vals = {}
        self.umap = UnorderedMap(string_hash)
        for x in items:
            self.add(x)

    def add(self, x):
        k = to_string(x)
        if k not in self.vals:
            self.vals[k] = x
            self.umap.insert(k)
            set.add(self, k)

    def discard(self, x):
        k = to_string(x)
        if k in self.vals:
            del self.vals[k]
            self.umap.erase(k)
            set.discard(self, k)

    def __contains__(self, x):
        return set.__contains__(self, to_string(x))

    def __iter__(self):
        vals = self.vals
        return iter([vals[k] for k in self.umap.order()])

    def __reduce__(self):
        return (Set, (list(self),))


DICTS = (Dictionary, DictionaryI, DictionaryN)
SETS = (SetS, SetI, SetN, Set)


class Maybe:
    """An error captured as a value (``catch``); prints as ``Error: message``."""

    __slots__ = ("message", "suffix")

    def __init__(self, message, suffix=""):
        self.message = message
        self.suffix = suffix

    def __str__(self):
        return self.message


# --------------------------------------------------------------------------- unordered_map order

def _next_prime(n):
    def isprime(k):
        if k < 2:
            return False
        if k % 2 == 0:
            return k == 2
        i = 3
        while i * i <= k:
            if k % i == 0:
                return False
            i += 2
        return True
    while not isprime(n):
        n += 1
    return n


def _int_hash(k):
    return k & 0xFFFFFFFFFFFFFFFF


def _murmur64(data, seed=0xC70F6907):
    """libstdc++ ``_Hash_bytes`` (64-bit MurmurHash variant)."""
    mul = 0xC6A4A7935BD1E995
    mask = 0xFFFFFFFFFFFFFFFF
    n = len(data)
    h = (seed ^ (n * mul)) & mask
    full = n & ~7
    for i in range(0, full, 8):
        k = int.from_bytes(data[i:i + 8], "little")
        k = (k * mul) & mask
        k ^= k >> 47
        k = (k * mul) & mask
        h ^= k
        h = (h * mul) & mask
    if n & 7:
        rest = int.from_bytes(data[full:], "little")
        h ^= rest
        h = (h * mul) & mask
    h ^= h >> 47
    h = (h * mul) & mask
    h ^= h >> 47
    return h


def _float_hash(x):
    if x == 0.0:
        return 0
    return _murmur64(struct.pack("<d", x))


def umap_order(keys, hasher):
    """Order in which a fresh libstdc++ ``unordered_map`` iterates ``keys`` inserted in order
    (see :mod:`lispe_py.builtins.unordered`)."""
    from .builtins.unordered import umap_order as order
    return order(keys, hasher)


def _insert(nodes, key, b):
    for i, (_, nb) in enumerate(nodes):
        if nb == b:
            nodes.insert(i, (key, b))
            return nodes
    nodes.insert(0, (key, b))
    return nodes


def _relink(keys, hasher, nbkt):
    # libstdc++ _M_rehash_aux walks the old list, inserting each node at the front
    # of the new list when its bucket is empty, else after the bucket's first node.
    out = []
    first_of = {}
    for k in keys:
        b = hasher(k) % nbkt
        if b not in first_of:
            out.insert(0, (k, b))
            first_of[b] = True
        else:
            for i, (_, nb) in enumerate(out):
                if nb == b:
                    out.insert(i + 1, (k, b))
                    break
    return out


def dict_items(d):
    """Items of a LispE dictionary in printing (and iteration) order."""
    if getattr(d, "sorted_keys", False):      # dictionarytree: a std::map
        return sorted(d.items())
    if type(d) is Dictionary or isinstance(d, Dictionary):
        return sorted(d.items())
    if isinstance(d, DictionaryI):
        return [(k, d[k]) for k in umap_order(list(d), _int_hash)]
    return [(k, d[k]) for k in umap_order(list(d), _float_hash)]


def dict_keys(d):
    if isinstance(d, Dictionary):
        return sorted(d)
    return [k for k, _ in dict_items(d)]


# --------------------------------------------------------------------------- printing

PRINTERS = {}     # type -> function(value) -> str, for foreign objects (tensors, modules)
TYPE_NAMES = {}   # type -> LispE type name, for foreign objects


def _escape(s):
    if '"' in s or "\\" in s:
        s = s.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + s + '"'


def to_string(v):
    """The raw printed form of ``v`` (what ``print`` shows)."""
    t = type(v)
    if t is str:
        return v
    if t is int:
        return str(v)
    if t is float:
        return format_number(v)
    if v is None:
        return "nil"
    if t is Atom:
        return v.name
    return _to_string(v, set())


def in_list(v):
    """The printed form of ``v`` inside a container (strings quoted)."""
    if isinstance(v, str):
        return _escape(v)
    return to_string(v)


def _elem(v, seen):
    t = type(v)
    if t is str:
        return _escape(v)
    if t is int:
        return str(v)
    if t is float:
        return format_number(v)
    if v is None:
        return "nil"
    if t is Atom:
        return v.name
    if isinstance(v, str):
        return _escape(v)
    return _to_string(v, seen)


def _to_string(v, seen):
    if isinstance(v, bool):
        return "true" if v else "nil"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return format_number(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        if id(v) in seen:
            return "..."
        seen.add(id(v))
        try:
            if isinstance(v, LList) and v.tail is not None:
                body = " ".join(_elem(x, seen) for x in v)
                return "(" + body + " . " + _elem(v.tail, seen) + ")"
            if len(v) == 2 and v[0] is QUOTE and type(v) in (List, Form):
                return "'" + _elem(v[1], seen)
            return "(" + " ".join(_elem(x, seen) for x in v) + ")"
        finally:
            seen.discard(id(v))
    if isinstance(v, dict):
        if id(v) in seen:
            return "..."
        seen.add(id(v))
        try:
            if isinstance(v, Dictionary):
                parts = [_escape(k) + ":" + _elem(x, seen) for k, x in dict_items(v)]
            else:
                parts = [_elem(k, seen) + ":" + _elem(x, seen) for k, x in dict_items(v)]
            return "{" + " ".join(parts) + "}"
        finally:
            seen.discard(id(v))
    if type(v) is Set:
        return "{" + " ".join(to_string(x) for x in v) + "}"
    if isinstance(v, (set, frozenset)):
        if isinstance(v, SetS):
            items = sorted(v)
        else:
            items = sorted(v)
        return "{" + " ".join(_elem(x, seen) for x in items) + "}"
    if isinstance(v, Maybe):
        return v.message
    if isinstance(v, Complex):
        return v.lispe_str()
    p = PRINTERS.get(type(v))
    if p is None:
        for klass in type(v).__mro__:
            p = PRINTERS.get(klass)
            if p is not None:
                PRINTERS[type(v)] = p
                break
    if p is not None:
        return p(v)
    lispe_str = getattr(v, "lispe_str", None)
    if lispe_str is not None:
        return lispe_str()
    return str(v)


# --------------------------------------------------------------------------- types, truth

def type_name(v):
    """What ``(type v)`` returns, as a string."""
    t = type(v)
    if t is int:
        return "integer_"
    if t is float:
        return "number_"
    if t is str:
        return "string_"
    if v is None or t is Atom:
        return "atom_"
    if t is Float32:
        return "float_"
    if t is Short:
        return "short_"
    kind = getattr(v, "kind", None)
    if kind is not None:
        return kind
    if isinstance(v, Maybe):
        return "maybe_"
    name = TYPE_NAMES.get(t)
    if name is None:
        for klass in t.__mro__:
            name = TYPE_NAMES.get(klass)
            if name is not None:
                break
    if name is not None:
        return name
    return getattr(v, "lispe_type", t.__name__ + "_")


def truthy(v):
    """LispE truth: nil, (), 0, 0.0, "", empty containers are false."""
    if v is None:
        return False
    t = type(v)
    if t is Atom:
        return True
    if t is int or t is float or t is str:
        return bool(v)
    if isinstance(v, (list, dict)):
        return len(v) > 0
    if isinstance(v, (int, float)):
        return bool(v)
    if isinstance(v, Maybe):
        return True
    b = getattr(v, "lispe_truth", None)
    if b is not None:
        return b()
    return True


def lbool(b):
    """Python truth value -> LispE ``true``/``nil``."""
    return TRUE if b else None
