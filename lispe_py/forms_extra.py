"""Special forms added to the evaluator's table: ``for``, ``whilein``, ``infix`` and the
thread forms ``dethread``, ``threadspace``, ``lock``, ``seth``.

Registered with :func:`lispe_py.forms.special` when this module is imported (by
:mod:`lispe_py.builtins`). The thread state itself lives in :mod:`lispe_py.builtins.threads`.
"""

import threading

from .callables import Function
from .errors import BreakSignal, LispEError, ReturnSignal
from .compiler.closures import _check_var, _const, compile_body, compile_error, compile_expr
from .forms import special
from .forms.functions import define_function
from .runtime import deep_copy, iterate
from .values import EMPTY, TRUE, Atom, Form, List

__all__ = []


# ----------------------------------------------------------------------------- for, whilein

@special("for")
def sf_for(form, ctx, tail):
    """(for var container expr): the list of the values of expr for each element of the
    container (only the first expression counts); a break gives an empty element. The
    variable keeps the last element."""
    if len(form) < 4:
        raise compile_error("Wrong number of arguments for 'for'", ctx, form)
    var = form[1]
    seq = compile_expr(form[2], ctx)
    body = compile_expr(form[3], ctx)
    if type(var) is not Atom:
        text = "Unbound atom: '%s'" % _first_atom_name(form[3])

        def bad(env):
            raise LispEError(text, prefix=False)
        return bad
    name = var.name

    def for_(env):
        container = seq(env)
        out = List()
        for x in iterate(container):
            env[name] = x
            try:
                out.append(body(env))
            except BreakSignal:
                out.append(EMPTY)
            except ReturnSignal as r:
                out.append(r.value)
        return out
    return for_


def _first_atom_name(x):
    if type(x) is Atom:
        return x.name
    if isinstance(x, list):
        for y in x:
            n = _first_atom_name(y)
            if n:
                return n
    return ""


@special("whilein")
def sf_whilein(form, ctx, tail):
    """(whilein var container condition body...): walk the container while condition holds;
    the value of the last body evaluated (nil when none ran). The variable keeps the element
    that failed the condition (empty when every element passed)."""
    if len(form) < 4:
        raise compile_error("Wrong number of arguments for: 'whilein'", ctx, form)
    name = _check_var(form[1], ctx, form)
    seq = compile_expr(form[2], ctx)
    cond = compile_expr(form[3], ctx)
    body = compile_body(list(form[4:]), ctx)
    from .values import truthy

    def whilein(env):
        container = seq(env)
        r = None
        try:
            for x in iterate(container):
                env[name] = x
                if not truthy(cond(env)):
                    return r
                r = body(env)
        except BreakSignal:
            return None
        env[name] = EMPTY          # the variable is left empty once every element was seen
        return r
    return whilein


# ----------------------------------------------------------------------------- infix

_LOW = frozenset(["+", "-", "and", "xor", "or"])


def _is_operator(x, interp):
    if type(x) is not Atom:
        return False
    from .builtins.registry import _operator_name
    name = x.name
    if name in ("and", "or", "xor"):
        return True
    return _operator_name(name) and name not in ("@", "@@", "?") and \
        (name in _INFIX_OPS)


_INFIX_OPS = frozenset("""+ - * / % ^^ << >> & | ^ &~ &&& ||| ^^^ = == != < > <= >= >=< ,
                          and or xor""".split())


def _executable(x, interp):
    """Is the head of a list something LispE calls (an instruction or a function)?"""
    if type(x) is Atom:
        from .builtins.registry import BUILTINS
        from .builtins.registry import SPECIAL_FORMS
        n = x.name
        return n in BUILTINS or n in SPECIAL_FORMS or n in interp.functions or \
            n in interp.macros
    return isinstance(x, list) and len(x) > 0 and type(x[0]) is Atom and \
        x[0].name in ("λ", "lambda", "\\")


