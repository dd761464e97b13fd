"""The common base of every LispE-visible torch module, and the duck-typed helpers that let
optimizers, ``torch_train``/``torch_eval``, ``torch_forward`` and persistence work on any of them.

A *module object* is what a builtin such as ``torch_linear`` returns. lispe-py recognises three
shapes of module object (see :func:`module_of`):

* an instance of :class:`TorchModule` (this module): it holds a ``torch.nn.Module`` in
  ``.module`` and knows its LispE type name and printed form;
* any other object with a ``.module`` attribute that is a ``torch.nn.Module`` (the flash
  attention object of :mod:`lispe_py.torch.attention`, LoRA layers...);
* a bare ``torch.nn.Module``.

:func:`collect_parameters` turns a module object, a LispE list of module objects and/or tensors
(nested lists too) or a dictionary of them into the list of tensors an optimizer updates.

PyTorch is imported only when a builtin runs: the classes below hold ``torch`` objects but never
touch ``torch`` at import time.
"""

import inspect

from lispe_py.errors import LispEError
from lispe_py.torch._lazy import torch
from lispe_py.torch._helpers import torch_errors as cpp_errors  # the shared with-block
from lispe_py.values import DICTS, dict_items

__all__ = ["TorchModule", "module_of", "is_module", "collect_parameters", "forward_any",
           "cpp_errors", "set_training"]


class TorchModule:
    """A LispE value holding a ``torch.nn.Module`` (``self.module``).

    Subclasses set ``lispe_type`` (what ``(type x)`` returns, the C++ type name) and ``label``
    (what ``println`` shows). Modules start in training mode, as every torch module does;
    ``torch_train``/``torch_eval`` switch them."""

    lispe_type = "torch_module_"
    label = "PyTorch Module"

    def __init__(self, module):
        self.module = module

    # ---- LispE protocol
    def lispe_str(self):
        return self.label

    def __repr__(self):
        return "<%s>" % self.lispe_str()

    # ---- torch-module protocol (devices.move_to, optimizers, train/eval, persistence)
    def parameters(self):
        return list(self.module.parameters())

    def named_parameters(self):
        return list(self.module.named_parameters())

    def state_dict(self):
        return self.module.state_dict()

    def to(self, device):
        self.module.to(device)
        return self

    def train(self, mode=True):
        self.module.train(bool(mode))
        return self

    def eval(self):
        return self.train(False)

    @property
    def training(self):
        return self.module.training

    def forward(self, x):
        """The one-input forward used by ``torch_forward`` (subclasses refine it)."""
        return self.module(x)


def module_of(obj):
    """The ``torch.nn.Module`` behind a module object, or None."""
    if isinstance(obj, torch.nn.Module):
        return obj
    m = getattr(obj, "module", None)
    if m is not None and isinstance(m, torch.nn.Module):
        return m
    return None


def is_module(obj):
    return module_of(obj) is not None


def set_training(obj, mode):
    """Switch a module object (or every module object of a LispE list) to training/eval mode.
    Returns False when ``obj`` holds no module."""
    if isinstance(obj, list):
        found = False
        for x in obj:
            found = set_training(x, mode) or found
        return found
    train = getattr(obj, "train", None)
    if callable(train) and not isinstance(obj, torch.nn.Module) and module_of(obj) is not None:
        train(bool(mode))
        return True
    m = module_of(obj)
    if m is None:
        return False
    m.train(bool(mode))
    return True


def _add(out, seen, t):
    if id(t) not in seen:
        seen.add(id(t))
        out.append(t)


def collect_parameters(obj, out=None, seen=None):
    """The tensors an optimizer over ``obj`` updates (module objects, tensors, lists of them,
    dictionaries of them). Returns None when ``obj`` holds neither modules nor tensors."""
    top = out is None
    if top:
        out, seen = [], set()
    found = False
    if isinstance(obj, torch.Tensor):
        _add(out, seen, obj)
        found = True
    elif module_of(obj) is not None:
        for p in module_of(obj).parameters():
            _add(out, seen, p)
        found = True
    elif isinstance(obj, list):
        for x in obj:
            if collect_parameters(x, out, seen) is not None:
                found = True
        if top and len(obj) == 0:
            found = True
    elif isinstance(obj, DICTS):
        for _, x in dict_items(obj):
            if collect_parameters(x, out, seen) is not None:
                found = True
    else:
        params = getattr(obj, "parameters", None)
        if callable(params) and not isinstance(obj, type):
            try:
                ps = list(params())
            except TypeError:
                ps = None
            if ps is not None and all(isinstance(p, torch.Tensor) for p in ps):
                for p in ps:
                    _add(out, seen, p)
                found = True
    if not found:
        return None
    return out


def _required_positional(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 1
    n = 0
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            n += 1
    return n


def forward_any(obj, x):
    """One-input forward of any module object: lispe-py's ``torch_forward`` on a layer that is
    not an MLP (the documentation does this with embeddings and transformer blocks). Attention
    modules that want (query, key, value) get ``(x, x, x)`` (self-attention)."""
    fwd = getattr(obj, "forward", None)
    if callable(fwd) and not isinstance(obj, torch.nn.Module):
        if _required_positional(fwd) >= 3:
            return fwd(x, x, x)
        return fwd(x)
    m = module_of(obj)
    if m is None:
        raise LispEError("First argument must be a model")
    if isinstance(m, torch.nn.MultiheadAttention):
        return m(x, x, x, need_weights=False)[0]
    return m(x)
