"""Torch builtin families. Importing this package registers their names; torch itself is
imported only when a torch builtin first runs (see :mod:`lispe_py.torch._lazy`).

A family that fails to import does not stop the others: its error is kept in ``BROKEN``
(module name -> ``"ExceptionType: message"``), and the registry turns a use of a torch name
that is missing into that error (lispe_py.builtins.registry), instead of "Unbound atom"."""

import importlib
import pkgutil

BROKEN = {}

for _m in pkgutil.iter_modules(__path__):
    if not _m.name.startswith("_"):
        try:
            importlib.import_module(__name__ + "." + _m.name)
        except Exception as _e:     # noqa: BLE001 - any error in a family module
            BROKEN[__name__ + "." + _m.name] = "%s: %s" % (type(_e).__name__, _e)
