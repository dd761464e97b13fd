"""The names the evaluator used to hold, kept importable from here.

The evaluator is now three layers (see the developers' guide in README.md):
:mod:`lispe_py.runtime` (iterate, deep_copy, one call, the signals),
:mod:`lispe_py.compiler` (forms -> closures, and defun/λ bodies -> Python functions) and
:mod:`lispe_py.forms` (the special forms by family, each declared with its arity).
Importing this module loads all of them.
"""

from .builtins.registry import (BUILTINS, CANONICAL_NAMES, DEFLIB_NAMES,  # noqa: F401
                                FN_ARG_BUILTINS as _FN_ARG_BUILTINS, NO_INDIRECT_FN as _NO_INDIRECT_FN,
                                PRINTING as _PRINTING, SPECIAL_FORMS, _operator_name)
from .runtime import deep_copy, iterate  # noqa: F401
from . import forms  # noqa: F401  (first: forms_extra extends the language constants)
from .values import EMPTY  # noqa: F401
from .compiler.closures import (Ctx, _check_var, _const, _copying_const, _loop_var, _sym,  # noqa: F401
                                _top_return, compile_body, compile_builtin_call, compile_call,
                                compile_error, compile_expr, compile_list, compile_symbol,
                                compile_value_call, convert_exception, form_text, located,
                                parse_params, unbound_error, variable_frame, _language_constants)
from .forms import special  # noqa: F401
from .forms.functions import define_function  # noqa: F401
from .forms.classes import define_method  # noqa: F401
from .forms.binding import update_in_place  # noqa: F401
from .forms.macros import Macro  # noqa: F401

__all__ = ["compile_expr", "compile_body", "SPECIAL_FORMS", "Ctx", "define_function",
           "deep_copy", "EMPTY", "iterate", "special"]