def infix_to_prefix(items, interp, pos=None):
    """Turn ``x op y op z ...`` into prefix code, LispE's way: + - and or xor start a new
    level above; any other operator binds the operand before it."""
    ops = []
    addtolast = False
    expect_operand = True
    for item in items:
        if _is_operator(item, interp):
            if expect_operand:
                raise LispEError("Infix expression is malformed")
            if len(ops) == 1:
                ops = [item, ops[0]]
                addtolast = False
            elif item is ops[0]:
                addtolast = False
            elif item.name in _LOW:
                ops = [item, Form(ops, pos)]
                addtolast = False
            else:
                e = ops[-1]
                addtolast = True
                if not isinstance(e, list) or not e or e[0] is not item or len(e) == 2:
                    ops[-1] = Form([item, e], pos)
            expect_operand = True
            continue
        if not expect_operand:
            raise LispEError("Infix expression is malformed")
        expect_operand = False
        e = _infix_operand(item, interp)
        if addtolast:
            ops[-1].append(e)
        else:
            ops.append(e)
    if expect_operand:
        raise LispEError("Infix expression is malformed")
    return Form(ops, pos)


def _infix_operand(x, interp):
    if isinstance(x, list) and type(x) in (List, Form) and x:
        if _executable(x[0], interp):
            return Form([x[0]] + [_infix_operand(y, interp) for y in x[1:]],
                        getattr(x, "pos", None), getattr(x, "poss", None))
        if len(x) == 2 and x[0] is Atom("quote"):
            return x
        return infix_to_prefix(list(x), interp, getattr(x, "pos", None))
    return x


@special("infix")
def sf_infix(form, ctx, tail):
    """(infix x op y op z ...): an infix expression, turned into prefix code when compiled."""
    try:
        code = infix_to_prefix(list(form[1:]), ctx.interp, getattr(form, "pos", None))
    except LispEError as e:
        raise compile_error(e.message, ctx, form)
    if len(code) == 1 and not isinstance(code[0], list):
        kind = __import__("lispe_py.values", fromlist=["type_name"]).type_name(code[0])
        raise compile_error("unknown instruction: '%s'" % kind, ctx, form)
    # LispE rewrites the form itself: a function holding it prints the prefix code
    form[:] = list(code)
    if hasattr(form, "poss"):
        form.poss = None
    return compile_expr(form, ctx, tail)


# ----------------------------------------------------------------------------- threads

class ThreadFunction(Function):
    """A ``dethread`` function: each call runs the body on a new thread and returns true."""

    __slots__ = ("interp",)

    def call(self, args, env=None):
        from .builtins.threads import start_thread
        frame_args = [deep_copy(a) for a in args]     # LispE gives the thread copies
        self.bind(frame_args)           # arity errors are raised in the caller
        start_thread(self.interp, lambda: Function.call(self, frame_args))
        return TRUE


@special("dethread")
def sf_dethread(form, ctx, tail):
    """(dethread name (params) body...): a function whose calls run on their own thread,
    with copies of the arguments and an empty global frame of its own."""
    from .builtins.threads import enable_thread_globals
    enable_thread_globals(ctx.interp)
    f = define_function(form, ctx)
    t = ThreadFunction(f.name, f.params, f.body, Form([Atom("dethread")] + list(form[1:])),
                       f.globals_)
    t.interp = ctx.interp
    ctx.interp.functions[f.name] = t
    return _const(EMPTY)


@special("threadspace")
def sf_threadspace(form, ctx, tail):
    """(threadspace body...): evaluate body where seth may store variables shared by all
    threads; names not found locally are looked up there."""
    from collections import ChainMap
    from .builtins import threads
    body = compile_body(list(form[1:]), ctx)
    interp = ctx.interp

    def threadspace(env):
        state = threads.state_of(interp)
        local = threads.LOCAL
        depth = getattr(local, "depth", 0)
        local.depth = depth + 1
        try:
            scope = env if isinstance(env, ChainMap) else ChainMap(env, state.space)
            return body(scope)
        finally:
            local.depth = depth
    return threadspace


