"""Conversions between LispE values and tensors.

LispE -> tensor (``to_tensor``), as lispetorch's ``lispe_to_tensor``:

* ``floats`` -> float32, ``numbers`` -> float64, ``integers`` -> int64, ``shorts`` -> int16;
* LispE matrices/tensors (``rho``) and, as the docs do, lists of typed lists of equal
  length -> an N-d tensor of the leaves' type; nested generic lists of numbers (depth >= 2)
  -> int64 if every leaf is an integer, else float32;
* anything else (a flat generic list, strings, scalars...) ->
  ``Unsupported type for tensor conversion``.

Tensor -> LispE (``to_lispe``, ``tensor_to_list``): scalars by dtype (float32/bfloat16 ->
``float``, float64 -> ``number``, int64/int32 -> ``integer``, int16/int8 -> ``short``);
1-D tensors -> ``floats``/``numbers``/``integers``/``shorts``; higher ranks -> LispE
``matrix_*`` (2-D) / ``tensor_*`` (>= 3-D) values of the same shape.
"""

from ._lazy import torch
from .. import values
from ..values import (List, Integers, Numbers, Floats, Shorts, Float32, Short, TRUE)
from ..errors import LispEError
# The argument readers, tensor checks, error wrapping and the registration decorator live in
# _helpers (one of each); they are re-exported here for the modules that import them from here.
from ._helpers import (lib, read_int, read_float, read_shape, is_integer, is_tensor,  # noqa: F401
                       need_tensor, FAILURES, torch_error, torch_errors, torch_message)

__all__ = ["to_tensor", "to_lispe", "scalar_out", "item_value", "at_value", "MATRIX_TYPES",
           "lib", "read_int", "read_float", "read_shape", "is_integer", "is_tensor",
           "need_tensor", "torch_error", "torch_errors", "torch_message"]

_TORCH_FAILURES = FAILURES      # older name (attention.py)


# --------------------------------------------------------------------------- matrix types

def _matrix_class(name, kind):
    existing = getattr(values, name, None)
    if existing is not None:
        return existing
    return type(name, (List,), {"__slots__": (), "kind": kind})


# LispE's matrix/tensor values (what ``rho`` builds). values.py may define them; these
# fallbacks only give ``tensor_to_list`` results their LispE type names.
MatrixFloat = _matrix_class("MatrixFloat", "matrix_float_")
MatrixNumber = _matrix_class("MatrixNumber", "matrix_number_")
MatrixInteger = _matrix_class("MatrixInteger", "matrix_integer_")
MatrixShort = _matrix_class("MatrixShort", "matrix_short_")
TensorFloat = _matrix_class("TensorFloat", "tensor_float_")
TensorNumber = _matrix_class("TensorNumber", "tensor_number_")
TensorInteger = _matrix_class("TensorInteger", "tensor_integer_")
TensorShort = _matrix_class("TensorShort", "tensor_short_")

MATRIX_TYPES = {
    "float": (Floats, MatrixFloat, TensorFloat),
    "number": (Numbers, MatrixNumber, TensorNumber),
    "integer": (Integers, MatrixInteger, TensorInteger),
    "short": (Shorts, MatrixShort, TensorShort),
}


# --------------------------------------------------------------------------- LispE -> tensor

_LEAF_DTYPES = None


def _leaf_dtypes():
    global _LEAF_DTYPES
    if _LEAF_DTYPES is None:
        _LEAF_DTYPES = {Floats: torch.float32, Numbers: torch.float64,
                        Integers: torch.int64, Shorts: torch.int16}
    return _LEAF_DTYPES


def _leaf_dtype(v):
    leaves = _leaf_dtypes()
    for k, dt in leaves.items():
        if isinstance(v, k):
            return dt
    return None


def _kind_dtype(v):
    kind = getattr(v, "kind", "") or ""
    if kind.startswith(("matrix_", "tensor_")):
        if "float" in kind:
            return torch.float32
        if "number" in kind:
            return torch.float64
        if "integer" in kind:
            return torch.int64
        if "short" in kind:
            return torch.int16
    return None


def _nested(v):
    """(dtype, nested python list) for a list of lists with typed leaves, or None."""
    if not isinstance(v, list) or len(v) == 0:
        return None
    dtype = None
    shape = None
    rows = []
    for e in v:
        if not isinstance(e, list):
            return None
        dt = _leaf_dtype(e)
        if dt is not None and not any(isinstance(x, list) for x in e):
            sub = (dt, list(e), (len(e),))
        else:
            r = _nested(e)
            if r is None:
                return None
            sub = r
        if dtype is None:
            dtype, shape = sub[0], sub[2]
        elif sub[0] != dtype or sub[2] != shape:
            return None
        rows.append(sub[1])
    return dtype, rows, (len(v),) + tuple(shape)


