"""The builtin registry: one table from LispE names to Python functions.

A family module registers a builtin with the :func:`builtin` decorator::

    @builtin("car")
    def car(x):
        "(car l): first element of l; nil for an empty list."

The arity is read from the Python signature (positional parameters, defaults, ``*args``)
unless ``arity=`` says otherwise. ``interp=True`` passes the interpreter and the current
frame first: ``fn(interp, env, *args)``. ``library=True`` marks a LispE library
(``deflib``) function: extra arguments are ignored and missing ones raise
``Wrong parameter description`` at run time instead of a compile-time arity error.
"""

__all__ = ["Builtin", "BUILTINS", "builtin", "alias", "lookup", "SPECIAL_FORMS"]


class Builtin:
    """A builtin function value (what the atom ``car`` evaluates to)."""

    __slots__ = ("name", "fn", "min", "max", "interp", "library", "doc", "module", "params")

    def __init__(self, name, fn, lo, hi, interp, library, doc):
        self.name = name
        self.fn = fn
        self.min = lo
        self.max = hi
        self.interp = interp
        self.library = library
        self.doc = doc
        self.module = fn.__module__
        self.params = None      # parameter names shown when a library function is printed

    def accepts(self, n):
        return n >= self.min and (self.max is None or n <= self.max)

    def lispe_str(self):
        if self.library:
            # LispE prints a library function as (deflib name (params) doc)
            params = self.params
            if params is None:
                import inspect
                try:
                    sig = inspect.signature(self.fn)
                    params = [p.name for p in list(sig.parameters.values())[2 if self.interp else 0:]
                              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
                except (TypeError, ValueError):
                    params = []
            return "(deflib %s (%s) %s)" % (self.name, " ".join(params), self.doc)
        return self.name

    lispe_type = property(lambda self: self.name)

    def __repr__(self):
        return f"<builtin {self.name}>"


class _Registry(dict):
    """The name -> Builtin table. The torch families (names ``torch_*`` and ``tensor_*``)
    are imported the first time one of their names is looked up, or when the whole table
    is listed, so that a program using no torch builtin starts without importing them."""

    _families_loaded = False

    def load_families(self):
        if not _Registry._families_loaded:
            _Registry._families_loaded = True
            import importlib
            try:
                importlib.import_module("lispe_py.torch")
            except ImportError:
                pass

    def _maybe(self, name):
        if not _Registry._families_loaded and type(name) is str and name.startswith(_LAZY_PREFIXES):
            self.load_families()
            return True
        return False

    def __contains__(self, name):
        return dict.__contains__(self, name) or (self._maybe(name) and dict.__contains__(self, name))

    def __getitem__(self, name):
        try:
            return dict.__getitem__(self, name)
        except KeyError:
            if self._maybe(name):
                return dict.__getitem__(self, name)
            raise

    def get(self, name, default=None):
        v = dict.get(self, name, _MISSING)
        if v is _MISSING and self._maybe(name):
            v = dict.get(self, name, _MISSING)
        return default if v is _MISSING else v

    def __iter__(self):
        self.load_families()
        return dict.__iter__(self)

    def keys(self):
        self.load_families()
        return dict.keys(self)

    def items(self):
        self.load_families()
        return dict.items(self)

    def values(self):
        self.load_families()
        return dict.values(self)

    def __len__(self):
        self.load_families()
        return dict.__len__(self)


_MISSING = object()
_LAZY_PREFIXES = ("torch_", "tensor_")
BUILTINS = _Registry()

# name -> the compiler of a special form (if, setq, defun...): filled by lispe_py.forms
# when it is imported; kept here, below the builtins, so that a builtin can ask whether a
# name is a special form without importing the compiler
SPECIAL_FORMS = {}


def _arity_from_signature(fn, skip):
    """(min, max) positional arguments of a plain Python function (code object flags, which
    is much cheaper at start-up than inspect.signature)."""
    code = getattr(fn, "__code__", None)
    if code is None:                      # a builtin or a callable object
        import inspect
        params = list(inspect.signature(fn).parameters.values())[skip:]
        lo = sum(1 for p in params if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD)
        if any(p.kind == p.VAR_POSITIONAL for p in params):
            return lo, None
        return lo, len(params)
    n = code.co_argcount - skip
    defaults = len(fn.__defaults__ or ())
    lo = max(n - defaults, 0)
    if code.co_flags & 0x04:              # CO_VARARGS
        return lo, None
    return lo, n


def builtin(name, *aliases, arity=None, interp=False, library=False, params=None, doc=None):
    """Register the decorated function under ``name`` and ``aliases``.

    ``arity``: an int (exact), a ``(min, max)`` tuple (``max`` None = unlimited),
    or None to read it from the signature. ``params`` and ``doc`` (optional) are what a
    library function shows when printed (default: the Python parameter names and the
    first line of the docstring)."""

    def deco(fn):
        if arity is None:
            lo, hi = _arity_from_signature(fn, 2 if interp else 0)
        elif isinstance(arity, int):
            lo = hi = arity
        else:
            lo, hi = arity
        text = doc if doc is not None else \
            ((fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "")
        for n in (name,) + aliases:
            b = Builtin(n, fn, lo, hi, interp, library, text)
            b.params = list(params) if params is not None else None
            BUILTINS[n] = b
        return fn

    return deco


def alias(new, existing):
    """Make ``new`` another name of the registered builtin ``existing``."""
    b = BUILTINS[existing]
    BUILTINS[new] = Builtin(new, b.fn, b.min, b.max, b.interp, b.library, b.doc)
    BUILTINS[new].params = b.params


def lookup(name):
    return BUILTINS.get(name)
