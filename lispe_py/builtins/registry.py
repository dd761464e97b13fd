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
    """A builtin function value (what the atom ``car`` evaluates to).

    Besides its arity, a builtin carries the flags the compiler reads (defaults from the
    tables below, by name; a family may pass them to :func:`builtin`):

    * ``value``: the bare name evaluates to the builtin (operators and LispE's library
      functions); any other builtin name read as a variable is "cannot evaluate this
      instruction" (except as the function argument of a higher-order builtin);
    * ``fn_arg``: the first argument is a function: a bare builtin name there is the
      builtin even where a variable of that name exists;
    * ``no_indirect``: that function argument may not come from a variable holding a
      name or a list (LispE: ``(setq a '+) (map a l)`` fails, ``(map '+ l)`` works);
    * ``printing``: each argument is turned into text as soon as it is evaluated
      (``(println l (pop l))`` shows l before the pop);
    * ``canonical``: the name arity errors show (``nth`` -> ``at``);
    * ``inline``: the operator the compiler may compute inline on plain integers and
      floats (``+ - * % < > <= >= = eq``), falling back to ``fn`` for any other operand.
    """

    __slots__ = ("name", "fn", "min", "max", "interp", "library", "doc", "module", "params",
                 "value", "fn_arg", "no_indirect", "printing", "canonical", "inline")

    def __init__(self, name, fn, lo, hi, interp, library, doc, **flags):
        self.name = name
        self.fn = fn
        self.min = lo
        self.max = hi
        self.interp = interp
        self.library = library
        self.doc = doc
        self.module = fn.__module__
        self.params = None      # parameter names shown when a library function is printed
        self.value = library or name in DEFLIB_NAMES or _operator_name(name)
        self.fn_arg = name in FN_ARG_BUILTINS
        self.no_indirect = name in NO_INDIRECT_FN
        self.printing = name in PRINTING
        self.canonical = CANONICAL_NAMES.get(name, name)
        self.inline = INLINE_OPERATORS.get(name)
        for k, v in flags.items():
            if k not in _FLAGS:
                raise TypeError("unknown builtin flag: %s" % k)
            setattr(self, k, v)

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
    _broken = {}    # torch family module -> "ExceptionType: message", for those that failed

    def load_families(self):
        if not _Registry._families_loaded:
            _Registry._families_loaded = True
            import importlib
            try:
                pkg = importlib.import_module("lispe_py.torch")
                _Registry._broken = dict(getattr(pkg, "BROKEN", {}))
            except Exception as e:      # reported when a torch name is used (_unavailable)
                _Registry._broken = {"lispe_py.torch": "%s: %s" % (type(e).__name__, e)}

    def _unavailable(self, name):
        """A torch name missing because a torch family failed to import: a builtin raising
        that import error when called (one clear error, not 'Unbound atom'); else _MISSING."""
        if _Registry._broken and type(name) is str and name.startswith(_LAZY_PREFIXES):
            return _unavailable_builtin(name, _Registry._broken)
        return _MISSING

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
            v = self.get(name, _MISSING)
            if v is _MISSING:
                raise
            return v

    def get(self, name, default=None):
        v = dict.get(self, name, _MISSING)
        if v is _MISSING:
            if self._maybe(name):
                v = dict.get(self, name, _MISSING)
            if v is _MISSING and _Registry._broken:
                v = self._unavailable(name)
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


def _unavailable_builtin(name, broken):
    from ..errors import LispEError
    msg = "'%s' is not available: the torch builtins could not be loaded: %s" % (
        name, "; ".join("module %s failed to import (%s)" % kv for kv in broken.items()))

    def unavailable(*args):
        raise LispEError(msg)
    unavailable.__module__ = "lispe_py.torch"
    return Builtin(name, unavailable, 0, None, False, True, msg)

# name -> the compiler of a special form (if, setq, defun...): filled by lispe_py.forms
# when it is imported; kept here, below the builtins, so that a builtin can ask whether a
# name is a special form without importing the compiler
SPECIAL_FORMS = {}


# ---------------------------------------------------------------------------- flags by name

_FLAGS = ("value", "fn_arg", "no_indirect", "printing", "canonical", "inline")

