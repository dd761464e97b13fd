"""Tensor creation, conversion and indexing builtins, and the protocol hooks that let
LispE's generic builtins (``at``/``@``, ``@@``, ``car``, ``cdr``, ``size``, ``+ - * / ^^``)
work on tensors.

Every ``tensor_<x>`` builtin is also registered as ``torch_<x>`` (the name the older
lispetorch documentation uses); see docs/compatibility.md.
"""

import gc

from ._lazy import torch, on_load
from ._helpers import (lib, need_tensor, read_shape, read_float, read_int, is_integer,
                       is_generic_list, FAILURES, FIRST_TENSOR, torch_error)
from .convert import to_tensor, to_lispe, at_value
from .. import protocols, values
from ..builtins.registry import lookup
from ..errors import LispEError

__all__ = ["tensor_create", "is_generic_list", "arith", "extract"]


# --------------------------------------------------------------------------- creation

@lib("torch_tensor", "tensor_create")
def tensor_create(thedata):
    """(torch_tensor data): tensor copied from floats (float32), numbers (float64), integers (int64), shorts (int16) or a LispE matrix."""
    return to_tensor(thedata).clone() if isinstance(thedata, torch.Tensor) else to_tensor(thedata)


@lib("tensor_zeros", "torch_zeros")
def tensor_zeros(shape):
    """(tensor_zeros shape): float32 tensor of zeros."""
    dims = read_shape(shape)
    try:
        return torch.zeros(dims, dtype=torch.float32)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_ones", "torch_ones")
def tensor_ones(shape):
    """(tensor_ones shape): float32 tensor of ones."""
    dims = read_shape(shape)
    try:
        return torch.ones(dims, dtype=torch.float32)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_full", "torch_full")
def tensor_full(shape, value):
    """(tensor_full shape value): float32 tensor filled with value."""
    dims = read_shape(shape)
    try:
        return torch.full(dims, read_float(value), dtype=torch.float32)
    except FAILURES as e:
        raise torch_error(e, "Error in torch_full: ") from None


@lib("tensor_full_like", "torch_full_like")
def tensor_full_like(tensor, fill_value):
    """(tensor_full_like tensor value): tensor of tensor's shape, dtype and device filled with value."""
    need_tensor(tensor, FIRST_TENSOR)
    try:
        return torch.full_like(tensor, read_float(fill_value))
    except FAILURES as e:
        raise torch_error(e, "Error creating tensor_full_like: ") from None


@lib("tensor_randn", "torch_randn")
def tensor_randn(shape):
    """(tensor_randn shape): float32 tensor drawn from N(0, 1)."""
    dims = read_shape(shape)
    try:
        return torch.randn(dims, dtype=torch.float32)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_rand", "torch_rand")
def tensor_rand(shape):
    """(tensor_rand shape): float32 tensor drawn uniformly from [0, 1)."""
    dims = read_shape(shape)
    try:
        return torch.rand(dims, dtype=torch.float32)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_randint", "torch_randint")
def tensor_randint(low, high, shape):
    """(tensor_randint low high shape): int64 tensor of integers in [low, high)."""
    dims = read_shape(shape)
    try:
        return torch.randint(read_int(low), read_int(high), dims, dtype=torch.int64)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_triu", "torch_triu")
def tensor_triu(tensor, diagonal):
    """(tensor_triu tensor diagonal): upper triangle (diagonal used only when it is an integer, else 0)."""
    need_tensor(tensor, FIRST_TENSOR)
    d = int(diagonal) if is_integer(diagonal) else 0
    try:
        return torch.triu(tensor, d)
    except FAILURES as e:
        raise torch_error(e, "Error in torch_triu: ") from None


@lib("tensor_set_item", "torch_set_item")
def tensor_set_item(tensor, indices, value):
    """(tensor_set_item tensor indices value): copy of tensor with the element (or sub-tensor) at indices (1 to 4 integers) set to value."""
    need_tensor(tensor, FIRST_TENSOR)
    if not isinstance(indices, list):
        raise LispEError("indices must be a list of integers")
    idx = [read_int(i) for i in indices]
    if len(idx) > 4:
        raise LispEError("Maximum 4 dimensions supported for indexing")
    try:
        out = tensor.clone()
        view = out
        for i in idx:
            view = view.select(0, i)
        view.fill_(read_float(value))
        return out
    except FAILURES as e:
        raise torch_error(e, "Error in torch_set_item: ") from None


@lib("tensor_to_list", "torch_to_list", "torch_to_lispe")
def tensor_to_list(tensor):
    """(tensor_to_list tensor): the tensor's values as LispE data (scalar, floats/numbers/integers/shorts, or nested matrix)."""
    need_tensor(tensor)
    return to_lispe(tensor)


@lib("tensor_cat", "torch_cat")
def tensor_cat(tensors, dim):
    """(tensor_cat tensors dim): concatenate a list of tensors along dim."""
    if not is_generic_list(tensors):
        raise LispEError("First argument must be a list of tensors")
    for t in tensors:
        if not isinstance(t, torch.Tensor):
            raise LispEError("All elements must be tensors")
    try:
        return torch.cat(list(tensors), read_int(dim))
    except FAILURES as e:
        raise torch_error(e, "Error in torch_cat: ") from None


