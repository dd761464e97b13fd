"""Embedding API: run LispE from Python.

    >>> from lispe_py import LispE
    >>> lisp = LispE()
    >>> lisp.eval("(+ 1 2)")
    3
    >>> lisp.define("xs", [1, 2, 3]); lisp.eval("(sum xs)")
    6

Values cross the boundary as plain Python values: integers, floats, strings, lists, dicts,
``None`` for nil, ``True`` for true; tensors stay tensors. Two ``LispE`` instances share
no state."""

from . import protocols
from .builtins.registry import Builtin
from .callables import Function, Lambda, PatternFunction
from .errors import LispEError
from .interpreter import Interpreter
from .runner import run_with_big_stack
from .values import (TRUE, EMPTY, Atom, Dictionary, DictionaryI, DictionaryN, Float32, Integers,
                     List, Maybe, Numbers, Short, Strings, SETS, to_string)

__all__ = ["LispE", "LispEError", "to_python", "from_python"]


def to_python(v):
    """A LispE value -> the plain Python value the API returns."""
    if v is None:
        return None
    if v is TRUE:
        return True
    t = type(v)
    if t is int or t is float or t is str:
        return v
    if t is Float32:
        return float(v)
    if t is Short:
        return int(v)
    if t is Atom:
        return v.name if v is not EMPTY else ""
    if isinstance(v, list):
        return [to_python(x) for x in v]
    if isinstance(v, dict):
        return {k: to_python(x) for k, x in v.items()}
    if isinstance(v, SETS):
        items = [to_python(x) for x in v]
        try:
            return set(items)
        except TypeError:           # a set_ holding lists or dictionaries: its elements in order
            return items
    if isinstance(v, Maybe):
        return LispEError(v.message[7:] if v.message.startswith("Error: ") else v.message)
    hook = protocols.find(protocols.TO_PYTHON, v)
    if hook is not None:
        return hook(v)
    return v


def from_python(v):
    """A Python value -> a LispE value (lists of ints become ``integers``, etc.)."""
    if type(v).__module__.startswith("torch"):
        _torch_ready()
        return v
    if v is None or v is False:
        return None
    if v is True:
        return TRUE
    if isinstance(v, (int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        items = [from_python(x) for x in v]
        if items and all(type(x) is int for x in items):
            return Integers(items)
        if items and all(type(x) is float for x in items):
            return Numbers(items)
        if items and all(type(x) is str for x in items):
            return Strings(items)
        return List(items)
    if isinstance(v, dict):
        keys = list(v)
        if keys and all(type(k) is int for k in keys):
            d = DictionaryI()
        elif keys and all(type(k) is float for k in keys):
            d = DictionaryN()
        else:
            d = Dictionary()
            for k, x in v.items():
                d[to_string(from_python(k))] = from_python(x)
            return d
        for k, x in v.items():
            d[k] = from_python(x)
        return d
    return v


def _torch_ready():
    """A tensor from the caller's own torch: load the torch families and their printers."""
    from .builtins.registry import BUILTINS
    BUILTINS.load_families()
    from .torch import _lazy
    _lazy.ensure()


class _PyFunction:
    """A Python callable registered with :meth:`LispE.register`."""

    def __init__(self, name, fn, lo, hi):
        self.name, self.fn, self.lo, self.hi = name, fn, lo, hi

    kind = "list_"

    def call(self, args, env=None):
        n = len(args)
        if n < self.lo or (self.hi is not None and n > self.hi):
            raise LispEError("Wrong number of arguments for: '%s'" % self.name)
        try:
            return from_python(self.fn(*[to_python(a) for a in args]))
        except LispEError:
            raise
        except Exception as e:
            raise LispEError("%s: %s" % (self.name, e)) from e

    def lispe_str(self):
        return "(python %s)" % self.name


class LispE:
    """An independent LispE interpreter.

    ``sandbox=True`` (or the set of capabilities to keep, from ``{"read", "write",
    "command", "environment", "load", "use", "torch_io"}``) turns off what touches the outside
    world; ``allowed_dir`` is where sandboxed torch builtins may read and write files;
    ``modules`` are the names ``use`` accepts (default: the torch library)."""

    def __init__(self, args=None, stdout=None, stderr=None, sandbox=False, allowed_dir=None,
                 modules=None):
        self._interp = Interpreter(args=args, stdout=stdout, stderr=stderr)
        if sandbox:
            from .sandbox import DEFAULT_MODULES, Sandbox
            allowed = set() if sandbox is True else set(sandbox)
            self._interp.sandbox = Sandbox(allowed, allowed_dir,
                                           DEFAULT_MODULES if modules is None else modules)

    @property
    def interpreter(self):
        return self._interp

    def _run(self, fn, *args, timeout=None):
        sb = self._interp.sandbox
        # one long-lived evaluation thread per interpreter: torch's per-thread state (grad
        # mode, autocast) carries from one eval to the next
        if sb is None:
            return run_with_big_stack(fn, *args, timeout=timeout, owner=self._interp)
        from .sandbox import running
        return run_with_big_stack(running, sb, fn, *args, timeout=timeout, owner=self._interp)

    def eval(self, source, timeout=None, raw=False):
        """Evaluate LispE source; return the value of its last form as a Python value.
        ``timeout`` (seconds) stops a runaway evaluation with a LispEError."""
        return self._run(self._converted, raw, self._interp.eval_source, source, "<eval>",
                         timeout=timeout)

    @staticmethod
    def _converted(raw, fn, *args):
        """fn(*args), converted to Python (on the evaluation thread, whose stack is large)."""
        v = fn(*args)
        if raw:
            return v
        try:
            return to_python(v)
        except RecursionError:
            raise LispEError("Stack overflow: the value is nested too deeply to convert", prefix=False)

    def execute_file(self, path, timeout=None, raw=False):
        """Run a LispE file; return the value of its last form."""
        return self._run(self._converted, raw, self._interp.execute_file, path, timeout=timeout)

    def call(self, name, *args, raw=False):
        """Call the LispE function (or builtin) ``name`` with Python arguments."""
        interp = self._interp
        f = interp.globals.get(name)
        if not isinstance(f, (Function, Lambda, PatternFunction, Builtin, _PyFunction)):
            f = interp.resolve_name(name)
        lispe_args = [from_python(a) for a in args]
        return self._run(self._converted, raw, interp.apply, f, lispe_args, interp.globals)

    def define(self, name, value):
        """Bind a global LispE variable to a Python value (converted)."""
        self._interp.globals[name] = from_python(value)

    def get(self, name, raw=False):
        """The value of a global LispE variable."""
        g = self._interp.globals
        if name not in g:
            raise LispEError("Unbound atom: '%s'" % name)
        return g[name] if raw else to_python(g[name])

    def register(self, name, fn, arity=None):
        """Expose a Python callable to LispE code as the function ``name``.
        ``arity``: an int, a (min, max) tuple, or None for any number of arguments."""
        if arity is None:
            lo, hi = 0, None
        elif isinstance(arity, int):
            lo = hi = arity
        else:
            lo, hi = arity
        self._interp.functions[name] = _PyFunction(name, fn, lo, hi)

    def to_string(self, value):
        """The LispE printed form of a value (Python values are converted first)."""
        return to_string(from_python(value) if not _is_lispe(value) else value)


def _is_lispe(v):
    return isinstance(v, (List, dict, Atom)) or v is None
