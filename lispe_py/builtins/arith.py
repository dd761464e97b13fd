"""Arithmetic and comparison: + - * / % ^^, = != < <= > >=, eq neq, ==, >=<, bitwise.

LispE's rule: the first operand fixes the result type. With an integer first, each step is
computed exactly and then truncated toward zero (``(+ 1 2.5)`` is 3); ``/`` always gives a
number. Strings concatenate with ``+``; lists work element-wise; foreign operands
(tensors) go through :data:`lispe_py.protocols.ARITH`."""

import math
import operator
import struct

from ..errors import LispEError
from ..protocols import ARITH, find
from ..values import (TRUE, Atom, Float32, Floats, Integers, List, Numbers, Short, Shorts,
                      Strings, lbool, to_string, wrap64)
from .registry import builtin

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1


def _bad(v):
    return LispEError("cannot use this element in an arithmetic expression: '%s'" % to_string(v))


def _num(v):
    """A numeric operand (strings after a number count as 0, as LispE does)."""
    t = type(v)
    if t is int or t is float:
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    if isinstance(v, str):
        return 0
    raise _bad(v)


def _trunc(x):
    if isinstance(x, float):
        if x != x or x in (math.inf, -math.inf):
            return 0
        return wrap64(int(x))
    return wrap64(x)


def _py_op(op):
    return {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
            "%": operator.mod, "^": operator.pow}[op]


def _elementwise(op, a, b):
    fn = BINARY[op]
    if isinstance(b, list):
        n = max(len(a), len(b))
        out = []
        for i in range(n):
            if i < len(a) and i < len(b):
                out.append(fn(a[i], b[i]))
            elif i < len(a):
                out.append(a[i])
        return _retype(a, out)
    return _retype(a, [fn(x, b) for x in a])


def _retype(model, items):
    t = type(model)
    if t is Integers:
        return Integers(_trunc(x) if not isinstance(x, int) else x for x in items)
    if t is Numbers:
        return Numbers(float(x) for x in items)
    if t is Floats:
        return Floats(Float32(x) for x in items)
    if t is Shorts:
        return Shorts(Short(x) for x in items)
    if t is Strings:
        return Strings(items)
    return List(items)


def _scalar_op_list(f, op, a, b):
    """(op number list), as LispE computes it. On a generic list, + and * put the element
    first and - and / the number; the other operand is first converted to the first one's
    type: (+ 1 (list 0.5)) is (1.5), (* 1.5 (list 2)) is (2), (- 10 (list 2.5)) is (8),
    (/ 10 (list 4)) is (2). Lists of numbers compute in floats."""
    tb = type(b)
    if tb is Numbers or tb is Floats:
        return _retype(b, [f(float(a), x) for x in b])
    if tb is not List or op not in "+-*/":
        return _retype(b, [f(a, x) for x in b])
    out = []
    for x in b:
        if op in "+*":
            if type(x) is int:
                out.append(f(x, _trunc(a) if isinstance(a, float) else a))
            elif isinstance(x, float) or op == "+" and isinstance(x, str):
                out.append(f(x, a))
            else:
                out.append(f(a, x))
        elif type(a) is int and isinstance(x, (int, float)) and not isinstance(x, bool):
            out.append(_trunc(f(a, _trunc(x))))
        else:
            out.append(f(a, x))
    return List(out)


