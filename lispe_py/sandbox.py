"""Capability checks for sandboxed embedding (``LispE(sandbox=True)``).

Capabilities: ``read``, ``write`` (files), ``command`` (shell), ``environment``
(getenv/setenv), ``load`` (other LispE files), ``use`` (any module; without it only
``modules`` may be used, by default the torch and tiktoken libraries), ``torch_io`` (every
torch builtin that reads or writes a file: without it, only paths under ``allowed_dir``).

Builtins that receive the interpreter call ``interp.sandbox.check``; library builtins (the
torch families) call :func:`guard_path`, which reads the sandbox of the evaluation running on
this thread (set by :func:`running`)."""

import os
import threading

from .errors import LispEError

CAPABILITIES = {"read", "write", "command", "environment", "load", "use", "torch_io"}
DEFAULT_MODULES = ("lispe_torch", "liblispe_torch", "lispe_tiktoken", "liblispe_tiktoken")

_state = threading.local()


class Sandbox:
    def __init__(self, allowed=(), allowed_dir=None, modules=DEFAULT_MODULES):
        unknown = set(allowed) - CAPABILITIES
        if unknown:
            raise ValueError("unknown capabilities: %s" % ", ".join(sorted(unknown)))
        self.allowed = set(allowed)
        self.allowed_dir = os.path.realpath(allowed_dir) if allowed_dir else None
        self.modules = set(modules)

    def check(self, capability, path=None):
        """Raise a LispEError unless ``capability`` is allowed (for ``path`` if given)."""
        if capability in self.allowed:
            return
        if path is not None and self.allowed_dir is not None:
            real = os.path.realpath(path)
            if real == self.allowed_dir or real.startswith(self.allowed_dir + os.sep):
                return
            raise LispEError("sandbox: '%s' is outside the allowed folder %s"
                             % (path, self.allowed_dir))
        raise LispEError("sandbox: '%s' is not allowed in this interpreter" % capability)

    def check_module(self, name):
        if "use" in self.allowed or name in self.modules:
            return
        raise LispEError("sandbox: module '%s' is not allowed in this interpreter" % name)


def current():
    """The sandbox of the evaluation running on this thread (None when unrestricted)."""
    return getattr(_state, "sandbox", None)


def running(sandbox, fn, *args):
    """fn(*args) with ``sandbox`` as this thread's sandbox."""
    saved = getattr(_state, "sandbox", None)
    _state.sandbox = sandbox
    try:
        return fn(*args)
    finally:
        _state.sandbox = saved


def guard_path(path, capability="torch_io"):
    """Raise a LispEError if the running sandbox forbids reading or writing ``path``."""
    sb = current()
    if sb is not None:
        sb.check(capability, str(path))
