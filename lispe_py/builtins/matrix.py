"""LispE's own matrices and tensors (lists of typed rows, printed as lists):
matrix_number, matrix_integer, matrix_float, matrix_short, matrix_string, matrix_stringbyte,
tensor_* of the same types; ⍉ (transpose), determinant, ⌹ (invert), rank@, mask@.

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


def _rows(m, what):
    if not isinstance(m, list) or not m or not all(isinstance(r, list) for r in m):
        raise LispEError(what)
    n = len(m[0])
    if any(len(r) != n for r in m):
        raise LispEError(what)
    return [[number(v) for v in r] for r in m]


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


def _lu(a):
    """LU decomposition with partial pivoting (Crout, as Numerical Recipes): (lu, perm, sign);
    sign is 0 for a singular matrix."""
    n = len(a)
    a = [list(r) for r in a]
    perm = list(range(n))
    sign = 1.0
    singular = False
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(a[i][k]))
        if a[p][k] == 0:
            a[p][k] = 1e-20         # Numerical Recipes' TINY: a singular matrix stays usable
            singular = True
        if p != k:
            a[k], a[p] = a[p], a[k]
            perm[k], perm[p] = perm[p], perm[k]
            sign = -sign
        for i in range(k + 1, n):
            a[i][k] /= a[k][k]
            f = a[i][k]
            for j in range(k + 1, n):
                a[i][j] -= f * a[k][j]
    return a, perm, (0.0 if singular else sign)


def _square(m, what):
    rows = _rows(m, what)
    if len(rows) != len(rows[0]):
        raise LispEError(what)
    return rows


@builtin("determinant", arity=1)
def determinant(m):
    """(determinant m): the determinant of a square matrix of numbers."""
    a = _square(m, "We can only compute the determinant of a matrix")
    lu, _p, sign = _lu(a)
    if sign == 0:
        return 0.0
    d = sign
    for i in range(len(lu)):
        d *= lu[i][i]
    return d


@builtin("⌹", arity=1)
def invert(m):
    """(⌹ m): the inverse of a square matrix of numbers (a matrix of numbers)."""
    a = _square(m, "'invert' can only be applied to matrices")
    n = len(a)
    lu, perm, _s = _lu(a)
    cols = []
    for j in range(n):
        b = [1.0 if perm[i] == j else 0.0 for i in range(n)]
        y = b[:]
        for i in range(n):
            for k in range(i):
                y[i] -= lu[i][k] * y[k]
        x = y[:]
        for i in range(n - 1, -1, -1):
            for k in range(i + 1, n):
                x[i] -= lu[i][k] * x[k]
            x[i] /= lu[i][i]
        cols.append(x)
    return _CLASSES["matrix", "number"](Numbers(cols[j][i] for j in range(n)) for i in range(n))


@builtin("rank@", arity=(2, None))
def rank_at(m, *idx):
    """(rank@ m i [j ...]): row i of a matrix; with -1 as a first index, a column (j)."""
    if not isinstance(m, list):
        raise LispEError("indexes out of bounds")
    cur = m
    ks = [integer(i) for i in idx]
    if len(ks) >= 2 and ks[0] == -1:
        j = ks[1]
        try:
            col = [r[j] for r in cur]
        except (IndexError, TypeError):
            raise LispEError("indexes out of bounds")
        rowcls = type(cur[0]) if cur and isinstance(cur[0], list) and type(cur[0]) is not List else List
        return rowcls(col)
    for k in ks:
        if k == -1:
            continue
        if not isinstance(cur, list) or k < 0 or k >= len(cur):
            raise LispEError("indexes out of bounds")
        cur = cur[k]
    return cur


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
