"""Tensor arithmetic, element-wise math, activations, reductions and sampling helpers.

Every ``tensor_<x>`` builtin is also registered as ``torch_<x>`` (documentation names).
PyTorch failures are reported as lispetorch does: ``Error computing tensor <name>: ...``
for the unary functions and reductions, ``Error: ...`` for the binary ones.
"""

from ._lazy import torch, F
from ._helpers import (lib, need_tensor, read_float, read_int, is_generic_list, FAILURES,
                       FIRST_TENSOR, torch_error)
from .convert import scalar_out, item_value
from ..errors import LispEError
from ..values import Float32, List, truthy

__all__ = []

_BOTH = "Both arguments must be tensors"


# --------------------------------------------------------------------------- binary

@lib("tensor_add", "torch_add")
def tensor_add(tensor1, tensor2):
    """(tensor_add t1 t2): element-wise sum (broadcasting, type promotion)."""
    T = torch.Tensor
    if not isinstance(tensor1, T) or not isinstance(tensor2, T):
        raise LispEError(_BOTH)
    try:
        return tensor1 + tensor2
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_sub", "torch_sub")
def tensor_sub(tensor1, tensor2):
    """(tensor_sub t1 t2): element-wise difference."""
    T = torch.Tensor
    if not isinstance(tensor1, T) or not isinstance(tensor2, T):
        raise LispEError(_BOTH)
    try:
        return _unbool(tensor1) - _unbool(tensor2)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_mul", "torch_mul")
def tensor_mul(tensor1, tensor2):
    """(tensor_mul t1 t2): element-wise product."""
    T = torch.Tensor
    if not isinstance(tensor1, T) or not isinstance(tensor2, T):
        raise LispEError(_BOTH)
    try:
        return tensor1 * tensor2
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_div", "torch_div")
def tensor_div(tensor1, tensor2):
    """(tensor_div t1 t2): element-wise true division (int / int gives float)."""
    T = torch.Tensor
    if not isinstance(tensor1, T) or not isinstance(tensor2, T):
        raise LispEError(_BOTH)
    try:
        return tensor1 / tensor2
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_matmul", "torch_matmul")
def tensor_matmul(tensor1, tensor2):
    """(tensor_matmul t1 t2): matrix product (torch.matmul)."""
    T = torch.Tensor
    if not isinstance(tensor1, T) or not isinstance(tensor2, T):
        raise LispEError(_BOTH)
    try:
        return torch.matmul(tensor1, tensor2)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_linear")   # torch_linear is the C++ name of the linear layer (layers.py)
def tensor_linear(tensor1, tensor2):
    """(tensor_linear x w): x times the transpose of w, no bias."""
    T = torch.Tensor
    if not isinstance(tensor1, T) or not isinstance(tensor2, T):
        raise LispEError(_BOTH)
    try:
        return F.linear(tensor1, tensor2)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_mul_scalar", "torch_mul_scalar")
def tensor_mul_scalar(tensor, scalar):
    """(tensor_mul_scalar t s): t times the number s."""
    need_tensor(tensor, FIRST_TENSOR)
    try:
        return tensor * read_float(scalar)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_add_scalar", "torch_add_scalar")
def tensor_add_scalar(tensor, scalar):
    """(tensor_add_scalar t s): t plus the number s."""
    need_tensor(tensor, FIRST_TENSOR)
    try:
        return tensor + read_float(scalar)
    except FAILURES as e:
        raise torch_error(e) from None


@lib("tensor_div_scalar", "torch_div_scalar")
def tensor_div_scalar(tensor, scalar):
    """(tensor_div_scalar t s): t divided by the number s (s = 0 is an error)."""
    need_tensor(tensor, FIRST_TENSOR)
    s = read_float(scalar)
    if s == 0:
        raise LispEError("Division by zero")
    try:
        return tensor / s
    except FAILURES as e:
        raise torch_error(e, "Error in tensor_div_scalar: ") from None


@lib("tensor_pow", "torch_pow")
def tensor_pow(tensor, exponent):
    """(tensor_pow t e): t to the power e (a number or a tensor)."""
    need_tensor(tensor, FIRST_TENSOR)
    if isinstance(exponent, torch.Tensor):
        e = exponent
    elif isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        e = float(exponent)
    else:
        raise LispEError("Exponent must be a scalar or tensor")
    try:
        return torch.pow(tensor, e)
    except FAILURES as x:
        raise torch_error(x, "Error computing tensor pow: ") from None


