"""Tensor printing: libtorch's C++ ``operator<<`` output, byte for byte.

lispetorch prints a tensor by streaming it into a C++ ``std::ostream``; the layout is
libtorch's (``at::print``), not Python's ``tensor([...])``. This module reproduces it:

* values are converted to double; one *format* is chosen per printed block (the whole
  tensor for 1-D, each 2-D matrix otherwise) from three facts: are all finite values
  integral, the decimal exponent of the smallest finite magnitude and that of the largest;
* integral values print like ``%g`` (default stream precision), others with 4 decimals in
  fixed notation, in scientific notation when the exponents span more than 4 decades, or
  scaled by a common power of ten (a ``0.0001 *`` line) when they are all very large or
  very small;
* matrices are cut into column blocks (``Columns 1 to N``) to fit 80 characters;
* tensors of rank >= 3 print each 2-D slice under a ``(i,j,.,.) = `` header with the
  *first* index varying fastest, and every row of a slice after its first is indented
  by one extra space;
* 0-dim tensors, the scale factor and a quantized tensor's scale print in the shortest
  form that reads back exactly (``0.1``, ``1e-05``, ``10000000``);
* the footer is ``[ CPUFloatType{2,3} ]`` (plus the quantization parameters).

Each block chooses its format afresh (checked against libtorch 2.13 with
``shared/tools/libtorch-print``; the expectations live in tests/test_torch_printing.py).
"""

import math

from ._lazy import torch, on_load
from .. import values

__all__ = ["format_tensor", "format_tensor_summary", "summarised", "scalar_type_name", "type_string",
           "cpp_number"]

LINESIZE = 80

_SCALAR_NAMES = None


def _scalar_names():
    global _SCALAR_NAMES
    if _SCALAR_NAMES is None:
        names = {
            torch.float32: "Float", torch.float64: "Double", torch.float16: "Half",
            torch.bfloat16: "BFloat16", torch.int64: "Long", torch.int32: "Int",
            torch.int16: "Short", torch.int8: "Char", torch.uint8: "Byte",
            torch.bool: "Bool", torch.complex64: "ComplexFloat",
            torch.complex128: "ComplexDouble", torch.complex32: "ComplexHalf",
            torch.qint8: "QInt8", torch.quint8: "QUInt8", torch.qint32: "QInt32",
        }
        for attr, name in (("uint16", "UInt16"), ("uint32", "UInt32"), ("uint64", "UInt64"),
                           ("quint4x2", "QUInt4x2"), ("quint2x4", "QUInt2x4"),
                           ("float8_e4m3fn", "Float8_e4m3fn"), ("float8_e5m2", "Float8_e5m2"),
                           ("float8_e4m3fnuz", "Float8_e4m3fnuz"),
                           ("float8_e5m2fnuz", "Float8_e5m2fnuz")):
            dt = getattr(torch, attr, None)
            if dt is not None:
                names[dt] = name
        _SCALAR_NAMES = names
    return _SCALAR_NAMES


def scalar_type_name(dtype):
    """libtorch's ScalarType name of a torch dtype (``Float``, ``Long``...)."""
    name = _scalar_names().get(dtype)
    if name is None:
        name = str(dtype).replace("torch.", "").capitalize()
    return name


_BACKENDS = {"cpu": "CPU", "cuda": "CUDA", "mps": "MPS", "xpu": "XPU", "meta": "Meta",
             "hip": "HIP", "xla": "XLA", "ipu": "IPU", "hpu": "HPU", "lazy": "Lazy",
             "mtia": "MTIA", "privateuseone": "PrivateUse1"}


def type_string(t):
    """``Tensor::toString()``: backend + scalar type + ``Type`` (``CPUFloatType``)."""
    backend = _BACKENDS.get(t.device.type, t.device.type.upper())
    if t.is_quantized:
        backend = "Quantized" + backend
    elif t.is_sparse:
        backend = "Sparse" + backend
    return backend + scalar_type_name(t.dtype) + "Type"


# --------------------------------------------------------------------------- numbers

