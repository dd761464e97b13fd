"""TorchScript (JIT) models (spec §1.16).

``torch_jit_load path [device "cpu"]`` loads a TorchScript archive (``torch.jit.save`` /
``ScriptModule.save``) with ``torch.jit.load`` and puts it in evaluation mode; the value (type
``jit_model_``) prints a block::

    === TorchScript Model Info ===
    Device: cpu
    Parameter count: 14
    Memory usage: 0 MB

    Buffers:
      scale: [2]

or ``<TorchJITModel: Not loaded>`` after ``torch_jit_unload``. A file that cannot be loaded
says why on stderr and raises ``Failed to load TorchScript model from PATH``; a device string
libtorch cannot parse gives a warning on stderr and the model stays on the CPU (``"mps"``
follows lispe-py's policy: the best available device).

Parameters, buffers and methods: ``torch_jit_model_list_methods`` / ``_list_buffers`` /
``_list_parameter_names`` / ``_list_tensor_names`` (``strings``), ``torch_jit_model_get_tensor``
(a parameter), ``torch_jit_model_get_buffer`` (a buffer, else a tensor attribute),
``torch_jit_model_get_tensor_shape`` (``integers``), ``torch_jit_model_update_weight`` (copies a
tensor into a parameter; a copy that fails prints a warning and still returns true, as the
C++). Names are tried as given, then with ``.``, ``/`` and ``-`` replaced by ``_``.

Running: ``torch_jit_model_forward m x`` calls the first of the methods ``forward``,
``__call__``, ``predict``, ``generate``, ``inference``, ``run`` that the model has (a tuple or
dictionary output gives its first tensor / ``"logits"``). ``torch_jit_model_register_lora_hook m
param lora`` attaches a LoRA layer to a 2-D parameter; ``torch_jit_model_forward_with_lora m x``
runs the forward with every attached LoRA update added to its parameter (the weights are
restored afterwards; no gradient flows into the LoRA layers through a TorchScript model).
``torch_jit_model_get_intermediate_states m x names`` returns the outputs of the named
submodules when the model is a chain of its submodules (checked against the real forward);
TorchScript modules accept no Python hooks, so other models raise "not supported yet".

Devices: ``torch_jit_model_to_device m [device "cpu"]`` (any libtorch device string),
``torch_jit_model_to_mps``, ``torch_jit_model_to_best_device`` (CUDA > MPS > CPU). A JIT model
also works with ``torch_forward``, ``torch_generator_create``, optimizers and ``torch_train``.
"""

import sys
import warnings

from lispe_py.errors import LispEError
from lispe_py.sandbox import guard_path
from lispe_py.torch._lazy import torch
from lispe_py.torch._helpers import lib, need_tensor, FAILURES, torch_error, torch_message
from lispe_py.values import TRUE, Dictionary, Integers, List, Strings, to_string

__all__ = ["JitModel"]

_FORWARD_METHODS = ("forward", "__call__", "predict", "generate", "inference", "run")


class JitModel:
    """A loaded TorchScript module (``.module``, None once unloaded) and its device."""

    lispe_type = "jit_model_"

    def __init__(self, module, device):
        self.module = module
        self.device = device
        self.lora_hooks = {}          # parameter name -> LoRA layer value

    # ---- LispE protocol
    def lispe_str(self):
        m = self.module
        if m is None:
            return "<TorchJITModel: Not loaded>"
        lines = ["=== TorchScript Model Info ===",
                 "Device: %s" % _device_name(self.device),
                 "Parameter count: %d" % _param_count(m),
                 "Memory usage: %d MB" % _memory_mb(m),
                 "",
                 "Buffers:"]
        for name, b in m.named_buffers():
            lines.append("  %s: [%s]" % (name, ", ".join(str(s) for s in b.shape)))
        return "\n".join(lines) + "\n"

    def __repr__(self):
        return "<TorchJITModel>" if self.module is not None else "<TorchJITModel: Not loaded>"

    # ---- module protocol (optimizers, torch_train/torch_eval, devices)
    def parameters(self):
        return list(self.module.parameters()) if self.module is not None else []

    def train(self, mode=True):
        if self.module is not None:
            self.module.train(bool(mode))
        return self

    def eval(self):
        return self.train(False)

    def to_device(self, device):
        if self.module is not None:
            self.module.to(device)
        self.device = device

    def forward(self, x):
        return jit_forward(self, x)

    def jit_forward(self, x):
        return jit_forward(self, x)


