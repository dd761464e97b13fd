"""Flash attention module and scaled dot-product attention builtins (lispetorch §4).

Every variant goes through ``torch.nn.functional.scaled_dot_product_attention`` (SDPA),
so no N x N score matrix is ever built here: PyTorch picks a fused kernel (flash /
memory-efficient on CPU and GPU) unless the caller passes an explicit N x N mask.
On CUDA the backends are tried in the order cuDNN, flash, memory-efficient, math, with
silent fallback; on CPU SDPA is called directly (no context manager, no overhead).

Masks follow PyTorch: a bool mask marks the positions that may be attended (true), a
float mask is *added* to the scores. Dropout applies only in training mode (modules are
created in training mode; ``torch_train``/``torch_eval`` switch them); the explicit
``training`` flag of ``torch_flash_attention_with_dropout`` decides for that call.
"""

import math

from ._lazy import torch, F
from ._helpers import (FAILURES as _TORCH_FAILURES, lib, read_int, read_float, torch_error,
                       torch_errors)
from .convert import to_tensor
from .modules import TorchModule
from .printing import cpp_number
from ..errors import LispEError
from ..values import truthy

__all__ = ["FlashAttention", "sdpa", "attention_probs"]

_CUDA_READY = False


def _prefer_fast_cuda_backends():
    """Once, at the first CUDA call: make SDPA try cuDNN, then flash, then memory-efficient,
    then math attention. PyTorch takes the first backend in that order that accepts the
    inputs, so an unsupported shape, dtype or mask falls back silently. Set globally once
    (not per call with ``sdpa_kernel``, whose Python overhead dominates short sequences)."""
    global _CUDA_READY
    _CUDA_READY = True
    try:
        from torch.nn.attention import SDPBackend
        order = [int(getattr(SDPBackend, name)) for name in
                 ("CUDNN_ATTENTION", "FLASH_ATTENTION", "EFFICIENT_ATTENTION", "MATH")
                 if hasattr(SDPBackend, name)]
        current = [int(b) for b in torch._C._get_sdp_priority_order()]
        torch._C._set_sdp_priority_order(order + [b for b in current if b not in order])
    except (ImportError, AttributeError, RuntimeError, TypeError):
        pass        # an older PyTorch: its own default order


def sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """``F.scaled_dot_product_attention`` with the fastest available backend."""
    if not _CUDA_READY and q.is_cuda:
        _prefer_fast_cuda_backends()
    return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p,
                                          is_causal=is_causal, scale=scale)


# --------------------------------------------------------------------------- the module

class FlashAttention(TorchModule):
    """Multi-head self/cross attention: q/k/v/out projections (``Linear(E, E, bias)``,
    Xavier-uniform weights) around SDPA on ``[batch, heads, seq, head_dim]``."""

    lispe_type = "torch_flash_attention_"

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True):
        if num_heads <= 0 or embed_dim % num_heads != 0:
            raise LispEError("embed_dim must be divisible by num_heads", prefix=False)
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout = dropout
        self.bias = bias
        with torch_errors("Error creating Flash Attention: "):
            m = torch.nn.Module()
            for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
                lin = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
                torch.nn.init.xavier_uniform_(lin.weight)
                setattr(m, name, lin)
        self.module = m          # training mode by default, like every torch module

    # parameters(), to(), train()/eval() and training come from TorchModule

    def lispe_str(self):
        return ("Flash Attention (embed_dim=%d, num_heads=%d, head_dim=%d, dropout=%s, bias=%s)"
                % (self.embed_dim, self.num_heads, self.head_dim, cpp_number(self.dropout),
                   "true" if self.bias else "false"))

    def __repr__(self):
        return self.lispe_str()

    def _heads(self, x, proj):
        b, s = x.shape[0], x.shape[1]
        return proj(x).view(b, s, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, query, key, value, attn_mask=None, dropout_p=None, is_causal=False):
        """``[B, S, E]`` inputs (``[S, E]`` also accepted) -> ``[B, S, E]``."""
        if dropout_p is None:
            dropout_p = self.dropout if self.module.training else 0.0
        unbatched = query.dim() == 2
        if unbatched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        m = self.module
        q = self._heads(query, m.q_proj)
        k = self._heads(key, m.k_proj)
        v = self._heads(value, m.v_proj)
        out = sdpa(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p, is_causal=is_causal)
        b, s = query.shape[0], query.shape[1]
        out = m.out_proj(out.transpose(1, 2).contiguous().view(b, s, self.embed_dim))
        return out.squeeze(0) if unbatched else out

    __call__ = forward

    def attention_weights(self, x, attn_mask=None, is_causal=False):
        """The attention weights ``forward`` applies to ``x`` (self-attention), which SDPA never
        materialises: ``[B, H, S, S]`` (``[H, S, S]`` for an ``[S, E]`` input)."""
        unbatched = x.dim() == 2
        if unbatched:
            x = x.unsqueeze(0)
        m = self.module
        w = attention_probs(self._heads(x, m.q_proj), self._heads(x, m.k_proj), attn_mask, is_causal)
        return w.squeeze(0) if unbatched else w