@lib("tensor_in_memory", "torch_in_memory")
def tensor_in_memory():
    """(tensor_in_memory): number of live tensor objects (a debugging counter)."""
    if not values.PRINTERS.get(torch.Tensor):
        return 0
    T = torch.Tensor
    return sum(1 for o in gc.get_objects() if issubclass(type(o), T))


@lib("torch_tensor_at", arity=(2, None))
def torch_tensor_at(obj, *indexes):
    """(torch_tensor_at tensor i): same as (at tensor i): element i of the flattened tensor."""
    if isinstance(obj, torch.Tensor):
        return _at(obj, list(indexes))
    at = lookup("at")
    if at is None:
        raise LispEError("torch_tensor_at: 'at' is not available")
    return at.fn(obj, *indexes)


# --------------------------------------------------------------------------- protocol hooks

def _index(i):
    if isinstance(i, bool):
        return int(i)
    if isinstance(i, (int, float)):
        return int(i)
    if isinstance(i, str):
        raise LispEError(f"cannot use this element in an arithmetic expression: '{i}'")
    if isinstance(i, torch.Tensor) and i.numel() == 1:
        return int(i.item())
    raise LispEError("cannot use this element in an arithmetic expression: '"
                     + values.to_string(i) + "'")


def _at(t, indexes):
    """``(at t i)``: element i of the flattened tensor as a LispE scalar."""
    if len(indexes) != 1:
        raise LispEError("value cannot be access through index")
    return at_value(t, _index(indexes[0]))


def _size(t):
    return t.numel()


def _car(t):
    if t.dim() == 0 or t.size(0) == 0:
        return None
    return t[0]


def _cdr(t):
    if t.dim() == 0 or t.size(0) <= 1:
        return None
    return t[1:]


def extract(t, start, end=None):
    """``(@@ t start end)``: lispetorch passes ``end`` to ``narrow`` as a *length* (so
    ``(@@ t 1 3)`` is 3 elements from index 1); without ``end``, the rest of dim 0."""
    n = t.numel()
    s = _index(start)
    if s < 0:
        s += n
    if end is None:
        e = (t.size(0) - s) if t.dim() else 0
        if s < 0 or e <= 0:
            raise LispEError("indices out of bounds or invalid range")
        try:
            return t.narrow(0, s, e)
        except FAILURES as x:
            raise torch_error(x, "Error in tensor extraction: ") from None
    e = _index(end)
    if e < 0:
        e += n
    if s < 0 or e > n or s >= e:
        raise LispEError("indices out of bounds or invalid range")
    try:
        return t.narrow(0, s, e)
    except FAILURES as x:
        raise torch_error(x, "Error in tensor extraction: ") from None


_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "^^": "pow", "**": "pow"}


def _operand(x):
    """The right operand of a LispE operator on a tensor."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, bool):
        raise LispEError("Both arguments must be tensors")
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, list):
        try:
            return to_tensor(x)
        except LispEError:
            raise LispEError("Both arguments must be tensors") from None
    raise LispEError("Both arguments must be tensors")


def arith(op, a, b):
    """``(op a b)`` where a or b is a tensor: element-wise with broadcasting.

    lispetorch requires the tensor first; lispe-py also accepts ``number op tensor``
    (docs/compatibility.md). A scalar operand is used as a double (so an int64 tensor
    plus 1 gives float32), division by a scalar 0 is an error."""
    name = _OPS.get(op)
    if name is None:
        if op == "sum":          # (sum tensor): LispE's message, as the C++ gives it
            raise LispEError("expecting a container as argument")
        raise LispEError(f"cannot evaluate '{op}' with these operands")
    if name == "sub":        # bool masks count as 0/1 (PyTorch refuses '-' on bool)
        if isinstance(a, torch.Tensor) and a.dtype == torch.bool:
            a = a.to(torch.float32)
        if isinstance(b, torch.Tensor) and b.dtype == torch.bool:
            b = b.to(torch.float32)
    if isinstance(a, torch.Tensor):
        rhs = _operand(b)
        if op == "/" and not isinstance(rhs, torch.Tensor) and rhs == 0:
            raise LispEError("division by zero")
        try:
            if name == "add":
                return a + rhs
            if name == "sub":
                return a - rhs
            if name == "mul":
                return a * rhs
            if name == "div":
                return a / rhs
            return torch.pow(a, rhs)
        except FAILURES as e:
            raise torch_error(e) from None
    # number (or numeric list) op tensor
    lhs = _operand(a)
    try:
        if name == "add":
            return lhs + b
        if name == "sub":
            return lhs - b
        if name == "mul":
            return lhs * b
        if name == "div":
            return lhs / b
        return torch.pow(lhs, b) if isinstance(lhs, torch.Tensor) else torch.pow(torch.tensor(lhs), b)
    except FAILURES as e:
        raise torch_error(e) from None


def _to_python(t):
    return t


@on_load
def _register_hooks():
    T = torch.Tensor
    protocols.AT[T] = _at
    protocols.SIZE[T] = _size
    protocols.CAR[T] = _car
    protocols.CDR[T] = _cdr
    protocols.ARITH[T] = arith
    protocols.TO_PYTHON[T] = _to_python
    for name, fn in (("EXTRACT", extract), ("ITER", lambda t: iter(()))):
        table = getattr(protocols, name, None)
        if isinstance(table, dict):
            table[T] = fn