def _device_name(dev):
    return str(dev)


def _param_count(m):
    return sum(p.numel() for p in m.parameters())


def _memory_mb(m):
    size = sum(p.numel() * p.element_size() for p in m.parameters())
    size += sum(b.numel() * b.element_size() for b in m.buffers())
    return size // (1024 * 1024)


def _warn(msg):
    sys.stdout.flush()
    print(msg, file=sys.stderr, flush=True)


def _parse_device(s):
    """A libtorch device string -> torch.device (``"mps"``: lispe-py's fallback policy)."""
    from lispe_py.torch.devices import lookup_device
    if s == "mps" or s.startswith("mps:"):
        return lookup_device(s)
    return torch.device(s)


def _str(x):
    return x if isinstance(x, str) else to_string(x)


# --------------------------------------------------------------------------- checks and look-ups

def _need_jit(m, message="First argument must be a TorchJIT model", prefix=True):
    if not isinstance(m, JitModel):
        raise LispEError(message, prefix=prefix)
    return m


def _loaded(m):
    if m.module is None:
        raise LispEError("Model not loaded", prefix=False)
    return m.module


def _candidates(name):
    name = _str(name)
    alt = name.replace(".", "_").replace("/", "_").replace("-", "_")
    return [name] if alt == name else [name, alt]


def _find(table, name):
    for n in _candidates(name):
        t = table.get(n)
        if t is not None:
            return n, t
    return None, None


def jit_forward(model, x):
    """Run the first forward-like method of the model on x; the output tensor."""
    m = _loaded(model)
    names = set(m._c._method_names())
    try:
        for meth in _FORWARD_METHODS:
            if meth == "__call__":
                if "forward" in names:
                    out = m(x)
                    break
                continue
            if meth in names:
                out = getattr(m, meth)(x)
                break
        else:
            raise LispEError("No forward method found in the TorchScript model", prefix=False)
    except FAILURES as e:
        raise torch_error(e, "Error in JIT model forward: ") from None
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
        out = out[0]
    elif isinstance(out, dict) and isinstance(out.get("logits"), torch.Tensor):
        out = out["logits"]
    if not isinstance(out, torch.Tensor):
        raise LispEError("Model output is not a tensor", prefix=False)
    return out


# --------------------------------------------------------------------------- loading, devices

@lib("torch_jit_load", arity=(1, 2))
def torch_jit_load(model_path, device="cpu"):
    "(torch_jit_load path [device \"cpu\"]): load a TorchScript model (evaluation mode)."
    path = _str(model_path)
    guard_path(path)
    dev = torch.device("cpu")
    if device is not None:
        s = _str(device)
        try:
            dev = _parse_device(s)
        except (RuntimeError, ValueError, LispEError):
            _warn("Warning: Invalid device %s, using CPU" % s)
            dev = torch.device("cpu")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")         # torch.jit.load's deprecation notice
            m = torch.jit.load(path, map_location=dev)
    except Exception as e:      # a missing file, not a TorchScript archive, a bad device...
        _warn("Error loading TorchScript model: " + torch_message(e))
        raise LispEError("Failed to load TorchScript model from " + path) from None
    m.eval()
    return JitModel(m, dev)


@lib("torch_jit_unload")
def torch_jit_unload(model):
    "(torch_jit_unload m): free the TorchScript module; true."
    _need_jit(model).module = None
    model.lora_hooks.clear()
    return TRUE


@lib("torch_jit_model_to_device", arity=(1, 2))
def torch_jit_model_to_device(model, device="cpu"):
    "(torch_jit_model_to_device m [device \"cpu\"]): move the model to a libtorch device; true."
    _need_jit(model)
    m = _loaded(model)
    try:
        dev = _parse_device(_str(device) if device is not None else "cpu")
        m.to(dev)
    except (RuntimeError, ValueError) as e:
        raise LispEError("Error moving model to device: " + torch_message(e), prefix=False) \
            from None
    model.device = dev
    return TRUE


@lib("torch_jit_model_to_mps")
def torch_jit_model_to_mps(model):
    "(torch_jit_model_to_mps m): move the model to MPS (lispe-py: the best device where MPS is missing); true."
    _need_jit(model)
    return torch_jit_model_to_device(model, "mps")


