"""LispE's own matrices and tensors (lists of typed rows, printed as lists):
matrix_number, matrix_integer, matrix_float, matrix_short, matrix_string, matrix_stringbyte,
tensor_* of the same types; ⍉ (transpose), rank@, irank@, mask@, atshape, setshape (the
linear algebra is in :mod:`lispe_py.builtins.linalg`).

Every list builtin works on them (they are lists). A list of equal-length number lists is
accepted where LispE wants a matrix (lispe-py's rho builds plain lists)."""

from ..errors import LispEError
from ..values import (Float32, Floats, Integers, List, Numbers, Short, Shorts, StringByte,
                      Strings, to_string)
from .core import integer, number
from .registry import builtin


class Matrix(List):
    __slots__ = ()
    kind = "matrix_"


class Tensor(List):
    __slots__ = ()
    kind = "tensor_"


def _conv_str(v):
    return to_string(v) if not isinstance(v, list) else ""


def _conv_num(conv, zero):
    def f(v):
        if isinstance(v, (list, dict, set)) or v is None:
            return zero
        try:
            return conv(v)
        except LispEError:
            return zero
    return f


# element type -> (row class, converter, default)
_TYPES = {
    "number": (Numbers, _conv_num(lambda v: float(number(v)), 0.0), 0.0),
    "integer": (Integers, _conv_num(integer, 0), 0),
    "float": (Floats, _conv_num(lambda v: Float32(number(v)), Float32(0)), Float32(0)),
    "short": (Shorts, _conv_num(lambda v: Short(integer(v)), Short(0)), Short(0)),
    "string": (Strings, _conv_str, ""),
    "stringbyte": (Strings, lambda v: StringByte(_conv_str(v)), StringByte("")),
}

_CLASSES = {}
for _t in _TYPES:
    _CLASSES["matrix", _t] = type("Matrix_" + _t, (Matrix,), {"__slots__": (), "kind": "matrix_%s_" % _t})
    _CLASSES["tensor", _t] = type("Tensor_" + _t, (Tensor,), {"__slots__": (), "kind": "tensor_%s_" % _t})


def _flatten(x, out):
    for y in x:
        if isinstance(y, list):
            _flatten(y, out)
        else:
            out.append(y)
    return out


def _matrix(t, args):
    rowcls, conv, zero = _TYPES[t]
    cls = _CLASSES["matrix", t]
    if len(args) == 1:
        src = args[0]
        if not isinstance(src, list) or not src or not all(isinstance(r, list) for r in src):
            raise LispEError("Cannot initialize a matrix with this value")
        rows, cols = len(src), len(src[0])
        flat = _flatten(src, [])
        if not flat or not cols:
            return cls()
        vals = [flat[i % len(flat)] for i in range(rows * cols)]
        return cls(rowcls(conv(v) for v in vals[r * cols:(r + 1) * cols]) for r in range(rows))
    rows, cols = integer(args[0]), integer(args[1])
    v = conv(args[2]) if len(args) > 2 else zero
    return cls(rowcls([v] * cols) for _ in range(max(rows, 0)))


def _tensor(t, args):
    rowcls, conv, zero = _TYPES[t]
    cls = _CLASSES["tensor", t]
    if len(args) == 1 and isinstance(args[0], list):
        def build(x, depth):
            if isinstance(x, list) and x and all(isinstance(y, list) for y in x):
                return cls(build(y, depth + 1) for y in x)
            return rowcls(conv(v) for v in (x if isinstance(x, list) else [x]))
        return build(args[0], 0)
    dims = []
    for a in args:
        if isinstance(a, list):
            break
        dims.append(integer(a))
    if len(dims) < 2:
        raise LispEError("Cannot initialize a tensor with this value")

    def make(ds):
        if len(ds) == 1:
            return rowcls([zero] * ds[0])
        return cls(make(ds[1:]) for _ in range(ds[0]))
    if len(dims) < len(args):        # a list value: LispE leaves empty rows
        def empty(ds):
            if not ds:
                return rowcls()
            return cls(empty(ds[1:]) for _ in range(ds[0]))
        return empty(dims)
    return make(dims)


def _register(kind, t):
    name = "%s_%s" % (kind, t)
    if kind == "matrix":
        def fn(*args):
            return _matrix(t, args)
        fn.__doc__ = ("(%s rows cols [value]) or (%s list-of-lists): a matrix of %ss "
                      "(value defaults to %s)." % (name, name, t, "\"\"" if "string" in t else 0))
        builtin(name, arity=(1, 3))(fn)
    else:
        def fn(*args):
            return _tensor(t, args)
        fn.__doc__ = ("(%s d1 d2 ... ) or (%s nested-lists): a tensor of %ss of that shape "
                      "(filled with %s)." % (name, name, t, "\"\"" if "string" in t else 0))
        builtin(name, arity=(1, None))(fn)


