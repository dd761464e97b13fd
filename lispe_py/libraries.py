"""The libraries ``(use 'NAME)`` loads.

Real LispE loads a C++ shared library (``$LISPEPATH/NAME.so``); lispe-py provides two of them in
Python: ``lispe_torch`` (always available, its builtins load with the first torch name) and
``lispe_tiktoken`` (:mod:`lispe_py.builtins.tiktoken_lib`, imported by its ``use``). A name is
read as LispE reads it: the folder, a leading ``lib`` and a trailing ``.so`` are dropped, so
``liblispe_torch`` and ``lispe_torch.so`` are ``lispe_torch``. Any other library fails with the
text real LispE prints when it cannot find the file, which depends on ``LISPEPATH``.
"""

import importlib
import os

from .errors import LispEError
from .values import TRUE, to_string

__all__ = ["LIBRARIES", "library_name", "missing_library", "use"]

# library -> module to import (None: the torch library, loaded through Interpreter.use)
LIBRARIES = {"lispe_torch": None, "lispe_tiktoken": "lispe_py.builtins.tiktoken_lib"}


def library_name(name):
    """The library a ``use`` name designates: ``/a/libfoo.so`` -> ``foo``."""
    base = name.rsplit("/", 1)[-1]
    if base.startswith("lib"):
        base = base[3:]
    if base.endswith(".so"):
        base = base[:-3]
    return base


def missing_library(name):
    """The error of real LispE for a library it cannot load (as measured on the binary)."""
    path = os.environ.get("LISPEPATH")
    if path is None:
        return LispEError("The variable LISPEPATH has not been initialized.\n"
                          "LISPEPATH should point to the directory containing liblispe.so and "
                          "your libraries:\n\texport LISPEPATH=the_path_to_the_libraries\n")
    if not path.endswith("/"):
        path += "/"
    base = library_name(name)
    tried = name if "/" in name else os.path.join(os.getcwd(), "lib%s.so" % base)
    return LispEError("%s%s%s.so: cannot open shared object file: No such file or directory: %s"
                      % (path, path, base, tried), prefix=False)


def use(interp, lib):
    """(use 'lib): load a library into the interpreter; true."""
    name = to_string(lib)
    if interp.sandbox is not None:
        interp.sandbox.check_module(name)
    base = library_name(name)
    if base not in LIBRARIES:
        raise missing_library(name)
    module = LIBRARIES[base]
    if module is None:
        return interp.use(lib)
    importlib.import_module(module)
    interp.used.add(name)
    return TRUE
