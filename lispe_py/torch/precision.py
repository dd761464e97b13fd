"""Mixed precision, dtype conversion, matrix-product precision and seeding (lispe-py; the C++
lispetorch has none of these names).

* ``torch_autocast dtype``: ``"bfloat16"`` (``"bf16"``), ``"float16"`` (``"half"``, ``"fp16"``)
  or ``nil``. Mixed precision for every torch operation this interpreter runs from then on, on
  CUDA and on the CPU: matrix products, attention and linear layers compute in the given
  dtype, reductions, norms, softmax and losses in float32 (PyTorch's ``torch.autocast`` op
  lists); parameters stay float32. ``nil`` turns it off. Returns true.

  How: PyTorch keeps the autocast switch per thread, and each interpreter evaluates on one
  long-lived thread of its own (``lispe_py/runner.py``: the CLI's program, each ``LispE()``
  instance, the REPL, a notebook kernel), so ``torch_autocast`` sets that thread's state
  (``torch.set_autocast_enabled`` / ``set_autocast_dtype`` for "cuda" and "cpu"): the
  same as wrapping the rest of the program in ``with torch.autocast(...)``, with no cost per
  call, covering losses and tensor builtins too, and two interpreters do not see each other's
  setting. Two departures from a ``with`` block, both to keep training right: the cast-weight
  cache is off while autocast is on (a block clears it on exit; a setting that never exits
  would keep stale low-precision copies of weights the optimizer has changed), and
  ``torch_backward`` runs the backward pass with autocast off, as PyTorch recommends.
  LispE threads (``dethread``...) start without it.
* ``torch_to_dtype obj dtype``: a tensor converted to dtype (a new tensor, or the tensor itself
  when it already has it); a module object (or a list of them) converted in place and
  returned. dtype names: ``float32``/``float``, ``float64``/``double``, ``bfloat16``/``bf16``,
  ``float16``/``half``/``fp16``, ``int64``/``long``, ``int32``/``int``, ``int16``/``short``,
  ``int8``, ``uint8``, ``bool``. Modules take floating dtypes only (integer buffers are kept).
* ``torch_set_matmul_precision p``: ``"highest"`` (exact float32 products), ``"high"``
  (TensorFloat-32 on CUDA) or ``"medium"`` (bfloat16-based), PyTorch's
  ``torch.set_float32_matmul_precision`` (all devices). lispe-py's default: float32 matrix
  products and convolutions on CUDA use TF32 (``"high"``) — set when torch is first
  imported, for CUDA only (CPU products stay exact).
* ``torch_manual_seed n``: seed torch's generators (CPU and every CUDA device); true.
"""

from lispe_py.torch._helpers import lib
from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch, on_load
from lispe_py.values import TRUE, to_string

__all__ = ["dtype_named", "autocast_state", "autocast_paused", "set_autocast"]


# --------------------------------------------------------------------------- TF32 by default

@on_load
def _tf32_on_cuda():
    """float32 matrix products on CUDA use TF32 (PyTorch's "high" precision). The legacy
    switch is the CUDA-only one: the CPU keeps exact products, and PyTorch's own
    ``get_float32_matmul_precision`` (which inductor reads) keeps answering."""
    try:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    except (AttributeError, RuntimeError):
        pass


# --------------------------------------------------------------------------- dtype names

_NAMES = {
    "float32": "float32", "float": "float32", "fp32": "float32",
    "float64": "float64", "double": "float64", "fp64": "float64",
    "bfloat16": "bfloat16", "bf16": "bfloat16",
    "float16": "float16", "half": "float16", "fp16": "float16",
    "int64": "int64", "long": "int64",
    "int32": "int32", "int": "int32",
    "int16": "int16", "short": "int16",
    "int8": "int8", "uint8": "uint8", "bool": "bool",
}


def _str(x):
    return x if isinstance(x, str) else to_string(x)


def dtype_named(name, allowed=None, what="dtype"):
    """The torch dtype of a lispe-py dtype name (see the module docstring)."""
    s = _str(name)
    key = _NAMES.get(s.lower())
    if key is None or (allowed is not None and key not in allowed):
        names = allowed or sorted(set(_NAMES.values()))
        raise LispEError("Unknown %s: %s (%s)" % (what, s, ", ".join(names)))
    return getattr(torch, key)


# --------------------------------------------------------------------------- autocast

_AUTOCAST_DEVICES = ("cuda", "cpu")


def _set_enabled(device, flag):
    try:
        torch.set_autocast_enabled(device, flag)
    except TypeError:                       # torch < 2.4
        if device == "cpu":
            torch.set_autocast_cpu_enabled(flag)
        else:
            torch.set_autocast_enabled(flag)


def _is_enabled(device):
    try:
        return torch.is_autocast_enabled(device)
    except TypeError:                       # torch < 2.4
        if device == "cpu":
            return torch.is_autocast_cpu_enabled()
        return torch.is_autocast_enabled()


