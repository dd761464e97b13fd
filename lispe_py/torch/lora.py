"""LoRA on local linear layers (spec §1.12).

A LoRA layer (type ``torch_lora_linear_``) holds a frozen ``original`` ``nn.Linear(in, out)``
(with bias, default initialisation) and two trainable bias-free projections ``lora_A``
(``Linear(in, r)``, weights drawn from N(0, 1/√r)) and ``lora_B`` (``Linear(r, out)``, zeros),
float32. Its forward is ``original(x) + (alpha/r)·B(A(x))`` until the update is merged into the
original weight. It prints ``LoRA Linear Layer (IN -> OUT, rank=R, alpha=A, merged=false)``.

* ``torch_lora_linear in out r alpha`` (``torch_lora_linear_create``);
  ``torch_lora_forward layer x`` (``torch_lora_linear_forward``);
  ``torch_lora_forward_with_gradients layer x retain_graph`` (the same forward);
* ``torch_lora_apply_to_linear linear r alpha``: a new LoRA layer whose frozen part is a copy of
  ``linear``'s weight and bias;
* ``torch_lora_merge_weights layer``: ``W += (alpha/r)·B·A`` once (later calls change nothing);
* ``torch_lora_compute_delta layer`` → the ``[out, in]`` tensor ``(alpha/r)·B·A``;
  ``torch_lora_get_adaptation_magnitude layer`` → its Frobenius norm (a number);
* ``torch_lora_save_adapters layer path`` / ``torch_lora_load_adapters layer path``: the A and B
  weights only (a lispe-py file, see :mod:`lispe_py.torch.persistence`);
* ``torch_lora_trainable_params m`` → an empty ``integers`` list, as in the C++;
  ``torch_lora_parameters m`` (lispe-py) → the trainable tensors (A and B weights) of a LoRA
  layer or of a list of them.

The layer is a :class:`~lispe_py.torch.modules.TorchModule`, so optimizers, ``torch_forward``,
``torch_save_model``/``torch_load_model``, devices and ``torch_train``/``torch_eval`` take it.
"""

import math

from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch
from lispe_py.torch._helpers import lib, read_int, read_float, need_tensor, FAILURES, torch_error
from lispe_py.torch.modules import TorchModule, module_of
from lispe_py.torch.printing import cpp_number
from lispe_py.values import Integers, List

__all__ = ["LoRALinear", "lora_module_class"]

_CLS = {}


def lora_module_class():
    """The ``torch.nn.Module`` class of a LoRA layer (defined at first use: torch is lazy)."""
    cls = _CLS.get("LoRALinearModule")
    if cls is not None:
        return cls
    nn = torch.nn

    class LoRALinearModule(nn.Module):
        def __init__(self, in_features, out_features, rank, alpha):
            super().__init__()
            self.original = nn.Linear(in_features, out_features)
            self.lora_A = nn.Linear(in_features, rank, bias=False)
            self.lora_B = nn.Linear(rank, out_features, bias=False)
            with torch.no_grad():
                std = 1.0 / math.sqrt(rank) if rank > 0 else float("inf")
                self.lora_A.weight.normal_(0.0, std)
                self.lora_B.weight.zero_()
            for p in self.original.parameters():
                p.requires_grad_(False)
            self.in_features = in_features
            self.out_features = out_features
            self.rank = rank
            self.alpha = alpha
            self.scaling = alpha / rank
            self.merged = False

        def delta(self):
            return (self.lora_B.weight @ self.lora_A.weight) * self.scaling

        def forward(self, x):
            out = self.original(x)
            if not self.merged:
                out = out + self.lora_B(self.lora_A(x)) * self.scaling
            return out

        def merge(self):
            if not self.merged:
                with torch.no_grad():
                    self.original.weight.add_(self.delta())
                self.merged = True

    _CLS["LoRALinearModule"] = LoRALinearModule
    return LoRALinearModule


