"""Text generation with a ``TorchGenerator`` (spec §1.14).

``torch_generator_create model device`` (``device`` optional in lispe-py, nil → cpu) wraps a
model and a configuration; it prints ``TorchGenerator(max_length=100, temperature=1,
strategy=greedy)``. ``torch_generator_config g dict`` (``torch_generator_configure``) reads the
keys ``max_length``, ``temperature``, ``top_k``, ``top_p``, ``eos_token_id``, ``pad_token_id``,
``repetition_penalty``, ``strategy``, ``do_sample`` (and, in lispe-py, ``bos_token_id`` and
``num_beams``); other keys and non-dictionaries are ignored. ``torch_set_generation_params g
max_length temperature top_k top_p`` (nil keeps a value). Defaults: 100 new tokens,
temperature 1, top_k 50, top_p 0.9, eos = pad = 50256, penalty 1, ``"greedy"``, 4 beams.

``torch_generate g input_ids [strategy]`` (``torch_generator_generate``) — lispe-py follows the
documentation, the C++ never calls the model (random logits, greedy always fails):

* ``input_ids``: an integer tensor ``[batch, n]`` (or ``[n]``, or an ``integers`` list); the
  result has the same rank, prompt included, at most ``max_length`` new tokens per row;
* every step calls the model on the tokens so far and takes the logits of the last position:
  an MLP (``torch_model``) reads the last ``in_features`` token ids as its float input (left-padded
  with ``pad_token_id``) and its outputs are the logits; any other module object (embedding-based
  models, JIT models, ``nn.Module``\\ s) gets the int64 ids ``[batch, seq]`` and may return
  ``[batch, seq, vocab]``, ``[batch, vocab]`` or ``[vocab]`` logits (a tuple: its first element);
* logits get the repetition penalty (Hugging Face's rule: seen tokens' positive logits divided
  by the penalty, negative ones multiplied) and are divided by the temperature;
* strategy (by prefix, as the C++): ``"greedy"`` (argmax; with ``do_sample`` true: sampling from
  the whole distribution), ``"top_k"`` (sampling among the k best), ``"top_p"`` (nucleus
  sampling: the smallest set of best tokens whose probability reaches p), ``"b..."``
  (``"beam_search"``: beam search with ``num_beams`` beams, scores = summed log-probabilities
  divided by the generated length), anything else greedy;
* a row stops after producing ``eos_token_id`` (kept); finished rows are padded with
  ``pad_token_id`` until every row is done.

The model runs under ``no_grad`` in evaluation mode (its mode is restored afterwards).
"""

from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch, F
from lispe_py.torch._helpers import lib, read_int, read_float
from lispe_py.torch.convert import to_tensor
from lispe_py.torch.modules import cpp_errors, module_of, forward_any
from lispe_py.torch.printing import cpp_number
from lispe_py.values import DICTS, dict_items, truthy, to_string

__all__ = ["Generator", "generate_ids"]


class Generator:
    """A model plus its generation settings (``.config``)."""

    lispe_type = "torch_generator_"

    def __init__(self, model, device):
        self.model = model
        self.device = device
        self.config = {
            "max_length": 100, "temperature": 1.0, "top_k": 50, "top_p": 0.9,
            "eos_token_id": 50256, "pad_token_id": 50256, "bos_token_id": 50256,
            "repetition_penalty": 1.0, "strategy": "greedy", "do_sample": False,
            "num_beams": 4,
        }

    def lispe_str(self):
        c = self.config
        return "TorchGenerator(max_length=%d, temperature=%s, strategy=%s)" % (
            c["max_length"], cpp_number(c["temperature"]), c["strategy"])

    def __repr__(self):
        return "<%s>" % self.lispe_str()


_READERS = {
    "max_length": read_int, "temperature": read_float, "top_k": read_int, "top_p": read_float,
    "eos_token_id": read_int, "pad_token_id": read_int, "bos_token_id": read_int,
    "repetition_penalty": read_float, "num_beams": read_int,
    "strategy": lambda v: v if isinstance(v, str) else to_string(v),
    "do_sample": truthy,
}


def _need_generator(g):
    if not isinstance(g, Generator):
        raise LispEError("First argument must be a torch generator", prefix=False)
    return g


# --------------------------------------------------------------------------- the model call

def _mlp_width(model):
    """in_features of an MLP (``torch_model``), or None for other models."""
    from lispe_py.torch.layers import Model
    if isinstance(model, Model):
        fc1 = getattr(model.module, "fc1", None)
        if fc1 is None:
            inner = getattr(model.module, "inner", None)      # a quantized MLP
            fc1 = getattr(inner, "fc1", None)
        w = getattr(fc1, "in_features", None)
        if w is None and fc1 is not None and hasattr(fc1, "weight"):
            w = fc1.weight().shape[1] if callable(fc1.weight) else fc1.weight.shape[1]
        return w
    return None