# names that are library (deflib) functions in LispE: they can be used as values
DEFLIB_NAMES = frozenset("""
    command os_version setenv getenv fileinfo realpath ls isdirectory exit memory_size
    memory_full_size chrono date year month day hour minute second yearday weekday setdate
    file file_close file_eof file_read file_getstruct file_readlist file_readline
    file_getchar file_seek file_tell file_write file_writeln trim0 trim trimleft trimright
    lower format sprintf upper replace convert_in_base left ngrams right middle getstruct
    split splite ord chr chrbyte padding fill editdistance deaccentuate startwith endwith
    lowerp upperp alphap digitp emojip punctuationp vowelp consonantp lower? upper? alpha?
    digit? emoji? punctuation? vowel? consonant? indent segment segment_e tokenizer_main
    segmenter tokenizer_rules tokenize_rules tokenizer tokenizer_display tokenize
    get_tokenizer_rules set_tokenizer_rules get_tokenizer_operators set_tokenizer_operators
    json_read json_write json_parse json √ ∛ fabs acos acosh asin asinh atan atanh cbrt cos
    cosh erf erfc exp exp2 expm1 floor gcd hcf iabs lgamma log log10 log1p log2 logb
    nearbyint rint round sin sinh sqrt tan tanh tgamma trunc radian degree cosine random
    shuffle uuid random_choice uniform_distribution bernoulli_distribution
    binomial_distribution negative_binomial_distribution geometric_distribution
    poisson_distribution exponential_distribution gamma_distribution weibull_distribution
    extreme_value_distribution normal_distribution lognormal_distribution
    chi_squared_distribution cauchy_distribution fisher_distribution student_distribution
    discrete_distribution piecewise_constant_distribution piecewise_linear_distribution rgx
    rgx_find rgx_findall rgx_find_i rgx_findall_i rgx_match rgx_replace rgx_split ontology
    ontology_ontology ontology_create ontology_concept ontology_contain ontology_intersect
    ontology_add ontology_remove ontology_list ontology_find ontology_absurd
    ontology_absurdp ontology_all
""".split())

# builtins whose first argument is a function
FN_ARG_BUILTINS = frozenset("""
    map filter takewhile dropwhile foldl foldr foldl1 foldr1 scanl scanl1 scanr scanr1
    maplist mapcar ¨ filterlist zipwith apply sort filtercar dropcar takecar scanlist
    droplist takelist over for whilein help
""".split())

# ... of which these refuse a function read from a variable holding a name or a list
NO_INDIRECT_FN = frozenset("""
    map filter takewhile dropwhile foldl foldr foldl1 foldr1 scanl scanl1 scanr scanr1
""".split())

PRINTING = frozenset(["print", "println", "printerr", "printerrln"])

CANONICAL_NAMES = {"@": "at", "nth": "at", "sum": "∑", "product": "∏", "iota": "⍳",
                   "iota0": "⍳0", "rho": "ρ", "outer": "°", "to_list": "⊂"}

INLINE_OPERATORS = {"+": "+", "-": "-", "*": "*", "%": "%", "<": "<", ">": ">", "<=": "<=",
                    ">=": ">=", "=": "==", "eq": "=="}


def _operator_name(name, _ops=frozenset("+-*/%<>=&|^~!@?")):
    """Operator names (and and/or/xor/not) can be used as values."""
    return all(c in _ops for c in name) or name in ("and", "or", "xor", "not")


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


def builtin(name, *aliases, arity=None, interp=False, library=False, params=None, doc=None,
            **flags):
    """Register the decorated function under ``name`` and ``aliases``.

    ``arity``: an int (exact), a ``(min, max)`` tuple (``max`` None = unlimited),
    or None to read it from the signature. ``params`` and ``doc`` (optional) are what a
    library function shows when printed (default: the Python parameter names and the
    first line of the docstring). ``flags``: any of the :class:`Builtin` flags (``value``,
    ``fn_arg``, ``no_indirect``, ``printing``, ``canonical``, ``inline``), for every name."""

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
            b = Builtin(n, fn, lo, hi, interp, library, text, **flags)
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