@special("seth")
def sf_seth(form, ctx, tail):
    """(seth name value): store value in the variables shared by threads (only inside a
    threadspace block); true."""
    if len(form) != 3:
        raise compile_error("Wrong number of arguments for: 'seth'", ctx, form)
    name = _check_var(form[1], ctx, form)
    value = compile_expr(form[2], ctx)
    interp = ctx.interp
    from .builtins import threads

    def seth(env):
        if not getattr(threads.LOCAL, "depth", 0):
            raise LispEError("this instruction can only be used in a 'threadspace' block")
        v = value(env)
        state = threads.state_of(interp)
        with state.guard:
            state.space[name] = deep_copy(v)
        return TRUE
    return seth


@special("lock")
def sf_lock(form, ctx, tail):
    """(lock key body...): evaluate body while holding the lock named key; its last value."""
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'lock'", ctx, form)
    key = compile_expr(form[1], ctx)
    body = compile_body(list(form[2:]), ctx)
    interp = ctx.interp
    from .builtins import threads

    def lock(env):
        k = key(env)
        with threads.state_of(interp).lock_for(k):
            return body(env)
    return lock


del threading


# ----------------------------------------------------------------------------- setshape

@special("setshape")
def sf_setshape(form, ctx, tail):
    """(setshape var shape i [j ...] value): the builtin, whose container must be a variable
    (LispE checks it when compiling)."""
    from .builtins.registry import BUILTINS
    try:
        from .compiler.closures import compile_builtin_call
    except ImportError:                             # before the compiler package
        from .evaluator import compile_builtin_call
    if len(form) > 1:
        _check_var(form[1], ctx, form)
    return compile_builtin_call(BUILTINS["setshape"], form, ctx)


# ----------------------------------------------------------------------------- defprol

@special("defprol")
def sf_defprol(form, ctx, tail):
    """(defprol name (patterns...) body...): a clause of a Prolog-like function (see
    :mod:`lispe_py.builtins.prolog`); the function is defined when the form is compiled."""
    from .builtins.prolog import PrologFunction, pattern_label
    from .patterns import compile_pattern
    if len(form) < 4:
        raise compile_error("wrong number of arguments", ctx, form)
    if type(form[1]) is not Atom:
        raise compile_error("Missing name in the declaration of a function", ctx, form)
    if not isinstance(form[2], list):
        raise compile_error("List of missing parameters in a function declaration", ctx, form)
    name = form[1].name
    interp = ctx.interp
    f = interp.functions.get(name)
    if not isinstance(f, PrologFunction):
        f = interp.functions[name] = PrologFunction(name)
    params = list(form[2])
    subs = [compile_pattern(x, ctx) for x in params]

    def matcher(args, frame):
        for m, a in zip(subs, args):
            if not m(a, frame):
                return False
        return True
    inner = ctx.inner("%defprol", True, ())     # no tail calls: each call returns its list
    body = [compile_expr(x, inner) for x in form[3:]]
    label, depth = pattern_label(params[0], interp) if params else (None, 0)
    f.add(label, depth, len(params), matcher, body, Form([Atom("defprol")] + list(form[1:])))
    return _const(EMPTY)


# ----------------------------------------------------------------------------- link

@special("link")
def sf_link(form, ctx, tail):
    """(link "name" 'atom): from now on the atom called name is atom (an alias: calls,
    values and printed code all see atom), as LispE does when it compiles the form."""
    if len(form) != 3:
        raise compile_error("wrong number of arguments", ctx, form)
    name, target = form[1], form[2]
    if isinstance(target, list) and len(target) == 2 and target[0] is Atom("quote"):
        target = target[1]
    if type(target) is not Atom:
        raise compile_error("the second argument must be an atom", ctx, form)
    if isinstance(name, str) and name != target.name:
        alias = Atom(name)
        alias.name = target.name            # the atoms already read behave as target
        Atom._table[name] = target          # and the ones read from now on are target
    return _const(EMPTY)


# error_ is a name of the language (the type name of errors): it evaluates to itself
def _with_language_atoms(original):
    def constants():
        d = original()
        d["error_"] = Atom("error_")
        d["cut_"] = Atom("cut_")            # defprol's cut: a value that stops the search
        return d
    return constants


from .compiler import closures as _evaluator  # noqa: E402
_evaluator._language_constants = _with_language_atoms(_evaluator._language_constants)
