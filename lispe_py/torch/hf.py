"""Hugging Face (safetensors) causal language models: loading, KV cache, generation, LoRA
(spec §1.17).

lispe-py runs the same model family as lispetorch's loader on local files (no download): a
Llama-style decoder (RMSNorm, rotary position embedding with ``rope_theta`` and the
checkpoint's ``rope_scaling`` — linear or llama3 —, grouped-query attention, SwiGLU MLP,
optional tied embeddings, optional q/k projection biases, Qwen3's q/k norms) read from
``PATH/config.json`` and the ``*.safetensors`` files of ``PATH`` (read by the ``safetensors``
library, straight onto the model's device; ``transformers`` is not needed). Every operation is
the one transformers' Llama/Qwen2/Qwen3 models perform, in the same dtype, so the logits are
transformers' on the same weights (tests/test_lispetorch_programs.py checks it).

lispe-py computes the model itself rather than through transformers' classes: it is faster
on the CPU and on a GPU (bench/RESULTS.md: ``bench/hf_generate.py``), needs no transformers
at run time, and keeps lispetorch's LoRA, manual-attention and sliding-window features on
the same weights. The KV cache is static: one preallocated buffer per layer for keys and one
for values, written in place (grown by doubling, 256 tokens at a time), not concatenated per
token; a sliding window (``max_cache_len``) or a step that needs gradients concatenates.
``torch_hf_generate`` keeps the tokens on the device; in greedy decoding on a GPU without a
callback the host reads them every 16 tokens (tokens computed after an EOS are dropped), so
the GPU is never idle waiting for Python; with sampling, a callback, or on the CPU, after each.
On CUDA a single new token attends to grouped keys/values directly (SDPA's ``enable_gqa``)
and RMSNorm is PyTorch's fused ``rms_norm`` (the same formula).

Weights keep the dtype of the file (bf16 for hub checkpoints), as in the C++; the load
configuration key ``"dtype"`` (``"float32"``/``"float"``, ``"bfloat16"``, ``"float16"``/``"half"``,
the names of ``torch_hf_lora_init``; ``"auto"`` = the file's) converts them. Logits come back as
float32 tensors (the model-dtype values, widened) so that softmax, sampling and cross-entropy
run in float32. ``"device" "mps"`` (and ``"cuda"`` without CUDA) uses the best device present,
with one note on stderr per process.

Models belong to the interpreter that loads them (``Interpreter.hf_models``: two ``LispE()``
instances do not see each other's models). A model is named by a string: the folder path
(``torch_hf_load_model``) or a chosen name (``torch_hf_load_model_lora``); loading a path again
returns the model already loaded. Unknown names raise ``Model not loaded: ID`` (LoRA functions:
``Model not found: ID``); a folder without ``config.json`` raises
``  ✗ Cannot open config file: PATH/config.json``.

* ``torch_hf_load_model path [config]``: config keys ``device``, ``max_seq_len``,
  ``rope_scaling`` (positions are divided by it), ``temperature``, ``top_p``, ``top_k``,
  ``repetition_penalty``, ``use_kv_cache`` (the shared default cache is kept between
  ``torch_hf_forward`` calls), ``max_cache_len`` (sliding window, 0 = unlimited),
  ``manual_attention`` (explicit softmax attention whose scores can be read back), ``dtype``
  (lispe-py).
* ``torch_hf_forward id ids [kvcache]`` → logits ``[batch, seq, vocab]`` (``ids``: an int64
  tensor ``[batch, seq]`` or ``[seq]``); with a cache object the call continues from the cached
  tokens (give the prompt first, then one token per call). ``torch_hf_forward_manual`` does the
  same in manual mode and records the attention probabilities: ``torch_hf_forward_attention_scores
  id layer [kvcache]`` (a CPU tensor ``[batch, heads, q, k]`` or nil),
  ``torch_hf_forward_attention_size``, ``torch_hf_clear_attention_scores``.
* ``torch_hf_enable_kv_cache id flag``: a new cache object (flag true) or the shared one
  (passing it is passing nothing: it caches only with ``use_kv_cache``);
  ``torch_hf_reset_kv_cache cache``.
* ``torch_hf_generate id tokens eos max_length [options]`` → ``integers`` of the new tokens
  (an EOS hit is included): the prompt goes through a fresh cache, then one token per step;
  logits are divided by the load ``temperature``, seen tokens (last 100) get Hugging Face's
  repetition penalty (positive logits divided, negative multiplied), then ``{"topk" K}`` →
  top-k sampling, ``{"topp" P}`` → nucleus sampling, ``{"greedy" true}`` → argmax, otherwise
  sampling from the softmax. ``"callback"`` (a function of ``(token data)`` or ``(token)``) is
  called with each new token, ``"data"`` is its second argument. Stops when the last token is
  in ``eos`` (an integer or a list), checked before the first step too.
* ``torch_hf_embeddings id ids``, ``torch_hf_model_info id`` → ``("vocab_size" V "hidden_size"
  H)``, ``torch_hf_get_rms_norm_eps``, ``torch_hf_memory_usage`` (bytes of the weights),
  ``torch_hf_get_q_weight`` … ``_down_weight`` and the fused ``_qkv_fused_`` /
  ``_gate_up_fused_weight`` (these return an error value instead of raising, as the C++).
* ``torch_hf_list_weights`` → ``()``, ``torch_hf_get_weight`` → nil and
  ``torch_hf_model_summary`` → ``"HF Model Summary"``, as the C++ (lispe-py's
  ``torch_hf_weight_names id`` lists the tensor names).
* LoRA: ``torch_hf_load_model_lora name path config``, ``torch_hf_lora_init name rank alpha
  targets [dtype]`` (targets among ``q_proj k_proj v_proj o_proj gate_proj up_proj down_proj``;
  A ~ N(0, 1/√r)… as local LoRA layers, B = 0), ``torch_hf_lora_get_parameters``
  (``torch_hf_lora_parameters``), ``torch_hf_lora_save`` / ``_load`` (a lispe-py file),
  ``_merge`` / ``_unmerge``, ``_enable``.
"""