def _binary(op):
    pyop = _py_op(op)

    def f(a, b):
        ta = type(a)
        if ta is int:
            tb = type(b)
            if tb is int:
                if op == "/":
                    if b == 0:
                        raise LispEError("division by zero")
                    return a / b
                if op == "%":
                    if b == 0:
                        raise LispEError("division by zero")
                    return wrap64(int(math.fmod(a, b)) if abs(a) < 2 ** 52 and abs(b) < 2 ** 52 else
                                  (abs(a) % abs(b)) * (1 if a >= 0 else -1))
                return wrap64(pyop(a, b))
            if isinstance(b, (list, str)) or find(ARITH, b) is not None or not isinstance(b, (int, float)):
                if find(ARITH, b) is not None:
                    return find(ARITH, b)(op, a, b)
                if isinstance(b, list):
                    return _scalar_op_list(f, op, a, b)
                if isinstance(b, str) and op != "*":    # LispE: only (* 3 "ab") gives 0
                    raise _bad(b)
                b = _num(b)
            if op == "/":
                if b == 0:
                    raise LispEError("division by zero")
                return a / b
            if op == "%":
                bi = _trunc(b)
                if bi == 0:
                    raise LispEError("division by zero")
                return wrap64(int(math.fmod(a, bi)))
            return _trunc(pyop(a, b))
        if ta is float or ta is Float32:
            if isinstance(b, (int, float)) and not isinstance(b, bool):
                if op == "/":
                    if b == 0:
                        raise LispEError("division by zero")
                    r = a / b
                elif op == "%":
                    bi = _trunc(b)
                    if bi == 0:
                        raise LispEError("division by zero")
                    r = float(int(math.fmod(_trunc(a), bi)))
                else:
                    try:
                        r = pyop(a, b)
                    except OverflowError:
                        r = math.inf
                return Float32(r) if ta is Float32 else float(r)
            h = find(ARITH, b)
            if h is not None:
                return h(op, a, b)
            if isinstance(b, list):
                return _scalar_op_list(f, op, a, b)
            if isinstance(b, str):
                raise _bad(b)
            b = _num(b)
            return f(a, b)
        if ta is str:
            if op == "+":
                if isinstance(b, list):
                    return _retype(b, [f(a, x) for x in b])
                return a + to_string(b)
            raise LispEError("cannot evaluate '%s' with these operands" % op)
        if isinstance(a, list):
            return _elementwise(op, a, b)
        if isinstance(a, complex) and isinstance(b, (int, float, complex)):
            from ..values import Complex
            if op == "/" and b == 0:
                raise LispEError("division by zero")
            if op == "%":
                raise _bad(a)
            return Complex(pyop(a, b))
        if isinstance(a, Short) or (isinstance(a, int) and not isinstance(a, bool)):
            r = f(int(a), b)
            return Short(r) if isinstance(r, int) else r
        h = find(ARITH, a) or find(ARITH, b)
        if h is not None:
            return h(op, a, b)
        raise _bad(a)
    return f


BINARY = {op: _binary(op) for op in "+-*/%"}
BINARY["^"] = None


def _power(a, b):
    h = find(ARITH, a) or find(ARITH, b)
    if h is not None:
        return h("^^", a, b)
    if isinstance(a, list):
        return _retype(a, [_power(x, b) for x in a]) if not isinstance(a, Integers) else \
            Numbers(_power(x, b) for x in a)
    try:
        return float(math.pow(_num(a), _num(b)))
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


BINARY["^"] = _power


def _fold(op, args):
    f = BINARY[op]
    if len(args) == 1:
        x = args[0]
        if isinstance(x, list):
            if not x:
                return 0
            if type(x) is List:
                acc = x[0]
                for y in x[1:]:
                    acc = f(acc, y)
                return acc
            acc = x[0]
            for y in x[1:]:
                acc = f(acc, y)
            if type(x) is Integers and op == "/":
                return _trunc(acc)
            return acc
        h = find(ARITH, x)
        if h is not None:
            return h("fold" + op, x, None)
        raise LispEError("cannot apply '%s' to one element" % ("^^" if op == "^" else op))
    acc = args[0]
    for y in args[1:]:
        acc = f(acc, y)
    return acc


@builtin("+", arity=(1, None))
def plus(*args):
    """(+ a b ...): sum (first operand fixes the type); strings concatenate; lists element-wise."""
    if len(args) == 2:
        return BINARY["+"](args[0], args[1])
    return _fold("+", args)


