"""Control forms: if, cond, select, switch, block, loops, break, return, and/or, maybe, catch, elapse."""

from ..callables import Function, Lambda
from ..compiler.closures import (_check_var, _const, _loop_var, _top_return, compile_body,
                                 compile_error, compile_expr, located)
from ..errors import BreakSignal, LispEError, ReturnSignal
from ..runtime import iterate
from ..values import TRUE, Atom, List, Maybe, to_string, truthy
from .. import values as V
from . import special


@special("if", arity=(2, 3))
def sf_if(form, ctx, tail):
    c = compile_expr(form[1], ctx)
    then = compile_expr(form[2], ctx, tail)
    if len(form) == 4:
        els = compile_expr(form[3], ctx, tail)

        def if_(env):
            v = c(env)
            if v is TRUE:
                return then(env)
            if v is None:
                return els(env)
            return then(env) if truthy(v) else els(env)
        return if_

    def if1(env):
        v = c(env)
        if v is TRUE or (v is not None and truthy(v)):
            return then(env)
        return None
    return if1


@special("ife", arity=(3, None))
def sf_ife(form, ctx, tail):
    c = compile_expr(form[1], ctx)
    then = compile_expr(form[2], ctx, tail)
    els = compile_body(list(form[3:]), ctx, tail)

    def ife(env):
        return then(env) if truthy(c(env)) else els(env)
    return ife


@special("cond")
def sf_cond(form, ctx, tail):
    clauses = []
    for clause in form[1:]:
        if not isinstance(clause, list) or len(clause) < 2:
            def bad(env, clause=clause):
                raise located(LispEError("in a 'cond' the first element must be a list"), ctx, form)
            clauses.append((bad, None))
            continue
        clauses.append((compile_expr(clause[0], ctx), compile_body(list(clause[1:]), ctx, tail)))

    def cond(env):
        for test, body in clauses:
            v = test(env)
            if v is TRUE or (v is not None and truthy(v)):
                return body(env)
        return None
    return cond


@special("check", arity=(1, None))
def sf_check(form, ctx, tail):
    c = compile_expr(form[1], ctx)
    body = compile_body(list(form[2:]), ctx, tail)

    def check(env):
        return body(env) if truthy(c(env)) else None
    return check


@special("ncheck", arity=(2, None))
def sf_ncheck(form, ctx, tail):
    c = compile_expr(form[1], ctx)
    els = compile_expr(form[2], ctx, tail)
    body = compile_body(list(form[3:]), ctx, tail)

    def ncheck(env):
        return body(env) if truthy(c(env)) else els(env)
    return ncheck


@special("select")
def sf_select(form, ctx, tail):
    fns = [compile_expr(f, ctx) for f in form[1:]]

    def select(env):
        v = None
        for f in fns:
            v = f(env)
            if truthy(v):
                return v
        return v
    return select


@special("switch", arity=(1, None))
def sf_switch(form, ctx, tail):
    key = compile_expr(form[1], ctx)
    table = {}
    default = None
    for clause in form[2:]:
        if not isinstance(clause, list) or not clause:
            raise compile_error("Unknown statement", ctx, form)
        k = clause[0]
        body = compile_body(list(clause[1:]), ctx, tail)
        if k is TRUE:
            default = body
        elif type(k) is Atom or isinstance(k, list) or k is None:
            raise compile_error("Unknown statement", ctx, form)
        else:
            table.setdefault(to_string(k), body)

    def switch(env):
        k = to_string(key(env))
        body = table.get(k)
        if body is None:
            if default is None:
                raise located(LispEError("Unknown 'switch' key: '%s'" % k), ctx, form)
            body = default
        return body(env)
    return switch


@special("block")
def sf_block(form, ctx, tail):
    return compile_body(list(form[1:]), ctx, tail)


@special("while", arity=(1, None))
def sf_while(form, ctx, tail):
    c = compile_expr(form[1], ctx)
    body = compile_body(list(form[2:]), ctx)

    def while_(env):
        r = None
        try:
            while True:
                v = c(env)
                if not (v is TRUE or (v is not None and truthy(v))):
                    return r
                r = body(env)
        except BreakSignal:
            return None
    return _top_return(while_, ctx)


@special("loop", arity=(2, None))
def sf_loop(form, ctx, tail):
    var = form[1]
    if var is None:
        raise compile_error("Missing label for 'loop'", ctx, form)
    # LispE checks no loop variable name (library names such as round are fine)
    if isinstance(var, list):
        names = [_loop_var(v, ctx, form) for v in var]
    else:
        names = None
        name = _loop_var(var, ctx, form)
    seq = compile_expr(form[2], ctx)
    body = compile_body(list(form[3:]), ctx)

    def loop(env):
        r = None
        try:
            container = seq(env)
            if isinstance(container, List) and type(container) is not V.LList:
                i = 0
                while i < len(container):       # sees elements appended during the loop
                    x = container[i]
                    if names is None:
                        env[name] = x
                    else:
                        for n, y in zip(names, x):
                            env[n] = y
                    r = body(env)
                    i += 1
                return r
            for x in iterate(container):
                if names is None:
                    env[name] = x
                else:
                    for n, y in zip(names, x):
                        env[n] = y
                r = body(env)
            return r
        except BreakSignal:
            return None
    return _top_return(loop, ctx)


