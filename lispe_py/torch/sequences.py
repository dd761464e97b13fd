"""Sequence padding and attention masks (spec §1.8).

``torch_pad_sequences seqs max_len [pad]`` (doc name ``torch_pad_sequence``): ``seqs`` is a
generic LispE ``list`` of tensors; each is flattened, cut to ``max_len`` or right-padded with
``pad`` (an int64 fill, so the usual type promotion applies: float sequences stay float), then
the rows are stacked. ``max_len`` and ``pad`` are read with LispE ``asInteger`` (nil → 0), as in
the C++; ``pad`` may be omitted (lispe-py accepts the documented 2-argument call).

``torch_attention_mask padded [pad]`` (doc name ``torch_create_attention_mask``): a **bool**
tensor of ``padded``'s shape, true where the token is not padding, i.e. where attention is
allowed. That is PyTorch's convention for ``scaled_dot_product_attention`` masks (bool: true =
may attend), so ``(tensor_reshape mask (integers B 1 1 S))`` can be passed as an SDPA mask as is.
The C++ returns float32 1.0/0.0 instead, which SDPA would *add* to the scores (masking
nothing): a deliberate difference, listed in docs/compatibility.md.
"""

from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch
from lispe_py.torch._helpers import lib, read_int, need_tensor, FAILURES, torch_error
from lispe_py.values import Form, List

__all__ = ["pad_sequences", "attention_mask"]


def pad_sequences(sequences, max_length, pad_token=0):
    """Python core of ``torch_pad_sequences`` (a list of tensors -> [batch, max_length])."""
    rows = []
    for seq in sequences:
        flat = seq.flatten()
        n = flat.numel()
        if n >= max_length:
            # C++ slice(0, 0, max_length): a negative max_length counts from the end
            rows.append(flat[:max_length])
        else:
            fill = torch.full((max_length - n,), pad_token, dtype=torch.int64, device=flat.device)
            rows.append(torch.cat((flat, fill)))
    return torch.stack(rows)


def attention_mask(padded, pad_token=0):
    """Python core of ``torch_attention_mask``: bool, true where ``padded != pad_token``."""
    return padded != pad_token


@lib("torch_pad_sequences", "torch_pad_sequence")
def torch_pad_sequences(sequences, max_length, pad_token=None):
    "(torch_pad_sequences seqs max_len [pad]): stack the sequences, cut or padded to max_len."
    if type(sequences) is not List and type(sequences) is not Form:
        raise LispEError("First argument must be a list of sequences")
    for s in sequences:
        if not isinstance(s, torch.Tensor):
            raise LispEError("All sequences must be tensors")
    n = read_int(max_length)
    pad = read_int(pad_token)
    try:
        return pad_sequences(sequences, n, pad)
    except FAILURES as e:
        raise torch_error(e, "Error padding sequences: ") from None


@lib("torch_attention_mask", "torch_create_attention_mask")
def torch_attention_mask(sequences, pad_token=None):
    "(torch_attention_mask padded [pad]): bool mask, true where padded != pad (may attend)."
    need_tensor(sequences, "First argument must be a tensor of sequences")
    try:
        return attention_mask(sequences, read_int(pad_token))
    except FAILURES as e:
        raise torch_error(e, "Error creating attention mask: ") from None
