"""Models and layers (spec §1.5) and gradient checkpointing (§1.10).

LispE names (C++ name first, then the documentation's names that lispe-py also accepts):

* ``torch_model in hidden out`` (``torch_model_create``): lispetorch's SimpleMLP,
  Linear(in,h) → ReLU → Linear(h,h) → ReLU → Linear(h,out) (two hidden layers); prints
  ``PyTorch Model``. ``torch_forward model x`` (``torch_model_forward``) runs it; lispe-py also
  runs ``torch_forward`` on every other module object (the docs call it on embeddings and
  transformer blocks; attention modules get ``(x, x, x)``).
* ``torch_linear in out [bias]`` (``torch_linear_create``), ``torch_linear_forward lin x``.
* ``torch_embedding n dim`` (``torch_embedding_create``), ``torch_embedding_forward emb ids``
  (ids: an int64/int32 tensor).
* ``torch_multihead_attention E H`` (``torch_multihead_attention_create``): ``nn.MultiheadAttention``,
  sequence-first ``[seq, batch, E]`` as in the C++ (``[seq, E]`` unbatched also works).
  ``torch_attention_forward att q k v [mask]`` (``torch_multihead_attention_forward``). The
  documentation's shorter forms ``(torch_multihead_attention_forward att x)`` and
  ``(... att x mask)`` are self-attention on a **batch-first** ``[batch, seq, E]`` input, as the
  documentation writes them.
* ``torch_layer_norm n`` (``torch_layer_norm_create``; ``n`` an integer or a shape list, as the
  docs write ``(list 512)``), ``torch_layer_norm_forward ln x``.
* ``torch_transformer_block E H ffn [options]`` (``torch_transformer_block_create``): post-norm
  block ``x = LN1(x + MHA(x,x,x)); x = LN2(x + FFN2(relu(FFN1(x))))``, no dropout, input
  sequence-first ``[seq, batch, E]``. ``options`` (lispe-py): ``true`` for flash attention, or a
  dictionary ``{"flash": true "causal": true "batch_first": true}``. With flash the attention is
  computed by ``scaled_dot_product_attention`` (fused kernels: memory linear in the sequence
  length, no N×N score matrix unless a full mask is given), with the same weights, so a block
  gives the same result with or without it. More dictionary keys (lispe-py) give the blocks of
  GPT-style models: ``"norm" "pre"`` (``x = x + MHA(LN1(x)); x = x + FFN2(act(FFN1(LN2(x))))``;
  ``"post"`` the default), ``"activation"`` ``"gelu"`` (exact), ``"gelu_tanh"``, ``"silu"``
  (``"relu"`` the default), ``"bias" nil`` (no bias in the projections, the feed-forward and
  the layer norms), ``"dropout" p`` (on the attention weights and on both residual branches and
  the feed-forward hidden layer, in training mode only). Such a block computes batch-first
  internally (one q/k/v product, heads as views, SDPA); the parameter names are the same
  (``attention.in_proj_weight``, ``norm1``, ``ffn1``...). The C++'s block keeps its own code.
  ``torch_transformer_forward blk x [mask]`` (``torch_transformer_block_forward``): masks as for
  attention (below).

Attention masks (lispe-py, for the forms that take one): PyTorch's ``scaled_dot_product_attention``
convention — a bool mask is true where attention is allowed, a float mask is added to the scores.
A 2-D mask of shape ``[batch, seq_k]`` is a padding mask (non-zero = real token, what
``torch_attention_mask`` returns); ``[seq_q, seq_k]``, ``[batch, seq_q, seq_k]``,
``[batch*heads, seq_q, seq_k]`` and ``[batch, heads, seq_q, seq_k]`` are attention masks; the
string ``"causal"`` asks for a causal mask without building one.

Gradient checkpointing: ``torch_checkpoint_create module`` (linear, multi-head attention, layer norm,
embedding, and in lispe-py also MLPs and transformer blocks), ``torch_checkpoint_enable`` /
``torch_checkpoint_disable``, ``torch_checkpoint_forward c x``. When enabled and gradients are
on, the forward runs under ``torch.utils.checkpoint`` (activations recomputed in backward). As in
the C++, forwarding a checkpointed layer norm or embedding raises
``Unsupported module type for checkpointing``.
"""

