"""Binding forms: setq, setg, setqv, label, setconst, let, and the operators-with-assignment (+= ...)."""

from ..callables import MISSING
from ..compiler.closures import (_check_var, _sym, compile_body, compile_error, compile_expr,
                                 convert_exception, located)
from ..errors import LispEError
from ..values import TRUE, Atom
from .. import values as V
from . import special
from ..compiler.closures import _opassign_fn, update_in_place, variable_frame  # noqa: F401
from ..reserved import LET_RESERVED_NAMES


def _setter(form, ctx, store_global, return_value):
    if len(form) > 3 and type(form[1]) is Atom:
        _check_var(form[1], ctx, form)
    if len(form) != 3:
        raise compile_error("Wrong number of arguments for: '%s'" % form[0].name, ctx, form)
    target = form[1]
    value = compile_expr(form[2], ctx)
    G = ctx.interp.globals
    if isinstance(target, list):        # (setq (a b c) lst)
        names = [_check_var(t, ctx, form) for t in target]

        def destructure(env):
            v = value(env)
            if not isinstance(v, list) or len(v) != len(names):
                raise located(LispEError("a list of variable should have the same size as its value."),
                              ctx, form)
            frame = G if store_global else env
            for n, x in zip(names, v):
                frame[n] = x
            return TRUE
        return destructure
    name = _check_var(target, ctx, form)
    if name in ctx.interp.constants:
        raise compile_error("'%s' is a constant value" % name, ctx, form)
    result = None if return_value else TRUE
    if store_global:
        def setg(env):
            v = value(env)
            G[name] = v
            return v if return_value else TRUE
        return setg
    if return_value:
        def setqv(env):
            v = value(env)
            env[name] = v
            return v
        return setqv

    def setq(env):
        env[name] = value(env)
        return TRUE
    del result
    return setq


@special("setq")
def sf_setq(form, ctx, tail):
    return _setter(form, ctx, False, False)


@special("setg")
def sf_setg(form, ctx, tail):
    return _setter(form, ctx, True, False)


@special("setqv")
def sf_setqv(form, ctx, tail):
    return _setter(form, ctx, False, True)


@special("label")
def sf_label(form, ctx, tail):
    """(label name value): store value in name (current frame) and return it."""
    return _setter(form, ctx, False, True)


@special("setconst", arity=2)
def sf_setconst(form, ctx, tail):
    """(setconst name value): a global constant; setting it again is an error."""
    name = _check_var(form[1], ctx, form)
    interp = ctx.interp
    consts = interp.constants
    value = compile_expr(form[2], ctx)
    G = interp.globals

    if name in consts:
        raise compile_error("'%s' is a constant value" % name, ctx, form)
    consts.add(name)

    def setconst(env):
        G[name] = value(env)
        return TRUE
    return setconst


@special("let", arity=(1, None), message="unbalanced list of variables in 'let'")
def sf_let(form, ctx, tail):
    if not isinstance(form[1], list):
        raise compile_error("unbalanced list of variables in 'let'", ctx, form)
    bindings = []
    for b in form[1]:
        if not isinstance(b, list) or len(b) != 2 or type(b[0]) is not Atom:
            raise compile_error("unbalanced list of variables in 'let'", ctx, form)
        if b[0].name in LET_RESERVED_NAMES:
            raise compile_error("Invalid variable name: '%s' (keyword)" % b[0].name, ctx, form)
        bindings.append((b[0].name, compile_expr(b[1], ctx)))
    body = compile_body(list(form[2:]), ctx, False)
    names = [n for n, _ in bindings]

    def let(env):
        saved = [env.get(n, MISSING) for n in names]
        try:
            for n, f in bindings:
                env[n] = f(env)
            return body(env)
        finally:
            for n, v in zip(names, saved):
                if v is MISSING:
                    env.pop(n, None)
                else:
                    env[n] = v
    return let


@special("+=", "-=", "*=", "/=", "%=", "^^=", "<<=", ">>=", "&=", "|=", "^=", "&~=", arity=2)
def sf_opassign(form, ctx, tail):
    fn = _opassign_fn(form[0].name)
    target = form[1]
    value = compile_expr(form[2], ctx)
    G = ctx.interp.globals
    if type(target) is Atom:
        name = target.name

        def opassign(env):
            try:
                frame = variable_frame(env, name, G)
                if frame is None:
                    raise LispEError("Unbound atom: '%s'" % name)
                cur = frame[name]
                r = fn(cur, value(env))
                if isinstance(cur, list) and isinstance(r, list) and type(cur) is not V.LList:
                    update_in_place(cur, r)     # the list itself changes, as in LispE
                    return cur
                frame[name] = r
                return r
            except Exception as e:
                raise convert_exception(e, ctx, form)
        return opassign
    if isinstance(target, list) and target and _sym(target[0]) in ("@", "at", "nth"):
        container = compile_expr(target[1], ctx)
        idx = [compile_expr(i, ctx) for i in target[2:]]
        interp = ctx.interp

        def opassign_at(env):
            try:
                c = container(env)
                keys = [i(env) for i in idx]
                try:
                    cur = interp.call_builtin("at", [c] + keys, env)
                except LispEError:
                    inner = interp.call_builtin("at", [c] + keys[:-1], env) if len(keys) > 1 else c
                    if not isinstance(inner, (dict, list)):
                        raise
                    # LispE: a missing dictionary key, or a list index past the end, counts as
                    # 0 (set@ then adds the key, or appends to the list)
                    cur = 0
                r = fn(cur, value(env))
                if isinstance(cur, list) and isinstance(r, list) and type(cur) is not V.LList:
                    update_in_place(cur, r)
                    return cur
                interp.call_builtin("set@", [c] + keys + [r], env)
                return r
            except Exception as e:
                raise convert_exception(e, ctx, form)
        return opassign_at
    raise compile_error("Wrong argument for '%s'" % form[0].name, ctx, form)