def attention_probs(q, k, attn_mask=None, is_causal=False):
    """softmax(q kT / sqrt(d) + mask) for ``[..., S, d]`` queries and keys: the weights SDPA
    applies to the values (same mask conventions: bool true = attend, float added)."""
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if is_causal:
        lq, lk = scores.shape[-2], scores.shape[-1]
        keep = torch.ones(lq, lk, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        attn_mask = attn_mask.to(scores.device)
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    return torch.softmax(scores, dim=-1)


def _module(m):
    if not isinstance(m, FlashAttention):
        raise LispEError("First argument must be a Flash Attention module")
    return m


def _qkv(query, key, value):
    return to_tensor(query), to_tensor(key), to_tensor(value)


# --------------------------------------------------------------------------- builtins

@lib("torch_flash_attention_create")
def torch_flash_attention_create(embed_dim, num_heads, dropout=None, bias=None):
    """(torch_flash_attention_create embed_dim num_heads [dropout 0.0] [bias true]): flash attention module (bias off only with 0)."""
    e = read_int(embed_dim)
    h = read_int(num_heads)
    p = 0.0 if dropout is None else read_float(dropout)
    b = True if bias is None else truthy(bias)
    return FlashAttention(e, h, p, b)


@lib("torch_flash_attention_forward")
def torch_flash_attention_forward(flash_attention, query, key, value, causal=None):
    """(torch_flash_attention_forward m query key value [causal nil]): attention output [B, S, E]; causal true masks future positions."""
    m = _module(flash_attention)
    q, k, v = _qkv(query, key, value)
    try:
        return m.forward(q, k, v, is_causal=truthy(causal))
    except _TORCH_FAILURES as e:
        raise torch_error(e, "Error in Flash Attention forward: ") from None


@lib("torch_flash_attention_with_mask")
def torch_flash_attention_with_mask(flash_attention, query, key, value, attn_mask):
    """(torch_flash_attention_with_mask m query key value mask): as forward with a mask broadcastable to [B, H, S, S] (bool: true = attend; float: added to scores)."""
    m = _module(flash_attention)
    q, k, v = _qkv(query, key, value)
    mask = None if attn_mask is None else to_tensor(attn_mask)
    with torch_errors("Error in Flash Attention with mask: "):
        return m.forward(q, k, v, attn_mask=mask)


@lib("torch_flash_attention_with_dropout")
def torch_flash_attention_with_dropout(flash_attention, query, key, value, dropout_p, training=None):
    """(torch_flash_attention_with_dropout m query key value p [training nil]): as forward with dropout p, applied only when training is true."""
    m = _module(flash_attention)
    q, k, v = _qkv(query, key, value)
    p = 0.0 if dropout_p is None else read_float(dropout_p)
    if not truthy(training):
        p = 0.0
    with torch_errors("Error in Flash Attention with dropout: "):
        return m.forward(q, k, v, dropout_p=p)


def _scale(scale):
    if scale is None:
        return None
    if isinstance(scale, torch.Tensor):
        return float(scale.reshape(-1)[0].item())
    if isinstance(scale, list):
        if not scale:
            return None
        return _scale(scale[0])
    return read_float(scale)


@lib("torch_scaled_dot_product_attention")
def torch_scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=None,
                                       is_causal=None, scale=None):
    """(torch_scaled_dot_product_attention q k v [mask] [dropout 0] [causal nil] [scale 1/sqrt(E)]): softmax(q kT scale + mask) v, no projections."""
    if attn_mask is None and dropout_p is None and is_causal is None and scale is None:
        # the common call (q k v): as little Python as possible between LispE and the kernel
        T = torch.Tensor
        if type(query) is T and type(key) is T and type(value) is T:
            if not _CUDA_READY and query.is_cuda:
                _prefer_fast_cuda_backends()
            try:
                return F.scaled_dot_product_attention(query, key, value)
            except _TORCH_FAILURES as e:
                raise torch_error(e, "Error in scaled dot product attention: ") from None
    q, k, v = _qkv(query, key, value)
    mask = None if attn_mask is None else to_tensor(attn_mask)
    p = 0.0 if dropout_p is None else read_float(dropout_p)
    try:
        return sdpa(q, k, v, attn_mask=mask, dropout_p=p, is_causal=truthy(is_causal),
                    scale=_scale(scale))
    except _TORCH_FAILURES as e:
        raise torch_error(e, "Error in scaled dot product attention: ") from None


def simple_scale(e):
    """lispetorch's scale for ``torch_flash_attention``: 1/sqrt(E/h), h the largest of 8..1 dividing E."""
    h = 8
    while h > 1 and e % h != 0:
        h -= 1
    return 1.0 / math.sqrt(e / h)


@lib("torch_flash_attention")
def torch_flash_attention(query, key, value, scale=None):
    """(torch_flash_attention q k v [scale]): softmax(q kT s) v over the last two dims of >= 3-D inputs; s defaults to 1/sqrt(E/h) (h = largest of 8..1 dividing E)."""
    q, k, v = _qkv(query, key, value)
    if q.dim() < 3:
        raise LispEError("Flash Attention requires at least 3D tensors (batch, seq_len, embed_dim)",
                         prefix=False)
    s = _scale(scale)
    if s is None:
        s = simple_scale(q.shape[-1])
    with torch_errors("Error in simple Flash Attention: "):
        return sdpa(q, k, v, scale=s)
