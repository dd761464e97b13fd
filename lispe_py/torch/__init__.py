"""Torch builtin families. Importing this package registers their names; torch itself is
imported only when a torch builtin first runs (see :mod:`lispe_py.torch._lazy`)."""

import importlib
import pkgutil

for _m in pkgutil.iter_modules(__path__):
    if not _m.name.startswith("_"):
        importlib.import_module(__name__ + "." + _m.name)
