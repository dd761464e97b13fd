"""Arithmetic and comparison: + - * / % ^^, = != < <= > >=, eq neq, ==, >=<, bitwise.

LispE decides an operation by the *runtime type of the first operand* and, inside it, by the
type of the second one; this module follows the same structure (names after LispE's C++
methods), so that every combination of values computed at run time comes out as in LispE:

* ``_direct`` is one step of ``(op a b c ...)``: a number first with a number second computes
  in the first one's type (an integer first: exact, or computed in double and then truncated,
  ``(* 2 0.5)`` is 1; ``/`` gives a number); a typed list first with a number or a typed list
  second works element-wise in the list's type. ``/`` by an empty value (``""``, nil, an atom,
  an empty container) is a division by zero. Every other pair goes to ``_method``.
* ``_method`` is LispE's ``first->plus(second)`` and friends, used for the other pairs and for
  the elements of generic lists. A number first reads the second operand with the conversion
  of that operation: ``+ - %`` *check* it (a string, an atom, nil: ``cannot use this element
  in an arithmetic expression``), ``*`` with an integer or short first *reads* it (a string is
  parsed, an atom is 1, nil and containers are 0: ``(* 3 (< 1 2))`` is 3, ``(* 5 "3.5")`` is
  15); with a list second, ``+`` and ``*`` work on the list with the number as their operand
  (``(+ 0 (strings "a"))`` is ``("a0")``) and ``- / % ^^`` on a list of the same shape filled
  with the number (``(- 10 (list 2.5))`` is ``(8)``). A string first only concatenates; any
  other value first (atom, nil, dictionary) is ``cannot evaluate '+' with these operands``.
* Typed lists convert the other operand to their element type; generic lists apply
  ``_method`` to each pair of elements (the shorter operand decides the length).

Foreign operands (tensors) go through :data:`lispe_py.protocols.ARITH`."""

import math
import operator
import re
import struct

from ..numparse import lispe_string_number
from ..errors import LispEError
from ..protocols import ARITH, find
from ..values import (TRUE, Atom, Complex, Float32, Floats, Integers, List, LList, Numbers,
                      Short, Shorts, Strings, lbool, to_string, wrap64)
from .registry import Builtin, builtin

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1

