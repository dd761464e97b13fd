"""Maths library: sqrt exp log trig floor round..., gcd, random, factorial, sign."""

import math
import random as _random

from ..errors import LispEError
from ..values import Integers, List, Numbers, to_string, wrap64
from .core import integer, number
from .registry import builtin

_NAN = -math.nan if math.copysign(1.0, -math.nan) < 0 else math.copysign(math.nan, -1.0)


import cmath

# the functions LispE computes on a complex number as a complex function; the others (floor,
# fabs, erf, exp2...) apply to the real and the imaginary parts separately, and log1p and
# logb refuse a complex number
_COMPLEX = {"sqrt": cmath.sqrt, "√": cmath.sqrt, "exp": cmath.exp, "log": cmath.log,
            "log2": lambda z: cmath.log(z) / math.log(2), "log10": cmath.log10,
            "sin": cmath.sin, "cos": cmath.cos, "tan": cmath.tan, "asin": cmath.asin,
            "acos": cmath.acos, "atan": cmath.atan, "sinh": cmath.sinh, "cosh": cmath.cosh,
            "tanh": cmath.tanh, "asinh": cmath.asinh, "acosh": cmath.acosh,
            "atanh": cmath.atanh}


def _complex_value(name, pyfn, z):
    from ..values import Complex
    if name in ("log1p", "logb"):
        raise LispEError("Cannot apply this method on a complex value.")
    fn = _COMPLEX.get(name)
    if z == 0 and name in ("log", "log2", "log10"):
        return Complex(complex(-math.inf, 0.0))
    try:
        if fn is not None:
            return Complex(fn(complex(z)))
        return Complex(complex(_unary(pyfn, name)(z.real), _unary(pyfn, name)(z.imag)))
    except (ValueError, OverflowError, ZeroDivisionError):
        return Complex(complex(math.nan, math.nan))


def _unary(pyfn, name):
    def f(x):
        if isinstance(x, complex):
            return _complex_value(name, pyfn, x)
        if not isinstance(x, (int, float)):     # tensors included: LispE reads them as 0
            x = _as_number(x)
        try:
            return float(pyfn(x))
        except ValueError:
            if name == "log" or name.startswith("log"):
                if x == 0:
                    return -math.inf
            return math.copysign(math.nan, -1.0)
        except OverflowError:
            return math.inf
    f.__doc__ = "(%s x): a number." % name
    return f


def _as_number(x):
    """What LispE's maths functions read from a value that is not a number: strings are
    parsed (0 when they are not numbers), atoms (true included) are 1, nil and containers 0."""
    from .arith import as_number
    return as_number(x)


def _log(x):
    if x == 0:
        return -math.inf
    return math.log(x)


def _log2(x):
    return -math.inf if x == 0 else math.log2(x)