for _t in _TYPES:
    _register("matrix", _t)
    _register("tensor", _t)


def matrix_like(rows):
    """A matrix of the rows' values: integers when they are all integers, else numbers."""
    flat = [v for r in rows for v in r]
    if all(type(v) is int for v in flat):
        return _CLASSES["matrix", "integer"](Integers(r) for r in rows)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat):
        return _CLASSES["matrix", "number"](Numbers(float(v) for v in r) for r in rows)
    return Matrix(List(r) for r in rows)


@builtin("⍉", arity=1)
def transpose(m):
    """(⍉ m): the transposed matrix (a list that is not a matrix is returned as is)."""
    if not isinstance(m, list) or not m or not all(isinstance(r, list) for r in m):
        return m
    n = len(m[0])
    if any(len(r) != n for r in m):
        return m
    if isinstance(m, Tensor):
        return m
    rows = [[r[j] for r in m] for j in range(n)]
    if isinstance(m, Matrix) and type(m) is not Matrix:
        rowcls = type(m[0]) if type(m[0]) is not List else List
        return type(m)(rowcls(r) for r in rows)
    return matrix_like(rows) if all(isinstance(v, (int, float)) for r in rows for v in r) \
        else Matrix(List(r) for r in rows)


@builtin("mask@", arity=3)
def mask_at(mask, l1, l2):
    """(mask@ mask l1 l2): for each element of mask, the next element of l1 when it is true
    (non zero), else the next one of l2."""
    from ..values import truthy
    if not all(isinstance(x, list) for x in (mask, l1, l2)):
        raise LispEError("Expecting lists")
    a, b = iter(l1), iter(l2)
    out = List()
    for k in mask:
        src = a if truthy(k) else b
        try:
            out.append(next(src))
        except StopIteration:
            break
    return out


# ----------------------------------------------------------------------------- ranks

def _positions(idx):
    """rank@'s indexes: integers, anything else counts as -1 (all of that axis); trailing
    negative indexes are dropped."""
    pos = []
    for x in idx:
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            pos.append(int(x))
        else:
            pos.append(-1)
    while len(pos) > 1 and pos[-1] < 0:
        pos.pop()
    return pos


def _shape(x):
    """LispE's getShape: the sizes along the first elements."""
    shape = []
    while isinstance(x, list):
        shape.append(len(x))
        if not x:
            break
        x = x[0]
    return shape


def _regular(x, shape, d=0):
    if d >= len(shape) or not isinstance(x, list):
        return True
    if len(x) != shape[d]:
        return False
    return all(_regular(y, shape, d + 1) for y in x) if d + 1 < len(shape) else True


def _typed_leaves(m):
    """A LispE tensor (typed innermost lists), as opposed to nested generic lists."""
    if isinstance(m, Tensor):
        return True
    while isinstance(m, list) and m and isinstance(m[0], list):
        m = m[0]
    return isinstance(m, list) and type(m) is not List


def _index(c, i):
    if not isinstance(c, list) or not 0 <= i < len(c):
        raise LispEError("indexes out of bounds")
    return c[i]


def _matrix_rank(m, kind, pos):
    """LispE's Matrice::rank: a row, a column, an element or every column."""
    rowcls = type(m[0]) if m and isinstance(m[0], list) else List
    if len(pos) > 2:
        raise LispEError("index mismatch")
    ncols = len(m[0]) if m else 0
    if pos[0] == -1:
        if len(pos) == 1 or pos[1] == -1:
            cls = _CLASSES.get(("matrix", kind), Matrix)
            return cls(rowcls(r[j] for r in m) for j in range(ncols))
        if pos[1] >= ncols or pos[1] < -1:
            raise LispEError("indexes out of bounds")
        return rowcls(r[pos[1]] for r in m)
    if pos[0] < 0 or pos[0] >= len(m):
        raise LispEError("indexes out of bounds")
    if len(pos) == 2 and pos[1] != -1:
        if not 0 <= pos[1] < ncols:
            raise LispEError("indexes out of bounds")
        return m[pos[0]][pos[1]]
    return rowcls(m[pos[0]])


def _build(result, current, shape, paths, idx, axis):
    if axis < idx:
        c = current
        for k in range(len(paths) - 1, -1, -1):
            c = _index(c, paths[k])
        result.append(c)
        return
    paths.append(0)
    for i in range(shape[axis]):
        paths[-1] = i
        _build(result, current, shape, paths, idx, axis - 1)
    paths.pop()


