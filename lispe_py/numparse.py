"""Numbers read from text the way LispE reads them (its ``convertingfloathexa``).

LispE does not round a decimal to the nearest double: it reads the integer part and the
digits after the point as two 64-bit integers, adds ``fraction / 10**digits`` and
multiplies by ``10**exponent`` from a table of powers, all in doubles. So ``2.256`` is
``2 + 0.256`` (one ulp above the nearest double) and ``1.15e2`` is ``1.15 * 100``
(114.99999999999999, whose ``integer`` is 114). Both the reader (number literals) and the
string conversions (``number``, ``integer``, strings in arithmetic) go through here, so a
literal and the same text in a string give the same double, as in LispE."""

__all__ = ["lispe_decimal", "lispe_string_number", "power10"]

_MASK = 0xFFFFFFFFFFFFFFFF
_POS = [float("1e%d" % i) for i in range(33)]             # 1e0 .. 1e32
_NEG = [float("1e-%d" % (32 - i)) for i in range(33)]     # 1e-32 .. 1e0


def _long(n):
    """A C ``long`` after the wrap-around of ``v * 10 + digit`` steps."""
    n &= _MASK
    return n - (1 << 64) if n >= (1 << 63) else n


def power10(n):
    """10**n as LispE's table-driven ``power10`` computes it (powers of 1e32 beyond 32)."""
    if n > 0:
        d = _POS[n & 0x1F]
        for _ in range(n >> 5):
            d *= _POS[32]
        return d
    if n < 0:
        d = _NEG[n & 0x1F]
        n2 = n >> 5
        while n2 < -1:
            d *= _NEG[0]
            n2 += 1
        return d
    return 1.0


def _digits(s, i):
    j = i
    n = len(s)
    while j < n and "0" <= s[j] <= "9":
        j += 1
    return j


def _decimal(s, i, sign):
    """Digits from s[i] (a digit): (double, end)."""
    j = _digits(s, i)
    v = _long(int(s[i:j]))
    if j == len(s):
        return float(_long(v * sign)), j
    res = float(v)
    if s[j] == ".":
        k = _digits(s, j + 1)
        if k == j + 1:
            return res * sign, j + 1
        frac = _long(int(s[j + 1:k]))
        res += float(frac) / power10((k - j - 1) & 0xFF)     # the digit count is a byte
        j = k
    if j < len(s) and s[j] in "eE":
        k = j + 1
        esign = 1
        if k < len(s) and s[k] in "+-":
            esign = -1 if s[k] == "-" else 1
            k += 1
        e = _digits(s, k)
        if e > k:
            res *= power10(_long(int(s[k:e])) * esign)
            j = e
    return res * sign, j


_HEX = "0123456789abcdefABCDEF"


def _hexadecimal(s, i, sign):
    """LispE's hexadecimal reading after ``0x``: digits, an optional fraction, ``p`` exponent."""
    n = len(s)
    j = i
    v = 0
    while j < n and s[j] in _HEX:
        v = _long((v << 4) | int(s[j], 16))
        j += 1
    res = float(v)
    if j < n and s[j] == ".":
        j += 1
        f = 0
        bits = 0
        while j < n and s[j] in _HEX:
            f = _long((f << 4) | int(s[j], 16))
            bits = (bits + 4) & 0xFF
            j += 1
        res += float(f) / float(1 << bits)
    if j < n and s[j] in "pP":
        j += 1
        neg = j < n and s[j] == "-"
        if j < n and s[j] in "+-":
            j += 1
        e = _digits(s, j)
        p = 1 << int(s[j:e]) if e > j else 1
        res = res * (1 / float(p)) if neg else res * p
    return res * sign


def lispe_decimal(text):
    """The double (or int) of a decimal literal such as ``-2.256e3``, read as LispE reads it."""
    sign = 1
    i = 0
    if text[:1] in "+-":
        sign = -1 if text[0] == "-" else 1
        i = 1
    return _decimal(text, i, sign)[0]


def lispe_string_number(s):
    """LispE's ``asNumber`` of a string: blanks skipped, a sign, then ``0x`` hexadecimal,
    ``0b`` binary (its sign dropped, as in LispE) or a decimal; 0 where no digit starts it.
    Always a double, as in LispE (``integer`` of a 17-digit string loses its last digits)."""
    n = len(s)
    i = 0
    while i < n and ord(s[i]) <= 32:
        i += 1
    sign = 1
    if i < n and s[i] in "+-":
        sign = -1 if s[i] == "-" else 1
        i += 1
    if i >= n or not ("0" <= s[i] <= "9"):
        return 0.0
    if s[i] == "0" and i + 1 < n:
        if s[i + 1] == "x":
            return _hexadecimal(s, i + 2, sign)
        if s[i + 1] == "b":
            j = i + 2
            v = ord(s[j]) & 15 if j < n else 0      # whatever the character is
            j += 1
            while j < n and s[j] in "01":
                v = _long((v << 1) + int(s[j]))
                j += 1
            return float(v)
    return _decimal(s, i, sign)[0]
