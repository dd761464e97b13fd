"""Tensor shape builtins: shape/size, reshape, contiguous, transpose, (un)squeeze, slice, select.

Every ``tensor_<x>`` builtin is also registered as ``torch_<x>`` (documentation names).
"""

from ._lazy import torch
from .convert import lib, need_tensor, read_shape, read_int, is_integer, torch_errors
from .tensors import both_names
from ..errors import LispEError
from ..values import Integers

__all__ = []


@lib(*both_names("tensor_shape"))
def tensor_shape(tensor):
    """(tensor_shape tensor): the sizes of the tensor as integers."""
    need_tensor(tensor)
    return Integers(int(s) for s in tensor.shape)


@lib(*both_names("tensor_size"))
def tensor_size(tensor):
    """(tensor_size tensor): the sizes of the tensor as integers (same as tensor_shape; (size t) counts elements)."""
    need_tensor(tensor)
    return Integers(int(s) for s in tensor.shape)


@lib(*both_names("tensor_reshape"))
def tensor_reshape(tensor, shape):
    """(tensor_reshape tensor shape): tensor with a new shape (-1 infers one size); a view when possible."""
    need_tensor(tensor, "First argument must be a tensor")
    dims = read_shape(shape)
    with torch_errors("Error reshaping tensor: "):
        if tensor.is_contiguous():
            return tensor.view(dims)
        return tensor.reshape(dims)


@lib(*both_names("tensor_contiguous"))
def tensor_contiguous(tensor):
    """(tensor_contiguous tensor): tensor itself if contiguous, else a contiguous copy."""
    need_tensor(tensor)
    if tensor.is_contiguous():
        return tensor
    with torch_errors("Error in torch_contiguous: "):
        return tensor.contiguous()


@lib(*both_names("tensor_transpose"))
def tensor_transpose(tensor, dim0, dim1):
    """(tensor_transpose tensor dim0 dim1): view with dim0 and dim1 swapped (negative dims count from the end)."""
    need_tensor(tensor, "First argument must be a tensor")
    if not is_integer(dim0) or not is_integer(dim1):
        raise LispEError("Dimensions must be integers")
    with torch_errors():
        return tensor.transpose(int(dim0), int(dim1))


@lib(*both_names("tensor_unsqueeze"))
def tensor_unsqueeze(tensor, dim):
    """(tensor_unsqueeze tensor dim): view with a size-1 dimension inserted at dim."""
    need_tensor(tensor, "First argument must be a tensor")
    if not is_integer(dim):
        raise LispEError("dim must be an integer")
    with torch_errors("Error in torch_unsqueeze: "):
        return tensor.unsqueeze(int(dim))


@lib(*both_names("tensor_squeeze"))
def tensor_squeeze(tensor, dim=None):
    """(tensor_squeeze tensor [dim]): remove the size-1 dimension dim, or every size-1 dimension when dim is nil or left out."""
    need_tensor(tensor, "First argument must be a tensor")
    with torch_errors("Error in torch_squeeze: "):
        if dim is None:
            return tensor.squeeze()
        return tensor.squeeze(read_int(dim))


@lib(*both_names("tensor_slice", "torch_tensor_slice"))
def tensor_slice(tensor, dim, start, end):
    """(tensor_slice tensor dim start end): view of indices [start, end) along dim (Python-style negatives and clamping)."""
    need_tensor(tensor, "First argument must be a tensor")
    if not is_integer(dim):
        raise LispEError("Dimension must be an integer")
    if not is_integer(start):
        raise LispEError("Start index must be an integer")
    if not is_integer(end):
        raise LispEError("End index must be an integer")
    with torch_errors("Error slicing tensor: "):
        return torch.ops.aten.slice.Tensor(tensor, int(dim), int(start), int(end), 1)


@lib(*both_names("tensor_select"))
def tensor_select(tensor, dim, index):
    """(tensor_select tensor dim index): the slice at index along dim (one dimension fewer)."""
    need_tensor(tensor, "First argument must be a tensor")
    if not is_integer(dim):
        raise LispEError("Dimension must be an integer")
    if not is_integer(index):
        raise LispEError("Index must be an integer")
    with torch_errors("Error selecting from tensor: "):
        return tensor.select(int(dim), int(index))
