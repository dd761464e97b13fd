"""The compiler: LispE forms -> Python.

* :mod:`.closures` compiles any form into a closure ``f(env) -> value`` (the top level,
  class methods, and whatever the code generator leaves to it);
* :mod:`.codegen` compiles the body of each ``defun`` and ``λ`` into one Python function
  (a Python ``ast`` given to ``compile()``), with LispE's positions in its line table.

The compiler knows the builtins through their registry and nothing of torch; the special
forms (:mod:`lispe_py.forms`) build on it.
"""

from .closures import (Ctx, compile_body, compile_error, compile_expr, convert_exception,  # noqa: F401
                       located, parse_params, unbound_error)

__all__ = ["Ctx", "compile_expr", "compile_body", "compile_error", "convert_exception",
           "located", "parse_params", "unbound_error"]