@lib("torch_jit_model_to_best_device")
def torch_jit_model_to_best_device(model):
    "(torch_jit_model_to_best_device m): move the model to CUDA, else MPS, else CPU; true."
    from lispe_py.torch.devices import best_device
    _need_jit(model)
    return torch_jit_model_to_device(model, best_device())


# --------------------------------------------------------------------------- running

_SECOND = "Second argument must be a tensor"


@lib("torch_jit_model_forward")
def torch_jit_model_forward(model, tensor):
    "(torch_jit_model_forward m x): output of the model's forward (or predict/generate/inference/run)."
    _need_jit(model)
    need_tensor(tensor, _SECOND)
    return jit_forward(model, tensor)


@lib("torch_jit_model_info")
def torch_jit_model_info(model):
    "(torch_jit_model_info m): dictionary loaded, device, parameter_count, memory_mb."
    _need_jit(model)
    m = model.module
    d = Dictionary()
    d["loaded"] = TRUE if m is not None else None
    d["device"] = _device_name(model.device)
    d["parameter_count"] = float(_param_count(m)) if m is not None else 0.0
    d["memory_mb"] = float(_memory_mb(m)) if m is not None else 0.0
    return d


# --------------------------------------------------------------------------- tensors

@lib("torch_jit_model_get_buffer")
def torch_jit_model_get_buffer(model, buffername):
    "(torch_jit_model_get_buffer m name): a buffer (else a tensor attribute) of the model."
    _need_jit(model)
    m = _loaded(model)
    _, t = _find(dict(m.named_buffers()), buffername)
    if t is None:
        for n in _candidates(buffername):
            if "." in n:
                continue
            try:
                a = getattr(m, n)
            except (AttributeError, RuntimeError):
                continue
            if isinstance(a, torch.Tensor) and not isinstance(a, torch.nn.Parameter):
                t = a
                break
    if t is None:
        raise LispEError("Buffer not found: " + _str(buffername), prefix=False)
    return t


@lib("torch_jit_model_get_tensor")
def torch_jit_model_get_tensor(model, tensorname):
    "(torch_jit_model_get_tensor m name): a named parameter of the model."
    _need_jit(model)
    m = _loaded(model)
    _, t = _find(dict(m.named_parameters()), tensorname)
    if t is None:
        raise LispEError("Parameter not found: " + _str(tensorname), prefix=False)
    return t


@lib("torch_jit_model_get_tensor_shape")
def torch_jit_model_get_tensor_shape(model, tensorname):
    "(torch_jit_model_get_tensor_shape m name): shape of a parameter or buffer (integers)."
    _need_jit(model)
    m = _loaded(model)
    table = dict(m.named_parameters())
    table.update(dict(m.named_buffers()))
    _, t = _find(table, tensorname)
    if t is None:
        raise LispEError("Parameter not found: " + _str(tensorname), prefix=False)
    return Integers(int(s) for s in t.shape)


@lib("torch_jit_model_list_methods")
def torch_jit_model_list_methods(model):
    "(torch_jit_model_list_methods m): names of the model's methods (strings)."
    _need_jit(model, "Argument must be a JIT model", prefix=False)
    return Strings(_loaded(model)._c._method_names())


@lib("torch_jit_model_list_buffers")
def torch_jit_model_list_buffers(model):
    "(torch_jit_model_list_buffers m): names of the buffers (strings)."
    _need_jit(model)
    return Strings(n for n, _ in _loaded(model).named_buffers())


@lib("torch_jit_model_list_parameter_names")
def torch_jit_model_list_parameter_names(model):
    "(torch_jit_model_list_parameter_names m): names of the parameters (strings)."
    _need_jit(model, "Argument must be a JIT model", prefix=False)
    return Strings(n for n, _ in _loaded(model).named_parameters())


@lib("torch_jit_model_list_tensor_names")
def torch_jit_model_list_tensor_names(model):
    "(torch_jit_model_list_tensor_names m): names of the parameters then of the buffers (strings)."
    _need_jit(model, "Argument must be a JIT model", prefix=False)
    m = _loaded(model)
    return Strings([n for n, _ in m.named_parameters()] + [n for n, _ in m.named_buffers()])


