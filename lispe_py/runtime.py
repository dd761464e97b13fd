"""What builtins may use of the evaluator: iteration, deep copy, one ``call``, the signals.

This module sits right above :mod:`lispe_py.values` (it imports values, errors and the
callable types only): the builtin families import it, the compiler and the special forms
build on it, and nothing here imports the compiler, the forms or the interpreter.

* :func:`iterate` -- what ``loop`` (and every builtin walking a container) walks;
* :func:`deep_copy` -- a quoted container, copied each time it is evaluated;
* :func:`call` -- the one dispatcher calling a LispE function value with evaluated
  arguments (builtins, ``defun``, ``λ``, pattern functions, data constructors, partial
  lists such as ``'(+ 1)``, Python callables of the embedding API);
* :func:`caller` -- the same as a Python function of the arguments, for builtins calling
  one function many times (``map``, ``filter``, ``sort``...): a compiled ``λ`` or ``defun``
  is then called directly;
* the control signals: :class:`BreakSignal`, :class:`ReturnSignal` (exceptions) and
  :class:`TailCall` (the value a self call in tail position returns to its loop).
"""

from .callables import (MISSING, ClassDef, Function, Instance, Lambda, PatternFunction,
                        TailCall)
from .errors import BreakSignal, LispEError, ReturnSignal
from .values import Atom, Dictionary, Form, List, to_string
from . import values as V

__all__ = ["iterate", "deep_copy", "call", "caller", "call_builtin", "callable_value", "is_lambda_list", "BreakSignal",
           "ReturnSignal", "TailCall", "MISSING", "LispEError"]


def iterate(v):
    """What ``loop`` walks: elements, characters, keys (printing order), range values."""
    if isinstance(v, list):
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        return V.dict_keys(v)
    if isinstance(v, set):
        return list(v) if type(v) is V.Set else sorted(v)
    it = getattr(v, "lispe_iter", None)
    if it is not None:
        return it()
    if v is None or isinstance(v, (int, float)) or type(v) is Atom:
        return ()                # LispE walks nothing in a number or an atom
    from .protocols import SIZE, AT, ITER, find
    h = find(ITER, v)
    if h is not None:
        return h(v)
    if find(SIZE, v) is not None and find(AT, v) is not None:
        size = find(SIZE, v)(v)
        at = find(AT, v)
        return (at(v, [i]) for i in range(size))
    raise LispEError("cannot loop over this value: '%s'" % to_string(v))


def deep_copy(v):
    """Copy containers recursively (atoms, numbers, strings and foreign objects are shared)."""
    if isinstance(v, list):
        if isinstance(v, Form):
            return List(deep_copy(x) for x in v)
        if isinstance(v, V.LList):
            return V.LList([deep_copy(x) for x in v], v.tail)
        return type(v)(deep_copy(x) for x in v)
    if isinstance(v, dict):
        out = type(v)()
        for k, x in (V.dict_items(v) if not isinstance(v, Dictionary) else v.items()):
            out[k] = deep_copy(x)
        return out
    if isinstance(v, set):
        return type(v)(deep_copy(x) for x in v) if type(v) is V.Set else type(v)(v)
    return v


# ----------------------------------------------------------------------------- calls

def _builtin_type():
    global _Builtin
    from .builtins.registry import Builtin as _Builtin
    return _Builtin


_Builtin = None


def call_builtin(interp, b, args, env):
    """A builtin called with evaluated arguments (an indirect call: apply, map...)."""
    if not b.accepts(len(args)):
        if b.library and b.max is not None and len(args) > b.max:
            args = list(args)[:b.max]
        elif b.library:
            raise LispEError("Wrong parameter description")   # a library function's text
        else:
            raise LispEError("wrong number of arguments")   # LispE's text for indirect calls
    if b.interp:
        return b.fn(interp, env, *args)
    return b.fn(*args)


def is_lambda_list(f):
    """A list written as a λ, (λ (params) body...) (or lambda), given as a value: the
    function it writes, where a function is expected (interp.callable_of makes it)."""
    return (isinstance(f, list) and len(f) >= 3 and type(f[0]) is Atom
            and f[0].name in ("λ", "lambda") and isinstance(f[1], list))


def callable_value(f):
    """A value that a call ``(f args...)`` calls with its evaluated arguments through its
    ``call(args, env)``: defun, λ, defpat, data constructors, Python callables of the API
    (not a builtin, a class, an instance or a container: those are the callers' business)."""
    if isinstance(f, (Function, Lambda, PatternFunction)):
        return True
    return hasattr(f, "call") and not isinstance(f, (list, dict, ClassDef, Instance))


def call(interp, f, args, env=None):
    """Call the LispE function value ``f`` with the evaluated ``args`` from frame ``env``.

    The one dispatcher of evaluated calls: an atom names a function or a builtin; a
    builtin is called with LispE's arity rule for indirect calls; ``defun``/``λ``/pattern
    functions/data constructors/API callables through their ``call``; a partial list
    ``'(op a...)`` prepends its arguments. Classes and instances need the arguments'
    source (method calls) and are the compiler's business."""
    if env is None:
        env = interp.globals
    t = type(f)
    if t is Lambda or t is Function:
        return f.call(list(args), env)
    if t is Atom:
        f = interp.resolve_name(f.name)
    B = _Builtin or _builtin_type()
    if isinstance(f, B):
        return call_builtin(interp, f, args, env)
    if callable_value(f):
        return f.call(list(args), env)      # data@ constructors, Python callables too
    if is_lambda_list(f):
        return call(interp, interp.callable_of(f, env), args, env)   # a quoted '(lambda ...)
    if isinstance(f, List) and f and not isinstance(f, Form) and type(f[0]) is Atom:
        # a partial list such as '(+ 1): handled by the callers that support it
        return call(interp, f[0], list(f[1:]) + list(args), env)
    raise LispEError("Not a function or a data structure", prefix=True)


def caller(interp, f, env=None, nargs=None):
    """A Python function of the arguments calling the LispE function value ``f`` from the
    frame ``env`` (what ``map``, ``filter``, ``sort``... call for each element).

    A compiled ``λ`` whose parameters are exactly ``nargs`` required ones is returned as
    its generated code with the frame bound; any other value goes through :func:`call`.
    The function returned is then called with exactly ``nargs`` arguments."""
    if env is None:
        env = interp.globals
    if type(f) is Atom:
        f = interp.resolve_name(f.name)
    if nargs is not None:
        fast = getattr(f, "fast_caller", None)
        if fast is not None:
            g = fast(env, nargs)
            if g is not None:
                return g
    return lambda *xs: call(interp, f, xs, env)
