"""Saving and loading modules, state dicts and training checkpoints (spec §1.11).

Files are written atomically (a temporary file in the same folder, then ``os.replace``) with
``torch.save`` and read with ``torch.load(weights_only=True)``. Their content is a dictionary
``{"format": "lispe-py", "kind": "module"|"modules"|"checkpoint", ...}`` holding state dicts
(parameters and buffers); lispe-py files are not libtorch archives (the C++ files cannot be
read, nor the reverse).

* ``torch_save_model m path`` → ``Model saved successfully``. ``m``: an MLP, linear, embedding,
  multi-head attention, layer norm or positional encoding (as in the C++), and in lispe-py also a
  flash attention module, a LoRA layer, or a LispE list of module objects (saved together — the
  way to save a transformer block, which, as in the C++, cannot be saved alone).
* ``torch_load_model m path`` → ``Model loaded successfully``: loads into the existing object
  (same architecture). The documentation's order ``(torch_load_model path m)`` works too. Reads
  files written by ``torch_save_model`` and by ``torch_save_checkpoint`` (the model part).
  A missing file, a file that is not a lispe-py model file, a missing tensor or a shape that
  differs raise ``Error loading model: ...``.
* ``torch_state_dict m`` → ``PyTorch State Dict (N parameters)``: copies of the named
  parameters (no buffers, so a positional encoding has 0).
* ``torch_load_state_dict m sd`` → ``State dict loaded successfully``: copies the parameters whose
  names match (others are skipped); works on every module object (the C++ only accepts an MLP
  and always fails).
* ``torch_save_checkpoint m opt epoch path`` → ``Checkpoint saved successfully``: saves the model
  (any module object or list of them), the optimizer state (opt may be nil) and the epoch.
* ``torch_load_checkpoint path`` → an empty ``PyTorch State Dict (0 parameters)`` without reading
  the file, exactly as the C++ (a stub). lispe-py: ``(torch_load_checkpoint path m [opt])`` (or
  ``(torch_load_checkpoint m [opt] path)``) restores the model and the optimizer state and
  returns the saved epoch (an integer).
"""

import os
import tempfile
import zipfile

from lispe_py.errors import LispEError
from lispe_py.sandbox import guard_path
from lispe_py.torch._lazy import torch
from lispe_py.torch._helpers import lib, read_int, torch_message
from lispe_py.torch.modules import module_of
from lispe_py.torch.distributed import (plain_tensor, plain_tree, shard_like, shard_optimizer,
                                        unwrap, writes_here)
from lispe_py.values import to_string, type_name

__all__ = ["StateDict", "save_file", "load_file"]

FORMAT = "lispe-py"


class StateDict:
    """Copies of named parameters (``.tensors``: name -> tensor)."""

    lispe_type = "torch_state_dict_"

    def __init__(self, tensors):
        self.tensors = tensors

    def lispe_str(self):
        return "PyTorch State Dict (%d parameters)" % len(self.tensors)

    def __repr__(self):
        return "<%s>" % self.lispe_str()


# --------------------------------------------------------------------------- what can be saved

def _refused(obj):
    """Module objects the C++ refuses to save and lispe-py keeps refusing alone (transformer
    block, rotary embedding, checkpoint wrapper)."""
    from lispe_py.torch.layers import TransformerBlock, CheckpointedModule
    from lispe_py.torch.positional import RotaryEmbedding
    return isinstance(obj, (TransformerBlock, CheckpointedModule, RotaryEmbedding))


def _modules(obj, message, allow_all=False):
    """(single, [nn.Module...], [type names]) for a module object or a LispE list of them."""
    if isinstance(obj, list) and not isinstance(obj, str):
        if len(obj) == 0:
            raise LispEError(message)
        mods = []
        for x in obj:
            m = unwrap(module_of(x))
            if m is None:
                raise LispEError(message)
            mods.append(m)
        return False, mods, [type_name(x) for x in obj]
    m = unwrap(module_of(obj))
    if m is None or (not allow_all and _refused(obj)):
        raise LispEError(message)
    return True, [m], [type_name(obj)]


def _path(p):
    if isinstance(p, str):
        return p
    return to_string(p)