class LoRALinear(TorchModule):
    """A LoRA layer as a LispE value (``.module`` is the ``LoRALinearModule``)."""

    lispe_type = "torch_lora_linear_"
    label = "LoRA Linear Layer"

    def lispe_str(self):
        m = self.module
        return "LoRA Linear Layer (%d -> %d, rank=%d, alpha=%s, merged=%s)" % (
            m.in_features, m.out_features, m.rank, cpp_number(m.alpha),
            "true" if m.merged else "false")


def is_lora(x):
    return isinstance(x, LoRALinear)


def _new_layer(in_features, out_features, rank, alpha):
    if rank == 0:
        # what libtorch says when it draws N(0, 1/sqrt(0))
        raise RuntimeError("from is out of bounds for float")
    return LoRALinear(lora_module_class()(in_features, out_features, rank, alpha))


# --------------------------------------------------------------------------- builtins

@lib("torch_lora_linear", "torch_lora_linear_create")
def torch_lora_linear(in_features, out_features, rank, alpha):
    "(torch_lora_linear in out rank alpha): frozen Linear(in,out) plus a trainable rank-r update scaled by alpha/r."
    try:
        return _new_layer(read_int(in_features), read_int(out_features), read_int(rank),
                          read_float(alpha))
    except FAILURES as e:
        raise torch_error(e, "Error creating LoRA linear layer: ") from None


_SECOND = "Second argument must be a tensor"


@lib("torch_lora_forward", "torch_lora_linear_forward")
def torch_lora_forward(lora_layer, input_data):
    "(torch_lora_forward layer x): original(x) + (alpha/r)·B(A(x)) (only original(x) once merged)."
    if not is_lora(lora_layer):
        raise LispEError("First argument must be a LoRA linear layer")
    need_tensor(input_data, _SECOND)
    try:
        return lora_layer.module(input_data)
    except FAILURES as e:
        raise torch_error(e, "Error in LoRA forward pass: ") from None


@lib("torch_lora_forward_with_gradients")
def torch_lora_forward_with_gradients(lora_layer, input, retain_graph):
    "(torch_lora_forward_with_gradients layer x retain_graph): the LoRA forward (retain_graph is not used)."
    if not is_lora(lora_layer):
        raise LispEError("First argument must be a LoRA linear layer", prefix=False)
    need_tensor(input, _SECOND, prefix=False)
    try:
        return lora_layer.module(input)
    except FAILURES as e:
        raise torch_error(e, "Error in LoRA forward with gradients: ") from None


@lib("torch_lora_apply_to_linear")
def torch_lora_apply_to_linear(linear_layer, rank, alpha):
    "(torch_lora_apply_to_linear linear rank alpha): a new LoRA layer whose frozen part copies linear's weight and bias."
    from lispe_py.torch.layers import Linear
    if isinstance(linear_layer, Linear):
        lin = linear_layer.module
    elif isinstance(linear_layer, torch.nn.Linear):
        lin = linear_layer
    else:
        raise LispEError("First argument must be a linear layer")
    try:
        layer = _new_layer(lin.in_features, lin.out_features, read_int(rank), read_float(alpha))
        orig = layer.module.original
        with torch.no_grad():
            orig.to(lin.weight.device)
            layer.module.to(lin.weight.device)
            orig.weight.copy_(lin.weight)
            if lin.bias is not None:
                orig.bias.copy_(lin.bias)
        return layer
    except FAILURES as e:
        raise torch_error(e, "Error applying LoRA to linear layer: ") from None


@lib("torch_lora_merge_weights")
def torch_lora_merge_weights(lora_layer):
    "(torch_lora_merge_weights layer): add (alpha/r)·B·A to the frozen weight once; 'LoRA weights merged successfully'."
    if not is_lora(lora_layer):
        raise LispEError("Argument must be a LoRA linear layer")
    try:
        lora_layer.module.merge()
    except FAILURES as e:
        raise torch_error(e, "Error merging LoRA weights: ") from None
    return "LoRA weights merged successfully"


