"""The helpers every torch family shares: one of each.

* :func:`lib` registers a lispetorch builtin (a LispE library function, ``deflib``: missing
  arguments raise ``Wrong parameter description`` at run time, extra ones are ignored).
  Every name is written out in the call (``@lib("tensor_relu", "torch_relu")``): a test
  checks that each registered torch name appears literally in lispe_py/torch/.
* :func:`read_int` / :func:`read_float` read an argument as LispE's ``asInteger()`` /
  ``asNumber()`` do in the C++ (strings through :func:`string_number`, LispE's own
  ``convertingfloathexa``, probed on the real lispetorch: tests/test_torch_helpers.py);
  :func:`read_shape` reads a shape list; :func:`is_integer` is the C++'s ``isInteger`` check.
* :func:`need_tensor` is the "must be a tensor" check; :func:`is_tensor` asks without
  importing PyTorch.
* PyTorch failures become LispE errors with a plain ``try``/``except``::

      try:
          return torch.softmax(t, d)
      except FAILURES as e:
          raise torch_error(e, "Error computing tensor softmax: ") from None

  (a prefix starting with ``Error`` replaces LispE's ``Error: ``, as lispetorch re-throws
  PyTorch errors with its own text). :class:`torch_errors` is the same as a ``with`` block
  for multi-statement regions; a ``try`` costs nothing when nothing fails, the ``with``
  block a few hundred nanoseconds.

Importing this module never imports PyTorch.
"""

import math
import sys

from ._lazy import torch
from ..builtins.registry import builtin
from ..errors import LispEError
from ..values import Atom

__all__ = ["lib", "read_int", "read_float", "read_shape", "string_number", "c_long",
           "is_integer", "is_tensor", "need_tensor", "FAILURES", "torch_error",
           "torch_errors", "torch_message", "FIRST_TENSOR", "is_generic_list"]


# --------------------------------------------------------------------------- registration

def lib(name, *aliases, **options):
    """Register the decorated function as the lispetorch builtin ``name`` (and ``aliases``):
    a LispE library function. ``options`` are :func:`~lispe_py.builtins.registry.builtin`'s
    (``arity``, ``interp``, ``params``, ``doc``, compiler flags)."""
    options["library"] = True
    return builtin(name, *aliases, **options)


# --------------------------------------------------------------------------- errors

# What a PyTorch call raises for bad input (c10::Error surfaces as RuntimeError & co).
FAILURES = (RuntimeError, ValueError, TypeError, IndexError, KeyError, OverflowError,
            ZeroDivisionError, NotImplementedError, AssertionError, AttributeError)


def torch_message(exc):
    """The first line of a PyTorch exception's message (C++ ``what()`` minus the trace)."""
    msg = str(exc.args[0]) if getattr(exc, "args", None) else str(exc)
    if isinstance(exc, KeyError) and msg.startswith("'") and msg.endswith("'"):
        msg = msg[1:-1]
    return msg.split("\n")[0].rstrip()


def torch_error(e, prefix=""):
    """The LispE error for the PyTorch failure ``e``: ``prefix + message``, shown as is when the
    prefix starts with ``Error`` (lispetorch's ``Error in torch_full: ...``), after LispE's
    ``Error: `` otherwise. A LispE error, or Python's recursion limit (LispE's stack overflow),
    is returned unchanged."""
    if isinstance(e, (LispEError, RecursionError)):
        return e
    msg = torch_message(e)
    if prefix.startswith("Error"):
        return LispEError(prefix + msg, prefix=False)
    return LispEError(prefix + msg)


class torch_errors:
    """``with torch_errors(prefix):`` turns a PyTorch failure in the block into
    ``torch_error(e, prefix)``. For a single call prefer a plain ``try`` (free when nothing
    fails)."""

    __slots__ = ("prefix",)

    def __init__(self, prefix=""):
        self.prefix = prefix

    def __enter__(self):
        return self

    def __exit__(self, kind, e, tb):
        if kind is not None and issubclass(kind, FAILURES) and not issubclass(kind, RecursionError):
            raise torch_error(e, self.prefix) from None
        return False


# --------------------------------------------------------------------------- tensor checks