def _log10(x):
    return -math.inf if x == 0 else math.log10(x)


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _round(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def _rint(x):
    return float(round(x))


_FUNCS = {
    "sqrt": math.sqrt, "√": math.sqrt, "exp": _exp, "log": _log, "log2": _log2,
    "log10": _log10, "log1p": math.log1p, "expm1": math.expm1, "exp2": lambda x: 2.0 ** x,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "asinh": math.asinh, "acosh": math.acosh, "atanh": math.atanh, "floor": math.floor,
    "ceil": math.ceil, "round": _round, "trunc": math.trunc, "rint": _rint, "nearbyint": _rint,
    "fabs": math.fabs, "cbrt": lambda x: math.copysign(abs(x) ** (1.0 / 3.0), x) if x else 0.0,
    "erf": math.erf, "erfc": math.erfc, "lgamma": math.lgamma, "tgamma": math.gamma,
    "logb": lambda x: float(math.frexp(x)[1] - 1), "radian": math.radians, "degree": math.degrees,
}

for _name, _fn in _FUNCS.items():
    if _name == "ceil":
        continue
    builtin(_name, library=True, arity=(1, 1))(_unary(_fn, _name))


@builtin("gcd", arity=2, library=True)
def gcd(a, b):
    """(gcd a b): greatest common divisor."""
    return math.gcd(integer(a), integer(b))


@builtin("hcf", arity=2, library=True)
def hcf(a, b):
    """(hcf a b): highest common factor."""
    return math.gcd(integer(a), integer(b))


@builtin("sign", arity=1)
def sign(x):
    """(sign x): LispE's sign negates its argument."""
    if not isinstance(x, (int, float)):
        raise LispEError("Cannot invert this object")
    return -x


@builtin("!", arity=1)
def factorial(n):
    """(! n): factorial (64-bit wrap-around)."""
    r = 1
    for i in range(2, integer(n) + 1):
        r = wrap64(r * i)
    return r


@builtin("random", arity=(0, 1), library=True)
def random_(n=None):
    """(random [n]): a random integer in [0, n) (a number in [0,1) without n)."""
    if n is None:
        return _random.random()
    if isinstance(n, float):
        return _random.random() * n
    n = integer(n)
    return _random.randrange(n) if n > 0 else 0


@builtin("random_choice", arity=(2, 3), library=True)
def random_choice(n, l, seed=None):
    """(random_choice n l): n random elements of l."""
    if not isinstance(l, list) or not l:
        raise LispEError("Wrong parameter description")
    return List(_random.choice(list(l)) for _ in range(integer(n)))


@builtin("shuffle", arity=1, library=True)
def shuffle(l):
    """(shuffle l): l with its elements shuffled (in place)."""
    items = list(l)
    _random.shuffle(items)
    l[:] = items
    return l


__all__ = ["Integers", "number", "_NAN"]


@builtin("cosine", arity=(2, 2), library=True, params=("val", "valb"),
         doc="Returns the cosine similarity between two vectors")
def cosine(a, b):
    """(cosine a b): cosine similarity of two floats or numbers vectors of the same type and size."""
    from ..values import Floats
    if not isinstance(a, (Floats, Numbers)) or not isinstance(b, (Floats, Numbers)):
        raise LispEError("Incompatible types, expected 'floats' or 'numbers'")
    if type(a) is not type(b) or len(a) != len(b):
        raise LispEError("expected 'floats' or 'numbers' or same size lists")
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    if na == 0 or nb == 0:
        return 0.0
    return dot / (na * nb)


builtin("∛", library=True, arity=(1, 1))(_unary(lambda x: math.copysign(abs(x) ** (1.0 / 3.0), x)
                                                 if x else 0.0, "∛"))


@builtin("iabs", arity=1, library=True)
def iabs(x):
    """(iabs x): the absolute value as an integer."""
    return abs(integer(x))


@builtin("signp", arity=1)
def signp(x):
    """(signp x): -1, 0 or 1 (an integer) according to the sign of x."""
    if not isinstance(x, (int, float)):
        raise LispEError("cannot use this element in an arithmetic expression: '%s'" % to_string(x))
    return (x > 0) - (x < 0)


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#@"


@builtin("convert_in_base", arity=(2, 3), library=True)
def convert_in_base(value, base, from_base=None):
    """(convert_in_base n base): n written in base (2 to 64: digits, A-Z, a-z, # and @; a
    negative n as its 64 bits); (convert_in_base str base true): the integer str writes."""
    from .arith import as_integer
    from ..values import truthy
    b = as_integer(base)
    if b < 2:
        raise LispEError("cannot convert to this base")
    if b > 64:
        raise LispEError("Base too large")
    if truthy(from_base):
        s = to_string(value)
        n = 0
        for ch in s:
            d = _DIGITS.find(ch)
            if d < 0 or d >= b:
                raise LispEError("Cannot analyze this string in this base.")
            n = n * b + d
        return wrap64(n)
    n = as_integer(value) & 0xFFFFFFFFFFFFFFFF
    out = []
    while n:
        n, d = divmod(n, b)
        out.append(_DIGITS[d])
    return "".join(reversed(out))