# --------------------------------------------------------------------------- files

def save_file(payload, path, prefix):
    """``torch.save`` payload to path atomically; errors become ``prefix + message``."""
    guard_path(path)
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        raise LispEError(prefix + "Parent directory %s does not exist." % parent, prefix=False)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp",
                               dir=parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, (OSError, RuntimeError, ValueError, TypeError)):
            raise LispEError(prefix + torch_message(e), prefix=False) from None
        raise


def load_file(path, prefix):
    """The lispe-py payload saved at path (a dict), or a clear error."""
    guard_path(path)
    if not os.path.exists(path):
        raise LispEError(prefix + "open file failed because of errno 2 on fopen: No such file "
                         "or directory, file path: " + path, prefix=False)
    if os.path.isdir(path):
        raise LispEError(prefix + path + " is a directory", prefix=False)
    if not zipfile.is_zipfile(path):
        raise LispEError(prefix + "PytorchStreamReader failed reading zip archive: failed "
                         "finding central directory (%s is not a lispe-py model file)" % path,
                         prefix=False)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:       # unpickling refused, corrupted archive...
        raise LispEError(prefix + torch_message(e), prefix=False) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise LispEError(prefix + path + " is not a lispe-py model file", prefix=False)
    return payload


def _copy_state(module, state, prefix):
    """Load ``state`` (name -> tensor) into ``module``: every entry of the module must be in the
    file with the same shape (extra entries in the file are ignored)."""
    own = module.state_dict()
    state = shard_like(own, state)
    for name, t in own.items():
        if name not in state:
            raise LispEError(prefix + "No such serialized tensor '%s'" % name, prefix=False)
        s = state[name]
        if tuple(s.shape) != tuple(t.shape):
            raise LispEError(prefix + "size mismatch for %s: the file holds shape %s, the module "
                             "has shape %s" % (name, list(s.shape), list(t.shape)),
                             prefix=False)
    try:
        module.load_state_dict({k: state[k] for k in own}, strict=False)
    except RuntimeError as e:
        raise LispEError(prefix + torch_message(e), prefix=False) from None


def _module_states(payload, path, prefix):
    kind = payload.get("kind")
    if kind in ("module", "modules", "checkpoint"):
        return payload["states"], payload.get("types", [])
    raise LispEError(prefix + path + " does not hold a model", prefix=False)


def _load_into(mods, payload, path, prefix):
    states, _ = _module_states(payload, path, prefix)
    if len(states) != len(mods):
        raise LispEError(prefix + "%s holds %d module(s), %d given" % (path, len(states),
                                                                      len(mods)), prefix=False)
    for m, st in zip(mods, states):
        _copy_state(m, st, prefix)


def _states(mods):
    return [{k: plain_tensor(v).detach().cpu().clone() for k, v in m.state_dict().items()}
            for m in mods]


# --------------------------------------------------------------------------- builtins

@lib("torch_save_model")
def torch_save_model(model, path):
    "(torch_save_model m path): write the parameters and buffers of m (or of a list of modules) to path; 'Model saved successfully'."
    single, mods, types = _modules(model, "First argument must be a PyTorch module")
    payload = {"format": FORMAT, "kind": "module" if single else "modules",
               "types": types, "states": _states(mods)}
    if writes_here(model):
        save_file(payload, _path(path), "Error saving model: ")
    return "Model saved successfully"


@lib("torch_load_model")
def torch_load_model(model, path):
    "(torch_load_model m path) or (torch_load_model path m): load a saved model into m (same architecture); 'Model loaded successfully'."
    if isinstance(model, str) and not isinstance(path, str):
        model, path = path, model
    single, mods, _ = _modules(model, "First argument must be a PyTorch module")
    p = _path(path)
    payload = load_file(p, "Error loading model: ")
    _load_into(mods, payload, p, "Error loading model: ")
    return "Model loaded successfully"


@lib("torch_state_dict", "torch_model_state_dict")
def torch_state_dict(model):
    "(torch_state_dict m): copies of the named parameters of m; prints PyTorch State Dict (N parameters)."
    _, mods, _ = _modules(model, "Argument must be a PyTorch module")
    tensors = {}
    for i, m in enumerate(mods):
        for name, p in m.named_parameters():
            key = name if len(mods) == 1 else "%d.%s" % (i, name)
            tensors[key] = plain_tensor(p).detach().clone()
    return StateDict(tensors)


