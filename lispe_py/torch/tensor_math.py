"""Tensor arithmetic, element-wise math, activations, reductions and sampling helpers.

Every ``tensor_<x>`` builtin is also registered as ``torch_<x>`` (documentation names).
PyTorch failures are reported as lispetorch does: ``Error computing tensor <name>: ...``
for the unary functions and reductions, ``Error: ...`` for the binary ones.
"""

from ._lazy import torch, F
from .convert import (lib, need_tensor, read_float, read_int, torch_errors,
                      scalar_out, item_value)
from .tensors import both_names, is_generic_list
from ..errors import LispEError
from ..values import List, truthy

__all__ = []


# --------------------------------------------------------------------------- binary

def _both(a, b):
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor):
        raise LispEError("Both arguments must be tensors")


@lib(*both_names("tensor_add"))
def tensor_add(tensor1, tensor2):
    """(tensor_add t1 t2): element-wise sum (broadcasting, type promotion)."""
    _both(tensor1, tensor2)
    with torch_errors():
        return tensor1 + tensor2


@lib(*both_names("tensor_sub"))
def tensor_sub(tensor1, tensor2):
    """(tensor_sub t1 t2): element-wise difference."""
    _both(tensor1, tensor2)
    with torch_errors():
        return _unbool(tensor1) - _unbool(tensor2)


@lib(*both_names("tensor_mul"))
def tensor_mul(tensor1, tensor2):
    """(tensor_mul t1 t2): element-wise product."""
    _both(tensor1, tensor2)
    with torch_errors():
        return tensor1 * tensor2


@lib(*both_names("tensor_div"))
def tensor_div(tensor1, tensor2):
    """(tensor_div t1 t2): element-wise true division (int / int gives float)."""
    _both(tensor1, tensor2)
    with torch_errors():
        return tensor1 / tensor2


@lib(*both_names("tensor_matmul"))
def tensor_matmul(tensor1, tensor2):
    """(tensor_matmul t1 t2): matrix product (torch.matmul)."""
    _both(tensor1, tensor2)
    with torch_errors():
        return torch.matmul(tensor1, tensor2)


@lib("tensor_linear")   # torch_linear is the C++ name of the linear layer (layers.py)
def tensor_linear(tensor1, tensor2):
    """(tensor_linear x w): x times the transpose of w, no bias."""
    _both(tensor1, tensor2)
    with torch_errors():
        return F.linear(tensor1, tensor2)


@lib(*both_names("tensor_mul_scalar"))
def tensor_mul_scalar(tensor, scalar):
    """(tensor_mul_scalar t s): t times the number s."""
    need_tensor(tensor, "First argument must be a tensor")
    with torch_errors():
        return tensor * read_float(scalar)


@lib(*both_names("tensor_add_scalar"))
def tensor_add_scalar(tensor, scalar):
    """(tensor_add_scalar t s): t plus the number s."""
    need_tensor(tensor, "First argument must be a tensor")
    with torch_errors():
        return tensor + read_float(scalar)


@lib(*both_names("tensor_div_scalar"))
def tensor_div_scalar(tensor, scalar):
    """(tensor_div_scalar t s): t divided by the number s (s = 0 is an error)."""
    need_tensor(tensor, "First argument must be a tensor")
    s = read_float(scalar)
    if s == 0:
        raise LispEError("Division by zero")
    with torch_errors("Error in tensor_div_scalar: "):
        return tensor / s


@lib(*both_names("tensor_pow"))
def tensor_pow(tensor, exponent):
    """(tensor_pow t e): t to the power e (a number or a tensor)."""
    need_tensor(tensor, "First argument must be a tensor")
    if isinstance(exponent, torch.Tensor):
        e = exponent
    elif isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        e = float(exponent)
    else:
        raise LispEError("Exponent must be a scalar or tensor")
    with torch_errors("Error computing tensor pow: "):
        return torch.pow(tensor, e)


# --------------------------------------------------------------------------- unary

def _unbool(t):
    """Bool tensors (the masks lispe-py makes) count as 0/1 float32 in arithmetic."""
    return t.to(torch.float32) if t.dtype == torch.bool else t


def _unary(name, fn, doc):
    def f(tensor):
        need_tensor(tensor)
        with torch_errors(f"Error computing tensor {name}: "):
            return fn(_unbool(tensor))
    f.__name__ = "tensor_" + name
    f.__qualname__ = f.__name__
    f.__doc__ = f"(tensor_{name} tensor): {doc}"
    lib(*both_names("tensor_" + name))(f)
    return f