def _store_rank(result, current, shape, pos, idx):
    axis = idx
    while axis < len(pos) and pos[axis] == -1:
        axis += 1
    if axis == idx:
        if pos[idx] < 0:
            raise LispEError("indexes out of bounds")
        if idx == len(pos) - 1:
            return _index(current, pos[idx])
        return _store_rank(result, _index(current, pos[idx]), shape, pos, idx + 1)
    if axis < len(pos):
        if pos[axis] < 0:
            raise LispEError("indexes out of bounds")
        _build(result, current, shape, [pos[axis]], idx, axis - 1)
        return result
    if axis >= len(shape):
        raise LispEError("index mismatch")
    for i in range(shape[axis]):
        r = List()
        result.append(r)
        _build(r, current, shape, [i], idx, axis - 1)
    return result


def rank(m, pos):
    """The rank of m at the positions (LispE's rank methods of matrices and lists)."""
    from .linalg import matrix_kind
    if not isinstance(m, list) or isinstance(m, (str, dict)):
        raise LispEError("cannot apply 'rank' to this element")
    if not pos:
        raise LispEError("index mismatch")
    kind = matrix_kind(m)
    if kind is not None and not isinstance(m, Tensor):
        return _matrix_rank(m, kind, pos)
    shape = _shape(m)
    if not _regular(m, shape):
        raise LispEError("unregular matrix: some sub-lists have different sizes")
    if len(pos) > len(shape):
        raise LispEError("index mismatch")
    if _typed_leaves(m) and any(p >= s for p, s in zip(pos, shape)):
        raise LispEError("indexes out of bounds")      # a tensor checks every index
    return _store_rank(List(), m, shape, pos, 0)


@builtin("rank@", arity=(1, None))
def rank_at(m, *idx):
    """(rank@ m i [j ...]): the sub-matrix at these indexes; -1 (or a non-number) takes a
    whole axis: (rank@ m -1 j) is column j, (rank@ m -1) every column."""
    return rank(m, _positions(idx))


class RankLoop:
    """What irank@ returns: loop walks the ranks of the container along the next axis."""

    kind = "irank@"

    def __init__(self, element, positions, count, last):
        self.element = element
        self.positions = positions
        self.count = count
        self.last = last

    def lispe_str(self):
        return to_string(self.element)

    def lispe_iter(self):
        for k in range(self.count):
            yield rank(self.element, self.positions if self.last else self.positions + [k])


def _rankloop_size(r):
    return r.count


def _rankloop_car(r):
    from .lists import car
    return car(r.element)


