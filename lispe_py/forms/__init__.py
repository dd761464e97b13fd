"""The special forms, by family, each declared with its arity.

    @special("if", arity=(2, 3))
    def sf_if(form, ctx, tail): ...

registers a compiler of the form ``(if ...)`` in
:data:`lispe_py.builtins.registry.SPECIAL_FORMS`. ``arity`` counts the arguments after the
head: an int, or ``(min, max)`` with ``max`` None for no limit; a form with another count
is refused at compile time with ``message`` (default ``Wrong number of arguments for:
'NAME'``, where NAME is ``name`` or the head) before the compiler runs. A form whose first
check is not its argument count (setq checks the variable name first) declares none.

Families: :mod:`.control` (if, cond, loops, and/or, maybe, catch...), :mod:`.binding`
(setq, let, label, setconst, +=...), :mod:`.functions` (defun, λ, quote, eval, load,
use, f_, flip), :mod:`.macros`, :mod:`.patterns` (defpat, defpred, data@),
:mod:`.classes` (class@, withclass, setqi), :mod:`.spaces` (defspace, space), then
:mod:`lispe_py.forms_extra` (for, whilein, infix, threads, link).
"""

from ..builtins.registry import SPECIAL_FORMS
from ..compiler.closures import check_arity  # noqa: F401

__all__ = ["special", "SPECIAL_FORMS", "check_arity"]

_DEFAULT_MESSAGE = "Wrong number of arguments for: '%s'"


def special(*names, arity=None, message=None, name=None):
    """Register the decorated compiler ``fn(form, ctx, tail) -> closure`` under ``names``."""
    if isinstance(arity, int):
        arity = (arity, arity)

    def deco(fn):
        fn.arity = arity
        fn.arity_message = message or _DEFAULT_MESSAGE
        fn.arity_name = name
        for n in names:
            SPECIAL_FORMS[n] = fn
        return fn
    return deco


from . import control, binding, functions, macros, patterns, classes, spaces, infix  # noqa: E402,F401
from .. import forms_extra  # noqa: E402,F401
