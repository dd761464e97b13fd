"""Function forms: defun, λ (lambda), and the code forms quote, eval, load, use, f_, flip."""

from ..builtins.registry import BUILTINS
from ..callables import Function, Lambda
from ..compiler.closures import (Ctx, _const, _copying_const, _sym, compile_body, compile_error,
                                 compile_expr, convert_exception, parse_params)
from ..values import Atom, Form, to_string
from . import special
from ..builtins.registry import SPECIAL_FORMS


@special("quote", arity=1)
def sf_quote(form, ctx, tail):
    v = form[1]
    if isinstance(v, (list, dict, set)):
        return _copying_const(v)
    return _const(v)


@special("λ", "lambda", "\\", arity=(1, None), name="lambda")
def sf_lambda(form, ctx, tail):
    params = parse_params(form[1], ctx, form)
    inner = Ctx(ctx.interp, ctx.file, "self", ctx.in_function, (), ctx.cls, ctx.withclass)
    body = compile_body(list(form[2:]), inner, True)
    source = Form([Atom("λ")] + list(form[1:]), getattr(form, "pos", None))
    G = ctx.interp.globals
    from ..compiler.codegen import generate_lambda     # ast is imported on first use
    fast = generate_lambda(params, list(form[2:]), inner)

    def lambda_(env):
        return Lambda(params, body, source, G, fast)
    return lambda_


def define_function(form, ctx):
    """Compile and register a defun (at compile time, as LispE does)."""
    interp = ctx.interp
    if len(form) < 3 or type(form[1]) is not Atom:
        raise compile_error("Wrong number of arguments for: 'defun'", ctx, form)
    name = form[1].name
    if name in BUILTINS and BUILTINS[name].library:     # a deflib function of LispE
        raise compile_error("Function '%s' already declared" % name, ctx, form)
    if name in BUILTINS or name in SPECIAL_FORMS:
        raise compile_error("'%s' is a reserved keyword." % name, ctx, form, prefix=False) \
            if False else compile_error("'%s' is a reserved keyword." % name, ctx, form)
    params = parse_params(form[2], ctx, form)
    # register first so the body can refer to itself (and arity checks see it)
    f = Function(name, params, None, Form([Atom("defun")] + list(form[1:])), interp.globals)
    previous = interp.functions.get(name)
    interp.functions[name] = f
    try:
        inner = ctx.inner(name, True, params.names)
        f.body = compile_body(list(form[3:]), inner, True)
    except Exception:
        if previous is None:
            interp.functions.pop(name, None)
        else:
            interp.functions[name] = previous
        raise
    # the same body as one Python function (None: the closure alone)
    from ..compiler.codegen import generate_defun
    f.code = generate_defun(f, list(form[3:]), inner)
    if f.code is not None and hasattr(interp.functions, "refresh"):
        interp.functions.refresh(name)
    return f


@special("defun")
def sf_defun(form, ctx, tail):
    f = define_function(form, ctx)
    return _const(f)


@special("use")
def sf_use(form, ctx, tail):
    # the libraries lispe-py provides (lispe_py.libraries); any other name fails as in LispE
    from ..libraries import use as use_library
    interp = ctx.interp
    names = [compile_expr(f, ctx) for f in form[1:]]

    def use(env):
        r = None
        for n in names:
            r = use_library(interp, n(env))
        return r
    return use


@special("flip", arity=1)
def sf_flip(form, ctx, tail):
    """(flip (f a b ...)): calls (f b a ...)."""
    call = form[1]
    if not isinstance(call, list) or len(call) < 3 or _sym(call[0]) in ("key@", "keyi@", "keyn@"):
        from ..builtins.lists import flip_value     # anything else: its value flipped
        value = compile_expr(call, ctx)

        def flip(env):
            try:
                return flip_value(value(env))
            except Exception as e:
                raise convert_exception(e, ctx, form)
        return flip
    items = list(call)
    items[1], items[2] = items[2], items[1]
    poss = getattr(call, "poss", None)
    if poss:
        poss = list(poss)
        poss[1], poss[2] = poss[2], poss[1]
    return compile_expr(Form(items, getattr(call, "pos", None), poss), ctx, tail)


@special("f_", arity=1)
def sf_fstring(form, ctx, tail):
    if not isinstance(form[1], str):
        raise compile_error("Wrong number of arguments for: 'f_'", ctx, form)
    from ..reader import read
    parts = []
    s = form[1]
    i = 0
    while i < len(s):
        j = s.find("{", i)
        if j < 0:
            parts.append(_const(s[i:]))
            break
        if j > i:
            parts.append(_const(s[i:j]))
        k = s.find("}", j)
        if k < 0:
            parts.append(_const(s[j:]))
            break
        code = s[j + 1:k]
        forms, _ = read(code, ctx.file)
        if forms:
            parts.append(compile_expr(forms[0], ctx))
        i = k + 1

    def fstring(env):
        return "".join(to_string(p(env)) for p in parts)
    return fstring


@special("eval", arity=1)
def sf_eval(form, ctx, tail):
    x = compile_expr(form[1], ctx)
    interp = ctx.interp

    def eval_(env):
        v = x(env)
        try:
            return interp.eval_value(v, env, ctx)
        except Exception as e:
            raise convert_exception(e, ctx, form)
    return eval_


@special("load", arity=(1, 2))
def sf_load(form, ctx, tail):
    """(load path [space]): run another file; with a space name, its functions are defined
    in that name space (reached with (space name ...)), as with defspace."""
    x = compile_expr(form[1], ctx)
    interp = ctx.interp
    space = None
    if len(form) == 3:
        if type(form[2]) is not Atom:
            raise compile_error("Wrong number of arguments for: 'load'", ctx, form)
        space = form[2].name

    def load(env):
        path = x(env)
        try:
            if space is None:
                return interp.load(to_string(path))
            return _load_in_space(interp, to_string(path), space)
        except Exception as e:
            raise convert_exception(e, ctx, form)
    return load


def _load_in_space(interp, path, name):
    from collections import ChainMap
    functions = interp.spaces.setdefault(name, {})
    before = set(functions)
    saved = interp.functions
    interp.functions = ChainMap(functions, saved)
    try:
        value = interp.load(path)
    finally:
        interp.functions = saved
    for n in functions:
        if n not in before and n not in interp.functions:
            interp.functions[n] = functions[n]
    return value