# --------------------------------------------------------------------------- unary

def _unbool(t):
    """Bool tensors (the masks lispe-py makes) count as 0/1 float32 in arithmetic."""
    return t.to(torch.float32) if t.dtype == torch.bool else t


def _unary(tensor, fn, name):
    """``fn(tensor)`` for an element-wise builtin (bool tensors as 0/1 float32); PyTorch
    failures read ``Error computing tensor <name>: ...``, as in lispetorch."""
    if not isinstance(tensor, torch.Tensor):
        raise LispEError("Argument must be a tensor")
    try:
        return fn(tensor.to(torch.float32) if tensor.dtype == torch.bool else tensor)
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor %s: " % name) from None


@lib("tensor_sqrt", "torch_sqrt")
def tensor_sqrt(tensor):
    """(tensor_sqrt tensor): element-wise square root."""
    return _unary(tensor, torch.sqrt, "sqrt")


@lib("tensor_rsqrt", "torch_rsqrt")
def tensor_rsqrt(tensor):
    """(tensor_rsqrt tensor): element-wise 1/sqrt."""
    return _unary(tensor, torch.rsqrt, "rsqrt")


@lib("tensor_log", "torch_log")
def tensor_log(tensor):
    """(tensor_log tensor): element-wise natural logarithm."""
    return _unary(tensor, torch.log, "log")


@lib("tensor_log10", "torch_log10")
def tensor_log10(tensor):
    """(tensor_log10 tensor): element-wise base-10 logarithm."""
    return _unary(tensor, torch.log10, "log10")


@lib("tensor_log2", "torch_log2")
def tensor_log2(tensor):
    """(tensor_log2 tensor): element-wise base-2 logarithm."""
    return _unary(tensor, torch.log2, "log2")


@lib("tensor_exp", "torch_exp")
def tensor_exp(tensor):
    """(tensor_exp tensor): element-wise exponential."""
    return _unary(tensor, torch.exp, "exp")


@lib("tensor_abs", "torch_abs")
def tensor_abs(tensor):
    """(tensor_abs tensor): element-wise absolute value."""
    return _unary(tensor, torch.abs, "abs")


@lib("tensor_neg", "torch_neg")
def tensor_neg(tensor):
    """(tensor_neg tensor): element-wise negation."""
    return _unary(tensor, torch.neg, "neg")


@lib("tensor_reciprocal", "torch_reciprocal")
def tensor_reciprocal(tensor):
    """(tensor_reciprocal tensor): element-wise 1/x."""
    return _unary(tensor, torch.reciprocal, "reciprocal")


@lib("tensor_floor", "torch_floor")
def tensor_floor(tensor):
    """(tensor_floor tensor): element-wise floor."""
    return _unary(tensor, torch.floor, "floor")


@lib("tensor_ceil", "torch_ceil")
def tensor_ceil(tensor):
    """(tensor_ceil tensor): element-wise ceiling."""
    return _unary(tensor, torch.ceil, "ceil")


@lib("tensor_round", "torch_round")
def tensor_round(tensor):
    """(tensor_round tensor): element-wise rounding (half to even)."""
    return _unary(tensor, torch.round, "round")


@lib("tensor_sin", "torch_sin")
def tensor_sin(tensor):
    """(tensor_sin tensor): element-wise sine."""
    return _unary(tensor, torch.sin, "sin")


@lib("tensor_cos", "torch_cos")
def tensor_cos(tensor):
    """(tensor_cos tensor): element-wise cosine."""
    return _unary(tensor, torch.cos, "cos")


@lib("tensor_tan", "torch_tan")
def tensor_tan(tensor):
    """(tensor_tan tensor): element-wise tangent."""
    return _unary(tensor, torch.tan, "tan")


@lib("tensor_asin", "torch_asin")
def tensor_asin(tensor):
    """(tensor_asin tensor): element-wise arc sine."""
    return _unary(tensor, torch.asin, "asin")


@lib("tensor_acos", "torch_acos")
def tensor_acos(tensor):
    """(tensor_acos tensor): element-wise arc cosine."""
    return _unary(tensor, torch.acos, "acos")