@lib("torch_lora_trainable_params")
def torch_lora_trainable_params(model):
    "(torch_lora_trainable_params model): an empty integers list, as lispetorch (use torch_lora_parameters for the tensors)."
    return Integers()


def _lora_layers(obj):
    if is_lora(obj):
        return [obj]
    if isinstance(obj, list):
        out = []
        for x in obj:
            out.extend(_lora_layers(x))
        return out
    return []


@lib("torch_lora_parameters")
def torch_lora_parameters(model):
    "(torch_lora_parameters m): (lispe-py) the trainable tensors (A and B weights) of a LoRA layer or of a list of them."
    layers = _lora_layers(model)
    if not layers:
        raise LispEError("Model must contain LoRA layers")
    out = List()
    for layer in layers:
        out.append(layer.module.lora_A.weight)
        out.append(layer.module.lora_B.weight)
    return out


@lib("torch_lora_save_adapters")
def torch_lora_save_adapters(model, path):
    "(torch_lora_save_adapters layer path): write the A and B weights to path; 'LoRA adapters saved successfully'."
    from lispe_py.torch.persistence import save_file, FORMAT
    from lispe_py.values import to_string
    if not is_lora(model):
        raise LispEError("Model must contain LoRA layers")
    m = model.module
    payload = {"format": FORMAT, "kind": "lora_adapters",
               "rank": m.rank, "alpha": m.alpha,
               "lora_A": m.lora_A.weight.detach().cpu().clone(),
               "lora_B": m.lora_B.weight.detach().cpu().clone()}
    save_file(payload, path if isinstance(path, str) else to_string(path),
              "Error saving LoRA adapters: ")
    return "LoRA adapters saved successfully"


@lib("torch_lora_load_adapters")
def torch_lora_load_adapters(model, path):
    "(torch_lora_load_adapters layer path): read A and B saved by torch_lora_save_adapters; 'LoRA adapters loaded successfully'."
    from lispe_py.torch.persistence import load_file
    from lispe_py.values import to_string
    if not is_lora(model):
        raise LispEError("Model must contain LoRA layers")
    prefix = "Error loading LoRA adapters: "
    p = path if isinstance(path, str) else to_string(path)
    payload = load_file(p, prefix)
    if payload.get("kind") != "lora_adapters":
        raise LispEError(prefix + p + " does not hold LoRA adapters", prefix=False)
    m = model.module
    with torch.no_grad():
        for name in ("lora_A", "lora_B"):
            dst = getattr(m, name).weight
            src = payload[name]
            if tuple(src.shape) != tuple(dst.shape):
                raise LispEError(prefix + "size mismatch for %s.weight: the file holds shape %s, "
                                 "the layer has shape %s" % (name, list(src.shape),
                                                             list(dst.shape)), prefix=False)
            dst.copy_(src)
    return "LoRA adapters loaded successfully"


@lib("torch_lora_compute_delta")
def torch_lora_compute_delta(lora_layer):
    "(torch_lora_compute_delta layer): the [out, in] weight update (alpha/r)·B·A."
    if not is_lora(lora_layer):
        raise LispEError("Argument must be a LoRA linear layer", prefix=False)
    try:
        return lora_layer.module.delta()
    except FAILURES as e:
        raise torch_error(e, "Error computing LoRA delta: ") from None


@lib("torch_lora_get_adaptation_magnitude")
def torch_lora_get_adaptation_magnitude(lora_layer):
    "(torch_lora_get_adaptation_magnitude layer): Frobenius norm of the weight update (a number)."
    if not is_lora(lora_layer):
        raise LispEError("Argument must be a LoRA linear layer", prefix=False)
    try:
        with torch.no_grad():
            return float(lora_layer.module.delta().norm().item())
    except FAILURES as e:
        raise torch_error(e, "Error getting adaptation magnitude: ") from None


def lora_of(obj):
    """The ``LoRALinearModule`` behind a LoRA layer value, or None."""
    if is_lora(obj):
        return obj.module
    m = module_of(obj)
    if m is not None and type(m).__name__ == "LoRALinearModule":
        return m
    return None
