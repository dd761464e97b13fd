"""Capability checks for sandboxed embedding (``LispE(sandbox=True)``).

Builtins that touch the outside world call ``interp.sandbox.check(capability)``:
``read``, ``write`` (files), ``command`` (shell), ``environment`` (getenv/setenv),
``load`` (other LispE files), ``torch_io`` (torch save/load, allowed only under
``allowed_dir``)."""

import os

from .errors import LispEError

CAPABILITIES = {"read", "write", "command", "environment", "load", "torch_io"}


class Sandbox:
    def __init__(self, allowed=(), allowed_dir=None):
        unknown = set(allowed) - CAPABILITIES
        if unknown:
            raise ValueError("unknown capabilities: %s" % ", ".join(sorted(unknown)))
        self.allowed = set(allowed)
        self.allowed_dir = os.path.realpath(allowed_dir) if allowed_dir else None

    def check(self, capability, path=None):
        """Raise a LispEError unless ``capability`` is allowed (for ``path`` if given)."""
        if capability in self.allowed:
            return
        if path is not None and self.allowed_dir is not None:
            real = os.path.realpath(path)
            if real == self.allowed_dir or real.startswith(self.allowed_dir + os.sep):
                return
        raise LispEError("sandbox: '%s' is not allowed in this interpreter" % capability)