FIRST_TENSOR = "First argument must be a tensor"


def is_tensor(x):
    """True for a PyTorch tensor; never imports PyTorch (no tensor exists before it is)."""
    t = sys.modules.get("torch")
    return t is not None and isinstance(x, t.Tensor)


def need_tensor(x, message="Argument must be a tensor", prefix=True):
    """``x`` when it is a tensor, else the LispE error ``message`` (``prefix=False``: printed
    without LispE's ``Error: ``)."""
    if not isinstance(x, torch.Tensor):
        raise LispEError(message, prefix=prefix)
    return x


def is_generic_list(x):
    """A LispE ``list`` (``t_list``), not a typed list, llist or matrix."""
    return isinstance(x, list) and getattr(x, "kind", None) == "list_"


# --------------------------------------------------------------------------- argument readers

_I64_MIN = -(1 << 63)
_TWO64 = 1 << 64


def _wrap(v):
    """A C ``long`` (64-bit two's complement) from a Python int."""
    v &= _TWO64 - 1
    return v - _TWO64 if v >> 63 else v


def c_long(x):
    """``(long)`` of a double on x86-64: truncation; NaN and values out of range give
    LONG_MIN (what ``cvttsd2si`` returns)."""
    if x != x or not (-9223372036854775808.0 <= x < 9223372036854775808.0):
        return _I64_MIN
    return int(x)


_EXP = [float("1e%d" % i) for i in range(33)]                 # 1e0 .. 1e32
_EXP_MINUS = [float("1e-%d" % i) for i in range(32, -1, -1)]  # 1e-32 .. 1e-0


def _power10(n):
    """LispE's ``power10``: a table value times 1e32 (or 1e-32) as many times as needed, one
    multiplication at a time (the rounding is the C++'s). The C++ loops n/32 times; here the
    loop stops once the value is 0 or infinite, which further steps never change."""
    if n > 0:
        d = _EXP[n & 31]
        k = n >> 5
        while k and 0.0 < d < math.inf:
            d *= 1e32
            k -= 1
        return d
    if n < 0:
        d = _EXP_MINUS[n & 31]
        k = n >> 5
        while k != -1 and 0.0 < d < math.inf:
            d *= 1e-32
            k += 1
        return d
    return 1.0


_HEX = {c: int(c, 16) for c in "0123456789abcdefABCDEF"}


def _shift1(v):
    """``1 << v`` on a 32-bit int on x86 (the count taken modulo 32; 1 << 31 is INT_MIN)."""
    r = 1 << (v & 31)
    return r - (1 << 32) if r >> 31 else r


def _hexa(s, i, n, sign):
    """LispE's ``conversiontofloathexa``: hex digits, an optional hex fraction and ``p``
    binary exponent, after ``0x``."""
    v = 0
    while i < n and s[i] in _HEX:
        v = _wrap((v << 4) | _HEX[s[i]])
        i += 1
    res = float(v)
    if i < n and s[i] == ".":
        i += 1
        v = 0
        m = 0
        while i < n and s[i] in _HEX:
            v = _wrap((v << 4) | _HEX[s[i]])
            m = (m + 4) & 0xFF
            i += 1
        res += v / float(_shift1(m))
    if i < n and s[i] in "pP":
        i += 1
        neg = False
        if i < n and s[i] in "+-":
            neg = s[i] == "-"
            i += 1
        # the C++ takes the next character's low 4 bits whatever it is, then more digits
        v = (ord(s[i]) & 15) if i < n else 0
        i += 1
        while i < n and "0" <= s[i] <= "9":
            v = _wrap(v * 10 + ord(s[i]) - 48)
            i += 1
        p = _shift1(v)
        res = res * (1 / float(p)) if neg else res * p
    return res * sign