@special("loopcount", "dotimes", arity=(1, None), name="loopcount")
def sf_loopcount(form, ctx, tail):
    count = compile_expr(form[1], ctx)
    rest = list(form[2:])
    name = None
    if rest and type(rest[0]) is Atom and len(rest) >= 1:
        # (loopcount n var body...) when the atom is followed by a body
        if len(rest) > 1:
            name = _check_var(rest[0], ctx, form)
            rest = rest[1:]
    body = compile_body(rest, ctx)

    def loopcount(env):
        n = count(env)
        if not isinstance(n, (int, float)):
            raise LispEError("Expecting a number")
        n = int(n)
        r = None
        rng = range(n) if n >= 0 else range(-n - 1, -1, -1)
        try:
            for i in rng:
                if name is not None:
                    env[name] = i
                r = body(env)
            return r
        except BreakSignal:
            return None
    return _top_return(loopcount, ctx)


@special("mloop", "lloop", arity=(2, None))
def sf_mloop(form, ctx, tail):
    if not isinstance(form[1], list):
        raise compile_error("Wrong number of arguments for: '%s'" % form[0].name, ctx, form)
    names = [_check_var(v, ctx, form) for v in form[1]]
    seqs = [compile_expr(s, ctx) for s in form[2:2 + len(names)]]
    body = compile_body(list(form[2 + len(names):]), ctx)
    shortest = form[0].name == "lloop"

    def mloop(env):
        r = None
        lists = [list(iterate(s(env))) for s in seqs]
        if shortest or not lists:
            n = min(len(x) for x in lists) if lists else 0
        else:       # mloop: as long as the longest; shorter lists start over
            n = max(len(x) for x in lists) if all(lists) else 0
        try:
            for i in range(n):
                for nm, seq in zip(names, lists):
                    env[nm] = seq[i % len(seq)]
                r = body(env)
            return r
        except BreakSignal:
            return None
    return _top_return(mloop, ctx)


@special("break", arity=0, message="break does not take any arguments")
def sf_break(form, ctx, tail):

    def break_(env):
        raise BreakSignal()
    return break_


@special("return")
def sf_return(form, ctx, tail):
    value = compile_expr(form[1], ctx) if len(form) > 1 else _const(None)

    def return_(env):
        raise ReturnSignal(value(env))
    return return_


@special("and", arity=(1, None))
def sf_and(form, ctx, tail):
    fns = [compile_expr(f, ctx) for f in form[1:]]

    def and_(env):
        for f in fns:
            if not truthy(f(env)):
                return None
        return TRUE
    return and_


@special("or", arity=(1, None))
def sf_or(form, ctx, tail):
    fns = [compile_expr(f, ctx) for f in form[1:]]

    def or_(env):
        for f in fns:
            if truthy(f(env)):
                return TRUE
        return None
    return or_


@special("andvalue", arity=(2, None))
def sf_andvalue(form, ctx, tail):
    fns = [compile_expr(f, ctx) for f in form[1:]]

    def andvalue(env):
        v = None
        for f in fns:
            v = f(env)
            if not truthy(v):    # LispE returns the first false value (0, "", ()...)
                return v
        return v
    return andvalue


@special("maybe", arity=(1, None))
def sf_maybe(form, ctx, tail):
    if len(form) == 2:
        x = compile_expr(form[1], ctx)

        def maybe1(env):
            return TRUE if isinstance(x(env), Maybe) else None
        return maybe1
    body = [compile_expr(f, ctx) for f in form[1:-1]]
    fallback = compile_expr(form[-1], ctx)
    interp = ctx.interp

    def maybe(env):
        try:
            r = None
            for f in body:
                r = f(env)
            return r
        except LispEError as e:
            fb = fallback(env)
            if isinstance(fb, (Lambda, Function)):
                text = _ErrorText(interp.error_text(e))
                r = fb.call([text], env)
                if r is text:       # LispE: a fallback returning its argument unchanged gives ""
                    return ""
                if type(r) is _ErrorText:
                    return str(r)
                return r
            return fb
    return maybe


class _ErrorText(str):
    """The error text handed to a maybe fallback (so that its identity can be checked)."""
    __slots__ = ()


@special("catch")
def sf_catch(form, ctx, tail):
    body = compile_body(list(form[1:]), ctx)
    interp = ctx.interp

    def catch(env):
        try:
            return body(env)
        except LispEError as e:
            return Maybe(e.text, interp.error_suffix(e))
    return catch


@special("elapse")
def sf_elapse(form, ctx, tail):
    """(elapse e...): evaluate the forms; the time they took in milliseconds (a number)."""
    import time
    body = compile_body(list(form[1:]), ctx)

    def elapse(env):
        t = time.perf_counter()
        body(env)
        return (time.perf_counter() - t) * 1000.0
    return elapse


@special("trace")
def sf_trace(form, ctx, tail):
    return _const(None)