for _name, _fn, _doc in (
    ("sqrt", lambda t: torch.sqrt(t), "element-wise square root."),
    ("rsqrt", lambda t: torch.rsqrt(t), "element-wise 1/sqrt."),
    ("log", lambda t: torch.log(t), "element-wise natural logarithm."),
    ("log10", lambda t: torch.log10(t), "element-wise base-10 logarithm."),
    ("log2", lambda t: torch.log2(t), "element-wise base-2 logarithm."),
    ("exp", lambda t: torch.exp(t), "element-wise exponential."),
    ("abs", lambda t: torch.abs(t), "element-wise absolute value."),
    ("neg", lambda t: torch.neg(t), "element-wise negation."),
    ("reciprocal", lambda t: torch.reciprocal(t), "element-wise 1/x."),
    ("floor", lambda t: torch.floor(t), "element-wise floor."),
    ("ceil", lambda t: torch.ceil(t), "element-wise ceiling."),
    ("round", lambda t: torch.round(t), "element-wise rounding (half to even)."),
    ("sin", lambda t: torch.sin(t), "element-wise sine."),
    ("cos", lambda t: torch.cos(t), "element-wise cosine."),
    ("tan", lambda t: torch.tan(t), "element-wise tangent."),
    ("asin", lambda t: torch.asin(t), "element-wise arc sine."),
    ("acos", lambda t: torch.acos(t), "element-wise arc cosine."),
    ("atan", lambda t: torch.atan(t), "element-wise arc tangent."),
    ("sinh", lambda t: torch.sinh(t), "element-wise hyperbolic sine."),
    ("cosh", lambda t: torch.cosh(t), "element-wise hyperbolic cosine."),
    ("tanh", lambda t: torch.tanh(t), "element-wise hyperbolic tangent."),
    ("relu", lambda t: torch.relu(t), "element-wise max(x, 0)."),
    ("sigmoid", lambda t: torch.sigmoid(t), "element-wise logistic function."),
    ("gelu", lambda t: F.gelu(t), "element-wise GELU (exact erf form)."),
    ("silu", lambda t: F.silu(t), "element-wise x * sigmoid(x)."),
):
    _unary(_name, _fn, _doc)


@lib(*both_names("tensor_softmax"))
def tensor_softmax(tensor, dim):
    """(tensor_softmax tensor dim): softmax along dim."""
    need_tensor(tensor, "First argument must be a tensor")
    with torch_errors("Error computing tensor softmax: "):
        return torch.softmax(tensor, read_int(dim))


@lib(*both_names("tensor_log_softmax"))
def tensor_log_softmax(tensor, dim):
    """(tensor_log_softmax tensor dim): log of the softmax along dim."""
    need_tensor(tensor, "First argument must be a tensor")
    with torch_errors("Error computing tensor log_softmax: "):
        return torch.log_softmax(tensor, read_int(dim))


@lib(*both_names("tensor_clamp"))
def tensor_clamp(tensor, min_val, max_val):
    """(tensor_clamp tensor min max): clamp into [min, max]; nil skips a bound."""
    need_tensor(tensor, "First argument must be a tensor")
    if min_val is None and max_val is None:
        raise LispEError("At least one of min_val or max_val must be provided")
    lo = None if min_val is None else read_float(min_val)
    hi = None if max_val is None else read_float(max_val)
    with torch_errors("Error computing tensor clamp: "):
        return torch.clamp(tensor, lo, hi)


@lib(*both_names("tensor_rms_norm"))
def tensor_rms_norm(input, weight, eps=None):
    """(tensor_rms_norm x weight [eps 1]): x * rsqrt(mean(x^2, -1) + eps) * weight (lispetorch's default eps, written 1e-6, is read by LispE as 1)."""
    if not isinstance(input, torch.Tensor) or not isinstance(weight, torch.Tensor):
        raise LispEError("Input and weight must be tensors")
    e = 1.0 if eps is None else read_float(eps)
    with torch_errors("Error computing RMS normalization: "):
        return input * torch.rsqrt(input.pow(2).mean(-1, keepdim=True) + e) * weight


@lib(*both_names("tensor_cumsum"))
def tensor_cumsum(tensor, dim):
    """(tensor_cumsum tensor dim): cumulative sum along dim."""
    need_tensor(tensor, "First argument must be a tensor")
    with torch_errors("Error computing tensor cumsum: "):
        return torch.cumsum(tensor, read_int(dim))


@lib(*both_names("tensor_gather"))
def tensor_gather(input, dim, index):
    """(tensor_gather input dim index): values of input at index along dim."""
    need_tensor(input, "First argument must be a tensor")
    need_tensor(index, "Third argument must be a tensor")
    with torch_errors("Error computing tensor gather: "):
        return torch.gather(input, read_int(dim), index)


@lib(*both_names("tensor_masked_fill_"))
def tensor_masked_fill_(tensor, mask, value):
    """(tensor_masked_fill_ tensor mask value): in place, set value where mask is non-zero; returns tensor."""
    need_tensor(tensor, "First argument must be a tensor")
    need_tensor(mask, "Second argument must be a tensor")
    with torch_errors("Error computing tensor masked_fill_: "):
        tensor.masked_fill_(mask.to(torch.bool), read_float(value))
    return tensor


@lib(*both_names("tensor_einsum"))
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
    with torch_errors("Error computing tensor einsum: "):
        return torch.einsum(eq, *tensors)


# --------------------------------------------------------------------------- reductions

