"""Quantization (spec §1.13).

Tensors (results are quantized tensors; ``torch_dequantize`` gives float32 back):

* ``torch_quantize_dynamic t dtype``: ``quantize_per_tensor(t, 1.0, 0, ·)`` with ``qint8`` for
  ``"int8"``/``"qint8"`` and ``quint8`` for ``"uint8"``/``"quint8"`` (a fixed scale of 1, as in
  the C++); any other dtype → ``Unsupported dtype for quantization: X``. The README's
  ``(torch_quantize_dynamic t scale zero_point)`` is accepted too (lispe-py): per-tensor qint8.
* ``torch_quantize_static t scale zp dtype``: ``quint8`` for ``"uint8"``/``"quint8"``, ``qint8``
  otherwise; the README's 3-argument form (no dtype) gives ``qint8``.
* ``torch_quantize_linear t scale zp`` (qint8), ``torch_quantize_per_channel t scales zps axis``
  (scales and zero points: tensors, or in lispe-py LispE lists), ``torch_quantize_int8 t``
  (scale = (max−min)/255 in float32, zero point = int(−min/scale), as in the C++).
* ``torch_quantize_fp16 t`` / ``torch_tensor_to_fp16 t`` (``.to(float16)``),
  ``torch_tensor_to_int8 t`` (plain cast).

Models (the C++ returns the model unchanged; lispe-py quantizes for real and returns a new
model object of the same kind that prints the same, the original staying float):

* ``torch_model_quantize_dynamic m [dtype]``: ``torch.ao.quantization.quantize_dynamic`` of the
  ``Linear`` layers, weights ``qint8`` (default; ``"float16"``/``"fp16"`` also accepted);
* ``torch_model_quantize_static m calibration``: post-training static quantization (FX graph
  mode, x86 default qconfig) calibrated on a tensor or a list of tensors.

PyTorch's deprecation warnings about quantized tensors are silenced (the C++ prints them on
stderr once).
"""

import copy
import warnings

from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch
from lispe_py.torch._helpers import lib, read_int, read_float, need_tensor, FAILURES, torch_error
from lispe_py.torch.convert import to_tensor
from lispe_py.torch.modules import module_of
from lispe_py.values import to_string

__all__ = []


def _run(prefix, fn, *args):
    """fn(*args) with the C++'s ``prefix + what()`` errors and no deprecation warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args)
        except FAILURES as e:
            raise torch_error(e, prefix) from None


def _dtype_name(d):
    return d if isinstance(d, str) else to_string(d)


@lib("torch_quantize_dynamic", arity=(2, 3))
def torch_quantize_dynamic(tensor, dtype, zero_point=None):
    """(torch_quantize_dynamic t dtype): per-tensor quantization with scale 1, zero point 0
    (dtype int8/qint8 or uint8/quint8). (torch_quantize_dynamic t scale zp): the README's form."""
    need_tensor(tensor)
    prefix = "Error in torch_quantize_dynamic: "
    if zero_point is not None and not isinstance(dtype, str):
        return _run(prefix, torch.quantize_per_tensor, tensor, read_float(dtype),
                    read_int(zero_point), torch.qint8)
    name = _dtype_name(dtype)
    if name in ("int8", "qint8"):
        qtype = torch.qint8
    elif name in ("uint8", "quint8"):
        qtype = torch.quint8
    else:
        raise LispEError("Unsupported dtype for quantization: " + name, prefix=False)
    return _run(prefix, torch.quantize_per_tensor, tensor, 1.0, 0, qtype)


@lib("torch_quantize_static", arity=(3, 4))
def torch_quantize_static(tensor, scale, zero_point, dtype=None):
    "(torch_quantize_static t scale zero_point dtype): quantize_per_tensor, quint8 for uint8/quint8, else qint8."
    need_tensor(tensor)
    qtype = torch.qint8
    if dtype is not None and _dtype_name(dtype) in ("uint8", "quint8"):
        qtype = torch.quint8
    return _run("Error in torch_quantize_static: ", torch.quantize_per_tensor, tensor,
                read_float(scale), read_int(zero_point), qtype)


@lib("torch_dequantize")
def torch_dequantize(quantized_tensor):
    "(torch_dequantize q): the float tensor a quantized tensor stands for."
    need_tensor(quantized_tensor)
    return _run("Error in torch_dequantize: ", lambda t: t.dequantize(), quantized_tensor)


@lib("torch_quantize_linear")
def torch_quantize_linear(tensor, scale, zero_point):
    "(torch_quantize_linear t scale zero_point): per-tensor qint8 quantization."
    need_tensor(tensor)
    return _run("Error in torch_quantize_linear: ", torch.quantize_per_tensor, tensor,
                read_float(scale), read_int(zero_point), torch.qint8)


@lib("torch_quantize_per_channel")
def torch_quantize_per_channel(tensor, scales, zero_points, axis):
    "(torch_quantize_per_channel t scales zero_points axis): per-channel qint8 (scales float, zero points int64)."
    need_tensor(tensor)
    prefix = "Error in torch_quantize_per_channel: "
    if not isinstance(scales, torch.Tensor):
        scales = torch.tensor([read_float(v) for v in scales], dtype=torch.float64) \
            if isinstance(scales, list) else need_tensor(scales, "Scales must be a tensor")
    if not isinstance(zero_points, torch.Tensor):
        zero_points = torch.tensor([read_int(v) for v in zero_points], dtype=torch.int64) \
            if isinstance(zero_points, list) else need_tensor(zero_points,
                                                          "Zero points must be a tensor")
    return _run(prefix, torch.quantize_per_channel, tensor, scales, zero_points,
                read_int(axis), torch.qint8)