def string_number(s):
    """The number LispE reads in the string ``s`` (``convertingfloathexa``, what
    ``String::asNumber()`` returns, and ``asInteger()`` casts to ``long``), as measured on the
    real binary: blanks (codes <= 32) skipped, a sign, then ``0x`` hex (fraction and ``p``
    exponent allowed, lower-case ``x`` only), ``0b`` binary (the sign is dropped) or decimal
    digits with an optional ``.digits`` fraction and ``e``/``E`` exponent; reading stops at
    the first character that does not fit (``"5x"`` -> 5, ``"1e3x"`` -> 1000) and a string
    that does not start with a digit reads as 0 (``".5"``, ``"abc"``). Digits accumulate in a
    64-bit integer (wrapping) and a decimal with a fraction or exponent is built in floating
    point from its parts (``"1.15e2"`` -> 114.99999999999999, as the C++); the result is a
    double, so ``"123456789012345678"`` reads as 123456789012345680."""
    n = len(s)
    z = s.find("\0")
    if z >= 0:
        n = z
    i = 0
    while i < n and ord(s[i]) <= 32:
        i += 1
    if i == n:
        return 0.0
    sign = 1
    c = s[i]
    if c == "-":
        sign = -1
        i += 1
    elif c == "+":
        i += 1
    if i == n or not "0" <= s[i] <= "9":
        return 0.0
    if s[i] == "0" and i + 1 < n:
        if s[i + 1] == "x":
            return _hexa(s, i + 2, n, sign)
        if s[i + 1] == "b":
            i += 2
            v = 0
            while i < n and s[i] in "01":
                v = _wrap((v << 1) | (ord(s[i]) - 48))
                i += 1
            return float(v)
    j = i
    while j < n and "0" <= s[j] <= "9":
        j += 1
    v = _wrap(int(s[i:j]))
    if j == n:
        return float(_wrap(v * sign))
    res = float(v)
    i = j
    if s[i] == ".":
        i += 1
        if i < n and "0" <= s[i] <= "9":
            j = i
            while j < n and "0" <= s[j] <= "9":
                j += 1
            res += float(_wrap(int(s[i:j]))) / _power10((j - i) & 0xFF)
            i = j
        else:
            return res * sign
    if i < n and s[i] in "eE":
        i += 1
        esign = 1
        if i < n and s[i] in "+-":
            esign = -1 if s[i] == "-" else 1
            i += 1
        if i < n and "0" <= s[i] <= "9":
            j = i
            while j < n and "0" <= s[j] <= "9":
                j += 1
            res *= _power10(_wrap(_wrap(int(s[i:j])) * esign))
    return res * sign


def read_int(x):
    """An argument read with LispE's ``asInteger()``, as the C++ lispetorch reads every integer
    argument: integers as they are, numbers truncated (NaN, infinities and out-of-range values
    give LONG_MIN), strings through :func:`string_number` (``"5x"`` -> 5, ``"1e3"`` -> 1000,
    ``"0x10"`` -> 16, ``"abc"`` -> 0), atoms (``true`` included) 1, anything else (nil, lists,
    dictionaries, tensors) 0."""
    t = type(x)
    if t is int:
        return x
    if isinstance(x, int):          # short (and bool)
        return int(x)
    if isinstance(x, float):        # number, float
        return c_long(x)
    if isinstance(x, str):
        return c_long(string_number(x))
    if t is Atom:
        return 1
    if isinstance(x, complex):
        return c_long(x.real)
    return 0


def read_float(x):
    """An argument read with LispE's ``asNumber()``: numbers as doubles, strings through
    :func:`string_number`, atoms 1.0, anything else (nil, lists, tensors) 0.0."""
    t = type(x)
    if t is float or t is int:
        return float(x)
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str):
        return string_number(x)
    if t is Atom:
        return 1.0
    if isinstance(x, complex):
        return float(x.real)
    return 0.0


def is_integer(x):
    """The C++'s ``isInteger()`` check: a LispE integer or short (not a number, not a string)."""
    return type(x) is int or (isinstance(x, int) and not isinstance(x, bool))


def read_shape(shape, message="shape must be a list of integers"):
    """A shape argument: any LispE list (each element read with :func:`read_int`) or a 1-D
    tensor; anything else is the C++ error ``message``."""
    if isinstance(shape, list):
        return [x if type(x) is int else read_int(x) for x in shape]
    if is_tensor(shape) and shape.dim() == 1:
        return [int(v) for v in shape.tolist()]
    raise LispEError(message)

