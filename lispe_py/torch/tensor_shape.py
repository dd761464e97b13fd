"""Tensor shape builtins: shape/size, reshape, contiguous, transpose, (un)squeeze, slice, select.

Every ``tensor_<x>`` builtin is also registered as ``torch_<x>`` (documentation names).
"""

from ._lazy import torch
from ._helpers import (lib, need_tensor, read_shape, is_integer, FAILURES, FIRST_TENSOR,
                       torch_error)
from ..errors import LispEError
from ..values import Integers

__all__ = []


@lib("tensor_shape", "torch_shape")
def tensor_shape(tensor):
    """(tensor_shape tensor): the sizes of the tensor as integers."""
    need_tensor(tensor)
    return Integers(int(s) for s in tensor.shape)


@lib("tensor_size", "torch_size")
def tensor_size(tensor):
    """(tensor_size tensor): the sizes of the tensor as integers (same as tensor_shape; (size t) counts elements)."""
    need_tensor(tensor)
    return Integers(int(s) for s in tensor.shape)


@lib("tensor_reshape", "torch_reshape")
def tensor_reshape(tensor, shape):
    """(tensor_reshape tensor shape): tensor with a new shape (-1 infers one size); a view when possible."""
    need_tensor(tensor, FIRST_TENSOR)
    dims = read_shape(shape)
    try:
        if tensor.is_contiguous():
            return tensor.view(dims)
        return tensor.reshape(dims)
    except FAILURES as e:
        raise torch_error(e, "Error reshaping tensor: ") from None


@lib("tensor_contiguous", "torch_contiguous")
def tensor_contiguous(tensor):
    """(tensor_contiguous tensor): tensor itself if contiguous, else a contiguous copy."""
    need_tensor(tensor)
    if tensor.is_contiguous():
        return tensor
    try:
        return tensor.contiguous()
    except FAILURES as e:
        raise torch_error(e, "Error in torch_contiguous: ") from None


@lib("tensor_transpose", "torch_transpose")
def tensor_transpose(tensor, dim0, dim1):
    """(tensor_transpose tensor dim0 dim1): view with dim0 and dim1 swapped (negative dims count from the end)."""
    need_tensor(tensor, FIRST_TENSOR)
    if not is_integer(dim0) or not is_integer(dim1):
        raise LispEError("Dimensions must be integers")
    try:
        return tensor.transpose(int(dim0), int(dim1))
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_unsqueeze", "torch_unsqueeze")
def tensor_unsqueeze(tensor, dim):
    """(tensor_unsqueeze tensor dim): view with a size-1 dimension inserted at dim."""
    need_tensor(tensor, FIRST_TENSOR)
    if not is_integer(dim):
        raise LispEError("dim must be an integer")
    try:
        return tensor.unsqueeze(int(dim))
    except FAILURES as e:
        raise torch_error(e, "Error in torch_unsqueeze: ") from None


@lib("tensor_squeeze", "torch_squeeze")
def tensor_squeeze(tensor, dim=None):
    """(tensor_squeeze tensor [dim]): remove the size-1 dimension dim, or every size-1 dimension when dim is nil or left out."""
    need_tensor(tensor, FIRST_TENSOR)
    if dim is not None and not is_integer(dim):
        raise LispEError("dim must be an integer")      # the C++'s check ("0", 0.0 refused)
    try:
        if dim is None:
            return tensor.squeeze()
        return tensor.squeeze(int(dim))
    except FAILURES as e:
        raise torch_error(e, "Error in torch_squeeze: ") from None


@lib("tensor_slice", "torch_slice", "torch_tensor_slice")
def tensor_slice(tensor, dim, start, end):
    """(tensor_slice tensor dim start end): view of indices [start, end) along dim (Python-style negatives and clamping)."""
    need_tensor(tensor, FIRST_TENSOR)
    if not is_integer(dim):
        raise LispEError("Dimension must be an integer")
    if not is_integer(start):
        raise LispEError("Start index must be an integer")
    if not is_integer(end):
        raise LispEError("End index must be an integer")
    try:
        return torch.ops.aten.slice.Tensor(tensor, int(dim), int(start), int(end), 1)
    except FAILURES as e:
        raise torch_error(e, "Error slicing tensor: ") from None


@lib("tensor_select", "torch_select")
def tensor_select(tensor, dim, index):
    """(tensor_select tensor dim index): the slice at index along dim (one dimension fewer)."""
    need_tensor(tensor, FIRST_TENSOR)
    if not is_integer(dim):
        raise LispEError("Dimension must be an integer")
    if not is_integer(index):
        raise LispEError("Index must be an integer")
    try:
        return tensor.select(int(dim), int(index))
    except FAILURES as e:
        raise torch_error(e, "Error selecting from tensor: ") from None