def _c_int(x):
    """``static_cast<int>(float)`` on x86: truncation; NaN or out of range → INT_MIN."""
    if x != x or x in (float("inf"), float("-inf")) or not (-2147483648.0 <= x < 2147483648.0):
        return -2147483648
    return int(x)


@lib("torch_quantize_int8")
def torch_quantize_int8(tensor):
    "(torch_quantize_int8 t): qint8 with scale (max-min)/255 and zero point int(-min/scale)."
    need_tensor(tensor)

    def go(t):
        lo, hi = torch.aminmax(t)
        lo = torch.tensor(lo.item(), dtype=torch.float32)
        hi = torch.tensor(hi.item(), dtype=torch.float32)
        scale = (hi - lo) / torch.tensor(255.0, dtype=torch.float32)
        zp = _c_int(float(-lo / scale))
        return torch.quantize_per_tensor(t, float(scale.item()), zp, torch.qint8)

    return _run("Error in torch_quantize_int8: ", go, tensor)


@lib("torch_quantize_fp16")
def torch_quantize_fp16(tensor):
    "(torch_quantize_fp16 t): t as float16."
    need_tensor(tensor)
    return _run("Error in torch_quantize_fp16: ", lambda t: t.to(torch.float16), tensor)


@lib("torch_tensor_to_fp16")
def torch_tensor_to_fp16(tensor):
    "(torch_tensor_to_fp16 t): t as float16."
    need_tensor(tensor)
    return _run("Error in torch_tensor_to_fp16: ", lambda t: t.to(torch.float16), tensor)


@lib("torch_tensor_to_int8")
def torch_tensor_to_int8(tensor):
    "(torch_tensor_to_int8 t): t cast to int8 (no scaling)."
    need_tensor(tensor)
    return _run("Error in torch_tensor_to_int8: ", lambda t: t.to(torch.int8), tensor)


# --------------------------------------------------------------------------- models

_CLS = {}


def _batch_wrapper():
    """An ``nn.Module`` running a quantized module on 1-D inputs too (quantized linear layers
    want a batch dimension)."""
    cls = _CLS.get("Batch1D")
    if cls is None:
        class QuantizedModule(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, x):
                if x.dim() == 1:
                    return self.inner(x.unsqueeze(0)).squeeze(0)
                return self.inner(x)

        cls = _CLS["Batch1D"] = QuantizedModule
    return cls


def _rewrap(obj, qmodule):
    """A model object like ``obj`` (same class, same printed form) holding ``qmodule``."""
    wrapped = _batch_wrapper()(qmodule)
    wrapped.train(False)
    if isinstance(obj, torch.nn.Module):
        return wrapped
    new = copy.copy(obj)
    new.module = wrapped
    return new


def _need_model(model):
    m = module_of(model)
    if m is None:
        raise LispEError("First argument must be a model")
    return m


@lib("torch_model_quantize_dynamic", arity=(1, 2))
def torch_model_quantize_dynamic(model, dtype=None):
    "(torch_model_quantize_dynamic m [dtype]): a copy of m whose Linear layers have qint8 (or float16) weights."
    m = _need_model(model)
    qtype = torch.qint8
    if dtype is not None:
        name = _dtype_name(dtype)
        if name in ("float16", "fp16", "half"):
            qtype = torch.float16
        elif name not in ("int8", "qint8"):
            raise LispEError("Unsupported dtype for quantization: " + name, prefix=False)

    def go():
        src = copy.deepcopy(m).cpu().eval()
        return torch.ao.quantization.quantize_dynamic(src, {torch.nn.Linear}, dtype=qtype)

    return _rewrap(model, _run("Error in torch_model_quantize_dynamic: ", go))


def _calibration_batches(data):
    if isinstance(data, torch.Tensor):
        return [data]
    if isinstance(data, list) and data and all(isinstance(x, torch.Tensor) for x in data):
        return list(data)
    try:
        return [to_tensor(data)]
    except LispEError:
        raise LispEError("Calibration data must be a tensor or a list of tensors") from None


@lib("torch_model_quantize_static")
def torch_model_quantize_static(model, calibration_data):
    "(torch_model_quantize_static m data): a statically quantized copy of m calibrated on data (tensor or list of tensors)."
    m = _need_model(model)
    batches = [b.detach().cpu().float() for b in _calibration_batches(calibration_data)]
    batches = [b.unsqueeze(0) if b.dim() == 1 else b for b in batches]

    def go():
        from torch.ao.quantization import get_default_qconfig_mapping
        from torch.ao.quantization.quantize_fx import prepare_fx, convert_fx
        src = copy.deepcopy(m).cpu().eval()
        prepared = prepare_fx(src, get_default_qconfig_mapping("x86"), (batches[0],))
        with torch.no_grad():
            for b in batches:
                prepared(b)
        return convert_fx(prepared)

    return _rewrap(model, _run("Error in torch_model_quantize_static: ", go))