@lib("tensor_atan", "torch_atan")
def tensor_atan(tensor):
    """(tensor_atan tensor): element-wise arc tangent."""
    return _unary(tensor, torch.atan, "atan")


@lib("tensor_sinh", "torch_sinh")
def tensor_sinh(tensor):
    """(tensor_sinh tensor): element-wise hyperbolic sine."""
    return _unary(tensor, torch.sinh, "sinh")


@lib("tensor_cosh", "torch_cosh")
def tensor_cosh(tensor):
    """(tensor_cosh tensor): element-wise hyperbolic cosine."""
    return _unary(tensor, torch.cosh, "cosh")


@lib("tensor_tanh", "torch_tanh")
def tensor_tanh(tensor):
    """(tensor_tanh tensor): element-wise hyperbolic tangent."""
    return _unary(tensor, torch.tanh, "tanh")


@lib("tensor_relu", "torch_relu")
def tensor_relu(tensor):
    """(tensor_relu tensor): element-wise max(x, 0)."""
    return _unary(tensor, torch.relu, "relu")


@lib("tensor_sigmoid", "torch_sigmoid")
def tensor_sigmoid(tensor):
    """(tensor_sigmoid tensor): element-wise logistic function."""
    return _unary(tensor, torch.sigmoid, "sigmoid")


@lib("tensor_gelu", "torch_gelu")
def tensor_gelu(tensor):
    """(tensor_gelu tensor): element-wise GELU (exact erf form)."""
    return _unary(tensor, F.gelu, "gelu")


@lib("tensor_silu", "torch_silu")
def tensor_silu(tensor):
    """(tensor_silu tensor): element-wise x * sigmoid(x)."""
    return _unary(tensor, F.silu, "silu")


@lib("tensor_softmax", "torch_softmax")
def tensor_softmax(tensor, dim):
    """(tensor_softmax tensor dim): softmax along dim."""
    need_tensor(tensor, FIRST_TENSOR)
    try:
        return torch.softmax(tensor, read_int(dim))
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor softmax: ") from None


@lib("tensor_log_softmax", "torch_log_softmax")
def tensor_log_softmax(tensor, dim):
    """(tensor_log_softmax tensor dim): log of the softmax along dim."""
    need_tensor(tensor, FIRST_TENSOR)
    try:
        return torch.log_softmax(tensor, read_int(dim))
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor log_softmax: ") from None


@lib("tensor_clamp", "torch_clamp")
def tensor_clamp(tensor, min_val, max_val):
    """(tensor_clamp tensor min max): clamp into [min, max]; nil skips a bound."""
    need_tensor(tensor, FIRST_TENSOR)
    if min_val is None and max_val is None:
        raise LispEError("At least one of min_val or max_val must be provided")
    lo = None if min_val is None else read_float(min_val)
    hi = None if max_val is None else read_float(max_val)
    try:
        return torch.clamp(tensor, lo, hi)
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor clamp: ") from None


@lib("tensor_rms_norm", "torch_rms_norm")
def tensor_rms_norm(input, weight, eps=None):
    """(tensor_rms_norm x weight [eps 1]): x * rsqrt(mean(x^2, -1) + eps) * weight (lispetorch's default eps, written 1e-6, is read by LispE as 1)."""
    if not isinstance(input, torch.Tensor) or not isinstance(weight, torch.Tensor):
        raise LispEError("Input and weight must be tensors")
    e = 1.0 if eps is None else read_float(eps)
    try:
        return input * torch.rsqrt(input.pow(2).mean(-1, keepdim=True) + e) * weight
    except FAILURES as exc:
        raise torch_error(exc, "Error computing RMS normalization: ") from None


@lib("tensor_cumsum", "torch_cumsum")
def tensor_cumsum(tensor, dim):
    """(tensor_cumsum tensor dim): cumulative sum along dim."""
    need_tensor(tensor, FIRST_TENSOR)
    try:
        return torch.cumsum(tensor, read_int(dim))
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor cumsum: ") from None


@lib("tensor_gather", "torch_gather")
def tensor_gather(input, dim, index):
    """(tensor_gather input dim index): values of input at index along dim."""
    need_tensor(input, FIRST_TENSOR)
    need_tensor(index, "Third argument must be a tensor")
    try:
        return torch.gather(input, read_int(dim), index)
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor gather: ") from None