class _Stream:
    """The part of a C++ ostream's state that number printing depends on."""

    __slots__ = ("field", "precision")

    def __init__(self):
        self.field = "default"      # "default" | "fixed" | "scientific"
        self.precision = 6

    def copy(self):
        s = _Stream()
        s.field, s.precision = self.field, self.precision
        return s

    def num(self, x):
        """``stream << x`` for a double."""
        if x != x:
            return "-nan" if math.copysign(1.0, x) < 0 else "nan"
        if x in (math.inf, -math.inf):
            return "inf" if x > 0 else "-inf"
        p = self.precision
        if self.field == "fixed":
            return "%.*f" % (p, x)
        if self.field == "scientific":
            return "%.*e" % (p, x)
        return "%.*g" % (p if p > 0 else 1, x)


def cpp_number(x):
    """A double as ``std::ostream`` prints it by default (``%g``, C spelling of inf/nan)."""
    return _Stream().num(float(x))


def _shortest(x):
    """Shortest round-trip form of a double (what libtorch prints for 0-dim tensors)."""
    if x != x:
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    if x in (math.inf, -math.inf):
        return "inf" if x > 0 else "-inf"
    r = repr(float(x))
    if r.endswith(".0"):
        r = r[:-2]
    return r


# --------------------------------------------------------------------------- layout

def _choose_format(stream, vals):
    """libtorch's ``__printFormat``: sets the stream state, returns ``(scale, width)``."""
    if not vals:
        return 1.0, 0
    isfinite = math.isfinite
    int_mode = True
    for z in vals:
        if isfinite(z) and z != math.ceil(z):
            int_mode = False
            break
    first = None
    for z in vals:
        if isfinite(z):
            first = z
            break
    if first is None:
        exp_min = exp_max = 1.0
    else:
        exp_min = exp_max = abs(first)
        for z in vals:
            if isfinite(z):
                a = abs(z)
                if a < exp_min:
                    exp_min = a
                if a > exp_max:
                    exp_max = a
        exp_min = math.floor(math.log10(exp_min)) + 1 if exp_min != 0 else 1
        exp_max = math.floor(math.log10(exp_max)) + 1 if exp_max != 0 else 1
    scale = 1.0
    if int_mode:
        if exp_max > 9:
            sz = 11
            stream.field, stream.precision = "scientific", 4
        else:
            sz = int(exp_max) + 1
            stream.field, stream.precision = "default", 6
    else:
        if exp_max - exp_min > 4:
            sz = 11
            if abs(exp_max) > 99 or abs(exp_min) > 99:
                sz += 1
            stream.field, stream.precision = "scientific", 4
        elif exp_max > 5 or exp_max < 0:
            sz = 7
            scale = 10.0 ** (exp_max - 1)
            stream.field, stream.precision = "fixed", 4
        else:
            sz = 7 if exp_max == 0 else int(exp_max) + 6
            stream.field, stream.precision = "fixed", 4
    return scale, sz


def _scale_line(stream, scale):
    return _shortest(scale) + " *\n"


def _matrix(out, stream, rows, ncols, indent):
    """libtorch's ``__printMatrix`` for a list of rows (lists of doubles)."""
    flat = [z for r in rows for z in r]
    scale, sz = _choose_format(stream, flat)
    pad = " " * indent
    per_line = (LINESIZE - indent) // (sz + 1)
    if per_line < 1:
        per_line = 1   # libtorch would loop forever; never reached for sane widths
    nrows = len(rows)
    first = 0
    num = stream.num
    while first < ncols:
        last = first + per_line - 1 if first + per_line <= ncols else ncols - 1
        if per_line < ncols:
            if first != 0:
                out.append("\n")
            out.append("Columns %d to %d" % (first + 1, last + 1))
            out.append(pad)
        if scale != 1:
            out.append(_scale_line(stream, scale))
            out.append(pad)
        for l, row in enumerate(rows):
            for c in range(first, last + 1):
                out.append(num(row[c] / scale).rjust(sz))
                if c == last:
                    out.append("\n")
                    if l != nrows - 1:
                        out.append(pad + " " if scale != 1 else pad)
                else:
                    out.append(" ")
        first = last + 1


def _slices(out, stream, flat, shape):
    """libtorch's ``__printTensor``: every 2-D slice, first index varying fastest."""
    lead = shape[:-2]
    nr, nc = shape[-2], shape[-1]
    strides = []
    acc = nr * nc
    for d in reversed(lead):
        strides.append(acc)
        acc *= d
    strides.reverse()
    counter = [0] * len(lead)
    start = True
    while True:
        if not start:
            out.append("\n")
        base = sum(c * s for c, s in zip(counter, strides))
        out.append("(" + "".join("%d," % (c + 1) for c in counter) + ".,.) = \n")
        rows = [flat[base + r * nc: base + (r + 1) * nc] for r in range(nr)]
        _matrix(out, stream, rows, nc, 1)
        start = False
        i = 0
        while True:
            counter[i] += 1
            if counter[i] < lead[i]:
                break
            counter[i] = 0
            i += 1
            if i == len(lead):
                return