@lib("torch_load_state_dict")
def torch_load_state_dict(model, state_dict):
    "(torch_load_state_dict m sd): copy into m the parameters of sd whose names match; 'State dict loaded successfully'."
    if module_of(model) is None and not isinstance(model, list):
        raise LispEError("First argument must be a model")
    if not isinstance(state_dict, StateDict):
        raise LispEError("Second argument must be a state dict")
    _, mods, _ = _modules(model, "First argument must be a model", allow_all=True)
    prefix = "Error loading state dict: "
    with torch.no_grad():
        for i, m in enumerate(mods):
            for name, p in m.named_parameters():
                key = name if len(mods) == 1 else "%d.%s" % (i, name)
                src = state_dict.tensors.get(key)
                if src is None:
                    continue
                if tuple(src.shape) != tuple(p.shape):
                    raise LispEError(prefix + "size mismatch for %s: %s in the state dict, %s in "
                                     "the module" % (name, list(src.shape), list(p.shape)),
                                     prefix=False)
                p.copy_(src)
    return "State dict loaded successfully"


def _optimizer_class():
    from lispe_py.torch.training import Optimizer
    return Optimizer


@lib("torch_save_checkpoint")
def torch_save_checkpoint(model, optimizer, epoch, path):
    "(torch_save_checkpoint m opt epoch path): save the model, the optimizer state (opt may be nil) and the epoch; 'Checkpoint saved successfully'."
    single, mods, types = _modules(model, "First argument must be a model", allow_all=True)
    Optimizer = _optimizer_class()
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise LispEError("Second argument must be an optimizer")
    payload = {"format": FORMAT, "kind": "checkpoint", "single": single, "types": types,
               "states": _states(mods), "epoch": read_int(epoch),
               "optimizer": (plain_tree(optimizer.optimizer.state_dict())
                             if optimizer is not None else None),
               "optimizer_kind": optimizer.optimizer_type if optimizer is not None else None}
    if writes_here(model):
        save_file(payload, _path(path), "Error saving checkpoint: ")
    return "Checkpoint saved successfully"


@lib("torch_load_checkpoint")
def torch_load_checkpoint(path, model=None, optimizer=None):
    """(torch_load_checkpoint path): an empty state dict, the file is not read (as the C++).
    (torch_load_checkpoint path m [opt]) or (torch_load_checkpoint m [opt] path): (lispe-py)
    restore the model and optimizer saved by torch_save_checkpoint; returns the epoch."""
    if model is None and optimizer is None:
        return StateDict({})
    args = [a for a in (path, model, optimizer) if a is not None]
    paths = [a for a in args if isinstance(a, str)]
    if len(paths) != 1:
        raise LispEError("torch_load_checkpoint: expected one file path")
    p = paths[0]
    Optimizer = _optimizer_class()
    opts = [a for a in args if isinstance(a, Optimizer)]
    rest = [a for a in args if not isinstance(a, (str, Optimizer))]
    if len(rest) != 1 or len(opts) > 1:
        raise LispEError("torch_load_checkpoint: expected a path, a model and an optional "
                         "optimizer")
    _, mods, _ = _modules(rest[0], "First argument must be a model", allow_all=True)
    prefix = "Error loading checkpoint: "
    payload = load_file(p, prefix)
    if payload.get("kind") != "checkpoint":
        raise LispEError(prefix + p + " is not a checkpoint (use torch_load_model)", prefix=False)
    _load_into(mods, payload, p, prefix)
    if opts:
        state = payload.get("optimizer")
        if state is None:
            raise LispEError(prefix + p + " holds no optimizer state", prefix=False)
        try:
            opts[0].optimizer.load_state_dict(state)
            shard_optimizer(opts[0].optimizer)
        except (ValueError, RuntimeError, KeyError) as e:
            raise LispEError(prefix + "optimizer: " + torch_message(e), prefix=False) from None
    return int(payload.get("epoch", 0))
