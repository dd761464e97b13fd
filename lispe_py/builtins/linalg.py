"""Linear algebra on LispE's matrices, as LispE computes it: ``solve``, ``ludcmp``,
``lubksb``, ``⌹`` (invert) and ``determinant``.

LispE decomposes with Crout's method and implicit partial pivoting (Numerical Recipes'
ludcmp/lubksb) in the element type of the matrix: doubles for ``matrix_number``, 32-bit
floats for ``matrix_float``, and for ``matrix_integer`` 32-bit floats that are truncated
to integers each time a value is stored (so the results are mostly zeros). A row whose
largest absolute value is below 1.5e-16 makes the matrix singular: the result is then
``()``. What LispE does and lispe-py reproduces:

* ``(ludcmp m)`` replaces m by its LU decomposition and returns an empty ``integers_``
  list (LispE never fills the permutation it computes);
* ``(solve a b)`` returns a⁻¹·b (a new matrix of b's type) and leaves a replaced by its LU
  decomposition; ``(⌹ m)`` does the same with the identity (``matrix_number`` only);
* ``(lubksb lu indexes [y])`` solves, column by column, the system whose LU decomposition
  is ``lu`` for each column of y (the identity when y is missing), in y itself;
* ``(determinant m)`` (``matrix_number`` only) expands along the first row; a 1x1
  matrix gives 0."""

import ctypes
import math

from ..errors import LispEError
from ..values import Float32, Floats, Integers, List, Numbers, Shorts, Strings
from .registry import builtin

_TINY = 1.5e-16
_ROW_KIND = {Numbers: "number", Floats: "float", Integers: "integer", Shorts: "short",
             Strings: "string"}
_LU_KINDS = ("number", "float", "integer")


def _f32(x):
    """A double rounded to a C float."""
    return ctypes.c_float(x).value


def _to_long(x):
    """C's conversion of a floating value to long on x86-64 (truncation; INT64_MIN when it
    does not fit)."""
    if x != x or x in (math.inf, -math.inf) or not -9.3e18 < x < 9.3e18:
        return -(1 << 63)
    v = int(x)
    if not -(1 << 63) <= v < (1 << 63):
        return -(1 << 63)
    return v


def _wrap(v):
    v &= 0xFFFFFFFFFFFFFFFF
    return v - (1 << 64) if v >> 63 else v


def _cdiv(a, b):
    """a / b on doubles with C's results for a zero divisor."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a:
            return a
        if a == 0:
            return -math.nan            # x86's default NaN has its sign bit set
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def matrix_kind(m):
    """The element type of a LispE matrix ('number', 'float', 'integer', 'short', 'string',
    'stringbyte'), for the matrix_* values and for the lists of equal-length typed rows
    lispe-py's rho builds; None for anything else."""
    k = getattr(m, "kind", "")
    if type(k) is str and k.startswith("matrix_") and len(k) > 8:
        return k[7:-1]
    if type(m) is List and m:
        t = type(m[0])
        kind = _ROW_KIND.get(t)
        if kind is not None and all(type(r) is t and len(r) == len(m[0]) for r in m):
            return kind
    return None


def _lispe_type(x):
    k = matrix_kind(x)
    if k is not None:
        return "matrix_" + k
    from ..values import type_name
    return type_name(x)


def _matrix_class(kind):
    from .matrix import _CLASSES
    return _CLASSES["matrix", kind]


_ROW_CLASS = {"number": Numbers, "float": Floats, "integer": Integers}


def _new_matrix(kind, rows):
    row = _ROW_CLASS[kind]
    conv = {"number": float, "float": Float32, "integer": int}[kind]
    return _matrix_class(kind)(row(conv(v) for v in r) for r in rows)


def _identity(kind, n):
    return _new_matrix(kind, [[1 if i == j else 0 for j in range(n)] for i in range(n)])


# ---------------------------------------------------------------- LU in each element type
#
# The rows of the matrix are changed in place (LispE's decomposition works on the rows of
# the matrix it was given); the values read from them are converted to the element type.

def _ludcmp_number(a, n):
    values = []
    for i in range(n):
        amax = 0.0
        for j in range(n):
            s = abs(float(a[i][j]))
            if s > amax:
                amax = s
        if amax < _TINY:
            return None
        values.append(_cdiv(1.0, amax))
    idx = [0] * n
    imax = 0
    for j in range(n):
        for i in range(j):
            s = float(a[i][j])
            for k in range(i):
                s = s - a[i][k] * a[k][j]
            a[i][j] = s
        amax = 0.0
        for i in range(j, n):
            s = float(a[i][j])
            for k in range(j):
                s = s - a[i][k] * a[k][j]
            a[i][j] = s
            dum = values[i] * abs(s)
            if dum >= amax:
                imax = i
                amax = dum
        if j != imax:
            for k in range(n):
                a[imax][k], a[j][k] = float(a[j][k]), float(a[imax][k])
            values[imax] = values[j]
        idx[j] = imax
        if abs(a[j][j]) < _TINY:
            a[j][j] = _TINY
        if j != n - 1:
            dum = _cdiv(1.0, a[j][j])
            for i in range(j + 1, n):
                a[i][j] = a[i][j] * dum
    return idx