@builtin("-", arity=(1, None))
def minus(*args):
    """(- a b ...): difference, first-operand type rule."""
    if len(args) == 2:
        return BINARY["-"](args[0], args[1])
    return _fold("-", args)


@builtin("*", arity=(1, None))
def times(*args):
    """(* a b ...): product, first-operand type rule."""
    if len(args) == 2:
        return BINARY["*"](args[0], args[1])
    return _fold("*", args)


@builtin("/", arity=(1, None))
def divide(*args):
    """(/ a b ...): division; an integer first operand gives a number."""
    if len(args) == 2:
        return BINARY["/"](args[0], args[1])
    return _fold("/", args)


@builtin("%", arity=(1, None))
def modulo(*args):
    """(% a b): C remainder of the truncated operands, type of the first."""
    if len(args) == 2:
        return BINARY["%"](args[0], args[1])
    return _fold("%", args)


@builtin("^^", "**", arity=(1, None))
def power(*args):
    """(^^ a b): a to the power b, a number."""
    if len(args) == 1:
        return _fold("^", args)
    acc = args[0]
    for b in args[1:]:
        acc = _power(acc, b)
    return acc


# ----------------------------------------------------------------------------- comparisons

def _cmp_pair(a, b):
    """Compare with LispE's first-operand rule; returns -1, 0, 1, or None when the values
    cannot be ordered (a list and a number...: every comparison of them is nil in LispE)."""
    ta = type(a)
    if ta is int or ta is Short:
        if isinstance(b, str):
            b = _str_to_num(b)
        elif not isinstance(b, (int, float)) or isinstance(b, bool):
            return None
        b = _trunc(b) if isinstance(b, float) else b
        return (a > b) - (a < b)
    if ta is float or ta is Float32:
        if isinstance(b, str):
            b = _str_to_num(b)
        elif not isinstance(b, (int, float)):
            return None
        return (a > b) - (a < b)
    if ta is str:
        b = to_string(b)
        return (a > b) - (a < b)
    if ta is Atom:
        b = to_string(b)
        return (a.name > b) - (a.name < b)
    return None


def _str_to_num(s):
    try:
        return int(s)
    except ValueError:
        try:
            return float(s)
        except ValueError:
            return 0


def values_equal(a, b):
    """``=`` equality: numbers by the first-operand rule, containers by content."""
    if a is b:
        return True
    ta = type(a)
    if ta is int or ta is float or ta is Float32 or ta is Short:
        try:
            return _cmp_pair(a, b) == 0
        except LispEError:
            return False
    if ta is str or ta is Atom:
        if b is None:
            return False
        return to_string(a) == to_string(b)
    if a is None:
        return b is None or (isinstance(b, list) and not b)
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return a is None and not b
        return all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        if not isinstance(b, dict) or len(a) != len(b):
            return False
        return all(k in b and values_equal(v, b[k]) for k, v in a.items())
    h = find(ARITH, a)
    if h is not None:
        return bool(h("=", a, b))
    return a == b


def _chain(test):
    def f(*args):
        for a, b in zip(args, args[1:]):
            c = _cmp_pair(a, b)
            if c is None or not test(c):
                return None
        return TRUE
    return f


_lt = _chain(lambda c: c < 0)
_gt = _chain(lambda c: c > 0)
_le = _chain(lambda c: c <= 0)
_ge = _chain(lambda c: c >= 0)


@builtin("<", arity=(2, None))
def less(*args):
    """(< a b ...): true when strictly increasing (first-operand rule)."""
    return _lt(*args)


@builtin(">", arity=(2, None))
def greater(*args):
    """(> a b ...): true when strictly decreasing."""
    return _gt(*args)


@builtin("<=", arity=(2, None))
def less_eq(*args):
    """(<= a b ...)"""
    return _le(*args)


@builtin(">=", arity=(2, None))
def greater_eq(*args):
    """(>= a b ...)"""
    return _ge(*args)