def _as_doubles(t):
    if t.is_quantized:
        t = t.dequantize()
    if t.is_complex():
        t = t.real
    return t.detach().to("cpu", torch.float64).contiguous()


def _print(out, stream, t):
    """``at::print(stream, t, 80)``; returns nothing, appends to ``out``."""
    saved = stream.copy()
    d = _as_doubles(t)
    shape = tuple(d.shape)
    nd = len(shape)
    tname = type_string(t)
    if nd == 0:
        out.append(_shortest(d.item()) + "\n")
        out.append("[ " + tname + "{}")
    elif nd == 1:
        if shape[0] > 0:
            vals = d.tolist()
            scale, sz = _choose_format(stream, vals)
            if scale != 1:
                out.append(_scale_line(stream, scale))
            num = stream.num
            for z in vals:
                out.append(num(z / scale).rjust(sz) + "\n")
        out.append("[ %s{%d}" % (tname, shape[0]))
    elif nd == 2:
        if d.numel() > 0:
            _matrix(out, stream, d.tolist(), shape[1], 0)
        out.append("[ %s{%d,%d}" % (tname, shape[0], shape[1]))
    else:
        if d.numel() > 0:
            _slices(out, stream, d.reshape(-1).tolist(), shape)
        out.append("[ " + tname + "{" + ",".join(str(s) for s in shape) + "}")
    if t.is_quantized:
        qs = t.qscheme()
        if qs == torch.per_tensor_affine:
            out.append(", qscheme: per_tensor_affine")
            out.append(", scale: " + _shortest(float(t.q_scale())))
            out.append(", zero_point: %d" % t.q_zero_point())
        elif qs == torch.per_tensor_symmetric:
            out.append(", qscheme: per_tensor_symmetric")
        else:
            name = {torch.per_channel_affine: "per_channel_affine",
                    torch.per_channel_symmetric: "per_channel_symmetric"}.get(qs)
            if name is None:
                name = "per_channel_affine_float_qparams"
            out.append(", qscheme: " + name)
            if qs != torch.per_channel_symmetric:
                out.append(", scales: ")
                _print(out, stream, t.q_per_channel_scales())
                out.append(", zero_points: ")
                _print(out, stream, t.q_per_channel_zero_points())
                out.append(", axis: %d" % t.q_per_channel_axis())
    out.append(" ]")
    stream.field, stream.precision = saved.field, saved.precision


def format_tensor(t):
    """The text libtorch's ``operator<<`` writes for tensor ``t`` (no trailing newline)."""
    out = []
    _print(out, _Stream(), t)
    return "".join(out)


SUMMARY_THRESHOLD = 1000   # as PyTorch's repr: more elements than this are summarised


def format_tensor_summary(t):
    """How the REPL and the notebook echo a tensor: libtorch's format up to
    SUMMARY_THRESHOLD elements; above it PyTorch's summarised repr (first and last three
    items of each dimension) under libtorch's footer. ``println`` keeps the full format."""
    if t.numel() <= SUMMARY_THRESHOLD:
        return format_tensor(t)
    body = repr(t)
    shape = ",".join(str(s) for s in t.shape)
    return "%s\n[ %s{%s} ] (%d values, summarised; println prints them all)" % (
        body, type_string(t), shape, t.numel())


class summarised:
    """``with summarised(): to_string(v)``: tensors inside v print summarised."""

    def __enter__(self):
        P = values.PRINTERS
        self.swapped = [k for k, f in P.items() if f is format_tensor]   # subclasses cached too
        for k in self.swapped:
            P[k] = format_tensor_summary
        return self

    def __exit__(self, *exc):
        P = values.PRINTERS
        for k in self.swapped:
            P[k] = format_tensor
        for k in [k for k, f in P.items() if f is format_tensor_summary]:
            P[k] = format_tensor
        return False


@on_load
def _register():
    values.PRINTERS[torch.Tensor] = format_tensor
    values.TYPE_NAMES[torch.Tensor] = "torch_tensor_"