def _lubksb_number(a, n, idx, b):
    ii = -1
    for i in range(n):
        ll = idx[i]
        s = b[ll]
        b[ll] = b[i]
        if ii != -1:
            for j in range(ii, i):
                s = s - a[i][j] * b[j]
        elif s != 0.0:
            ii = i
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s = s - a[i][j] * b[j]
        b[i] = _cdiv(s, a[i][i])


def _ludcmp_float(a, n):
    f = _f32
    values = []
    for i in range(n):
        amax = 0.0
        for j in range(n):
            s = abs(f(a[i][j]))
            if s > amax:
                amax = s
        if amax < _TINY:
            return None
        values.append(f(_cdiv(1.0, amax)))
    idx = [0] * n
    imax = 0
    for j in range(n):
        for i in range(j):
            s = f(a[i][j])
            for k in range(i):
                s = f(s - f(a[i][k] * a[k][j]))
            a[i][j] = Float32(s)
        amax = 0.0
        for i in range(j, n):
            s = f(a[i][j])
            for k in range(j):
                s = f(s - f(a[i][k] * a[k][j]))
            a[i][j] = Float32(s)
            dum = f(values[i] * abs(s))
            if dum >= amax:
                imax = i
                amax = dum
        if j != imax:
            for k in range(n):
                a[imax][k], a[j][k] = Float32(a[j][k]), Float32(a[imax][k])
            values[imax] = values[j]
        idx[j] = imax
        if abs(a[j][j]) < _TINY:
            a[j][j] = Float32(_TINY)
        if j != n - 1:
            dum = f(_cdiv(1.0, a[j][j]))
            for i in range(j + 1, n):
                a[i][j] = Float32(f(a[i][j] * dum))
    return idx


def _lubksb_float(a, n, idx, b):
    f = _f32
    ii = -1
    for i in range(n):
        ll = idx[i]
        s = f(b[ll])
        b[ll] = b[i]
        if ii != -1:
            for j in range(ii, i):
                s = f(s - f(a[i][j] * b[j]))
        elif s != 0.0:
            ii = i
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = f(b[i])
        for j in range(i + 1, n):
            s = f(s - f(a[i][j] * b[j]))
        b[i] = f(_cdiv(s, a[i][i]))


def _ludcmp_integer(a, n):
    # LispE's integer version computes in floats and stores truncated integers
    f = _f32
    values = []
    for i in range(n):
        amax = 0.0
        for j in range(n):
            s = abs(f(a[i][j]))
            if s > amax:
                amax = s
        if amax < _TINY:
            return None
        values.append(_to_long(_cdiv(1.0, amax)))
    idx = [0] * n
    imax = 0
    for j in range(n):
        for i in range(j):
            s = f(a[i][j])
            for k in range(i):
                s = f(s - f(_wrap(a[i][k] * a[k][j])))
            a[i][j] = _to_long(s)
        amax = 0.0
        for i in range(j, n):
            s = f(a[i][j])
            for k in range(j):
                s = f(s - f(_wrap(a[i][k] * a[k][j])))
            a[i][j] = _to_long(s)
            dum = f(values[i] * abs(s))
            if dum >= amax:
                imax = i
                amax = dum
        if j != imax:
            for k in range(n):
                dum = f(a[imax][k])
                a[imax][k] = a[j][k]
                a[j][k] = _to_long(dum)
            values[imax] = values[j]
        idx[j] = imax
        if abs(a[j][j]) < _TINY:
            a[j][j] = 0
        if j != n - 1:
            dum = _to_long(f(_cdiv(1.0, a[j][j])))
            for i in range(j + 1, n):
                a[i][j] = _wrap(a[i][j] * dum)
    return idx


def _lubksb_integer(a, n, idx, b):
    ii = -1
    for i in range(n):
        ll = idx[i]
        s = b[ll]
        b[ll] = b[i]
        if ii != -1:
            for j in range(ii, i):
                s = _wrap(s - a[i][j] * b[j])
        elif s != 0:
            ii = i
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s = _wrap(s - a[i][j] * b[j])
        d = a[i][i]
        if d == 0:
            raise LispEError("division by zero")     # the binary stops on SIGFPE
        q = abs(s) // abs(d)
        b[i] = _wrap(q if (s >= 0) == (d >= 0) else -q)


