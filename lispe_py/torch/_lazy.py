"""Lazy access to PyTorch.

``torch`` and ``F`` (``torch.nn.functional``) are module stand-ins: the first attribute
read imports the real module, copies its namespace into the stand-in (so later reads are
plain dictionary look-ups) and returns the attribute. Importing this module never imports
PyTorch, which keeps the CLI start-up fast for programs that use no tensors.

:func:`on_load` registers a hook run once, right after PyTorch is first imported (or at
once if it already is): the torch families register their printers and protocol hooks
there, since ``torch.Tensor`` does not exist before.
"""

import importlib
import sys
import threading
import types

__all__ = ["LazyModule", "torch", "F", "nn", "on_load", "loaded", "ensure"]

_hooks = []
_state = {"loaded": False, "running": False}
_lock = threading.RLock()


def loaded():
    """True once PyTorch has been imported through a stand-in (hooks have run)."""
    return _state["loaded"]


def on_load(fn):
    """Run ``fn()`` right after PyTorch is imported (now if it already is). Returns ``fn``."""
    with _lock:
        if _state["loaded"]:
            fn()
        else:
            _hooks.append(fn)
    return fn


def _import_torch():
    with _lock:
        if _state["loaded"] or _state["running"]:
            return sys.modules.get("torch") or importlib.import_module("torch")
        _state["running"] = True
        try:
            real = importlib.import_module("torch")
            torch._absorb(real)
            _state["loaded"] = True
            hooks = list(_hooks)
            _hooks.clear()
        finally:
            _state["running"] = False
        for fn in hooks:
            fn()
        return real


class LazyModule(types.ModuleType):
    """Stands for the module ``name`` until an attribute is read."""

    def __init__(self, name):
        super().__init__(name)
        self.__dict__["_lazy_name"] = name
        self.__dict__["_lazy_real"] = None

    def _absorb(self, real):
        d = self.__dict__
        for k, v in real.__dict__.items():
            if k.startswith("__") and k.endswith("__"):
                continue
            d[k] = v
        d["_lazy_real"] = real
        # Names the real module gains later (submodules imported afterwards, torch's own lazy
        # attributes): the module-level __getattr__ (PEP 562) is only called on a miss.
        d["__getattr__"] = lambda attr: getattr(real, attr)
        # A class that defines __getattr__ makes *every* attribute read go through a Python
        # level __getattribute__ call (3x slower than a plain module, ~200 ns for torch.Tensor);
        # once loaded the stand-in becomes a plain module subclass.
        self.__class__ = _Loaded

    def _load(self):
        real = self.__dict__["_lazy_real"]
        if real is not None:
            return real
        _import_torch()
        real = self.__dict__["_lazy_real"]
        if real is None:
            real = importlib.import_module(self.__dict__["_lazy_name"])
            self._absorb(real)
        return real

    def __getattr__(self, attr):
        # Only called for names not (yet) in the namespace.
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        real = self._load()
        return getattr(real, attr)

    def __dir__(self):
        return dir(self._load())

    def __repr__(self):
        state = "loaded" if self.__dict__["_lazy_real"] is not None else "not loaded"
        return f"<lazy module {self.__dict__['_lazy_name']!r} ({state})>"


class _Loaded(types.ModuleType):
    """A stand-in once its module is imported: reads are plain module dictionary look-ups."""

    def _load(self):
        return self.__dict__["_lazy_real"]

    def __dir__(self):
        return dir(self.__dict__["_lazy_real"])

    def __repr__(self):
        return f"<lazy module {self.__dict__['_lazy_name']!r} (loaded)>"


def ensure():
    """Import PyTorch now (runs the on-load hooks); returns the real module."""
    return torch._load()


torch = LazyModule("torch")
F = LazyModule("torch.nn.functional")
nn = LazyModule("torch.nn")
