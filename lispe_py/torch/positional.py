"""Positional encoding and rotary position embedding (spec §1.7).

* ``torch_positional_encoding d_model max_len``: sinusoidal table
  ``pe[pos, 2i] = sin(pos·e^(−2i·ln(10000)/d))``, ``pe[pos, 2i+1] = cos(…)``, a buffer of shape
  ``[max_len, 1, d_model]`` (float32); prints ``PyTorch Positional Encoding``. It has no
  parameters (its state dict is empty) but is saved with ``torch_save_model``.
* ``torch_positional_forward pe x`` (doc name ``torch_positional_encoding_forward``):
  ``x + pe[:x.size(0)]``. As in the C++, x is read **sequence-first** ``[seq, batch, d]``: with
  the documentation's ``[batch, seq, d]`` input the row added is chosen by the batch index
  (shape-valid, silently different; kept for byte fidelity). lispe-py moves the table to x's
  device instead of failing on a GPU input.
* ``torch_rotary_embedding dim max_seq_len``: RoPE tables, ``inv_freq = 1/10000^(arange(0,dim,2)/dim)``,
  cos/sin of ``cat(freqs, freqs)`` cached as ``[max_seq_len, dim]``; prints
  ``PyTorch Rotary Embedding (dim=64, max_seq_len=8192)``.
* ``torch_rotary_forward rope seq_len device`` (device nil → cpu): the LispE list ``(cos sin)``,
  each ``[seq_len, dim]`` float32; the cache is rebuilt when seq_len exceeds it or the device
  differs.
* ``torch_apply_rotary_pos_emb x cos sin``: x ``[batch, heads, seq, head_dim]``, with x1/x2 the
  two halves of the last dimension: ``cat(x1·cos₁ − x2·sin₁, x2·cos₂ + x1·sin₂)``.
"""

import math

from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch
from lispe_py.torch._helpers import lib, read_int, FAILURES, torch_error
from lispe_py.torch.modules import TorchModule
from lispe_py.values import List

__all__ = ["PositionalEncoding", "RotaryEmbedding"]

_NN = {}


def _pe_class():
    if _NN:
        return _NN["PE"]

    class PositionalEncodingModule(torch.nn.Module):
        def __init__(self, d_model, max_len):
            super().__init__()
            position = torch.arange(0, max_len, dtype=torch.float32).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2).to(torch.float32)
                                 * (-math.log(10000.0) / d_model))
            pe = torch.zeros(max_len, d_model)
            pe[:, 0::2] = torch.sin(position * div_term)
            pe[:, 1::2] = torch.cos(position * div_term)
            self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

        def forward(self, x):
            pe = self.pe[:x.size(0)]
            if pe.device != x.device:
                pe = pe.to(x.device)
            return x + pe

    _NN["PE"] = PositionalEncodingModule
    return PositionalEncodingModule


class PositionalEncoding(TorchModule):
    lispe_type = "torch_positional_encoding_"
    label = "PyTorch Positional Encoding"


class RotaryEmbedding:
    """RoPE cos/sin tables (no parameters; not a module)."""

    lispe_type = "torch_rotary_embedding_"

    def __init__(self, dim, max_seq_len, base=10000.0):
        self.dim = dim
        self.max_seq_len = max_seq_len
        self.base = base
        self.inv_freq = 1.0 / torch.pow(
            torch.tensor(base, dtype=torch.float32),
            torch.arange(0, dim, 2).to(torch.float32) / dim)
        self._build(max_seq_len, torch.device("cpu"))

    def _build(self, seq_len, device):
        inv = self.inv_freq.to(device)
        t = torch.arange(seq_len, device=device).to(torch.float32)
        freqs = torch.outer(t, inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.cos_cached = emb.cos()
        self.sin_cached = emb.sin()
        self.cached_len = seq_len
        self.device = device

    def forward(self, seq_len, device):
        if seq_len > self.cached_len or device != self.device:
            self._build(max(seq_len, self.cached_len), device)
        return self.cos_cached[:seq_len], self.sin_cached[:seq_len]

    def to_device(self, device):
        self._build(self.cached_len, torch.device(device))
        return self

    def lispe_str(self):
        return "PyTorch Rotary Embedding (dim=%d, max_seq_len=%d)" % (self.dim, self.max_seq_len)

    def __repr__(self):
        return "<%s>" % self.lispe_str()


@lib("torch_positional_encoding", "torch_positional_encoding_create")
def torch_positional_encoding(d_model, max_len):
    "(torch_positional_encoding d_model max_len): sinusoidal table [max_len, 1, d_model]; prints PyTorch Positional Encoding."
    try:
        return PositionalEncoding(_pe_class()(read_int(d_model), read_int(max_len)))
    except FAILURES as e:
        raise torch_error(e, "Error creating positional encoding: ") from None


@lib("torch_positional_forward", "torch_positional_encoding_forward")
def torch_positional_forward(positional_encoding, input_data):
    "(torch_positional_forward pe x): x + pe[:x.size(0)] (x read sequence-first [seq, batch, d])."
    if not isinstance(positional_encoding, PositionalEncoding):
        raise LispEError("First argument must be a positional encoding")
    if not isinstance(input_data, torch.Tensor):
        raise LispEError("Second argument must be a tensor")
    try:
        return positional_encoding.module(input_data)
    except FAILURES as e:
        raise torch_error(e, "Error in positional encoding forward: ") from None


@lib("torch_rotary_embedding", "torch_rotary_embedding_create")
def torch_rotary_embedding(dim, max_seq_len):
    "(torch_rotary_embedding dim max_seq_len): RoPE cos/sin tables; prints PyTorch Rotary Embedding (dim=D, max_seq_len=N)."
    try:
        return RotaryEmbedding(read_int(dim), read_int(max_seq_len))
    except FAILURES as e:
        raise torch_error(e, "Error creating rotary embedding: ") from None


@lib("torch_rotary_forward", "torch_rotary_embedding_forward")
def torch_rotary_forward(rotary_embedding, seq_len, device=None):
    "(torch_rotary_forward rope seq_len device): the list (cos sin), each [seq_len, dim] float32 (device nil: cpu)."
    if not isinstance(rotary_embedding, RotaryEmbedding):
        raise LispEError("First argument must be a rotary embedding")
    from lispe_py.torch.devices import lookup_device
    dev = lookup_device(device)
    n = read_int(seq_len)
    try:
        cos, sin = rotary_embedding.forward(n, dev)
        return List([cos, sin])
    except FAILURES as e:
        raise torch_error(e, "Error in rotary embedding forward: ") from None


@lib("torch_apply_rotary_pos_emb")
def torch_apply_rotary_pos_emb(tensor, cos, sin):
    "(torch_apply_rotary_pos_emb x cos sin): rotate x [batch, heads, seq, head_dim] by the RoPE tables [seq, head_dim]."
    for t in (tensor, cos, sin):
        if not isinstance(t, torch.Tensor):
            raise LispEError("All arguments must be tensors")
    try:
        if tensor.dim() < 3:
            raise IndexError("Dimension out of range (expected to be in range of [%d, %d], but got 2)"
                             % (-tensor.dim(), tensor.dim() - 1))
        half = tensor.size(-1) // 2
        x1, x2 = tensor[..., :half], tensor[..., half:]
        c1, c2 = cos[..., :half], cos[..., half:]
        s1, s2 = sin[..., :half], sin[..., half:]
        return torch.cat((x1 * c1 - x2 * s1, x2 * c2 + x1 * s2), dim=-1)
    except FAILURES as e:
        raise torch_error(e, "Error applying rotary position embedding: ") from None