@lib("tensor_masked_fill_", "torch_masked_fill_")
def tensor_masked_fill_(tensor, mask, value):
    """(tensor_masked_fill_ tensor mask value): in place, set value where mask is non-zero; returns tensor."""
    need_tensor(tensor, FIRST_TENSOR)
    need_tensor(mask, "Second argument must be a tensor")
    try:
        tensor.masked_fill_(mask.to(torch.bool), read_float(value))
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor masked_fill_: ") from None
    return tensor


@lib("tensor_einsum", "torch_einsum")
def tensor_einsum(indices, tensors):
    """(tensor_einsum equation tensors): Einstein summation over a list of tensors."""
    if not is_generic_list(tensors):
        raise LispEError("second argument must be a list of tensors")
    if len(tensors) == 0:
        raise LispEError("tensor list cannot be empty")
    for t in tensors:
        if not isinstance(t, torch.Tensor):
            raise LispEError("all elements in the list must be tensors")
    eq = indices if isinstance(indices, str) else str(read_int(indices))
    try:
        return torch.einsum(eq, *tensors)
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor einsum: ") from None


# --------------------------------------------------------------------------- reductions

def _reduce(tensor, fn, name):
    """``fn(tensor)`` as a LispE float (the C++ returns ``item<float>()`` for every dtype)."""
    if not isinstance(tensor, torch.Tensor):
        raise LispEError("Argument must be a tensor")
    try:
        r = fn(tensor)
        v = r.item()
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor %s: " % name) from None
    if r.dtype is torch.float32:
        return float.__new__(Float32, v)        # already a float32 value: no rounding to do
    return scalar_out(v)


@lib("tensor_sum", "torch_sum")
def tensor_sum(tensor):
    """(tensor_sum tensor): sum of all elements, as a float."""
    return _reduce(tensor, torch.sum, "sum")


@lib("tensor_mean", "torch_mean")
def tensor_mean(tensor):
    """(tensor_mean tensor): mean of all elements, as a float (floating tensors only)."""
    return _reduce(tensor, torch.mean, "mean")


@lib("tensor_std", "torch_std")
def tensor_std(tensor):
    """(tensor_std tensor): unbiased standard deviation of all elements, as a float."""
    return _reduce(tensor, torch.std, "std")


@lib("tensor_max", "torch_max")
def tensor_max(tensor):
    """(tensor_max tensor): largest element, as a float."""
    return _reduce(tensor, torch.max, "max")


@lib("tensor_min", "torch_min")
def tensor_min(tensor):
    """(tensor_min tensor): smallest element, as a float."""
    return _reduce(tensor, torch.min, "min")


@lib("tensor_mean_dim", "torch_mean_dim")
def tensor_mean_dim(tensor, dim):
    """(tensor_mean_dim tensor dim): mean along dim (dimension removed)."""
    need_tensor(tensor, FIRST_TENSOR)
    try:
        return tensor.mean(read_int(dim))
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor mean along dimension: ") from None


@lib("tensor_argmax", "torch_argmax")
def tensor_argmax(tensor, dim, keepdim=True):
    """(tensor_argmax tensor dim [keepdim true]): int64 indices of the maxima along dim (dim nil: of the flattened tensor)."""
    need_tensor(tensor, FIRST_TENSOR)
    try:
        if dim is None:
            return torch.argmax(tensor)
        return torch.argmax(tensor, read_int(dim), keepdim=truthy(keepdim))
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor argmax: ") from None


@lib("tensor_item", "torch_item")
def tensor_item(tensor):
    """(tensor_item tensor): the value of a one-element tensor (float, number, integer, short or true/nil)."""
    need_tensor(tensor)
    return item_value(tensor)


# --------------------------------------------------------------------------- sampling helpers

_TORCH_TENSOR = "First argument must be a torch tensor"      # printed without "Error: "


@lib("torch_topk")
def torch_topk(tensor, k, dim=None, largest=None):
    """(torch_topk tensor k [dim -1] [largest]): list (values indices) of the k largest along dim."""
    need_tensor(tensor, _TORCH_TENSOR, prefix=False)
    d = -1 if dim is None else read_int(dim)
    # lispetorch always asks for the largest values (its 'largest' argument is ignored)
    try:
        v, i = torch.topk(tensor, read_int(k), d, True)
    except FAILURES as e:
        raise torch_error(e, "Error in torch_topk: ") from None
    return List([v, i])