def _as_logits(out, batch):
    if isinstance(out, (tuple, list)):
        out = out[0]
    if isinstance(out, dict) and "logits" in out:
        out = out["logits"]
    logits = getattr(out, "logits", None)
    if logits is not None and not isinstance(out, torch.Tensor):
        out = logits
    if not isinstance(out, torch.Tensor):
        raise LispEError("Error during generation: the model did not return a tensor",
                         prefix=False)
    if out.dim() == 3:
        out = out[:, -1, :]
    elif out.dim() == 1:
        out = out.unsqueeze(0)
    if out.dim() != 2 or out.shape[0] != batch:
        raise LispEError("Error during generation: cannot read next-token logits from a model "
                         "output of shape %s" % list(out.shape), prefix=False)
    return out.float()


def next_logits(model, ids, pad_token_id):
    """Logits ``[batch, vocab]`` of the next token after ``ids`` (``[batch, seq]`` int64)."""
    width = _mlp_width(model)
    if width is not None:
        n = ids.shape[1]
        if n >= width:
            window = ids[:, n - width:]
        else:
            pad = torch.full((ids.shape[0], width - n), pad_token_id, dtype=ids.dtype,
                             device=ids.device)
            window = torch.cat([pad, ids], dim=1)
        out = model.module(window.float())
    else:
        fwd = getattr(model, "jit_forward", None)
        out = fwd(ids) if fwd is not None else forward_any(model, ids)
    return _as_logits(out, ids.shape[0])


# --------------------------------------------------------------------------- sampling

def _penalise(logits, ids, penalty):
    if penalty == 1.0:
        return logits
    seen = torch.gather(logits, 1, ids)
    seen = torch.where(seen > 0, seen / penalty, seen * penalty)
    return logits.scatter(1, ids, seen)


def _prepare(logits, ids, cfg):
    logits = _penalise(logits, ids, cfg["repetition_penalty"])
    t = cfg["temperature"]
    if t > 0 and t != 1.0:
        logits = logits / t
    return logits


def _sample(probs):
    return torch.multinomial(probs, 1).squeeze(1)


def _pick(logits, cfg, kind):
    """Next token per row of ``logits`` (already penalised and tempered)."""
    if kind == "greedy" or cfg["temperature"] <= 0:
        if kind == "greedy" and cfg["do_sample"] and cfg["temperature"] > 0:
            return _sample(F.softmax(logits, dim=-1))
        return logits.argmax(dim=-1)
    if kind == "top_k":
        k = cfg["top_k"]
        if k <= 0 or k >= logits.shape[-1]:
            return _sample(F.softmax(logits, dim=-1))
        vals, idx = torch.topk(logits, k, dim=-1)
        choice = torch.multinomial(F.softmax(vals, dim=-1), 1)
        return idx.gather(1, choice).squeeze(1)
    # top_p
    p = cfg["top_p"]
    vals, idx = torch.sort(logits, dim=-1, descending=True)
    probs = F.softmax(vals, dim=-1)
    cut = (torch.cumsum(probs, dim=-1) - probs) >= p    # the better tokens already reach p
    cut[:, 0] = False                                  # the best token is always kept
    choice = torch.multinomial(probs.masked_fill(cut, 0.0), 1)
    return idx.gather(1, choice).squeeze(1)


def _strategy(name):
    s = name if isinstance(name, str) else to_string(name)
    if s.startswith("top_k"):
        return "top_k"
    if s.startswith("top_p"):
        return "top_p"
    if s.startswith("b"):
        return "beam"
    return "greedy"


def _sample_loop(model, ids, cfg, kind):
    eos, pad = cfg["eos_token_id"], cfg["pad_token_id"]
    done = torch.zeros(ids.shape[0], dtype=torch.bool, device=ids.device)
    for _ in range(max(cfg["max_length"], 0)):
        logits = _prepare(next_logits(model, ids, pad), ids, cfg)
        tok = _pick(logits, cfg, kind).to(ids.dtype)
        tok = torch.where(done, torch.full_like(tok, pad), tok)
        ids = torch.cat([ids, tok.unsqueeze(1)], dim=1)
        done = done | (tok == eos)
        if bool(done.all()):
            break
    return ids