import json
import math
import os

from lispe_py.torch._helpers import lib
from lispe_py.errors import LispEError
from lispe_py.sandbox import guard_path
from lispe_py.torch._lazy import torch, F
from lispe_py.torch.convert import read_int, read_float, to_tensor, torch_message
from lispe_py.values import (TRUE, Integers, List, Maybe, Strings, DICTS, dict_items, truthy,
                             to_string)

__all__ = ["HFModel", "KVCache", "load_safetensors", "save_safetensors", "models_of"]


# --------------------------------------------------------------------------- safetensors

def _safetensors_error():
    try:
        from safetensors import SafetensorError
        return SafetensorError
    except ImportError:            # an older safetensors: its error is a plain Exception
        return Exception


def load_safetensors(path, device="cpu"):
    """name -> tensor of a ``.safetensors`` file, read by the ``safetensors`` library straight
    onto ``device``."""
    from safetensors import safe_open
    guard_path(path)
    out = {}
    try:
        with safe_open(path, framework="pt", device=str(device)) as f:
            for name in f.keys():
                out[name] = f.get_tensor(name)
    except _safetensors_error() as e:
        raise ValueError("%s: %s" % (path, e)) from None
    return out


def save_safetensors(path, tensors):
    """Write name -> tensor as a ``.safetensors`` file (``safetensors.torch.save_file``, with the
    ``{"format": "pt"}`` metadata transformers expects)."""
    from safetensors.torch import save_file
    guard_path(path)
    save_file({k: t.detach().to("cpu").contiguous().clone() for k, t in tensors.items()},
              path, metadata={"format": "pt"})


# --------------------------------------------------------------------------- KV cache