@builtin("irank@", arity=(2, None))
def irank_at(m, *idx):
    """(irank@ m i [j ...]): an iterator for loop: the ranks (rank@ m i ... k) for each k of
    the next axis (one rank when every axis has an index)."""
    if not isinstance(m, list):
        raise LispEError("cannot apply 'rank' to this element")
    pos = [int(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else -1
           for x in idx]
    shape = _shape(m)
    if len(shape) < len(pos):
        raise LispEError("cannot loop with 'irank' with these indexes")
    while len(pos) > 1 and pos[-1] < 0:
        pos.pop()
    if len(shape) == len(pos):
        return RankLoop(m, pos, 1, True)
    return RankLoop(m, pos, shape[len(pos)], False)


def _register_rankloop():
    from ..protocols import CAR, SIZE
    SIZE[RankLoop] = _rankloop_size
    CAR[RankLoop] = _rankloop_car


_register_rankloop()


# ----------------------------------------------------------------------------- shapes

def _shape_list(shape, nidx):
    if not isinstance(shape, list) or not shape or len(shape) < nidx:
        raise LispEError("Expecting a list with enough values to match the indexes as "
                         "second argument")
    return [integer(x) for x in shape]


def _element_at(c, i):
    if not isinstance(c, list) or not 0 <= i < len(c):
        raise LispEError("Index out of bound")
    return c[i]


@builtin("atshape", arity=(3, None))
def atshape(container, shape, *idx):
    """(atshape flat shape i [j ...]): read a flat list as an array of that shape: the element
    at these indexes, or the block they select (-1 takes a whole axis)."""
    if isinstance(container, str):
        return container            # LispE gives the string back
    n = len(idx)
    shapes = _shape_list(shape, n)
    ix = [integer(x) for x in idx]
    index, idxv, cumul, p = 0, 0, 1, -1
    for pos in range(n - 1, -1, -1):
        index = ix[pos]
        if index < 0:
            p = pos
            break
        if index >= shapes[pos]:
            raise LispEError("index mismatch with shape")
        idxv += index * cumul
        cumul *= shapes[pos]
    ssize = len(shapes)
    if index >= 0 or p < 0:
        if ssize == n:
            return _element_at(container, idxv)
        result = type(container)() if isinstance(container, list) else List()
        cumul = 1
        for s in shapes[n:]:
            cumul *= s
            idxv *= s
        for k in range(idxv, idxv + cumul):
            result.append(_element_at(container, k))
        return result
    choice = index == -1
    result = type(container)() if isinstance(container, list) else List()
    cumul, begin = 1, 0
    q = 0
    while q < p:
        v = ix[q]
        if v < 0:
            break
        begin += v * cumul
        cumul *= shapes[q]
        q += 1
    if q:
        cumul = 1
        for s in shapes[q:]:
            cumul *= s
        begin *= cumul
        value_size = begin + cumul
        cumul = 1
    else:
        value_size = len(container)
    block = 1
    for r in range(p + 1, ssize):
        block *= shapes[r]
        cumul *= shapes[r] if r >= n else 1

    def put(a, b=None):
        if b is None:
            result.append(_element_at(container, a))
        else:
            for k in range(a, b):
                result.append(_element_at(container, k))
    if choice:
        if cumul == 1:
            for i in range(begin, value_size, block):
                put(i + idxv)
        else:
            idxv *= cumul
            for i in range(begin, value_size, block):
                put(i + idxv, i + idxv + cumul)
    else:
        size_p = shapes[p]
        if cumul == 1:
            cumul = block
            block *= size_p
            for k in range(size_p):
                base = idxv + k * cumul
                for i in range(begin, value_size, block):
                    put(i + base)
        else:
            idxv *= cumul
            block *= size_p
            for k in range(size_p):
                base = idxv + k * cumul
                for i in range(begin, value_size, block):
                    put(base + i, base + i + cumul)
    return result


def _as_integer(v):
    return 0 if isinstance(v, (list, dict, set)) or v is None else integer(v)


def _as_number(v):
    return 0.0 if isinstance(v, (list, dict, set)) or v is None else float(number(v))


def _set_in(c, i, v):
    """LispE's set_in: the value converted to the element type of a typed list."""
    from ..values import Float32 as F32, Floats as FL, Integers as I, Numbers as N
    from ..values import Short as S, Shorts as SH, Strings as ST
    if isinstance(c, I):
        v = _as_integer(v)
    elif isinstance(c, N):
        v = _as_number(v)
    elif isinstance(c, FL):
        v = F32(_as_number(v))
    elif isinstance(c, SH):
        v = S(_as_integer(v))
    elif isinstance(c, ST):
        v = to_string(v)
    c[i] = v


@builtin("setshape", arity=(4, None))
def setshape(container, shape, *rest):
    """(setshape flat shape i [j ...] value): write into a flat list read as an array of
    that shape: the element at these indexes, or the block they select (from value's
    elements); returns the list."""
    value = rest[-1]
    idx = rest[:-1]
    n = len(idx)
    if not isinstance(shape, list) or not shape or len(shape) < n:
        raise LispEError("Expecting a list with enough values to match the indexes as "
                         "second argument")
    idxv, cumul = 0, 1
    for pos in range(n - 1, -1, -1):
        index = integer(idx[pos])
        if index < 0:
            raise LispEError("cannot modify this value")
        sh = integer(shape[pos])
        if index >= sh:
            raise LispEError("index mismatch with shape")
        idxv += index * cumul
        cumul *= sh
    if not isinstance(container, list):
        raise LispEError("Index out of bound")
    if len(shape) == n:
        if idxv >= len(container):
            raise LispEError("Index out of bound")
        _set_in(container, idxv, value)
        return container
    cumul = 1
    for s in shape[n:]:
        s = integer(s)
        cumul *= s
        idxv *= s
    size = len(value) if isinstance(value, (list, str)) else 0
    if cumul > size:
        raise LispEError("cannot store this value in this container")
    # a generic list receives what value's index gives: from a typed list, one shared
    # element that ends up holding the last value read (LispE stores that object each time)
    shared = type(container) is List and isinstance(value, list) and type(value) is not List
    for k in range(idxv, idxv + cumul):
        if k >= len(container):
            raise LispEError("Index out of bound")
        _set_in(container, k, value[cumul - 1] if shared else value[k - idxv])
    return container


from . import linalg  # noqa: E402,F401  (solve, ludcmp, lubksb, ⌹, determinant)