@lib("torch_jit_model_update_weight")
def torch_jit_model_update_weight(model, param_name, new_weight):
    "(torch_jit_model_update_weight m name tensor): copy tensor into a parameter; true."
    _need_jit(model, "First argument must be a JIT model", prefix=False)
    m = _loaded(model)
    if not isinstance(new_weight, torch.Tensor):
        raise LispEError("Third argument must be a tensor", prefix=False)
    name, p = _find(dict(m.named_parameters()), param_name)
    if p is None:
        raise LispEError("Parameter not found for update: " + _str(param_name), prefix=False)
    try:
        with torch.no_grad():
            p.copy_(new_weight)
    except (RuntimeError, ValueError) as e:
        _warn("Warning: Could not update weight %s: %s" % (name, torch_message(e)))
    return TRUE


# --------------------------------------------------------------------------- LoRA, states

@lib("torch_jit_model_register_lora_hook")
def torch_jit_model_register_lora_hook(model, layer_name, lora_layer):
    "(torch_jit_model_register_lora_hook m param lora): add lora's update to parameter param in torch_jit_model_forward_with_lora; true."
    from lispe_py.torch.lora import is_lora
    _need_jit(model, "First argument must be a JIT model", prefix=False)
    m = _loaded(model)
    name, p = _find(dict(m.named_parameters()), layer_name)
    if p is None:
        raise LispEError("Parameter not found: " + _str(layer_name), prefix=False)
    if not is_lora(lora_layer):
        raise LispEError("Third argument must be a LoRA linear layer", prefix=False)
    model.lora_hooks[name] = lora_layer
    return TRUE


@lib("torch_jit_model_forward_with_lora")
def torch_jit_model_forward_with_lora(model, input):
    "(torch_jit_model_forward_with_lora m x): forward with every registered LoRA update added to its parameter."
    _need_jit(model, "First argument must be a JIT model", prefix=False)
    m = _loaded(model)
    need_tensor(input, _SECOND, prefix=False)
    if not model.lora_hooks:
        return jit_forward(model, input)
    params = dict(m.named_parameters())
    backups = []
    try:
        with torch.no_grad():
            for name, layer in model.lora_hooks.items():
                p = params[name]
                delta = layer.module.delta().to(p.device, p.dtype)
                if tuple(delta.shape) != tuple(p.shape):
                    raise LispEError("Error in JIT forward with LoRA: the LoRA update of %s has "
                                     "shape %s, the parameter %s" % (
                                         name, list(delta.shape), list(p.shape)), prefix=False)
                backups.append((p, p.detach().clone()))
                p.add_(delta)
        return jit_forward(model, input)
    finally:
        with torch.no_grad():
            for p, saved in reversed(backups):
                p.copy_(saved)


def _chain(module, prefix=""):
    """The leaf modules of a chain of submodules, in order, with the containers they close:
    [(name, module, [names of containers ending here])]. None if the module is not a chain."""
    steps = []
    children = list(module.named_children())
    if not children:
        return None
    for name, child in children:
        full = prefix + name
        if getattr(child, "original_name", "") == "Sequential" and list(child.named_children()):
            sub = _chain(child, full + ".")
            if sub is None:
                return None
            sub[-1][2].append(full)
            steps.extend(sub)
        else:
            steps.append((full, child, []))
    return steps


@lib("torch_jit_model_get_intermediate_states")
def torch_jit_model_get_intermediate_states(model, input, layer_names):
    "(torch_jit_model_get_intermediate_states m x names): outputs of the named submodules (models that chain their submodules)."
    _need_jit(model, "First argument must be a JIT model", prefix=False)
    m = _loaded(model)
    need_tensor(input, _SECOND, prefix=False)
    if not isinstance(layer_names, list):
        raise LispEError("Third argument must be a list of layer names", prefix=False)
    wanted = [_str(n) for n in layer_names]
    known = dict(m.named_modules())
    for n in wanted:
        if n not in known:
            raise LispEError("Layer not found: " + n, prefix=False)
    steps = _chain(m)
    reason = "'torch_jit_model_get_intermediate_states' is not supported yet in lispe-py: " \
             "TorchScript modules take no hooks and this model is not a chain of its submodules"
    if steps is None:
        raise LispEError(reason)
    states = {}
    try:
        with torch.no_grad():
            x = input
            for name, child, closes in steps:
                x = child(x)
                states[name] = x
                for c in closes:
                    states[c] = x
            full = jit_forward(model, input)
    except FAILURES as e:
        raise torch_error(e, "Error getting intermediate states: ") from None
    if not isinstance(x, torch.Tensor) or x.shape != full.shape or not torch.allclose(x, full):
        raise LispEError(reason)
    missing = [n for n in wanted if n not in states]
    if missing:
        raise LispEError(reason)
    return List(states[n] for n in wanted)