class KVCache:
    """Keys and values of the tokens seen so far, per layer (lispetorch's inference context).

    A static cache: per layer one preallocated buffer ``[batch, kv_heads, capacity, head_dim]``
    for keys and one for values, written in place at the current position (no concatenation
    per token); the capacity grows by doubling (multiples of 256 tokens). With ``max_len``
    (a sliding window) the last ``max_len`` tokens are kept instead."""

    lispe_type = "context_inference_"

    def __init__(self, layers, max_len=0):
        self.layers = layers
        self.max_len = max_len
        self.reset()

    def reset(self):
        self.k = [None] * self.layers
        self.v = [None] * self.layers
        self.position = 0
        self.scores = []
        self.record = False

    def store(self, i, kh, vh):
        """Append this step's keys/values ``[b, kv, q, d]`` of layer ``i``; the keys and values
        of every cached token (views of the buffers)."""
        start = self.position
        end = start + kh.shape[2]
        kb = self.k[i]
        if (kb is None or kb.shape[2] < end or kb.shape[0] != kh.shape[0]
                or kb.dtype != kh.dtype or kb.device != kh.device):
            kb, vb = self._grow(i, kh, start, end)
        else:
            vb = self.v[i]
        kb[:, :, start:end] = kh
        vb[:, :, start:end] = vh
        return kb[:, :, :end], vb[:, :, :end]

    def _grow(self, i, kh, start, end):
        old_k, old_v = self.k[i], self.v[i]
        cap = max(256, ((end + 255) // 256) * 256)
        if old_k is not None:
            cap = max(cap, 2 * old_k.shape[2])
        b, kv, _, d = kh.shape
        kb = torch.empty(b, kv, cap, d, dtype=kh.dtype, device=kh.device)
        vb = torch.empty_like(kb)
        if old_k is not None and start and old_k.shape[0] == b:
            kb[:, :, :start] = old_k[:, :, :start].to(kh.dtype)
            vb[:, :, :start] = old_v[:, :, :start].to(kh.dtype)
        self.k[i], self.v[i] = kb, vb
        return kb, vb

    def lispe_str(self):
        return "KV Cache (%d tokens)" % self.position

    def __repr__(self):
        return "<%s>" % self.lispe_str()


# --------------------------------------------------------------------------- the model

_RMS_NORM = None   # F.rms_norm (torch >= 2.4), used on CUDA
_GQA = []          # [True] when scaled_dot_product_attention takes enable_gqa (torch >= 2.5)


def _gqa_supported():
    z = torch.zeros(1, 1, 1, 2)
    try:
        F.scaled_dot_product_attention(torch.zeros(1, 2, 1, 2), z, z, enable_gqa=True)
        return True
    except (TypeError, RuntimeError):
        return False


_DEFAULTS = {"device": None, "max_seq_len": 0, "rope_scaling": 1.0, "temperature": 1.0,
             "top_p": 1.0, "top_k": 0, "repetition_penalty": 1.0, "use_kv_cache": False,
             "max_cache_len": 0, "manual_attention": False, "dtype": None}

_TARGETS = {"q_proj": "self_attn", "k_proj": "self_attn", "v_proj": "self_attn",
            "o_proj": "self_attn", "gate_proj": "mlp", "up_proj": "mlp", "down_proj": "mlp"}

# dtype names: those of torch_hf_lora_init (the C++'s), plus short forms; "auto" = the file's
_DTYPE_NAMES = {"bfloat16": "bfloat16", "bf16": "bfloat16", "float16": "float16",
                "half": "float16", "fp16": "float16", "float32": "float32", "float": "float32",
                "fp32": "float32", "auto": None}


class _Layer:
    """Names and weights of one decoder layer (looked up once, not per forward)."""

    __slots__ = ("names", "ln1", "ln2", "q_norm", "k_norm")

    def __init__(self, w, i):
        p = "model.layers.%d." % i
        self.names = {t: p + "%s.%s" % (_TARGETS[t], t) for t in _TARGETS}
        self.ln1 = w[p + "input_layernorm.weight"]
        self.ln2 = w[p + "post_attention_layernorm.weight"]
        self.q_norm = w.get(p + "self_attn.q_norm.weight")
        self.k_norm = w.get(p + "self_attn.k_norm.weight")


class HFModel:
    """A Llama/Qwen-style decoder over a dictionary of weights, computed as transformers'
    ``LlamaForCausalLM`` / ``Qwen2ForCausalLM`` / ``Qwen3ForCausalLM`` do (same operations in
    the same dtype, so the logits are those of transformers on the same weights)."""

    def __init__(self, path, config, options, weights, device, lora_capable=False):
        self.path = path
        self.config = config
        self.options = options
        self.device = device
        self.w = weights
        c = config
        self.vocab = int(c["vocab_size"])
        self.hidden = int(c["hidden_size"])
        self.layers = int(c["num_hidden_layers"])
        self.heads = int(c["num_attention_heads"])
        self.kv_heads = int(c.get("num_key_value_heads") or self.heads)
        self.head_dim = int(c.get("head_dim") or self.hidden // self.heads)
        self.eps = float(c.get("rms_norm_eps", 1e-6))
        rp = c.get("rope_scaling") or c.get("rope_parameters") or {}
        theta = c.get("rope_theta")
        if theta is None:
            theta = rp.get("rope_theta", 10000.0)
        self.theta = float(theta)
        self.rope_type = rp.get("rope_type", rp.get("type", "default")) or "default"
        if self.rope_type not in ("default", "linear", "llama3"):
            raise LispEError("Error loading HF model: rope scaling '%s' is not supported "
                             "(default, linear, llama3)" % self.rope_type, prefix=False)
        self.rope_params = rp
        self.manual = bool(options["manual_attention"])
        self.default_cache = KVCache(self.layers, options["max_cache_len"])
        self.lora_capable = lora_capable
        self.lora = {}             # linear name -> [A, B]
        self.lora_scaling = 1.0
        self.lora_enabled = True
        self.lora_merged = False
        self._validate()
        self.dtype = self.w["model.embed_tokens.weight"].dtype
        self._layers = [_Layer(self.w, i) for i in range(self.layers)]
        self._rope_len = 0
        self._rope_cos = self._rope_sin = None
        self._rope_conv = None
        if not _GQA:
            _GQA.append(_gqa_supported())
            global _RMS_NORM
            _RMS_NORM = getattr(F, "rms_norm", None)

    # ---- weights
    def _validate(self):
        need = ["model.embed_tokens.weight", "model.norm.weight"]
        for i in range(self.layers):
            p = "model.layers.%d." % i
            need += [p + "input_layernorm.weight", p + "post_attention_layernorm.weight"]
            need += [p + "self_attn.%s.weight" % n for n in ("q_proj", "k_proj", "v_proj",
                                                              "o_proj")]
            need += [p + "mlp.%s.weight" % n for n in ("gate_proj", "up_proj", "down_proj")]
        missing = [n for n in need if n not in self.w]
        if missing:
            raise LispEError("Error validating HF model: missing weight " + missing[0],
                             prefix=False)

    def head(self):
        return self.w.get("lm_head.weight", self.w["model.embed_tokens.weight"])

    def linear(self, x, name):
        y = F.linear(x, self.w[name + ".weight"], self.w.get(name + ".bias"))
        if self.lora:
            ab = self.lora.get(name)
            if ab is not None and self.lora_enabled and not self.lora_merged:
                a, b = ab
                y = y + (F.linear(F.linear(x.to(a.dtype), a), b) * self.lora_scaling).to(y.dtype)
        return y

    def rms(self, x, weight):
        # transformers' LlamaRMSNorm: normalise in float32, back to the input dtype, then scale
        xf = x.float()
        if x.is_cuda and _RMS_NORM is not None:         # one fused kernel, same formula
            xf = _RMS_NORM(xf, (xf.shape[-1],), eps=self.eps)
        else:
            xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return weight * xf.to(x.dtype)

    def rope(self, start, length, device):
        """cos, sin ``[length, head_dim]`` (float32) for positions start.. start+length-1."""
        end = start + length
        if self._rope_cos is None or end > self._rope_len or self._rope_cos.device != device:
            n = max(end, 2 * self._rope_len, 256)
            inv = self.inv_freq(device)
            pos = torch.arange(n, dtype=torch.float32, device=device)
            pos = pos / float(self.options["rope_scaling"] or 1.0)
            freqs = torch.outer(pos, inv)
            emb = torch.cat([freqs, freqs], dim=-1)
            self._rope_cos, self._rope_sin, self._rope_len = emb.cos(), emb.sin(), n
        return self._rope_cos[start:end], self._rope_sin[start:end]

    def inv_freq(self, device):
        """RoPE inverse frequencies, with the checkpoint's ``rope_scaling`` (linear, llama3)
        applied as transformers does."""
        d = self.head_dim
        inv = 1.0 / (self.theta ** (torch.arange(0, d, 2, dtype=torch.int64, device=device)
                                    .float() / d))
        rp = self.rope_params
        if self.rope_type == "linear":
            inv = inv / float(rp["factor"])
        elif self.rope_type == "llama3":
            factor = float(rp["factor"])
            low, high = float(rp["low_freq_factor"]), float(rp["high_freq_factor"])
            old = float(rp["original_max_position_embeddings"])
            wavelen = 2 * math.pi / inv
            scaled = torch.where(wavelen > old / low, inv / factor, inv)
            smooth = (old / wavelen - low) / (high - low)
            smoothed = (1 - smooth) * scaled / factor + smooth * scaled
            medium = ~(wavelen < old / high) * ~(wavelen > old / low)
            inv = torch.where(medium, smoothed, scaled)
        return inv

    @staticmethod
    def _rotate(x, cos, sin):
        half = x.shape[-1] // 2
        rot = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * cos + rot * sin

    # ---- forward
    def attention(self, i, x, cache, cos, sin):
        b, q, _ = x.shape
        lay = self._layers[i]
        nm = lay.names
        qh = self.linear(x, nm["q_proj"]).view(b, q, self.heads, self.head_dim)
        kh = self.linear(x, nm["k_proj"]).view(b, q, self.kv_heads, self.head_dim)
        vh = self.linear(x, nm["v_proj"]).view(b, q, self.kv_heads, self.head_dim)
        if lay.q_norm is not None:
            qh = self.rms(qh, lay.q_norm)
        if lay.k_norm is not None:
            kh = self.rms(kh, lay.k_norm)
        qh, kh, vh = qh.transpose(1, 2), kh.transpose(1, 2), vh.transpose(1, 2)
        qh = self._rotate(qh, cos, sin)
        kh = self._rotate(kh, cos, sin)
        if cache is not None:
            keep = cache.max_len
            if keep or (kh.requires_grad and torch.is_grad_enabled()):
                # sliding window, or gradients through this step: concatenate (the cache
                # keeps detached copies)
                prev_k, prev_v = cache.k[i], cache.v[i]
                if prev_k is not None:
                    if not keep:
                        n = cache.position
                        prev_k, prev_v = prev_k[:, :, :n], prev_v[:, :, :n]
                    kh = torch.cat([prev_k, kh], dim=2)
                    vh = torch.cat([prev_v, vh], dim=2)
                cache.k[i] = kh[:, :, -keep:].detach() if keep else kh.detach()
                cache.v[i] = vh[:, :, -keep:].detach() if keep else vh.detach()
            else:
                kh, vh = cache.store(i, kh, vh)        # the static cache
        klen = kh.shape[2]
        rep = self.heads // self.kv_heads
        if rep > 1 and not self.manual and q == 1 and x.is_cuda and _GQA[0]:
            # one new token on CUDA: SDPA reads the grouped keys/values as they are
            out = F.scaled_dot_product_attention(qh, kh, vh, enable_gqa=True)
            out = out.transpose(1, 2).reshape(b, q, self.heads * self.head_dim)
            return self.linear(out, nm["o_proj"])
        if rep > 1:
            kh = kh[:, :, None].expand(b, self.kv_heads, rep, klen, self.head_dim) \
                .reshape(b, self.heads, klen, self.head_dim)
            vh = vh[:, :, None].expand(b, self.kv_heads, rep, klen, self.head_dim) \
                .reshape(b, self.heads, klen, self.head_dim)
        if self.manual:
            scores = (qh @ kh.transpose(-2, -1)) / math.sqrt(self.head_dim)
            if q > 1:
                mask = torch.ones(q, klen, dtype=torch.bool, device=x.device).tril(klen - q)
                scores = scores.masked_fill(~mask, float("-inf"))
            probs = torch.softmax(scores.float(), dim=-1).to(qh.dtype)
            if cache is not None and cache.record:
                cache.scores.append(probs.detach().cpu())
            out = probs @ vh
        elif q == 1:
            out = F.scaled_dot_product_attention(qh, kh, vh)
        elif q == klen:
            out = F.scaled_dot_product_attention(qh, kh, vh, is_causal=True)
        else:
            mask = torch.ones(q, klen, dtype=torch.bool, device=x.device).tril(klen - q)
            out = F.scaled_dot_product_attention(qh, kh, vh, attn_mask=mask)
        out = out.transpose(1, 2).reshape(b, q, self.heads * self.head_dim)
        return self.linear(out, nm["o_proj"])

    def mlp(self, i, x):
        nm = self._layers[i].names
        return self.linear(F.silu(self.linear(x, nm["gate_proj"])) * self.linear(x, nm["up_proj"]),
                           nm["down_proj"])

    def forward(self, ids, cache=None, last_only=False):
        """Logits ``[batch, seq, vocab]`` (float32) for int64 ids ``[batch, seq]`` (``last_only``:
        those of the last position, ``[batch, 1, vocab]``)."""
        if ids.device != self.device:
            ids = ids.to(self.device)
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        start = cache.position if cache is not None else 0
        cos, sin = self.rope_as(start, ids.shape[1], x)
        if cache is not None and cache.record:
            cache.scores = []
        for i, lay in enumerate(self._layers):
            x = x + self.attention(i, self.rms(x, lay.ln1), cache, cos, sin)
            x = x + self.mlp(i, self.rms(x, lay.ln2))
        if last_only:
            x = x[:, -1:]
        x = self.rms(x, self.w["model.norm.weight"])
        if cache is not None:
            cache.position += ids.shape[1]
        return F.linear(x, self.head()).float()

    def rope_as(self, start, length, x):
        """``rope`` in x's dtype (the converted tables are kept)."""
        cos, sin = self.rope(start, length, x.device)
        if x.dtype == torch.float32:
            return cos, sin
        conv = self._rope_conv
        if conv is None or conv[0] is not self._rope_cos or conv[1] != x.dtype:
            conv = self._rope_conv = (self._rope_cos, x.dtype, self._rope_cos.to(x.dtype),
                                      self._rope_sin.to(x.dtype))
        return conv[2][start:start + length], conv[3][start:start + length]

    def memory(self):
        return sum(t.numel() * t.element_size() for t in self.w.values())

    # ---- LoRA
    def lora_names(self, targets):
        return [lay.names[t] for lay in self._layers for t in targets]

    def merge(self, sign):
        with torch.no_grad():
            for name, (a, b) in self.lora.items():
                w = self.w[name + ".weight"]
                w.add_((b.float() @ a.float()).to(w.dtype) * (sign * self.lora_scaling))


# --------------------------------------------------------------------------- loading

def _options(config):
    opts = dict(_DEFAULTS)
    if isinstance(config, DICTS):
        for k, v in dict_items(config):
            key = k if isinstance(k, str) else to_string(k)
            if key == "torch_dtype":
                key = "dtype"
            if key not in opts:
                continue
            if key == "device":
                opts[key] = v
            elif key == "dtype":
                name = None if v is None else (v if isinstance(v, str) else to_string(v))
                if name is not None and name not in _DTYPE_NAMES:
                    raise LispEError("Error loading HF model: unknown dtype: %s (bfloat16, "
                                     "float16, float32 or auto)" % name, prefix=False)
                opts[key] = _DTYPE_NAMES.get(name)
            elif key in ("use_kv_cache", "manual_attention"):
                opts[key] = truthy(v)
            elif key in ("max_seq_len", "top_k", "max_cache_len"):
                opts[key] = read_int(v)
            else:
                opts[key] = read_float(v)
    return opts


def _device(name):
    """The device of a load configuration: "mps" and "cuda" fall back (with one note on stderr)
    to the best available device when the machine lacks them, so that the documentation's
    programs ("device" "mps") run anywhere."""
    from lispe_py.torch.devices import lookup_device, best_device, warn_once
    if name is None:
        return torch.device("cpu")
    s = name if isinstance(name, str) else to_string(name)
    if (s == "cuda" or s.startswith("cuda:")) and not torch.cuda.is_available():
        dev = best_device()
        warn_once("cuda", "lispe-py: CUDA is not available on this machine; using %s instead"
                  % dev)
        return torch.device(dev)
    return lookup_device(s)


def _load(path, config, lora_capable=False):
    guard_path(path)
    opts = _options(config)
    device = _device(opts["device"])
    cfg_path = os.path.join(path, "config.json")
    if not os.path.isfile(cfg_path):
        raise LispEError("  \u2717 Cannot open config file: " + cfg_path, prefix=False)
    try:
        with open(cfg_path, encoding="utf-8") as f:
            cfg = json.load(f)
        cfg = cfg.get("text_config", cfg) if "vocab_size" not in cfg else cfg
        files = sorted(n for n in os.listdir(path) if n.endswith(".safetensors"))
        if not files:
            raise ValueError("no .safetensors file in " + path)
        weights = {}
        for n in files:
            weights.update(load_safetensors(os.path.join(path, n), device))
        dt = getattr(torch, opts["dtype"]) if opts["dtype"] else None
        for k, v in weights.items():
            if dt is not None and v.is_floating_point() and v.dtype != dt:
                v = v.to(dt)
            if v.device != device:
                v = v.to(device)
            weights[k] = v
        return HFModel(path, cfg, opts, weights, device, lora_capable)
    except LispEError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        raise LispEError("Error loading HF model: " + torch_message(e), prefix=False) from None


def _str(x):
    return x if isinstance(x, str) else to_string(x)


def models_of(interp):
    """The models loaded by one interpreter (name -> HFModel): each LispE instance has its own."""
    return interp.hf_models


def _model(interp, path):
    m = interp.hf_models.get(_str(path))
    if m is None:
        raise LispEError("Model not loaded: " + _str(path), prefix=False)
    return m


def _lora_model(interp, name):
    m = interp.hf_models.get(_str(name))
    if m is None:
        raise LispEError("Model not found: " + _str(name), prefix=False)
    if not m.lora_capable:
        raise LispEError("Model is not a LoRA model", prefix=False)
    return m


def _ids(x):
    t = x if isinstance(x, torch.Tensor) else to_tensor(x)
    if t.dim() == 1:
        t = t.unsqueeze(0)
    return t.long()


def _cache(model, kvcache):
    # the shared context ((torch_hf_enable_kv_cache id false), or no argument) keeps keys and
    # values between calls only when the model was loaded with "use_kv_cache" true
    if kvcache is None or kvcache is model.default_cache:
        return model.default_cache if model.options["use_kv_cache"] else None
    if not isinstance(kvcache, KVCache):
        raise LispEError("Expecting kv cache object")
    return kvcache


def hflib(name, *aliases, arity=None):
    """Register an HF builtin: a library function that receives the interpreter (whose
    ``hf_models`` holds the loaded models) and the environment first."""
    return lib(name, *aliases, arity=arity, interp=True)


# --------------------------------------------------------------------------- builtins: models

@hflib("torch_hf_load_model", arity=(1, 2))
def torch_hf_load_model(interp, env, path, config=None):
    "(torch_hf_load_model path [config]): load a local Llama/Qwen safetensors model; returns its id (the path)."
    p = _str(path)
    if p not in interp.hf_models:
        interp.hf_models[p] = _load(p, config)
    return p


@hflib("torch_hf_load_model_lora")
def torch_hf_load_model_lora(interp, env, model_name, path, config):
    "(torch_hf_load_model_lora name path config): load a model that can take LoRA adapters; returns name."
    name = _str(model_name)
    interp.hf_models[name] = _load(_str(path), config, lora_capable=True)
    return name


@hflib("torch_hf_model_info")
def torch_hf_model_info(interp, env, path):
    "(torch_hf_model_info id): (\"vocab_size\" V \"hidden_size\" H)."
    m = _model(interp, path)
    return List(["vocab_size", m.vocab, "hidden_size", m.hidden])


@hflib("torch_hf_list_weights")
def torch_hf_list_weights(interp, env, path):
    "(torch_hf_list_weights id): an empty list, as lispetorch (see torch_hf_weight_names)."
    return List()


@hflib("torch_hf_weight_names")
def torch_hf_weight_names(interp, env, path):
    "(torch_hf_weight_names id): (lispe-py) names of the model's tensors (strings)."
    return Strings(sorted(_model(interp, path).w))


@hflib("torch_hf_get_weight")
def torch_hf_get_weight(interp, env, path, name):
    "(torch_hf_get_weight id name): nil, as lispetorch."
    return None


@hflib("torch_hf_model_summary")
def torch_hf_model_summary(interp, env, path):
    "(torch_hf_model_summary id): the string HF Model Summary, as lispetorch."
    return "HF Model Summary"


def _layer_getter(suffixes, what, fused=False):
    def get(interp, env, path, layer):
        if not (isinstance(layer, int) and not isinstance(layer, bool)):
            return Maybe("Missing or invalid layer index")
        m = interp.hf_models.get(_str(path))
        if m is None:
            return Maybe("Model not loaded: " + _str(path))
        if layer < 0 or layer >= m.layers:
            return Maybe("Invalid layer index")
        names = ["model.layers.%d.%s.weight" % (layer, s) for s in suffixes]
        if any(n not in m.w for n in names):
            return Maybe("%s weight not found for this layer%s" % (
                what, " (may not be initialized yet)" if fused else ""))
        ts = [m.w[n] for n in names]
        return ts[0] if len(ts) == 1 else torch.cat(ts, dim=0)
    return get


for _name, _sfx, _what, _fused in (
        ("q", ["self_attn.q_proj"], "Q", False), ("k", ["self_attn.k_proj"], "K", False),
        ("v", ["self_attn.v_proj"], "V", False), ("o", ["self_attn.o_proj"], "O", False),
        ("gate", ["mlp.gate_proj"], "Gate", False), ("up", ["mlp.up_proj"], "Up", False),
        ("down", ["mlp.down_proj"], "Down", False),
        ("qkv_fused", ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"], "QKV fused",
         True),
        ("gate_up_fused", ["mlp.gate_proj", "mlp.up_proj"], "Gate-up fused", True)):
    _fn = _layer_getter(_sfx, _what, _fused)
    _fn.__name__ = "torch_hf_get_%s_weight" % _name
    _fn.__doc__ = "(torch_hf_get_%s_weight id layer): the %s weight of a layer (an error value " \
                  "when missing)." % (_name, _what)
    hflib("torch_hf_get_%s_weight" % _name)(_fn)


@hflib("torch_hf_get_rms_norm_eps")
def torch_hf_get_rms_norm_eps(interp, env, path):
    "(torch_hf_get_rms_norm_eps id): the model's RMSNorm epsilon (a number)."
    m = interp.hf_models.get(_str(path))
    if m is None:
        return Maybe("Model not loaded: " + _str(path))
    return float(m.eps)


@hflib("torch_hf_memory_usage")
def torch_hf_memory_usage(interp, env, path):
    "(torch_hf_memory_usage id): bytes held by the model's weights."
    return int(_model(interp, path).memory())


# --------------------------------------------------------------------------- builtins: running

def _forward(interp, path, input_ids, kvcache, manual):
    m = _model(interp, path)
    if not isinstance(input_ids, torch.Tensor):
        raise LispEError("Input must be a torch tensor", prefix=False)
    if manual and not m.manual:
        raise LispEError("Model was not loaded in manual mode (set \"manual_attention\" to true "
                         "in the configuration)")
    cache = _cache(m, kvcache)
    if manual and cache is None:
        cache = m.default_cache
        if not m.options["use_kv_cache"]:
            cache.reset()
    try:
        if cache is not None:
            cache.record = manual
        return m.forward(_ids(input_ids), cache)
    except LispEError:
        raise
    except (RuntimeError, ValueError, IndexError, TypeError) as e:
        raise LispEError("Error in HF forward: " + torch_message(e), prefix=False) from None


@hflib("torch_hf_forward", arity=(2, 3))
def torch_hf_forward(interp, env, path, input_ids, kvcache=None):
    "(torch_hf_forward id ids [kvcache]): logits [batch, seq, vocab] (continuing the cache's tokens)."
    return _forward(interp, path, input_ids, kvcache, False)


@hflib("torch_hf_forward_manual", arity=(2, 3))
def torch_hf_forward_manual(interp, env, path, input_ids, kvcache=None):
    "(torch_hf_forward_manual id ids [kvcache]): forward with explicit attention, recording its scores."
    return _forward(interp, path, input_ids, kvcache, True)


def _scores_cache(interp, path, kvcache):
    m = interp.hf_models.get(_str(path))
    if m is None:
        raise LispEError("Model not found: " + _str(path))
    if kvcache is not None:
        if not isinstance(kvcache, KVCache):
            raise LispEError("Expecting kv cache object")
        return kvcache
    return m.default_cache


@hflib("torch_hf_forward_attention_scores", arity=(2, 3))
def torch_hf_forward_attention_scores(interp, env, path, layer_index, kvcache=None):
    "(torch_hf_forward_attention_scores id layer [kvcache]): attention probabilities of a layer from the last manual forward, or nil."
    c = _scores_cache(interp, path, kvcache)
    i = read_int(layer_index)
    if 0 <= i < len(c.scores):
        return c.scores[i]
    return None


@hflib("torch_hf_forward_attention_size", arity=(1, 2))
def torch_hf_forward_attention_size(interp, env, path, kvcache=None):
    "(torch_hf_forward_attention_size id [kvcache]): number of layers with recorded scores."
    return len(_scores_cache(interp, path, kvcache).scores)


@hflib("torch_hf_clear_attention_scores", arity=(1, 2))
def torch_hf_clear_attention_scores(interp, env, path, kvcache=None):
    "(torch_hf_clear_attention_scores id [kvcache]): forget the recorded scores; true."
    _scores_cache(interp, path, kvcache).scores = []
    return TRUE


@hflib("torch_hf_enable_kv_cache")
def torch_hf_enable_kv_cache(interp, env, path, enable):
    "(torch_hf_enable_kv_cache id flag): a new KV cache (flag true) or the model's shared one."
    m = _model(interp, path)
    if truthy(enable):
        return KVCache(m.layers, m.options["max_cache_len"])
    return m.default_cache


@hflib("torch_hf_reset_kv_cache")
def torch_hf_reset_kv_cache(interp, env, kvcache):
    "(torch_hf_reset_kv_cache cache): empty the cache; true."
    if not isinstance(kvcache, KVCache):
        raise LispEError("Expecting a kv cache type")
    kvcache.reset()
    return TRUE


@hflib("torch_hf_embeddings")
def torch_hf_embeddings(interp, env, path, token_ids):
    "(torch_hf_embeddings id ids): embedding rows of token ids (tensor or numeric list)."
    m = _model(interp, path)
    ids = token_ids if isinstance(token_ids, torch.Tensor) else to_tensor(token_ids)
    try:
        return F.embedding(ids.long().to(m.device), m.w["model.embed_tokens.weight"])
    except (RuntimeError, IndexError) as e:
        raise LispEError("Error in HF embeddings: " + torch_message(e), prefix=False) from None


def _token_list(x):
    if isinstance(x, torch.Tensor):
        return [int(v) for v in x.reshape(-1).tolist()]
    if isinstance(x, list):
        return [read_int(v) for v in x]
    return [read_int(x)]


_MISSING = object()


def _option(options, key, missing=None):
    if not isinstance(options, DICTS):
        return missing
    for k, v in dict_items(options):
        if (k if isinstance(k, str) else to_string(k)) == key:
            return v
    return missing


class _Sampling:
    """The decoding rule of one torch_hf_generate call (options read once)."""

    __slots__ = ("temperature", "penalty", "topk", "topp", "greedy")

    def __init__(self, m, options):
        self.temperature = float(m.options["temperature"])
        self.penalty = float(m.options["repetition_penalty"])
        topk = _option(options, "topk")
        topp = _option(options, "topp")
        self.topk = None if topk is None else read_int(topk)
        self.topp = None if topp is None else read_float(topp)
        self.greedy = _option(options, "greedy", _MISSING) is not _MISSING   # the key, as the C++


def _next_token(rule, logits, history, n):
    """The next token as a 0-dim int64 tensor on the logits' device (no wait for the device):
    ``history[:n]`` holds the tokens so far (prompt included)."""
    logits = logits.float()
    t = rule.temperature
    if t > 0 and t != 1.0:
        logits = logits / t
    penalty = rule.penalty
    if penalty != 1.0 and n:
        # Hugging Face's rule on the distinct tokens of the last 100 (a token seen twice gets
        # the same value written twice)
        seen = history[max(0, n - 100):n]
        logits = logits.clone()
        vals = logits[seen]
        logits[seen] = torch.where(vals > 0, vals / penalty, vals * penalty)
    if rule.topk is not None:
        k = max(1, min(rule.topk, logits.numel()))
        vals, idx = torch.topk(logits, k)
        return idx[torch.multinomial(torch.softmax(vals, -1), 1)][0]
    if rule.topp is not None:
        vals, idx = torch.sort(logits, descending=True)
        probs = torch.softmax(vals, -1)
        cut = (torch.cumsum(probs, -1) - probs) >= rule.topp
        cut[0] = False
        return idx[torch.multinomial(probs.masked_fill(cut, 0.0), 1)][0]
    if rule.greedy:
        return logits.argmax()
    return torch.multinomial(torch.softmax(logits, -1), 1)[0]


def _callback(interp, env, fn, token, data):
    params = getattr(fn, "params", None)
    n = 2
    if params is not None and params.rest is None and \
            len(params.required) + len(params.optional) < 2:
        n = 1
    interp.apply(fn, [token, data][:n], env)


def torch_hf_generate(interp, env, path, initial_tokens, eos_id, max_length, options=None):
    "(torch_hf_generate id tokens eos max_length [options]): the generated token ids (integers; the prompt excluded)."
    m = _model(interp, path)
    prompt = _token_list(initial_tokens)
    if not prompt:
        raise LispEError("the input sequence should at least constains beos_id")
    eos = set(_token_list(eos_id))
    limit = read_int(max_length)
    callback = _option(options, "callback")
    data = _option(options, "data")
    out = Integers()
    if prompt[-1] in eos:
        return out
    cache = KVCache(m.layers, m.options["max_cache_len"])
    rule = _Sampling(m, options)
    # Tokens stay on the model's device. The host reads them (a wait for the device) after
    # each token, except in greedy decoding on a GPU without a callback: every CHUNK tokens,
    # so that the device runs a step while the next one is queued. Greedy tokens computed
    # after an EOS are dropped (the cache is this call's own): the result is the same.
    chunk = _read_every(m, rule, callback)
    try:
        with torch.no_grad():
            ids = torch.tensor([prompt], dtype=torch.long)
            history = torch.empty(len(prompt) + max(limit, 0), dtype=torch.long)
            history[:len(prompt)] = ids[0]
            ids = ids.to(m.device)
            history = history.to(m.device)
            n = len(prompt)
            logits = m.forward(ids, cache, last_only=True)[0, -1]
            pending = []
            while len(out) + len(pending) < limit:
                tok = _next_token(rule, logits, history, n)
                history[n] = tok
                n += 1
                pending.append(tok)
                if len(pending) >= chunk or len(out) + len(pending) >= limit:
                    vals = [int(pending[0])] if len(pending) == 1 else \
                        torch.stack(pending).tolist()
                    pending = []
                    stop = False
                    for v in vals:
                        out.append(v)
                        if callback is not None:
                            _callback(interp, env, callback, v, data)
                        if v in eos:
                            stop = True
                            break
                    if stop or len(out) >= limit:
                        break
                logits = m.forward(tok.view(1, 1), cache, last_only=True)[0, -1]
    except LispEError:
        raise
    except (RuntimeError, ValueError, IndexError) as e:
        raise LispEError("Error in HF generation: " + torch_message(e), prefix=False) from None
    return out


_CHUNK = 16


def _read_every(m, rule, callback):
    """How many tokens torch_hf_generate computes between two reads by the host."""
    deterministic = rule.greedy and rule.topk is None and rule.topp is None
    if deterministic and callback is None and m.device.type != "cpu":
        return _CHUNK
    return 1


# registered with the interpreter (the callback is a LispE function)
lib("torch_hf_generate", interp=True,
    params=["path", "initial_tokens", "eos_id", "max_length", "options"])(torch_hf_generate)


# --------------------------------------------------------------------------- builtins: LoRA

_LORA_DTYPES = {"bfloat16": "bfloat16", "float16": "float16", "half": "float16",
                "float32": "float32", "float": "float32"}


@hflib("torch_hf_lora_init", arity=(4, 5))
def torch_hf_lora_init(interp, env, model_name, rank, alpha, target_modules, dtype=None):
    "(torch_hf_lora_init name rank alpha targets [dtype]): add LoRA adapters (A random, B zero) to the targeted projections; true."
    m = _lora_model(interp, model_name)
    r = read_int(rank)
    if r <= 0:
        return None
    targets = [_str(t) for t in target_modules] if isinstance(target_modules, list) \
        else [_str(target_modules)]
    bad = [t for t in targets if t not in _TARGETS]
    if bad:
        raise LispEError("Unknown LoRA target module: " + bad[0], prefix=False)
    dt = getattr(torch, _LORA_DTYPES.get(_str(dtype), "float32") if dtype is not None
                 else "float32")
    lora = {}
    for name in m.lora_names(targets):
        w = m.w[name + ".weight"]
        a = torch.empty(r, w.shape[1], dtype=torch.float32, device=w.device).normal_(
            0.0, 1.0 / math.sqrt(r)).to(dt).requires_grad_(True)
        b = torch.zeros(w.shape[0], r, dtype=dt, device=w.device).requires_grad_(True)
        lora[name] = [a, b]
    if m.lora_merged:
        m.merge(-1.0)
        m.lora_merged = False
    m.lora = lora
    m.lora_scaling = read_float(alpha) / r
    m.lora_targets = targets
    m.lora_rank = r
    return TRUE


@hflib("torch_hf_lora_get_parameters", "torch_hf_lora_parameters")
def torch_hf_lora_get_parameters(interp, env, model_name):
    "(torch_hf_lora_get_parameters name): the trainable LoRA tensors (A and B of every adapter)."
    m = _lora_model(interp, model_name)
    out = List()
    for name in sorted(m.lora):
        out.extend(m.lora[name])
    return out


@hflib("torch_hf_lora_save")
def torch_hf_lora_save(interp, env, model_name, path):
    "(torch_hf_lora_save name path): write the adapters to path; true (nil without adapters)."
    from lispe_py.torch.persistence import save_file, FORMAT
    m = _lora_model(interp, model_name)
    if not m.lora:
        return None
    payload = {"format": FORMAT, "kind": "hf_lora", "scaling": m.lora_scaling,
               "adapters": {k: [t.detach().cpu().clone() for t in v] for k, v in m.lora.items()}}
    save_file(payload, _str(path), "Error saving LoRA adapters: ")
    return TRUE


@hflib("torch_hf_lora_load")
def torch_hf_lora_load(interp, env, model_name, path):
    "(torch_hf_lora_load name path): read adapters written by torch_hf_lora_save; true."
    from lispe_py.torch.persistence import load_file
    m = _lora_model(interp, model_name)
    prefix = "Error loading LoRA adapters: "
    payload = load_file(_str(path), prefix)
    if payload.get("kind") != "hf_lora":
        raise LispEError(prefix + _str(path) + " does not hold HF LoRA adapters", prefix=False)
    lora = {}
    for name, (a, b) in payload["adapters"].items():
        w = m.w.get(name + ".weight")
        if w is None or a.shape[1] != w.shape[1] or b.shape[0] != w.shape[0]:
            raise LispEError(prefix + "adapter %s does not fit this model" % name, prefix=False)
        lora[name] = [a.to(w.device).requires_grad_(True), b.to(w.device).requires_grad_(True)]
    if m.lora_merged:
        m.merge(-1.0)
        m.lora_merged = False
    m.lora = lora
    m.lora_scaling = float(payload["scaling"])
    return TRUE


@hflib("torch_hf_lora_merge")
def torch_hf_lora_merge(interp, env, model_name):
    "(torch_hf_lora_merge name): add the adapters to the weights (forward then skips them); true."
    m = _lora_model(interp, model_name)
    if not m.lora_merged and m.lora:
        m.merge(1.0)
        m.lora_merged = True
    return TRUE


@hflib("torch_hf_lora_unmerge")
def torch_hf_lora_unmerge(interp, env, model_name):
    "(torch_hf_lora_unmerge name): take merged adapters back out of the weights; true."
    m = _lora_model(interp, model_name)
    if m.lora_merged:
        m.merge(-1.0)
        m.lora_merged = False
    return TRUE


@hflib("torch_hf_lora_enable")
def torch_hf_lora_enable(interp, env, model_name, enable):
    "(torch_hf_lora_enable name flag): use the (unmerged) adapters in forward or not; true."
    _lora_model(interp, model_name).lora_enabled = truthy(enable)
    return TRUE
