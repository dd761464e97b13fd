"""APL-like operators of issue 15: list set operations (&&& ||| ^^^), ∈ (member), ≢ (tally),
↗ (reduce), ↘ (scan), ⌿ (backreduce), ⍀ (backscan), ° (outer product), +* (inner product),
⊂ (enclose) and ⊃ (disclose)."""

from ..errors import LispEError
from ..values import EMPTY, Atom, List, TYPED_LISTS
from .core import integer
from .registry import builtin


def _same_type(l):
    t = type(l)
    return t() if t in TYPED_LISTS else List()


def _key(x):
    from ..values import to_string, type_name
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return ("n", float(x))
    return (type_name(x), to_string(x))


@builtin("&&&", arity=2)
def list_and(a, b):
    """(&&& l1 l2): the elements of l1 that are also in l2, once each, in l1's order."""
    if not isinstance(a, list):
        return a
    if not isinstance(b, list):
        return _same_type(a)
    inb = {_key(x) for x in b}
    out = _same_type(a)
    seen = set()
    for x in a:
        k = _key(x)
        if k in inb and k not in seen:
            seen.add(k)
            out.append(x)
    return out


@builtin("|||", arity=2)
def list_or(a, b):
    """(||| l1 l2): the elements of l1 then those of l2, once each."""
    if not isinstance(a, list):
        return a
    out = _same_type(a)
    seen = set()
    for x in list(a) + (list(b) if isinstance(b, list) else []):
        k = _key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


@builtin("^^^", arity=2)
def list_xor(a, b):
    """(^^^ l1 l2): the real LispE 1.2025.11.12 returns l2 (its exclusive or does nothing
    else); lispe-py does the same."""
    if not isinstance(a, list):
        return a
    return b


@builtin("∈", interp=True, arity=2)
def member(interp, env, l, values):
    """(∈ l values): LispE 1.2025.11.12 gives l back when values is a list (an error
    otherwise); lispe-py does the same."""
    if not isinstance(l, list) or not isinstance(values, list):
        raise LispEError("expecting a list as first element")
    return l


@builtin("≢", arity=1)
def tally(x):
    """(≢ x): the number of elements of x (characters of a string); 0 for an atom."""
    if isinstance(x, (list, str, dict, set)):
        return len(x)
    return 0


def _fold_fn(interp, env, op):
    from .functional import caller2
    return caller2(interp, env, op)


def _seq(l, name):
    if not isinstance(l, list):
        raise LispEError("argument for '%s' should be a list" % name)
    return list(l)


def _replicate(mask, l):
    out = List()
    for k, x in zip(mask, l):
        out.extend([x] * max(integer(k), 0))
    return out


def _is_matrix(l):
    from .matrix import Matrix
    return isinstance(l, Matrix)


@builtin("↗", interp=True, arity=2)
def reduce_(interp, env, op, l):
    """(↗ op l): fold l from the left with op ((op (op a b) c)...); a list of counts as op
    replicates the elements (APL compress); a matrix is folded row by row."""
    items = _seq(l, "reduce")
    if isinstance(op, list) and not (op and type(op[0]) is Atom):
        return _replicate(op, items)
    if not items:
        return None
    if _is_matrix(l):
        return _row_fold(interp, env, op, l, False)
    if len(items) == 1:
        return EMPTY
    f = _fold_fn(interp, env, op)
    acc = items[0]
    for x in items[1:]:
        acc = f(acc, x)
    return acc


@builtin("⌿", interp=True, arity=2)
def backreduce(interp, env, op, l):
    """(⌿ op l): fold l from its last element ((op (op z y) x)...)."""
    items = _seq(l, "backreduce")
    if isinstance(op, list) and not (op and type(op[0]) is Atom):
        return _replicate(list(reversed(op)), list(reversed(items)))
    if not items:
        return None
    if len(items) == 1:
        return EMPTY
    f = _fold_fn(interp, env, op)
    items.reverse()
    acc = items[0]
    for x in items[1:]:
        acc = f(acc, x)
    return acc


def _row_fold(interp, env, op, m, back):
    f = _fold_fn(interp, env, op)
    out = List()
    for row in m:
        r = list(reversed(row)) if back else list(row)
        acc = r[0]
        for x in r[1:]:
            acc = f(acc, x)
        out.append(acc)
    return out


@builtin("↘", interp=True, arity=2)
def scan(interp, env, op, l):
    """(↘ op l): the successive values of the left fold of l with op (a list)."""
    items = _seq(l, "scan")
    if not items:
        return List()
    f = _fold_fn(interp, env, op)
    acc = items[0]
    out = List([acc])
    for x in items[1:]:
        acc = f(acc, x)
        out.append(acc)
    return out


@builtin("⍀", interp=True, arity=2)
def backscan(interp, env, op, l):
    """(⍀ op l): the successive values of the fold of l from its last element (a list)."""
    items = _seq(l, "backscan")
    if not items:
        return List()
    f = _fold_fn(interp, env, op)
    items.reverse()
    acc = items[0]
    out = List([acc])
    for x in items[1:]:
        acc = f(acc, x)
        out.append(acc)
    return out


@builtin("°", interp=True, arity=3)
def outer_product(interp, env, op, a, b):
    """(° op l1 l2): the matrix of (op x y) for x in l1 (rows) and y in l2 (columns)."""
    f = _fold_fn(interp, env, op)
    if not isinstance(a, list) or not isinstance(b, list):
        raise LispEError("Expecting two lists")
    from .matrix import matrix_like
    return matrix_like([[f(x, y) for y in b] for x in a])


@builtin("+*", interp=True, arity=4)
def inner_product(interp, env, op1, op2, a, b):
    """(+* op1 op2 m1 m2): the inner product: element (i j) folds with op1 the values
    (op2 m1[i][k] m2[k][j]) (matrix product with '+ '*)."""
    f1 = _fold_fn(interp, env, op1)
    f2 = _fold_fn(interp, env, op2)
    if not (isinstance(a, list) and a and all(isinstance(r, list) for r in a)):
        raise LispEError("The first shape should be a list of two elements")
    if not (isinstance(b, list) and b and all(isinstance(r, list) for r in b)):
        raise LispEError("The second shape should be a list of two elements")
    n = len(b)
    if any(len(r) != n for r in a):
        raise LispEError("Incompatible dimensions")
    cols = len(b[0])
    rows = []
    for r in a:
        row = []
        for j in range(cols):
            acc = f2(r[0], b[0][j])
            for k in range(1, n):
                acc = f1(acc, f2(r[k], b[k][j]))
            row.append(acc)
        rows.append(row)
    from .matrix import matrix_like
    return matrix_like(rows)


@builtin("⊂", arity=1)
def enclose(x):
    """(⊂ x): x itself (LispE 1.2025.11.12 returns its argument)."""
    return x


@builtin("⊃", arity=1)
def disclose(x):
    """(⊃ l): l itself; an error for what is not a list."""
    if not isinstance(x, list):
        raise LispEError("Expecting a list")
    return x