def _beam_row(model, row, cfg):
    """Beam search for one prompt ``row`` (``[1, n]``): the best sequence, scored by its summed
    log-probabilities divided by the number of generated tokens."""
    eos, pad = cfg["eos_token_id"], cfg["pad_token_id"]
    width = max(cfg["num_beams"], 1)
    n0 = row.shape[1]
    beams, scores = row, [0.0]                       # live beams [beams, seq] and their scores
    finished = []                                    # (normalised score, sequence)
    for _ in range(max(cfg["max_length"], 0)):
        logits = _prepare(next_logits(model, beams, pad), beams, cfg)
        logp = F.log_softmax(logits, dim=-1)         # [beams, vocab]
        vocab = logp.shape[-1]
        total = (torch.tensor(scores, device=logp.device).unsqueeze(1) + logp).reshape(-1)
        best, flat = torch.topk(total, min(2 * width, total.numel()))
        live, live_scores = [], []
        for s, f in zip(best.tolist(), flat.tolist()):
            b, tok = divmod(f, vocab)
            seq = torch.cat([beams[b], beams.new_tensor([tok])])
            if tok == eos:
                finished.append((s / (seq.numel() - n0), seq))
            else:
                live.append(seq)
                live_scores.append(s)
            if len(live) == width:
                break
        if not live:
            beams, scores = beams[:0], []
            break
        beams, scores = torch.stack(live), live_scores
        if len(finished) >= width:
            break
    gen = beams.shape[1] - n0
    for s, seq in zip(scores, beams):
        finished.append((s / gen if gen > 0 else s, seq))
    finished.sort(key=lambda x: x[0], reverse=True)
    return finished[0][1]


def _beam_search(model, ids, cfg):
    rows = [_beam_row(model, ids[i:i + 1], cfg) for i in range(ids.shape[0])]
    longest = max(r.numel() for r in rows)
    pad = cfg["pad_token_id"]
    out = torch.full((len(rows), longest), pad, dtype=ids.dtype, device=ids.device)
    for i, r in enumerate(rows):
        out[i, :r.numel()] = r
    return out


def generate_ids(model, ids, cfg, strategy):
    """The documented decoding loop (see the module docstring); ``ids`` is ``[batch, n]``."""
    kind = _strategy(strategy)
    mod = module_of(model)
    was_training = mod.training if mod is not None else False
    if mod is not None:
        mod.train(False)
    try:
        with torch.no_grad():
            if kind == "beam":
                return _beam_search(model, ids, cfg)
            return _sample_loop(model, ids, cfg, kind)
    finally:
        if mod is not None and was_training:
            mod.train(True)


# --------------------------------------------------------------------------- builtins

def _model_device(model):
    from lispe_py.torch.devices import device_of
    return device_of(model)


@lib("torch_generator_create", arity=(1, 2))
def torch_generator_create(model, device=None):
    "(torch_generator_create model [device]): a text generator over model (moved to device, default cpu)."
    from lispe_py.torch.devices import lookup_device, move_to
    if module_of(model) is None:
        raise LispEError("Generator requires a torch model", prefix=False)
    dev = lookup_device(device)
    with cpp_errors("Error creating generator: "):
        if _model_device(model) != dev:
            move_to(model, dev)
    return Generator(model, dev)


@lib("torch_generator_config", "torch_generator_configure")
def torch_generator_config(generator, config):
    "(torch_generator_config g dict): set generation settings from a dictionary; 'Generator configured successfully'."
    g = _need_generator(generator)
    if isinstance(config, DICTS):
        for k, v in dict_items(config):
            reader = _READERS.get(k if isinstance(k, str) else to_string(k))
            if reader is not None:
                g.config[k] = reader(v)
    return "Generator configured successfully"


@lib("torch_set_generation_params")
def torch_set_generation_params(generator, max_length, temperature, top_k, top_p):
    "(torch_set_generation_params g max_length temperature top_k top_p): nil keeps a value; 'Generation parameters updated'."
    g = _need_generator(generator)
    for key, v in (("max_length", max_length), ("temperature", temperature),
                   ("top_k", top_k), ("top_p", top_p)):
        if v is not None:
            g.config[key] = _READERS[key](v)
    return "Generation parameters updated"


@lib("torch_generate", "torch_generator_generate", arity=(2, 3))
def torch_generate(generator, input_ids, strategy=None):
    "(torch_generate g input_ids [strategy]): prompt plus generated token ids (greedy, top_k, top_p, beam_search)."
    g = _need_generator(generator)
    ids = input_ids if isinstance(input_ids, torch.Tensor) else to_tensor(input_ids)
    if strategy is not None:
        g.config["strategy"] = strategy if isinstance(strategy, str) else to_string(strategy)
    with cpp_errors("Error during generation: "):
        if ids.dim() == 0 or ids.dim() > 2:
            raise RuntimeError("input_ids must be [batch, seq] or [seq], got shape %s"
                               % list(ids.shape))
        one_d = ids.dim() == 1
        x = ids.unsqueeze(0) if one_d else ids
        if x.is_floating_point() or x.dtype == torch.bool:
            x = x.long()
        x = x.to(_model_device(g.model))
        out = generate_ids(g.model, x, g.config, g.config["strategy"])
        return out.squeeze(0) if one_d else out