def _set_dtype(device, dtype):
    try:
        torch.set_autocast_dtype(device, dtype)
    except (TypeError, AttributeError):     # torch < 2.4
        if device == "cpu":
            torch.set_autocast_cpu_dtype(dtype)
        else:
            torch.set_autocast_gpu_dtype(dtype)


def _get_dtype(device):
    try:
        return torch.get_autocast_dtype(device)
    except (TypeError, AttributeError):     # torch < 2.4
        if device == "cpu":
            return torch.get_autocast_cpu_dtype()
        return torch.get_autocast_gpu_dtype()


def autocast_state():
    """The dtype autocast computes in on this thread (CUDA's, else the CPU's), or None."""
    for dev in _AUTOCAST_DEVICES:
        if _is_enabled(dev):
            return _get_dtype(dev)
    return None


def set_autocast(dtype):
    """Mixed precision in ``dtype`` (None: off) on this thread, for CUDA and the CPU."""
    on = dtype is not None
    for dev in _AUTOCAST_DEVICES:
        if on:
            _set_dtype(dev, dtype)
        _set_enabled(dev, on)
    torch.set_autocast_cache_enabled(not on)
    if not on:
        torch.clear_autocast_cache()


class autocast_paused:
    """Context: autocast off inside (the backward pass), restored on exit. Nearly free when
    autocast is off."""

    __slots__ = ("saved",)

    def __enter__(self):
        saved = None
        for dev in _AUTOCAST_DEVICES:
            if _is_enabled(dev):
                if saved is None:
                    saved = []
                saved.append(dev)
                _set_enabled(dev, False)
        self.saved = saved
        return self

    def __exit__(self, *exc):
        if self.saved:
            for dev in self.saved:
                _set_enabled(dev, True)
        return False


@lib("torch_autocast")
def torch_autocast(dtype):
    """(torch_autocast dtype): (lispe-py) mixed precision for what this interpreter runs from now
    on, on CUDA and the CPU: "bfloat16" or "float16" (matrix products in that dtype, reductions
    and losses in float32, parameters float32), nil: off; true."""
    if dtype is None:
        set_autocast(None)
        return TRUE
    set_autocast(dtype_named(dtype, ("bfloat16", "float16"), "autocast dtype"))
    return TRUE


# --------------------------------------------------------------------------- dtype conversion

def _convert(obj, dt):
    from lispe_py.torch.modules import module_of
    if isinstance(obj, torch.Tensor):
        return obj.to(dt)
    if isinstance(obj, list):
        for x in obj:
            _convert(x, dt)
        return obj
    to_dtype = getattr(obj, "to_dtype", None)
    if callable(to_dtype):
        to_dtype(dt)
        return obj
    m = module_of(obj)
    if m is None:
        raise LispEError("First argument must be a tensor or a module")
    if not dt.is_floating_point:
        raise LispEError("A module converts to a floating dtype only")
    m.to(dt)
    return obj


@lib("torch_to_dtype")
def torch_to_dtype(obj, dtype):
    """(torch_to_dtype obj dtype): (lispe-py) a tensor converted to dtype ("float32", "bfloat16",
    "float16", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"), or a module
    object (or list of them) converted in place and returned."""
    dt = dtype_named(dtype)
    try:
        return _convert(obj, dt)
    except LispEError:
        raise
    except (RuntimeError, TypeError, ValueError) as e:
        from lispe_py.torch._helpers import torch_message
        raise LispEError("Error converting dtype: " + torch_message(e), prefix=False) from None


# --------------------------------------------------------------------------- matmul precision, seeds

@lib("torch_set_matmul_precision")
def torch_set_matmul_precision(precision):
    """(torch_set_matmul_precision p): (lispe-py) "highest" (exact float32 matrix products),
    "high" (TF32 on CUDA, lispe-py's default there) or "medium"; true."""
    p = _str(precision)
    if p not in ("highest", "high", "medium"):
        raise LispEError("Unknown matmul precision: %s (highest, high, medium)" % p)
    torch.set_float32_matmul_precision(p)
    try:
        torch.backends.cudnn.allow_tf32 = p != "highest"
    except (AttributeError, RuntimeError):
        pass
    return TRUE


@lib("torch_manual_seed")
def torch_manual_seed(seed):
    """(torch_manual_seed n): (lispe-py) seed torch's random generators, CPU and CUDA; true."""
    from lispe_py.torch._helpers import read_int
    n = read_int(seed)
    try:
        torch.manual_seed(n)
    except (RuntimeError, ValueError, OverflowError) as e:
        from lispe_py.torch._helpers import torch_message
        raise LispEError("Error setting the seed: " + torch_message(e), prefix=False) from None
    return TRUE