# ``torch_linear`` is the layer builtin (the C++ name); with two tensors it also accepts the
# ``tensor_linear`` form.
from lispe_py.torch import tensor_math as _tensor_math  # noqa: F401
from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch, F
from lispe_py.torch._helpers import lib, read_int, need_tensor, FAILURES, torch_error
from lispe_py.torch.modules import TorchModule, cpp_errors, forward_any, module_of
from lispe_py.values import TRUE, DICTS, dict_items, truthy

__all__ = ["Model", "Linear", "Embedding", "MultiHeadAttention", "LayerNorm",
           "TransformerBlock", "CheckpointedModule", "mha_sdpa", "sdpa_mask"]


# --------------------------------------------------------------------------- nn.Module classes

_NN = {}


def _nn():
    """The torch.nn.Module subclasses, defined on first use (torch is imported lazily)."""
    if _NN:
        return _NN
    nn = torch.nn

    class SimpleMLP(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.fc1 = nn.Linear(input_size, hidden_size)
            self.fc2 = nn.Linear(hidden_size, hidden_size)
            self.fc3 = nn.Linear(hidden_size, output_size)

        def forward(self, x):
            x = torch.relu(self.fc1(x))
            x = torch.relu(self.fc2(x))
            return self.fc3(x)

    class TransformerBlockModule(nn.Module):
        def __init__(self, embed_dim, num_heads, ffn_dim, flash=False, causal=False,
                     batch_first=False, norm="post", activation="relu", bias=True, dropout=0.0):
            super().__init__()
            # the C++'s block (post-norm, ReLU, biases, no dropout) builds exactly as before;
            # the lispe-py options only add constructor arguments when they differ from it
            extra = {} if bias else {"bias": False}
            if dropout:
                extra_mha = dict(extra, dropout=dropout)
            else:
                extra_mha = extra
            self.attention = nn.MultiheadAttention(embed_dim, num_heads, **extra_mha)
            self.norm1 = nn.LayerNorm(embed_dim, **extra)
            self.norm2 = nn.LayerNorm(embed_dim, **extra)
            self.ffn1 = nn.Linear(embed_dim, ffn_dim, **extra)
            self.ffn2 = nn.Linear(ffn_dim, embed_dim, **extra)
            self.flash = flash
            self.causal = causal
            self.batch_first = batch_first
            self.pre_norm = norm == "pre"
            self.activation = activation
            self.dropout = float(dropout)
            # the C++ block keeps its own code path (results unchanged to the last bit)
            self.classic = (not self.pre_norm and activation == "relu" and bias
                            and not dropout)

        def forward(self, x, mask=None):
            if not self.classic:
                return self._forward_options(x, mask)
            if self.batch_first:
                x = x.transpose(0, 1) if x.dim() == 3 else x
            causal = self.causal
            if isinstance(mask, str):
                causal, mask = True, None
            if self.flash or causal or mask is not None:
                a = mha_sdpa(self.attention, x, x, x, mask, causal)
            else:
                a = self.attention(x, x, x, need_weights=False)[0]
            x = self.norm1(x + a)
            x = self.norm2(x + self.ffn2(torch.relu(self.ffn1(x))))
            if self.batch_first and x.dim() == 3:
                x = x.transpose(0, 1)
            return x

        def _forward_options(self, x, mask):
            """Pre- or post-norm block with the chosen activation, biases and dropout,
            computed batch-first ``[batch, seq, E]`` (one fused q/k/v product, attention by
            ``scaled_dot_product_attention``)."""
            seq_first = not self.batch_first and x.dim() == 3
            unbatched = x.dim() == 2
            if seq_first:
                x = x.transpose(0, 1)
            elif unbatched:
                x = x.unsqueeze(0)
            causal = self.causal
            if isinstance(mask, str):
                causal, mask = True, None
            p = self.dropout if self.training else 0.0
            act = _ACTIVATIONS[self.activation]
            if self.pre_norm:
                a = self_attention(self.attention, self.norm1(x), mask, causal)
                x = x + (F.dropout(a, p) if p else a)
                h = act(self.ffn1(self.norm2(x)))
                h = self.ffn2(F.dropout(h, p) if p else h)
                x = x + (F.dropout(h, p) if p else h)
            else:
                a = self_attention(self.attention, x, mask, causal)
                x = self.norm1(x + (F.dropout(a, p) if p else a))
                h = act(self.ffn1(x))
                h = self.ffn2(F.dropout(h, p) if p else h)
                x = self.norm2(x + (F.dropout(h, p) if p else h))
            if seq_first:
                return x.transpose(0, 1)
            return x.squeeze(0) if unbatched else x

    _NN["SimpleMLP"] = SimpleMLP
    _NN["TransformerBlockModule"] = TransformerBlockModule
    return _NN


# --------------------------------------------------------------------------- attention helpers

def _is_flag_mask(m):
    if m.dtype == torch.bool:
        return True
    if not m.dtype.is_floating_point:
        return True
    return bool(((m == 0) | (m == 1)).all())


def sdpa_mask(mask, batch, heads, lq, lk):
    """A lispe-py attention mask (see module docstring) as an SDPA mask broadcastable to
    ``[batch, heads, lq, lk]`` (bool: true = may attend; float: added)."""
    if mask is None:
        return None
    if not isinstance(mask, torch.Tensor):
        raise LispEError("Attention mask must be a tensor")
    m = mask
    if m.dim() == 1 and m.shape[0] == lk:
        m = m.unsqueeze(0)
    if m.dim() == 2 and tuple(m.shape) == (batch, lk) and (batch != lq or _is_flag_mask(m)):
        # padding mask: non-zero = real token
        if _is_flag_mask(m):
            m = m != 0
        return m.reshape(batch, 1, 1, lk)
    if not (m.dtype == torch.bool or m.dtype.is_floating_point):
        m = m != 0
    if m.dim() == 2:
        return m
    if m.dim() == 3:
        if m.shape[0] == batch * heads and heads > 1:
            return m.reshape(batch, heads, lq, lk)
        return m.unsqueeze(1)
    return m


def mha_sdpa(mha, query, key, value, mask=None, causal=False):
    """``nn.MultiheadAttention`` (sequence-first) computed with ``scaled_dot_product_attention``
    on its own weights: the same result as ``mha(q, k, v)[0]`` without the N×N matrix."""
    from lispe_py.torch.attention import sdpa
    unbatched = query.dim() == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
    e = mha.embed_dim
    h = mha.num_heads
    d = e // h
    w, b = mha.in_proj_weight, mha.in_proj_bias
    if query is key and key is value:
        q, k, v = F.linear(query, w, b).chunk(3, dim=-1)
    else:
        wq, wk, wv = w.chunk(3)
        bq, bk, bv = b.chunk(3) if b is not None else (None, None, None)
        q, k, v = F.linear(query, wq, bq), F.linear(key, wk, bk), F.linear(value, wv, bv)
    lq, bsz = q.shape[0], q.shape[1]
    lk = k.shape[0]
    q = q.reshape(lq, bsz, h, d).permute(1, 2, 0, 3)
    k = k.reshape(lk, bsz, h, d).permute(1, 2, 0, 3)
    v = v.reshape(lk, bsz, h, d).permute(1, 2, 0, 3)
    m = sdpa_mask(mask, bsz, h, lq, lk)
    if m is not None and causal:
        cm = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril()
        m = (m & cm) if m.dtype == torch.bool else m.masked_fill(~cm, float("-inf"))
        causal = False
    if m is not None and m.device != q.device:
        m = m.to(q.device)
    dropout = mha.dropout if mha.training else 0.0
    out = sdpa(q, k, v, attn_mask=m, dropout_p=dropout, is_causal=bool(causal))
    out = out.permute(2, 0, 1, 3).reshape(lq, bsz, e)
    out = mha.out_proj(out)
    return out.squeeze(1) if unbatched else out


class _Activations(dict):
    def __missing__(self, name):
        fn = {"relu": torch.relu, "gelu": F.gelu, "silu": F.silu,
              "gelu_tanh": lambda t: F.gelu(t, approximate="tanh")}[name]
        self[name] = fn
        return fn


_ACTIVATIONS = _Activations()
ACTIVATION_NAMES = ("relu", "gelu", "gelu_tanh", "silu")


def self_attention(mha, x, mask=None, causal=False):
    """Self-attention of ``nn.MultiheadAttention``'s weights on a batch-first ``[batch, seq, E]``
    input: one q/k/v product, heads as views, ``scaled_dot_product_attention`` (dropout of the
    module when training), the output projection. Masks as ``mha_sdpa``."""
    from lispe_py.torch.attention import sdpa
    b, s, e = x.shape
    h = mha.num_heads
    qkv = F.linear(x, mha.in_proj_weight, mha.in_proj_bias)
    q, k, v = qkv.view(b, s, 3, h, e // h).permute(2, 0, 3, 1, 4).unbind(0)
    m = sdpa_mask(mask, b, h, s, s)
    if m is not None and causal:
        cm = torch.ones(s, s, dtype=torch.bool, device=x.device).tril()
        m = (m & cm) if m.dtype == torch.bool else m.masked_fill(~cm, float("-inf"))
        causal = False
    if m is not None and m.device != x.device:
        m = m.to(x.device)
    p = mha.dropout if mha.training else 0.0
    out = sdpa(q, k, v, attn_mask=m, dropout_p=p, is_causal=bool(causal))
    return mha.out_proj(out.transpose(1, 2).reshape(b, s, e))


def mha_weights(mha, x, mask=None, causal=False):
    """The per-head attention weights ``[batch, heads, seq, seq]`` of ``nn.MultiheadAttention``
    on a sequence-first ``[seq, batch, E]`` input (self-attention), masks as ``mha_sdpa``."""
    from lispe_py.torch.attention import attention_probs
    e, h = mha.embed_dim, mha.num_heads
    q, k, _ = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
    s, bsz = q.shape[0], q.shape[1]
    q = q.reshape(s, bsz, h, e // h).permute(1, 2, 0, 3)
    k = k.reshape(s, bsz, h, e // h).permute(1, 2, 0, 3)
    return attention_probs(q, k, sdpa_mask(mask, bsz, h, s, s), bool(causal))


# --------------------------------------------------------------------------- wrappers

class Model(TorchModule):
    lispe_type = "torch_model_"
    label = "PyTorch Model"


class Linear(TorchModule):
    lispe_type = "torch_linear_"
    label = "PyTorch Linear Layer"


class Embedding(TorchModule):
    lispe_type = "torch_embedding_"
    label = "PyTorch Embedding"


class MultiHeadAttention(TorchModule):
    lispe_type = "torch_attention_"
    label = "PyTorch Multi-Head Attention"

    def attend(self, query, key, value, mask=None):
        if mask is None:
            return self.module(query, key, value, need_weights=False)[0]
        if isinstance(mask, str):
            return mha_sdpa(self.module, query, key, value, None, True)
        return mha_sdpa(self.module, query, key, value, mask)

    def forward(self, x):
        return self.attend(x, x, x)

    def attention_weights(self, x, mask=None, causal=False):
        """Weights on a batch-first ``[batch, seq, E]`` input (``[seq, E]``: ``[heads, seq, seq]``)."""
        if x.dim() == 2:
            return mha_weights(self.module, x.unsqueeze(1), mask, causal).squeeze(0)
        return mha_weights(self.module, x.transpose(0, 1), mask, causal)


class LayerNorm(TorchModule):
    lispe_type = "torch_layernorm_"
    label = "PyTorch Layer Normalization"


class TransformerBlock(TorchModule):
    lispe_type = "torch_transformer_block_"
    label = "PyTorch Transformer Block"

    def forward(self, x, mask=None):
        return self.module(x, mask)

    def attention_weights(self, x, mask=None, causal=False):
        """The weights of the block's self-attention on x (in the block's own layout)."""
        m = self.module
        if getattr(m, "pre_norm", False):
            x = m.norm1(x)                  # a pre-norm block attends over the normalised input
        if x.dim() == 2:
            return mha_weights(m.attention, x.unsqueeze(1), mask, causal or m.causal).squeeze(0)
        if m.batch_first:
            x = x.transpose(0, 1)
        return mha_weights(m.attention, x, mask, causal or m.causal)


class CheckpointedModule:
    """lispetorch's checkpoint wrapper: shares the wrapped module, plus an on/off flag."""

    lispe_type = "torch_checkpointed_module_"

    def __init__(self, inner):
        self.inner = inner
        self.module = module_of(inner)
        self.enabled = False

    def lispe_str(self):
        return "PyTorch Checkpointed Module (checkpointing %s)" % (
            "enabled" if self.enabled else "disabled")

    def __repr__(self):
        return "<%s>" % self.lispe_str()

    def parameters(self):
        return list(self.module.parameters())

    def train(self, mode=True):
        self.module.train(bool(mode))
        return self

    def eval(self):
        return self.train(False)

    def _run(self, x):
        inner = self.inner
        if isinstance(inner, (Linear, Model, TransformerBlock)):
            return inner.forward(x)
        if isinstance(inner, MultiHeadAttention):
            return inner.attend(x, x, x)
        raise LispEError("Unsupported module type for checkpointing")

    def forward(self, x):
        if (self.enabled and torch.is_grad_enabled() and self.module.training
                and not isinstance(self.inner, (LayerNorm, Embedding))):
            from torch.utils.checkpoint import checkpoint
            return checkpoint(self._run, x, use_reentrant=False)
        return self._run(x)


# --------------------------------------------------------------------------- builtins: creation

_SECOND = "Second argument must be a tensor"


@lib("torch_model", "torch_model_create")
def torch_model(input_size, hidden_size, output_size):
    "(torch_model in hidden out): MLP Linear(in,h)-ReLU-Linear(h,h)-ReLU-Linear(h,out); prints PyTorch Model."
    with cpp_errors("Error creating model: "):
        return Model(_nn()["SimpleMLP"](read_int(input_size), read_int(hidden_size),
                                        read_int(output_size)))


@lib("torch_forward", "torch_model_forward")
def torch_forward(model, input_data):
    "(torch_forward model x): forward pass of a model (lispe-py: of any module object)."
    if module_of(model) is None:
        raise LispEError("First argument must be a model")
    need_tensor(input_data, _SECOND)
    with cpp_errors("Error in forward pass: "):
        return forward_any(model, input_data)


@lib("torch_linear", "torch_linear_create")
def torch_linear(in_features, out_features, bias=TRUE):
    """(torch_linear in out [bias]): nn.Linear(in, out), with a bias unless bias is nil; prints
    PyTorch Linear Layer. (torch_linear x w) with two tensors is tensor_linear (x·wᵀ)."""
    if isinstance(in_features, torch.Tensor) and isinstance(out_features, torch.Tensor):
        return _tensor_math.tensor_linear(in_features, out_features)
    with cpp_errors("Error creating linear layer: "):
        return Linear(torch.nn.Linear(read_int(in_features), read_int(out_features),
                                      bias=truthy(bias)))


@lib("torch_linear_forward")
def torch_linear_forward(linear, input_data):
    "(torch_linear_forward linear x): x·Wᵀ + b."
    if not isinstance(linear, Linear):
        raise LispEError("First argument must be a linear layer")
    if not isinstance(input_data, torch.Tensor):
        need_tensor(input_data, _SECOND)
    try:
        return linear.module(input_data)
    except FAILURES as e:
        raise torch_error(e, "Error in linear forward: ") from None


@lib("torch_embedding", "torch_embedding_create")
def torch_embedding(num_embeddings, embedding_dim):
    "(torch_embedding n dim): nn.Embedding(n, dim), N(0,1) weights; prints PyTorch Embedding."
    with cpp_errors("Error creating embedding: "):
        return Embedding(torch.nn.Embedding(read_int(num_embeddings), read_int(embedding_dim)))


@lib("torch_embedding_forward")
def torch_embedding_forward(embedding, input_data):
    "(torch_embedding_forward emb ids): rows of the table for an int64/int32 index tensor -> [..., dim]."
    if not isinstance(embedding, Embedding):
        raise LispEError("First argument must be an embedding layer")
    if not isinstance(input_data, torch.Tensor):
        need_tensor(input_data, _SECOND)
    try:
        return embedding.module(input_data)
    except FAILURES as e:
        raise torch_error(e, "Error in embedding forward: ") from None


@lib("torch_multihead_attention", "torch_multihead_attention_create")
def torch_multihead_attention(embed_dim, num_heads):
    "(torch_multihead_attention E H): nn.MultiheadAttention(E, H), sequence-first; prints PyTorch Multi-Head Attention."
    e, h = read_int(embed_dim), read_int(num_heads)
    with cpp_errors("Error creating multi-head attention: "):
        if h <= 0 or e % h != 0:
            raise RuntimeError("embed_dim must be divisible by num_heads")
        return MultiHeadAttention(torch.nn.MultiheadAttention(e, h))


@lib("torch_attention_forward", "torch_multihead_attention_forward")
def torch_attention_forward(attention, query, key=None, value=None, mask=None):
    """(torch_attention_forward att q k v [mask]): attention output, sequence-first [seq, batch, E].
    Documentation forms: (att x) and (att x mask) = self-attention on batch-first [batch, seq, E]."""
    if not isinstance(attention, MultiHeadAttention):
        raise LispEError("First argument must be a multi-head attention layer")
    doc_form = value is None
    if doc_form:
        mask = key
        key = value = query
    for t in (query, key, value):
        if not isinstance(t, torch.Tensor):
            raise LispEError("Query, key, and value must be tensors")
    with cpp_errors("Error in multi-head attention forward: "):
        if doc_form and query.dim() == 3:
            x = query.transpose(0, 1)
            return attention.attend(x, x, x, mask).transpose(0, 1)
        return attention.attend(query, key, value, mask)


def _norm_shape(n):
    if isinstance(n, torch.Tensor):
        return [int(v) for v in n.reshape(-1).tolist()]
    if isinstance(n, list):
        return [read_int(v) for v in n]
    return [read_int(n)]


@lib("torch_layer_norm", "torch_layer_norm_create")
def torch_layer_norm(normalized_shape):
    "(torch_layer_norm n): nn.LayerNorm(n), eps 1e-5 (n may also be a shape list); prints PyTorch Layer Normalization."
    with cpp_errors("Error creating layer norm: "):
        return LayerNorm(torch.nn.LayerNorm(_norm_shape(normalized_shape)))


@lib("torch_layer_norm_forward")
def torch_layer_norm_forward(layer_norm, input_data):
    "(torch_layer_norm_forward ln x): normalise the last dimension(s) of x."
    if not isinstance(layer_norm, LayerNorm):
        raise LispEError("First argument must be a layer norm")
    if not isinstance(input_data, torch.Tensor):
        need_tensor(input_data, _SECOND)
    try:
        return layer_norm.module(input_data)
    except FAILURES as e:
        raise torch_error(e, "Error in layer norm forward: ") from None


_BLOCK_DEFAULTS = {"flash": False, "causal": False, "batch_first": False, "norm": "post",
                   "activation": "relu", "bias": True, "dropout": 0.0}


def _block_option(key, v):
    from lispe_py.torch.convert import read_float
    from lispe_py.values import to_string
    if key == "norm":
        s = v if isinstance(v, str) else to_string(v)
        if s not in ("pre", "post"):
            raise LispEError("Transformer block option norm: \"pre\" or \"post\", not " + s)
        return s
    if key == "activation":
        s = v if isinstance(v, str) else to_string(v)
        if s not in ACTIVATION_NAMES:
            raise LispEError("Transformer block option activation: one of %s, not %s"
                             % (", ".join(ACTIVATION_NAMES), s))
        return s
    if key == "dropout":
        p = 0.0 if v is None else read_float(v)
        if not 0.0 <= p < 1.0:
            raise LispEError("Transformer block option dropout: a probability in [0, 1)")
        return p
    return truthy(v)


def _block_options(options):
    opts = dict(_BLOCK_DEFAULTS)
    if options is None:
        return opts
    if isinstance(options, DICTS):
        for k, v in dict_items(options):
            key = str(k)
            if key not in opts:
                raise LispEError("Unknown transformer block option: " + key)
            opts[key] = _block_option(key, v)
        return opts
    if isinstance(options, str):
        if options not in ("flash", "causal", "batch_first"):
            raise LispEError("Unknown transformer block option: " + options)
        opts[options] = True
        return opts
    opts["flash"] = truthy(options)
    return opts


@lib("torch_transformer_block", "torch_transformer_block_create")
def torch_transformer_block(embed_dim, num_heads, ffn_dim, options=None):
    """(torch_transformer_block E H ffn [options]): post-norm ReLU transformer block (the C++'s),
    sequence-first. options (lispe-py): true = flash attention, or a dictionary {"flash": true
    "causal": true "batch_first": true "norm": "pre" "activation": "gelu" "bias": nil "dropout": p}."""
    e, h, f = read_int(embed_dim), read_int(num_heads), read_int(ffn_dim)
    opts = _block_options(options)
    with cpp_errors("Error creating transformer block: "):
        if h <= 0 or e % h != 0:
            raise RuntimeError("embed_dim must be divisible by num_heads")
        return TransformerBlock(_nn()["TransformerBlockModule"](e, h, f, **opts))


@lib("torch_transformer_forward", "torch_transformer_block_forward")
def torch_transformer_forward(block, input_data, mask=None):
    """(torch_transformer_forward block x [mask]): block output, same shape as x ([seq, batch, E]).
    mask (lispe-py): bool true = may attend, float = added; [batch, seq] = padding; "causal"."""
    if not isinstance(block, TransformerBlock):
        raise LispEError("First argument must be a transformer block")
    if not isinstance(input_data, torch.Tensor):
        need_tensor(input_data, _SECOND)
    try:
        return block.forward(input_data, mask)
    except FAILURES as e:
        raise torch_error(e, "Error in transformer block forward: ") from None


# --------------------------------------------------------------------------- checkpointing

@lib("torch_checkpoint_create")
def torch_checkpoint_create(module):
    "(torch_checkpoint_create module): gradient-checkpointing wrapper (disabled at first) sharing the module."
    if not isinstance(module, (Linear, MultiHeadAttention, LayerNorm, Embedding, Model,
                               TransformerBlock)):
        raise LispEError("Unsupported module type for checkpointing")
    return CheckpointedModule(module)


def _need_checkpointed(c):
    if not isinstance(c, CheckpointedModule):
        raise LispEError("Argument must be a checkpointed module")
    return c


@lib("torch_checkpoint_enable")
def torch_checkpoint_enable(module):
    "(torch_checkpoint_enable c): recompute activations during backward instead of storing them."
    _need_checkpointed(module).enabled = True
    return TRUE


@lib("torch_checkpoint_disable")
def torch_checkpoint_disable(module):
    "(torch_checkpoint_disable c): plain forward again."
    _need_checkpointed(module).enabled = False
    return TRUE


@lib("torch_checkpoint_forward")
def torch_checkpoint_forward(module, input_data):
    "(torch_checkpoint_forward c x): forward of the wrapped module (attention: self-attention)."
    _need_checkpointed(module)
    need_tensor(input_data, _SECOND)
    with cpp_errors("Error in checkpoint forward: "):
        return module.forward(input_data)