def _reduction(name, fn, doc):
    def f(tensor):
        need_tensor(tensor)
        with torch_errors(f"Error computing tensor {name}: "):
            return scalar_out(fn(tensor).item())
    f.__name__ = "tensor_" + name
    f.__qualname__ = f.__name__
    f.__doc__ = f"(tensor_{name} tensor): {doc}"
    lib(*both_names("tensor_" + name))(f)
    return f


_reduction("sum", lambda t: t.sum(), "sum of all elements, as a float.")
_reduction("mean", lambda t: t.mean(), "mean of all elements, as a float (floating tensors only).")
_reduction("std", lambda t: t.std(), "unbiased standard deviation of all elements, as a float.")
_reduction("max", lambda t: t.max(), "largest element, as a float.")
_reduction("min", lambda t: t.min(), "smallest element, as a float.")


@lib(*both_names("tensor_mean_dim"))
def tensor_mean_dim(tensor, dim):
    """(tensor_mean_dim tensor dim): mean along dim (dimension removed)."""
    need_tensor(tensor, "First argument must be a tensor")
    with torch_errors("Error computing tensor mean along dimension: "):
        return tensor.mean(read_int(dim))


@lib(*both_names("tensor_argmax"))
def tensor_argmax(tensor, dim, keepdim=True):
    """(tensor_argmax tensor dim [keepdim true]): int64 indices of the maxima along dim (dim nil: of the flattened tensor)."""
    need_tensor(tensor, "First argument must be a tensor")
    with torch_errors("Error computing tensor argmax: "):
        if dim is None:
            return torch.argmax(tensor)
        return torch.argmax(tensor, read_int(dim), keepdim=truthy(keepdim))


@lib(*both_names("tensor_item"))
def tensor_item(tensor):
    """(tensor_item tensor): the value of a one-element tensor (float, number, integer, short or true/nil)."""
    need_tensor(tensor)
    return item_value(tensor)


# --------------------------------------------------------------------------- sampling helpers

def _torch_tensor_arg(t):
    if not isinstance(t, torch.Tensor):
        raise LispEError("First argument must be a torch tensor", prefix=False)


@lib("torch_topk")
def torch_topk(tensor, k, dim=None, largest=None):
    """(torch_topk tensor k [dim -1] [largest]): list (values indices) of the k largest along dim."""
    _torch_tensor_arg(tensor)
    d = -1 if dim is None else read_int(dim)
    # lispetorch always asks for the largest values (its 'largest' argument is ignored)
    with torch_errors("Error in torch_topk: "):
        v, i = torch.topk(tensor, read_int(k), d, True)
    return List([v, i])


@lib("torch_sort", arity=(1, 3))
def torch_sort(tensor, dim=None, descending=None):
    """(torch_sort tensor [dim -1] [descending nil]) or (torch_sort tensor descending): list (values indices)."""
    _torch_tensor_arg(tensor)
    if descending is None and dim is not None and not (isinstance(dim, (int, float))
                                                       and not isinstance(dim, bool)):
        descending, dim = dim, None      # (torch_sort t true): the documented 2-argument form
    d = -1 if dim is None else read_int(dim)
    with torch_errors("Error in torch_sort: "):
        v, i = torch.sort(tensor, dim=d, descending=truthy(descending))
    return List([v, i])


@lib("torch_multinomial", "tensor_multinomial")
def torch_multinomial(probs, num_samples, replacement=None):
    """(torch_multinomial probs n [replacement nil]): int64 tensor of n indices drawn from the rows of probs."""
    _torch_tensor_arg(probs)
    with torch_errors("Error in torch_multinomial: "):
        return torch.multinomial(probs, read_int(num_samples), truthy(replacement))


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
    need_tensor(tensor, "First argument must be a tensor")
    with torch_errors("Error in torch_ge: "):
        return torch.ge(tensor, _rhs(other))


@lib("torch_where", "tensor_where")
def torch_where(condition, x, y):
    """(torch_where condition x y): elements of x where condition is true, else of y (numbers allowed)."""
    need_tensor(condition, "First argument must be a tensor")
    with torch_errors("Error in torch_where: "):
        return torch.where(condition.to(torch.bool), _rhs(x), _rhs(y))


@lib("torch_index_put_", "tensor_index_put_")
def torch_index_put_(tensor, indices, value):
    """(torch_index_put_ tensor indices value): in place, tensor[indices] = value; indices a tensor, a list of index tensors or a LispE list of integers; returns tensor."""
    need_tensor(tensor, "First argument must be a tensor")
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
    with torch_errors("Error in torch_index_put_: "):
        tensor.index_put_(idx, v.to(tensor.dtype))
    return tensor


@lib("torch_norm", "tensor_norm", arity=(1, 3))
def torch_norm(tensor, p=None, dim=None):
    """(torch_norm tensor [p 2] [dim]): p-norm (0-dim tensor) of all elements, or of each slice along dim."""
    need_tensor(tensor)
    pv = 2.0 if p is None else read_float(p)
    with torch_errors("Error computing tensor norm: "):
        x = tensor if tensor.is_floating_point() or tensor.is_complex() else tensor.to(torch.float32)
        if dim is None:
            return torch.linalg.vector_norm(x, pv)
        return torch.linalg.vector_norm(x, pv, dim=read_int(dim))