@builtin("=", arity=(2, None))
def equal(*args):
    """(= a b ...): value equality (containers by content)."""
    for a, b in zip(args, args[1:]):
        if not values_equal(a, b):
            return None
    return TRUE


@builtin("!=", "neq", arity=(2, None))
def not_equal(*args):
    """(!= a b): not equal."""
    return None if values_equal(args[0], args[1]) else TRUE


def eq_values(a, b):
    """``eq``: numbers and strings by value, generic lists by identity, typed lists by content."""
    if a is b:
        return True
    if a is None:
        return isinstance(b, list) and not b
    ta = type(a)
    if ta in (int, float, Float32, Short):
        if not isinstance(b, (int, float)) or isinstance(b, bool):
            return False
        return _cmp_pair(a, b) == 0
    if ta is str:
        return type(b) is str and a == b
    if ta is Atom:
        return b is a
    if isinstance(a, list) and type(a) is not List:
        return type(b) is type(a) and list(a) == list(b)
    if isinstance(a, list):
        return isinstance(b, list) and not a and not b and type(b) is List
    return False


@builtin("eq", arity=(2, None))
def eq(*args):
    """(eq a b): identity for lists, value for atoms, numbers, strings."""
    for a, b in zip(args, args[1:]):
        if not eq_values(a, b):
            return None
    return TRUE


@builtin("==", arity=2)
def eq_numeric(a, b):
    """(== a b): 1 when equal, 0 otherwise."""
    return 1 if values_equal(a, b) else 0


@builtin(">=<", arity=2)
def compare3(a, b):
    """(>=< a b): -1, 0 or 1."""
    c = _cmp_pair(a, b)
    if c is None:
        raise LispEError("cannot compare these values")
    return c


# ----------------------------------------------------------------------------- bitwise

def _bits(x):
    """The 64 bits of a double, as LispE's bitwise operators see a float first operand."""
    return int.from_bytes(struct.pack("<d", x), "little")


def _from_bits(n):
    return struct.unpack("<d", (n & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little"))[0]


def _bitwise(pyop):
    def f(*args):
        first = args[0]
        if isinstance(first, float):
            acc = _bits(first)
            for b in args[1:]:
                acc = pyop(acc, _trunc(_num(b)) & 0xFFFFFFFFFFFFFFFF) & 0xFFFFFFFFFFFFFFFF
            return _from_bits(acc)
        acc = _trunc(_num(first))
        for b in args[1:]:
            acc = wrap64(pyop(acc, _trunc(_num(b))))
        return acc
    return f


@builtin("&", arity=(2, None))
def bit_and(*args):
    """(& a b): bitwise and."""
    return _bitwise(operator.and_)(*args)


@builtin("|", arity=(2, None))
def bit_or(*args):
    """(| a b): bitwise or."""
    return _bitwise(operator.or_)(*args)


@builtin("^", arity=(2, None))
def bit_xor(*args):
    """(^ a b): bitwise exclusive or."""
    return _bitwise(operator.xor)(*args)


@builtin("&~", arity=(2, None))
def bit_andnot(*args):
    """(&~ a b): a and not b."""
    return _bitwise(lambda x, y: x & ~y)(*args)


@builtin("~", arity=1)
def bit_not(a):
    """(~ a): bitwise complement."""
    if isinstance(a, float):
        return _from_bits(~_bits(a))
    return wrap64(~_trunc(_num(a)))


@builtin("<<", arity=2)
def shift_left(a, b):
    """(<< a n): shift left."""
    if isinstance(a, float):
        return _from_bits(_bits(a) << _trunc(_num(b)))
    return wrap64(_trunc(_num(a)) << _trunc(_num(b)))


@builtin(">>", arity=2)
def shift_right(a, b):
    """(>> a n): arithmetic shift right."""
    if isinstance(a, float):
        return _from_bits(_bits(a) >> _trunc(_num(b)))
    return wrap64(_trunc(_num(a)) >> _trunc(_num(b)))


__all__ = ["BINARY", "values_equal", "eq_values", "lbool"]