@lib("torch_sort", arity=(1, 3))
def torch_sort(tensor, dim=None, descending=None):
    """(torch_sort tensor [dim -1] [descending nil]) or (torch_sort tensor descending): list (values indices)."""
    need_tensor(tensor, _TORCH_TENSOR, prefix=False)
    if descending is None and dim is not None and not (isinstance(dim, (int, float))
                                                       and not isinstance(dim, bool)):
        descending, dim = dim, None      # (torch_sort t true): the documented 2-argument form
    d = -1 if dim is None else read_int(dim)
    try:
        v, i = torch.sort(tensor, dim=d, descending=truthy(descending))
    except FAILURES as e:
        raise torch_error(e, "Error in torch_sort: ") from None
    return List([v, i])


@lib("torch_multinomial", "tensor_multinomial")
def torch_multinomial(probs, num_samples, replacement=None):
    """(torch_multinomial probs n [replacement nil]): int64 tensor of n indices drawn from the rows of probs."""
    need_tensor(probs, _TORCH_TENSOR, prefix=False)
    try:
        return torch.multinomial(probs, read_int(num_samples), truthy(replacement))
    except FAILURES as e:
        raise torch_error(e, "Error in torch_multinomial: ") from None


# --------------------------------------------------------------------------- example-only helpers

@lib("torch_numel", "tensor_numel")
def torch_numel(tensor):
    """(torch_numel tensor): number of elements."""
    need_tensor(tensor)
    return tensor.numel()


def _rhs(x):
    if isinstance(x, torch.Tensor):
        return x
    return read_float(x)


@lib("torch_ge", "tensor_ge")
def torch_ge(tensor, other):
    """(torch_ge tensor x): bool tensor, tensor >= x (x a number or a tensor)."""
    need_tensor(tensor, FIRST_TENSOR)
    try:
        return torch.ge(tensor, _rhs(other))
    except FAILURES as e:
        raise torch_error(e, "Error in torch_ge: ") from None


@lib("torch_where", "tensor_where")
def torch_where(condition, x, y):
    """(torch_where condition x y): elements of x where condition is true, else of y (numbers allowed)."""
    need_tensor(condition, FIRST_TENSOR)
    try:
        return torch.where(condition.to(torch.bool), _rhs(x), _rhs(y))
    except FAILURES as e:
        raise torch_error(e, "Error in torch_where: ") from None


@lib("torch_index_put_", "tensor_index_put_")
def torch_index_put_(tensor, indices, value):
    """(torch_index_put_ tensor indices value): in place, tensor[indices] = value; indices a tensor, a list of index tensors or a LispE list of integers; returns tensor."""
    need_tensor(tensor, FIRST_TENSOR)
    if isinstance(indices, torch.Tensor):
        idx = (indices,)
    elif isinstance(indices, list) and indices and all(isinstance(i, torch.Tensor) for i in indices):
        idx = tuple(indices)
    elif isinstance(indices, list) and all(isinstance(i, (int, float)) and not isinstance(i, bool)
                                           for i in indices):
        idx = (torch.tensor([int(i) for i in indices], dtype=torch.int64),)
    else:
        raise LispEError("indices must be a tensor, a list of tensors or a list of integers")
    if isinstance(value, torch.Tensor):
        v = value
    else:
        v = torch.tensor(read_float(value))
    try:
        tensor.index_put_(idx, v.to(tensor.dtype))
    except FAILURES as e:
        raise torch_error(e, "Error in torch_index_put_: ") from None
    return tensor


@lib("torch_norm", "tensor_norm", arity=(1, 3))
def torch_norm(tensor, p=None, dim=None):
    """(torch_norm tensor [p 2] [dim]): p-norm (0-dim tensor) of all elements, or of each slice along dim."""
    need_tensor(tensor)
    pv = 2.0 if p is None else read_float(p)
    try:
        x = tensor if tensor.is_floating_point() or tensor.is_complex() else tensor.to(torch.float32)
        if dim is None:
            return torch.linalg.vector_norm(x, pv)
        return torch.linalg.vector_norm(x, pv, dim=read_int(dim))
    except FAILURES as e:
        raise torch_error(e, "Error computing tensor norm: ") from None
