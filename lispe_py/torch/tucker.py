"""Tucker decomposition and Khatri-Rao builtins (lispetorch §1.15). The quantization
builtins (§1.13) are in quantization.py."""

from ._lazy import torch
from ._helpers import (lib, need_tensor, read_float, read_int, is_generic_list, FAILURES,
                       torch_error)
from .convert import scalar_out
from ..errors import LispEError
from ..values import List

__all__ = ["tucker_decomposition", "tucker_reconstruct", "khatri_rao"]


# Quantization builtins live in quantization.py.


# --------------------------------------------------------------------------- Tucker

def _mode_product(x, u, mode):
    """x multiplied along ``mode`` by matrix u ([new, old])."""
    moved = x.movedim(mode, -1)
    return (moved @ u.T).movedim(-1, mode)


def tucker_reconstruct(core, factors):
    x = core
    for mode, u in enumerate(factors):
        x = _mode_product(x, u, mode)
    return x


def tucker_decomposition(x, ranks, max_iter=100, tol=1e-6):
    """HOOI: HOSVD start, then alternating updates of each factor. Returns (core, factors)."""
    x = x.to(torch.float64) if not x.is_floating_point() else x
    n = x.dim()
    factors = []
    for mode in range(n):
        unfold = x.movedim(mode, 0).reshape(x.shape[mode], -1)
        u, _, _ = torch.linalg.svd(unfold, full_matrices=False)
        factors.append(u[:, :ranks[mode]])
    prev = None
    for _ in range(max(1, max_iter)):
        for mode in range(n):
            y = x
            for m in range(n):
                if m != mode:
                    y = _mode_product(y, factors[m].T, m)
            unfold = y.movedim(mode, 0).reshape(y.shape[mode], -1)
            u, _, _ = torch.linalg.svd(unfold, full_matrices=False)
            factors[mode] = u[:, :ranks[mode]]
        core = x
        for m in range(n):
            core = _mode_product(core, factors[m].T, m)
        norm = core.norm().item()
        if prev is not None and abs(norm - prev) <= tol * max(1.0, abs(prev)):
            break
        prev = norm
    return core, factors


@lib("torch_tucker_decomposition")
def torch_tucker_decomposition(tensor, rank, max_iter=None, tol=None):
    """(torch_tucker_decomposition tensor rank [max_iter 100] [tol 1e-6]): list (core (factor0 factor1 ...)); rank an integer or a list of one rank per dimension."""
    need_tensor(tensor)
    if isinstance(rank, list):
        ranks = [read_int(r) for r in rank]
    else:
        ranks = [read_int(rank)] * tensor.dim()
    if len(ranks) != tensor.dim():
        raise LispEError("Number of ranks must match tensor dimensions")
    ranks = [max(1, min(r, s)) for r, s in zip(ranks, tensor.shape)]
    it = 100 if max_iter is None else read_int(max_iter)
    tl = 1e-6 if tol is None else read_float(tol)
    try:
        core, factors = tucker_decomposition(tensor, ranks, it, tl)
        dt = tensor.dtype if tensor.is_floating_point() else torch.float64
        return List([core.to(dt), List([f.to(dt) for f in factors])])
    except FAILURES as e:
        raise torch_error(e, "Error in Tucker decomposition: ") from None


@lib("torch_tucker_reconstruct")
def torch_tucker_reconstruct(core, factors):
    """(torch_tucker_reconstruct core factors): the full tensor core x1 U0 x2 U1 ..."""
    if not isinstance(core, torch.Tensor):
        raise LispEError("Core must be a tensor")
    if not isinstance(factors, list) or not all(isinstance(f, torch.Tensor) for f in factors):
        raise LispEError("Factors must be a list of tensors")
    try:
        return tucker_reconstruct(core, list(factors))
    except FAILURES as e:
        raise torch_error(e, "Error in Tucker reconstruction: ") from None


def _numel(shape):
    n = 1
    if is_generic_list(shape):
        for s in shape:
            n *= read_int(s)
    return n


@lib("torch_tucker_compression_ratio")
def torch_tucker_compression_ratio(original_shape, core_shape, factor_shapes):
    """(torch_tucker_compression_ratio original_shape core_shape factor_shapes): elements of the original / elements of core and factors (a float; shapes are generic lists)."""
    total = _numel(core_shape)
    if is_generic_list(factor_shapes):
        for fs in factor_shapes:
            total += _numel(fs)
    return scalar_out(_numel(original_shape) / total)


def khatri_rao(a, b):
    return (a.unsqueeze(1) * b.unsqueeze(0)).reshape(a.shape[0] * b.shape[0], a.shape[1])


@lib("torch_khatri_rao_product")
def torch_khatri_rao_product(a, b):
    """(torch_khatri_rao_product A B): column-wise Kronecker product, [rowsA*rowsB, cols]."""
    if not isinstance(a, torch.Tensor):
        raise LispEError("First argument must be a tensor", prefix=False)
    if not isinstance(b, torch.Tensor):
        raise LispEError("Second argument must be a tensor", prefix=False)
    if a.dim() != 2 or b.dim() != 2 or a.shape[1] != b.shape[1]:
        raise LispEError("Error in Khatri-Rao product: Matrices must have the same number of columns",
                         prefix=False)
    try:
        return khatri_rao(a, b)
    except FAILURES as e:
        raise torch_error(e, "Error in Khatri-Rao product: ") from None