_LU = {"number": (_ludcmp_number, _lubksb_number),
       "float": (_ludcmp_float, _lubksb_float),
       "integer": (_ludcmp_integer, _lubksb_integer)}


def _square(m):
    n = len(m)
    return all(len(r) == n for r in m)


def _solve_columns(kind, lu, n, idx, y):
    """Solve lu·x = column for each column j < n of y, in place."""
    back = _LU[kind][1]
    width = min((len(r) for r in y), default=0)
    for j in range(min(n, width)):
        temp = [y[i][j] for i in range(n)]
        back(lu, n, idx, temp)
        for i in range(n):
            y[i][j] = temp[i] if kind == "integer" else \
                (Float32(temp[i]) if kind == "float" else float(temp[i]))
    return y


def _lu_kind(m, message="solve can only be applied to matrices"):
    kind = matrix_kind(m)
    if kind not in _LU_KINDS:
        raise LispEError(message)
    return kind


@builtin("ludcmp", arity=1)
def ludcmp(m):
    """(ludcmp m): replace the square matrix m by its LU decomposition (Crout, partial
    pivoting); returns an empty integers list as LispE does, or () when m is singular."""
    kind = _lu_kind(m)
    if not _square(m):
        raise LispEError("we can only apply 'ludcmp' to square matrices")
    idx = _LU[kind][0](m, len(m))
    if idx is None:
        return List()              # LispE's emptylist_
    return Integers()


@builtin("lubksb", arity=(2, 3))
def lubksb(m, indexes, y=None):
    """(lubksb lu indexes [y]): solve the system whose LU decomposition is lu (with the row
    permutation indexes) for each column of y, in y (default: the identity); returns y."""
    kind = _lu_kind(m)
    if not isinstance(indexes, Integers):
        raise LispEError("the second element should be an integers_ (a list of integers)")
    if y is not None and _lispe_type(y) != _lispe_type(m):
        raise LispEError("solve can only be applied to matrices of same type")
    n = len(m)
    if not _square(m) or len(indexes) != n:
        raise LispEError("we can only apply 'lubksb' to square matrices with the same "
                         "number of indexes")
    if y is None:
        y = _identity(kind, n)
    elif len(y) != n:
        raise LispEError("we can only apply 'lubksb' to square matrices of the same shape")
    idx = [int(i) for i in indexes]
    if any(not 0 <= i < n for i in idx):
        raise LispEError("indexes out of bounds")
    return _solve_columns(kind, m, n, idx, y)


@builtin("solve", arity=2)
def solve(a, b):
    """(solve a b): the matrix x such that a·x = b (a new matrix of b's type); a is left
    replaced by its LU decomposition, as in LispE; () when a is singular."""
    if _lispe_type(a) != _lispe_type(b):
        raise LispEError("solve can only be applied to matrices of same type")
    kind = _lu_kind(a)
    n = len(a)
    if not _square(a) or not _square(b) or len(b) != n:
        raise LispEError("we can only apply 'solve' to square matrices of equal sizes")
    idx = _LU[kind][0](a, n)
    if idx is None:
        return List()              # LispE's emptylist_
    y = _new_matrix(kind, b)
    return _solve_columns(kind, a, n, idx, y)


@builtin("⌹", arity=1)
def invert(m):
    """(⌹ m): the inverse of a matrix_number; m is left replaced by its LU decomposition,
    as in LispE; () when m is singular."""
    if matrix_kind(m) != "number":
        raise LispEError("'invert' can only be applied to matrices")
    n = len(m)
    if not _square(m):
        raise LispEError("we can only apply 'invert' to square matrices")
    idx = _ludcmp_number(m, n)
    if idx is None:
        return List()              # LispE's emptylist_
    return _solve_columns("number", m, n, idx, _identity("number", n))


def _determinant(m):
    n = len(m)
    if n == 2 and len(m[0]) == 2 and len(m[1]) == 2:
        return float(m[0][0]) * m[1][1] - float(m[1][0]) * m[0][1]
    if not _square(m):
        raise LispEError("we can only apply 'determinant' to square matrices")
    det = 0.0
    for j in range(n):
        v = float(m[0][j])
        if v == 0:
            continue
        sub = [[float(m[r][c]) for c in range(n) if c != j] for r in range(1, n)]
        sign = -1.0 if j % 2 else 1.0           # pow(-1, j + 2)
        det += v * sign * _determinant(sub)
    return det


@builtin("determinant", arity=1)
def determinant(m):
    """(determinant m): the determinant of a square matrix_number, expanded along its first
    row as LispE does (a 1x1 matrix gives 0)."""
    if matrix_kind(m) != "number":
        raise LispEError("We can only compute the determinant of a matrix")
    return _determinant(m)