def _generic_nested(v, depth=0):
    """(all_int, nested list, shape) for nested generic lists of numbers, or None."""
    if isinstance(v, list):
        if not v:
            return (True, [], (0,)) if depth else None
        subs = [_generic_nested(e, depth + 1) for e in v]
        if any(s is None for s in subs):
            return None
        shape = subs[0][2]
        if any(s[2] != shape for s in subs):
            return None
        return all(s[0] for s in subs), [s[1] for s in subs], (len(v),) + shape
    if isinstance(v, (int, float)) and not isinstance(v, bool) and depth >= 2:
        return isinstance(v, int), v, ()
    return None


def to_tensor(v, message="Unsupported type for tensor conversion"):
    """lispetorch's ``lispe_to_tensor``: a new tensor holding a copy of ``v``'s data."""
    if isinstance(v, torch.Tensor):
        return v
    dt = _leaf_dtype(v)
    if dt is not None and not any(isinstance(x, list) for x in v):
        return torch.tensor([float(x) if dt.is_floating_point else int(x) for x in v],
                            dtype=dt) if v else torch.zeros(0, dtype=dt)
    if isinstance(v, list):
        kd = _kind_dtype(v)
        r = _nested(v)
        if r is not None:
            return torch.tensor(r[1], dtype=kd or r[0]).reshape(r[2])
        if kd is not None:
            g = _generic_nested(v, 1)
            if g is not None:
                return torch.tensor(g[1], dtype=kd).reshape(g[2])
        g = _generic_nested(v)
        if g is not None and len(g[2]) >= 2:
            return torch.tensor(g[1], dtype=torch.int64 if g[0] else torch.float32).reshape(g[2])
    raise LispEError(message)


# --------------------------------------------------------------------------- tensor -> LispE

def _family(dtype):
    if dtype in (torch.float32, torch.bfloat16):
        return "float"
    if dtype == torch.float64:
        return "number"
    if dtype in (torch.int64, torch.int32):
        return "integer"
    if dtype in (torch.int16, torch.int8):
        return "short"
    return None


def _scalar_maker(fam):
    if fam == "float":
        return lambda x: float.__new__(Float32, x)
    if fam == "number":
        return float
    if fam == "integer":
        return int
    return lambda x: int.__new__(Short, x)


def _build(vals, shape, fam, mk):
    leaf, mat, ten = MATRIX_TYPES[fam]
    if len(shape) == 1:
        return leaf(mk(x) for x in vals)
    n = shape[0]
    step = len(vals) // n if n else 0
    cls = mat if len(shape) == 2 else ten
    return cls(_build(vals[i * step:(i + 1) * step], shape[1:], fam, mk) for i in range(n))


def to_lispe(t):
    """``tensor_to_list``: the tensor's values as LispE data (see module docstring)."""
    fam = _family(t.dtype)
    if fam is None:
        raise LispEError("Unsupported tensor dtype")
    mk = _scalar_maker(fam)
    src = t.detach()
    if src.device.type != "cpu":
        src = src.cpu()
    if t.dtype == torch.bfloat16:
        src = src.float()
    if t.dim() == 0:
        return mk(src.item())
    vals = src.reshape(-1).tolist()
    return _build(vals, tuple(t.shape), fam, mk)


def scalar_out(x):
    """A LispE 32-bit ``float`` (what the global reductions return for every dtype)."""
    return Float32(float(x))


def item_value(t):
    """``tensor_item`` of a one-element tensor."""
    n = t.numel()
    if n != 1:
        raise LispEError(f"tensor must contain exactly one element, but has {n} elements")
    dt = t.dtype
    v = t.item()
    if dt == torch.bool:
        return TRUE if v else None
    fam = _family(dt)
    if fam is None:
        if dt.is_floating_point:
            return float(v)      # half: the C++ falls off the function; use a number
        if dt.is_complex:
            raise LispEError("Unsupported tensor dtype")
        return int(v)
    return _scalar_maker(fam)(v)


def at_value(t, i):
    """``(at tensor i)``: element ``i`` of the flattened tensor (negative from the end)."""
    n = t.numel()
    if i < 0:
        i += n
    if i < 0 or i >= n:
        raise LispEError("tensor index out of bounds")
    v = t.reshape(-1)[i].item()
    dt = t.dtype
    if dt == torch.float32:
        return float.__new__(Float32, v)
    if dt == torch.float64:
        return float(v)
    if dt in (torch.int64, torch.int32):
        return int(v)
    if dt == torch.bool:
        return TRUE if v else None
    if isinstance(v, complex):
        return float(v.real)
    return float(v)