_OPNAME = {"+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "^": "^^"}


def _bad(v):
    return LispEError("cannot use this element in an arithmetic expression: '%s'" % to_string(v))


def _cannot(op):
    return LispEError("cannot evaluate '%s' with these operands" % _OPNAME.get(op, op))


def _div0():
    return LispEError("division by zero")


def _trunc(x):
    """A double converted to a C long (x86): NaN, infinities and values out of range give
    -2^63."""
    if isinstance(x, float):
        if x != x or not -9.2233720368547758e18 <= x < 9.2233720368547758e18:
            return _I64_MIN
        return int(x)
    return wrap64(x)


# ----------------------------------------------------------------------------- value kinds

INT, NUM, FLT, SHORT, CPLX = 1, 2, 3, 4, 5


def _kind(x):
    """The numeric kind of a scalar, None for anything else."""
    t = type(x)
    if t is int:
        return INT
    if t is float:
        return NUM
    if t is Float32:
        return FLT
    if t is Short:
        return SHORT
    if t is Complex or t is complex:
        return CPLX
    return None


NUMERIC_LISTS = (Integers, Numbers, Floats, Shorts)


def _is_list(x):
    return isinstance(x, list)


# ----------------------------------------------------------------------------- conversions

def string_value(s):
    """LispE's reading of a string as a number (``asNumber``): see :mod:`lispe_py.numparse`."""
    return lispe_string_number(s)


def as_integer(x):
    """LispE ``asInteger``: numbers truncated, strings parsed, atoms 1, anything else 0."""
    k = _kind(x)
    if k is INT or k is SHORT:
        return int(x)
    if k is NUM or k is FLT:
        return _trunc(x)
    if k is CPLX:
        return _trunc(x.real)
    if isinstance(x, str):
        return _trunc(lispe_string_number(x))
    if type(x) is Atom:
        return 1
    return 0


def as_number(x):
    """LispE ``asNumber``: the double of a number, strings parsed, atoms 1, anything else 0."""
    k = _kind(x)
    if k is not None:
        return float(x.real) if k is CPLX else float(x)
    if isinstance(x, str):
        return lispe_string_number(x)
    if type(x) is Atom:
        return 1.0
    return 0.0


def as_float(x):
    return Float32(as_number(x))


def as_short(x):
    return Short(as_integer(x))


def check_integer(x):
    """LispE ``checkInteger``: a number (truncated), else an error."""
    if _kind(x) is None:
        raise _bad(x)
    return as_integer(x)


def check_number(x):
    if _kind(x) is None:
        raise _bad(x)
    return as_number(x)


def check_float(x):
    """LispE ``checkFloat`` accepts only a float (``(float x)``, an element of ``floats``)."""
    if type(x) is not Float32:
        raise _bad(x)
    return x


def check_short(x):
    if _kind(x) is None:
        raise _bad(x)
    return Short(as_integer(x))


def is_empty(x):
    """LispE ``isEmpty``, checked before a division: nil, atoms, empty strings and
    containers, zero."""
    if x is None or type(x) is Atom:
        return True
    if isinstance(x, (str, list, dict, set, frozenset)):
        return len(x) == 0
    k = _kind(x)
    if k is not None:
        return x == 0
    return False


# ----------------------------------------------------------------------------- C arithmetic

def _cdiv(a, b):
    """C integer division (truncation toward zero)."""
    q = abs(a) // abs(b)
    return wrap64(q if (a >= 0) == (b >= 0) else -q)


def _cmod(a, b):
    """C remainder: the sign of the dividend."""
    r = abs(a) % abs(b)
    return wrap64(r if a >= 0 else -r)


def _fop(op, a, b):
    """op on two doubles, C style (overflow to inf, no exception)."""
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b


_NEG_NAN = math.copysign(math.nan, -1.0)


def _pow(a, b):
    """C pow: overflow is inf, a negative base with a fractional exponent -nan."""
    try:
        return float(math.pow(a, b))
    except OverflowError:
        return math.inf if a > 0 or float(b).is_integer() and int(b) % 2 == 0 else -math.inf
    except ValueError:
        if a == 0:          # a negative power of zero
            return -math.inf if math.copysign(1.0, a) < 0 and float(b).is_integer() \
                and int(b) % 2 else math.inf
        return _NEG_NAN


def _store(kind, v):
    """A C assignment to a variable of this kind (long, double, float, short)."""
    if kind is INT:
        return _trunc(v) if isinstance(v, float) else wrap64(v)
    if kind is NUM:
        return float(v)
    if kind is FLT:
        return Float32(v)
    return Short(_trunc32(v) if isinstance(v, float) else v)


def _trunc32(x):
    """A double converted to a C short: through a 32-bit conversion (x86's cvttsd2si), so a
    value out of the int32 range (or NaN) gives 0x80000000, whose low 16 bits are 0."""
    if x != x or not (-2147483648.0 <= x < 2147483648.0):
        return 0
    return int(x)


def _replacing(kind, v):
    """A value stored into a typed list of this kind (LispE ``replacing``)."""
    if kind is SHORT and isinstance(v, float):
        return Short(_trunc32(v))
    if kind is INT or kind is SHORT:
        return _store(kind, as_integer(v))
    return _store(kind, as_number(v))


def _c_op(kind, op, a, b):
    """``a op= b`` where a is of this kind and b a plain number: exact on integers, in double
    (then stored back, i.e. truncated for integers) otherwise."""
    if kind is INT or kind is SHORT:
        if type(b) is not float and type(b) is not Float32:
            b = int(b)
            if op == "+":
                r = a + b
            elif op == "-":
                r = a - b
            elif op == "*":
                r = a * b
            else:
                if b == 0:
                    raise _div0()
                r = _cdiv(a, b)
            return _store(kind, r)
    if op == "/" and b == 0:
        raise _div0()
    if type(b) is Float32 and (kind is INT or kind is SHORT):
        # an integer by a float: computed as a float, as for two numbers (1 / 0.1f is 10)
        return _store(kind, Float32(_fop(op, float(a), float(b))))
    return _store(kind, _fop(op, float(a), float(b)))


# ----------------------------------------------------------------------------- lists

_LIST_KIND = {Integers: INT, Numbers: NUM, Floats: FLT, Shorts: SHORT}
_LIST_CONV = {Integers: as_integer, Numbers: as_number, Floats: as_float, Shorts: as_short}
_KIND_LIST = {INT: Integers, NUM: Numbers, FLT: Floats, SHORT: Shorts}


def _generic(l):
    """The class of a generic list result."""
    return LList if isinstance(l, LList) else List


def _make(cls, items, model=None):
    if cls is LList:
        return LList(items, getattr(model, "tail", None))
    return cls(items)


def new_instance(l, v):
    """LispE ``newInstance``: a list shaped like l filled with v (in l's element type for a
    typed list; in v's type for a generic list of non-lists)."""
    n = len(l)
    t = type(l)
    if t in _LIST_CONV:
        return t([_LIST_CONV[t](v)] * n)
    if t is Strings:
        return Strings([to_string(v)] * n)
    if not any(isinstance(x, list) for x in l):
        k = _kind(v)
        if k is not None and k is not CPLX:
            cls = _KIND_LIST[k]
            return cls([_LIST_CONV[cls](v)] * n)
        if isinstance(v, str):
            return Strings([v] * n)
    return List([v] * n)


def _typed_method(op, l, e):
    """Integers/Numbers/Floats/Shorts ``plus(e)``...: e converted to the element type; a list
    e works element-wise (pairs of elements through ``_method`` when e holds lists)."""
    t = type(l)
    kind = _LIST_KIND[t]
    conv = _LIST_CONV[t]
    if _is_list(e):
        n = min(len(l), len(e))
        if op in "+-*" and type(e) is t:
            return t([_c_op(kind, op, l[i], e[i]) for i in range(n)] + list(l[n:]))
        if e and _is_list(e[0]):
            return List(_method(op, l[i], e[i]) for i in range(n))
        out = list(l)
        if op in "+-*":
            for i in range(n):
                out[i] = _c_op(kind, op, l[i], conv(e[i]))
        else:                       # LispE: replacing(i, element->op(e[i]))
            for i in range(n):
                out[i] = _replacing(kind, _method(op, l[i], e[i]))
        return t(out)
    if op in "+-*":
        v = conv(e)
        return t(_c_op(kind, op, x, v) for x in l)
    if op == "/":
        v = conv(e)
        if v == 0:
            raise _div0()
        return t(_c_op(kind, "/", x, v) for x in l)
    return t(_replacing(kind, _method(op, x, e)) for x in l)


def _typed_direct(op, l, e):
    """Integers/Numbers/Floats/Shorts ``plus_direct(e)``...: a typed list or a number e is
    applied in l's element type, without converting e first."""
    t = type(l)
    kind = _LIST_KIND[t]
    te = type(e)
    if op in "+-*/" and te in _LIST_KIND:
        n = min(len(l), len(e))
        if op == "/":
            if te is t and kind is not INT and kind is not SHORT:
                if any(x == 0 for x in e):
                    raise _div0()
            else:
                for i in range(n):
                    if e[i] == 0:
                        raise _div0()
        return t([_c_op(kind, op, l[i], e[i]) for i in range(n)] + list(l[n:]))
    k = _kind(e)
    if op in "+-*/" and k is not None and k is not CPLX:
        v = _LIST_CONV[t](e)
        if op == "/" and v == 0:
            raise _div0()
        return t(_c_op(kind, op, x, v) for x in l)
    return _typed_method(op, l, e)


def _strings_method(op, l, e):
    if op != "+":
        raise _cannot(op)
    if _is_list(e):
        n = min(len(l), len(e))
        return Strings([l[i] + to_string(e[i]) for i in range(n)] + list(l[n:]))
    s = to_string(e)
    return Strings(x + s for x in l)


def _list_method(op, l, e):
    """A generic list: each element through ``_method``, paired with e's elements when e is a
    list (the shorter one decides; the rest of l is kept)."""
    cls = _generic(l)
    if _is_list(e):
        n = min(len(l), len(e))
        return _make(cls, [_method(op, l[i], e[i]) for i in range(n)] + list(l[n:]), l)
    return _make(cls, [_method(op, x, e) for x in l], l)


# ----------------------------------------------------------------------------- scalars

def _scalar_method(op, a, b, ka):
    """Integer/Number/Float/Short/Complex ``plus(e)``..., LispE's non-direct methods."""
    if ka is CPLX and op == "%":
        raise _cannot(op)
    if _is_list(b):
        if op in "+*":
            return _method(op, b, a)
        if op == "^" and (ka is INT or ka is SHORT):
            return _method("^", Numbers([float(a)] * len(b)), b)
        return _method(op, new_instance(b, a), b)
    if ka is CPLX:
        if op == "^":
            if _kind(b) is CPLX:
                return Complex(complex(a) ** complex(b))
            return Complex(complex(a) ** as_number(b))
        v = as_number(b)
        if op == "/" and v == 0:
            raise _div0()
        return Complex(_fop(op, complex(a), v))
    if op == "^":
        if ka is FLT:
            return Float32(_pow(float(a), float(check_float(b))))
        return _pow(float(a), check_number(b))
    if op == "/":
        if ka is FLT:
            v = check_float(b)
            if v == 0:
                raise _div0()
            return Float32(a / v)
        v = check_number(b)
        if v == 0:
            raise _div0()
        return float(a) / v
    if op == "%":
        v = check_short(b) if ka is SHORT else check_integer(b)
        if v == 0:
            raise _div0()
        return _store(ka, _cmod(_trunc(a) if ka is NUM or ka is FLT else int(a), v))
    if ka is INT:
        v = as_integer(b) if op == "*" else check_integer(b)
        return wrap64(a + v if op == "+" else a - v if op == "-" else a * v)
    if ka is SHORT:
        v = as_integer(b) if op == "*" else check_short(b)
        return Short(a + v if op == "+" else a - v if op == "-" else a * v)
    if ka is NUM:
        return float(_fop(op, a, check_number(b)))
    return Float32(_fop(op, float(a), float(check_float(b))))


def _num_direct(op, a, b, ka, kb):
    """Number op number (``plus_direct``...): in the first one's type."""
    if ka is CPLX or kb is CPLX:
        try:
            return Complex(_fop(op, complex(a), complex(b)))
        except ZeroDivisionError:
            raise _div0()
    if op == "/":
        if b == 0:
            raise _div0()
        if ka is FLT or kb is FLT and (ka is INT or ka is SHORT):
            return Float32(float(a) / float(b))
        return float(a) / float(b)
    if ka is INT and kb is INT:
        return wrap64(a + b if op == "+" else a - b if op == "-" else a * b)
    return _c_op(ka, op, a, b)


def _method(op, a, b):
    """``a->op(b)``: dispatch on the type of a (LispE's virtual method)."""
    ka = _kind(a)
    if ka is not None:
        h = find(ARITH, b)
        if h is not None:
            return h(_OPNAME[op], a, b)
        return _scalar_method(op, a, b, ka)
    t = type(a)
    if t is str or isinstance(a, str):
        if op == "+":
            if _is_list(b):
                return _method("+", new_instance(b, a), b)
            return a + to_string(b)
        raise _cannot(op)
    if t in _LIST_KIND:
        return _typed_method(op, a, b)
    if t is Strings:
        return _strings_method(op, a, b)
    if isinstance(a, list):
        return _list_method(op, a, b)
    h = find(ARITH, a) or find(ARITH, b)
    if h is not None:
        return h(_OPNAME[op], a, b)
    raise _cannot(op)


def _direct(op):
    def f(a, b):
        """One step of (op a b ...)."""
        ka = _kind(a)
        if ka is not None:
            kb = _kind(b)
            if kb is not None and op != "%" and op != "^":
                return _num_direct(op, a, b, ka, kb)
            if op == "/" and is_empty(b):
                raise _div0()
            return _method(op, a, b)
        if type(a) in _LIST_KIND:
            return _typed_direct(op, a, b)
        return _method(op, a, b)
    return f


BINARY = {op: _direct(op) for op in "+-*/%^"}


# ----------------------------------------------------------------------------- folds

def _typed_fold(op, x):
    """(op typed-list): the list folded in its element type."""
    t = type(x)
    if t is Strings:
        if op == "+":
            return "".join(x)
        raise LispEError("cannot apply '%s' to a string" % _OPNAME[op])
    kind = _LIST_KIND[t]
    if op == "^":
        d = float(x[0])
        for y in x[1:]:
            d = _pow(d, float(y))
        return _store(kind, d)
    if op == "%":
        acc = _trunc(x[0]) if kind is NUM or kind is FLT else int(x[0])
        for y in x[1:]:
            if y == 0:
                raise _div0()
            acc = _cmod(acc, _trunc(y) if kind is NUM or kind is FLT else int(y))
        return _store(kind, acc)
    acc = x[0]
    for y in x[1:]:
        if op == "/" and y == 0:
            raise _div0()
        acc = _c_op(kind, op, acc, y)
    if kind is NUM or kind is FLT:
        acc = acc + 0.0         # the binary's fold of a numbers list gives 0, never -0
    return _store(kind, acc)


def _fold(op, args):
    f = BINARY[op]
    if len(args) == 1:
        x = args[0]
        if isinstance(x, list):
            if type(x) is Strings:
                return _typed_fold(op, x)
            if not x:
                return 0
            if type(x) in _LIST_KIND:
                return _typed_fold(op, x)
            acc = x[0]
            for y in x[1:]:
                acc = f(acc, y)
            return acc
        h = find(ARITH, x)
        if h is not None:
            return h("fold" + op, x, None)
        raise LispEError("cannot apply '%s' to one element" % _OPNAME[op])
    acc = args[0]
    for y in args[1:]:
        acc = f(acc, y)
    return acc


_PLUS, _MINUS, _TIMES, _DIV, _MOD, _POW = (BINARY[o] for o in "+-*/%^")


@builtin("+", arity=(1, None))
def plus(*args):
    """(+ a b ...): sum (first operand fixes the type); strings concatenate; lists element-wise."""
    if len(args) == 2:
        return _PLUS(args[0], args[1])
    return _fold("+", args)


@builtin("-", arity=(1, None))
def minus(*args):
    """(- a b ...): difference, first-operand type rule."""
    if len(args) == 2:
        return _MINUS(args[0], args[1])
    return _fold("-", args)


@builtin("*", arity=(1, None))
def times(*args):
    """(* a b ...): product, first-operand type rule."""
    if len(args) == 2:
        return _TIMES(args[0], args[1])
    return _fold("*", args)


@builtin("/", arity=(1, None))
def divide(*args):
    """(/ a b ...): division; an integer first operand gives a number."""
    if len(args) == 2:
        return _DIV(args[0], args[1])
    return _fold("/", args)


@builtin("%", arity=(1, None))
def modulo(*args):
    """(% a b): C remainder of the truncated operands, type of the first."""
    if len(args) == 2:
        return _MOD(args[0], args[1])
    return _fold("%", args)


@builtin("^^", "**", arity=(1, None))
def power(*args):
    """(^^ a b): a to the power b, a number (typed lists keep their type)."""
    if len(args) == 2:
        return _POW(args[0], args[1])
    return _fold("^", args)


def _square(x):
    return _TIMES(x, x)


# what the evaluator calls for (^^ x 2) written with the literal 2: LispE compiles it as
# (* x x), x evaluated once ((^^ 7 2) is the integer 49, (^^ "a" 2) fails with '*')
SQUARE = Builtin("^^", _square, 1, 1, False, False, "(^^ x 2): x * x")


# ----------------------------------------------------------------------------- comparisons

def _order_pair(a, b):
    """The two values LispE's ``less``/``more`` compare, in the first one's type: a number
    first reads the second like ``asInteger``/``asNumber`` (a string is parsed, an atom is 1,
    nil and containers are 0), a string first compares with the printed form of the second.
    None when the first value cannot be ordered (an atom, nil, a container...): every
    comparison it starts is then nil."""
    k = _kind(a)
    if k is INT or k is SHORT:
        return int(a), as_integer(b)
    if k is NUM:
        return a, as_number(b)
    if k is FLT:
        return a, as_float(b)
    if isinstance(a, str):
        return a, to_string(b)
    return None


def _cmp_pair(a, b):
    """Three-way comparison (-1, 0, 1) by LispE's first-operand rule, None when a cannot be
    ordered."""
    p = _order_pair(a, b)
    if p is None:
        return None
    x, y = p
    return (x > y) - (x < y)


def _less(a, b):
    p = _order_pair(a, b)
    return p is not None and p[0] < p[1]


def _more(a, b):
    p = _order_pair(a, b)
    return p is not None and p[0] > p[1]


def values_equal(a, b):
    """``=`` equality (LispE ``equal``): a number first compares with the second read in its
    type (``(= 1 (< 1 2))`` is true), a string first with the printed form of the second, an
    atom only with itself, nil only with nil; containers by content."""
    if a is b:
        return True
    p = _order_pair(a, b) if _kind(a) is not None else None
    if p is not None:
        return p[0] == p[1]
    ta = type(a)
    if ta is str or isinstance(a, str):
        if b is None:
            return False
        return a == to_string(b)
    if ta is Atom or a is None:
        return False
    if isinstance(a, list):
        if not isinstance(b, list):
            if type(a) in _LIST_KIND or type(a) is Strings:
                # a typed list compares with a string as with a list of that string (by the
                # printed forms: (= (integers 1) "1") is true) and with any other value as with
                # an empty list ((= (integers) 0) is true)
                other = [b] if isinstance(b, str) and b else []
                return len(a) == len(other) and all(to_string(x) == y for x, y in zip(a, other))
            return False
        if len(a) != len(b):
            return False
        return all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        if not isinstance(b, dict) or len(a) != len(b):
            return False
        return all(k in b and values_equal(v, b[k]) for k, v in a.items())
    if _kind(a) is CPLX:
        return _kind(b) is not None and complex(a) == complex(b)
    h = find(ARITH, a)
    if h is not None:
        return bool(h("=", a, b))
    return a == b


def _chain(test):
    def f(*args):
        for a, b in zip(args, args[1:]):
            p = _order_pair(a, b)
            if p is None or not test(p[0], p[1]):
                return None
        return TRUE
    return f


_lt = _chain(operator.lt)
_gt = _chain(operator.gt)
_le = _chain(operator.le)
_ge = _chain(operator.ge)


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


@builtin("!=", arity=(2, None))
def not_equal(*args):
    """(!= a b): not equal (=), the first two values only, as in LispE."""
    return None if values_equal(args[0], args[1]) else TRUE


@builtin("neq", arity=(2, None))
def neq(*args):
    """(neq a b ...): not eq: nil when a is eq to any of the others (lists by identity,
    atoms by label, as eq), true otherwise."""
    a = args[0]
    for b in args[1:]:
        if eq_values(a, b):
            return None
    return TRUE


def _label_matches(name, b):
    """LispE compares an atom with a value by 'label': the atom a type name returns
    (``integer_``, ``string_``...) is eq to any value of that type, except an empty list."""
    if b is None or type(b) is Atom or (isinstance(b, list) and not b):
        return False
    from ..values import type_name
    return type_name(b) == name


def eq_values(a, b):
    """``eq`` (LispE ``egal``): numbers by the first-operand rule (the second must be a
    number), strings with strings, atoms by identity (or by label, see _label_matches), generic
    lists by identity, typed lists by content. Also what find, count and findall use."""
    if a is b:
        return True
    if a is None:
        return isinstance(b, list) and not b
    ta = type(a)
    k = _kind(a)
    if k is not None and k is not CPLX:
        if _kind(b) is None:
            return False
        return _cmp_pair(a, b) == 0
    if ta is str:
        return isinstance(b, str) and a == b
    if ta is Atom:
        return _label_matches(a.name, b)
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


def _double_equal(a, b):
    if isinstance(a, list):
        if isinstance(b, list):
            if len(a) != len(b):
                return 0
            items = [_double_equal(x, y) for x, y in zip(a, b)]
        else:
            items = [_double_equal(x, b) for x in a]
        t = type(a)
        if t in _LIST_KIND:
            return t(_store(_LIST_KIND[t], v) for v in items)
        if t is Strings:
            return Integers(items)
        return List(items)
    return 1 if values_equal(a, b) else 0


@builtin("==", arity=2)
def eq_numeric(a, b):
    """(== a b): 1 when equal, 0 otherwise; element by element on a list."""
    return _double_equal(a, b)


@builtin(">=<", arity=2)
def compare3(a, b):
    """(>=< a b): -1, 0 or 1 (nil when a cannot be ordered)."""
    p = _order_pair(a, b)
    if p is None:
        return None
    x, y = p
    return -1 if x < y else 0 if x == y else 1


# ----------------------------------------------------------------------------- bitwise

def _bits(x):
    """The 64 bits of a double, as LispE's bitwise operators see a number first operand."""
    return int.from_bytes(struct.pack("<d", x), "little")


def _from_bits(n):
    return struct.unpack("<d", (n & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little"))[0]


def _bits32(x):
    return int.from_bytes(struct.pack("<f", x), "little")


def _from_bits32(n):
    return Float32(struct.unpack("<f", (n & 0xFFFFFFFF).to_bytes(4, "little"))[0])


_BITNAME = {"&": "&", "|": "|", "^": "^", "<<": "<<", ">>": ">>", "&~": "&"}


def _bit_store(op, t, kind, v, count):
    if op in ("<<", ">>") and t is Numbers and as_integer(count) & 63:
        return _truncated(kind, v)
    return _replacing(kind, v)


def _truncated(kind, v):
    """A shifted value stored back into numbers or floats: truncated toward zero (its sign
    kept: -0), as the binary stores it."""
    x = as_number(v)
    if x == x and x not in (math.inf, -math.inf):
        x = math.copysign(float(math.trunc(x)), x)
    return _store(kind, x)


def _bitop(op, x, v, width):
    """x op v on integers of this width in bits (C semantics: shift counts masked)."""
    if op == "&":
        return x & v
    if op == "|":
        return x | v
    if op == "^":
        return x ^ v
    if op == "&~":
        return x & ~v
    if op == "<<":
        return x << (v & (width - 1))
    return x >> (v & (width - 1))


def _bit_method(op, a, b):
    """``a->bit_and(b)``...: dispatch on the first operand, as for arithmetic: a number first
    checks the second (an integer, truncated); a number first works on the bits of the double
    (of the float for a float); lists work element-wise."""
    ka = _kind(a)
    if ka is not None and ka is not CPLX:
        if _is_list(b):
            if op in ("&", "|", "^"):
                return _bit_method(op, b, a)
            return _bit_method(op, new_instance(b, a), b)
        if ka is INT:
            return wrap64(_bitop(op, a, check_integer(b), 64))
        if ka is SHORT:
            return Short(_bitop(op, int(a), int(check_short(b)), 32))
        v = check_integer(b)
        if a == a and a not in (math.inf, -math.inf) and float(a).is_integer():
            # an integral number works as the integer it holds ((& 2.0 3) is 2)
            r = wrap64(_bitop(op, int(a), v, 64))
            return float(r) if ka is NUM else Float32(r)
        if ka is NUM:
            return _from_bits(_bitop(op, _bits(a), v & 0xFFFFFFFFFFFFFFFF, 64))
        return _from_bits32(_bitop(op, _bits32(a), v & 0xFFFFFFFF, 32))
    t = type(a)
    if t is Integers or t is Shorts:
        kind = _LIST_KIND[t]
        width = 64 if t is Integers else 32
        if _is_list(b):
            n = min(len(a), len(b))
            if b and _is_list(b[0]) and type(b) is not t:
                return List(_bit_method(op, a[i], b[i]) for i in range(n))
            return t([_store(kind, _bitop(op, int(a[i]), as_integer(b[i]), width))
                      for i in range(n)] + list(a[n:]))
        v = as_integer(b)
        return t(_store(kind, _bitop(op, int(x), v, width)) for x in a)
    if t is Numbers or t is Floats:
        kind = _LIST_KIND[t]
        # the binary works on a numbers list through single precision: each element rounded
        # to a float, the bits of that double combined, the result rounded to a float again
        # ((| (numbers 3.7) 0) is 3.700000047683716; a subnormal result is 0)
        via = _via_float if t is Numbers else _same_value
        if _is_list(b):
            n = min(len(a), len(b))
            if b and _is_list(b[0]):
                return List(_bit_method(op, a[i], b[i]) for i in range(n))
            return t([_bit_store(op, t, kind, via(_bit_method(op, via(a[i]), b[i])), b[i])
                      for i in range(n)] + list(a[n:]))
        return t(_bit_store(op, t, kind, via(_bit_method(op, via(x), b)), b) for x in a)
    if isinstance(a, list) and t is not Strings:
        cls = _generic(a)
        if _is_list(b):
            n = min(len(a), len(b))
            return _make(cls, [_bit_method(op, a[i], b[i]) for i in range(n)] + list(a[n:]), a)
        return _make(cls, [_bit_method(op, x, b) for x in a], a)
    raise LispEError("cannot evaluate '%s' with these operands" % _BITNAME[op])


def _via_float(x):
    return float(Float32(x))


def _same_value(x):
    return x


def _bitwise(op):
    def f(*args):
        acc = args[0]
        for b in args[1:]:
            acc = _bit_method(op, acc, b)
        return acc
    return f


_AND, _OR, _XOR, _ANDNOT = _bitwise("&"), _bitwise("|"), _bitwise("^"), _bitwise("&~")


@builtin("&", arity=(2, None))
def bit_and(*args):
    """(& a b): bitwise and."""
    return _AND(*args)


@builtin("|", arity=(2, None))
def bit_or(*args):
    """(| a b): bitwise or."""
    return _OR(*args)


@builtin("^", arity=(2, None))
def bit_xor(*args):
    """(^ a b): bitwise exclusive or."""
    return _XOR(*args)


@builtin("&~", arity=(2, None))
def bit_andnot(*args):
    """(&~ a b): a and not b."""
    return _ANDNOT(*args)


def _bit_not(a):
    ka = _kind(a)
    if ka is INT:
        return wrap64(~a)
    if ka is SHORT:
        return Short(~int(a))
    if (ka is NUM or ka is FLT) and a == a and a not in (math.inf, -math.inf) \
            and float(a).is_integer():
        return float(wrap64(~int(a))) if ka is NUM else Float32(wrap64(~int(a)))
    if ka is NUM:
        return _from_bits(~_bits(a))
    if ka is FLT:
        return _from_bits32(~_bits32(a))
    if isinstance(a, list) and type(a) is not Strings:
        t = type(a)
        if t in _LIST_KIND:
            return t(_replacing(_LIST_KIND[t], _bit_not(x)) for x in a)
        return _make(_generic(a), [_bit_not(x) for x in a], a)
    raise LispEError("cannot evaluate '~' for this operand")


@builtin("~", arity=1)
def bit_not(a):
    """(~ a): bitwise complement."""
    return _bit_not(a)


@builtin("<<", arity=2)
def shift_left(a, b):
    """(<< a n): shift left."""
    return _bit_method("<<", a, b)


@builtin(">>", arity=2)
def shift_right(a, b):
    """(>> a n): arithmetic shift right."""
    return _bit_method(">>", a, b)


__all__ = ["BINARY", "values_equal", "eq_values", "lbool"]
