"""The closure compiler: every form is compiled once into a Python closure ``f(env) -> value``.

``env`` is the current frame (a dict): the global frame at top level, a fresh dict in a
``defun`` call. An atom is looked up in the current frame, then the global frame, then
among functions and builtins. Special forms are compiled by the functions registered in
:data:`lispe_py.builtins.registry.SPECIAL_FORMS` (by :mod:`lispe_py.forms`); everything
else is a call. The function bodies of ``defun`` and ``λ`` are compiled to Python code by
:mod:`lispe_py.compiler.codegen`, which falls back on these closures for what it does not
generate. Nothing here knows about torch: builtins come from the registry.
"""

from ..builtins.registry import BUILTINS, SPECIAL_FORMS
from ..callables import (MISSING, ClassDef, Function, Instance, MethodFrame, Params,
                         PatternFunction, TailCall)
from ..errors import BreakSignal, LispEError, ReturnSignal
from ..reserved import RESERVED_NAMES
from ..runtime import call as call_value, callable_value, deep_copy
from ..values import EMPTY, TRUE, Atom, Form, List, to_string, wrap64
from .. import values as V

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1


class Ctx:
    """What the compiler knows about where a form sits."""

    __slots__ = ("interp", "file", "fname", "in_function", "params", "cls", "withclass")

    def __init__(self, interp, file, fname=None, in_function=False, params=(), cls=None,
                 withclass=None):
        self.interp = interp
        self.file = file
        self.fname = fname
        self.in_function = in_function
        self.params = params      # names certainly bound in the current frame (defun parameters)
        self.cls = cls            # the class whose method body this is (or None)
        self.withclass = withclass  # the class named by an enclosing (withclass C ...)

    def inner(self, fname, in_function=True, params=()):
        return Ctx(self.interp, self.file, fname, in_function, frozenset(params))


# ----------------------------------------------------------------------------- errors

def form_text(form, limit=100):
    try:
        s = to_string(form)
    except Exception:
        s = "?"
    return s if len(s) <= limit else s[:limit - 3] + "..."


def located(err, ctx, form):
    """Attach the form's position to an error coming out of it."""
    if err.line is None:
        pos = err.position_in(form) or getattr(form, "pos", None)   # an unbound symbol: its own
        if err.form is None:
            err.form = form  # rendered (with form_text) only when the error is printed
        if pos is not None:  # a form built at run time has none: an enclosing form locates
            err.file = ctx.file
            err.line, err.column = pos
    else:
        err.called_from(ctx, form)  # the chain of LispE calls of an uncaught error
    return err


def convert_exception(e, ctx, form):
    """A Python exception raised inside a builtin -> LispEError located at ``form``."""
    if isinstance(e, LispEError):
        return located(e, ctx, form)
    if isinstance(e, (BreakSignal, ReturnSignal)):
        return e
    if isinstance(e, RecursionError):
        err = LispEError("Stack overflow", prefix=False)
    elif isinstance(e, ZeroDivisionError):
        err = LispEError("division by zero")
    elif isinstance(e, MemoryError):
        err = LispEError("not enough memory")
    else:
        msg = str(e).strip().splitlines()
        text = msg[0] if msg else type(e).__name__
        err = LispEError(text)
        err.__cause__ = e
    return located(err, ctx, form)


def compile_error(msg, ctx, form, prefix=True):
    err = LispEError(msg, prefix=prefix)
    return located(err, ctx, form)


# ----------------------------------------------------------------------------- compile

def compile_expr(x, ctx, tail=False):
    t = type(x)
    if t is Atom:
        if x is TRUE or x is EMPTY:
            return _const(x)
        return compile_symbol(x, ctx)
    if t is Form or t is List:
        return compile_list(x, ctx, tail)
    if isinstance(x, (list, dict, set)):
        return _copying_const(x)
    return _const(x)


def _const(v):
    def const(env):
        return v
    return const


def _copying_const(v):
    def const(env):
        return deep_copy(v)
    return const


def compile_body(forms, ctx, tail=False):
    """A sequence of forms -> one closure returning the last value (nil when empty)."""
    if not forms:
        return _const(None)
    fns = [compile_expr(f, ctx, tail and i == len(forms) - 1) for i, f in enumerate(forms)]
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        f0, f1 = fns

        def body2(env):
            f0(env)
            return f1(env)
        return body2
    head = fns[:-1]
    last = fns[-1]

    def body(env):
        for f in head:
            f(env)
        return last(env)
    return body


def compile_symbol(a, ctx):
    name = a.name
    interp = ctx.interp
    G = interp.globals
    if name in ctx.params:
        def param(env):
            try:
                return env[name]
            except KeyError:
                return symbol(env)

    b = None if name in ctx.params else BUILTINS.get(name)
    if b is not None and not b.value:
        def instruction(env):
            v = env.get(name, MISSING)
            if v is MISSING:
                if type(env) is MethodFrame:
                    v = env.inst.fields.get(name, MISSING)
                    if v is not MISSING:
                        return v
                v = G.get(name, MISSING)
                if v is MISSING:
                    f = interp.functions.get(name)
                    if f is not None:
                        return f
                    raise LispEError("cannot evaluate this instruction: '%s'" % name)
            return v
        return instruction

    # the current frame; in a method, the instance's fields; the global frame; functions
    def symbol(env):
        v = env.get(name, MISSING)
        if v is MISSING:
            if type(env) is MethodFrame:
                v = env.inst.fields.get(name, MISSING)
                if v is not MISSING:
                    return v
            v = G.get(name, MISSING)
            if v is MISSING:
                return interp.resolve_name(name)
        return v
    if name in ctx.params:
        return param
    return symbol


def variable_frame(env, name, G):
    """The dict that holds the variable ``name`` as seen from ``env`` (None if unbound)."""
    if name in env:
        return env
    if type(env) is MethodFrame and name in env.inst.fields:
        return env.inst.fields
    if name in G:
        return G
    return None


def compile_list(form, ctx, tail=False):
    if not form:
        def empty(env):
            return List()
        return empty
    head = form[0]
    interp = ctx.interp
    if type(head) is Atom:
        name = head.name
        sf = SPECIAL_FORMS.get(name)
        if sf is not None:
            if sf.arity is not None:
                msg = check_arity(sf, form)
                if msg is not None:
                    raise compile_error(msg, ctx, form)
            return sf(form, ctx, tail)
        macro = interp.macros.get(name)
        if macro is not None:
            return compile_expr(macro.expand(form, ctx), ctx, tail)
        b = BUILTINS.get(name)
        if b is not None and name not in interp.functions and name not in _class_method_names(ctx):
            return compile_builtin_call(b, form, ctx)
        return compile_call(name, form, ctx, tail)
    if isinstance(head, list) or head is None:
        return compile_value_call(form, ctx)
    kind = V.type_name(head)
    raise compile_error("unknown instruction: '%s'" % kind, ctx, form)


def check_arity(sf, form):
    """The compile-time error text of a special form whose argument count its declaration
    (:func:`lispe_py.forms.special`) refuses; None when accepted or nothing is declared."""
    arity = getattr(sf, "arity", None)
    if arity is None:
        return None
    n = len(form) - 1
    lo, hi = arity
    if n < lo or (hi is not None and n > hi):
        msg = sf.arity_message
        return msg % (sf.arity_name or form[0].name) if "%s" in msg else msg
    return None


def _args(form, ctx):
    return [compile_expr(a, ctx) for a in form[1:]]


def _indirect_fn_check(arg, fname):
    def checked(env):
        v = arg(env)
        if type(v) is Atom:
            if v.name in BUILTINS and not BUILTINS[v.name].library:   # a library function: unknown
                raise LispEError("Not a function or a data structure")
            raise LispEError("Unknown function call", prefix=False)
        if isinstance(v, list):
            raise LispEError("Unknown function call", prefix=False)
        return v
    return checked


def _compile_fn_arg(a, ctx):
    """The function argument of a higher-order builtin: a bare builtin name is the builtin,
    even where a variable of that name exists ((setq round 3) (map round l) maps the
    builtin round, as in LispE)."""
    if type(a) is Atom and a.name in BUILTINS and a.name not in ctx.interp.functions:
        return _const(BUILTINS[a.name])
    return compile_expr(a, ctx)


def _printed(arg):
    return lambda env: to_string(arg(env))


def compile_builtin_call(b, form, ctx):
    name = b.name
    if b.fn_arg and len(form) > 1:
        from ..builtins.functional import partial_error      # LispE checks it when compiling
        if partial_error(name, form[1]):
            raise compile_error(partial_error(name, form[1]), ctx, form)
        args = [_compile_fn_arg(form[1], ctx)] + [compile_expr(a, ctx) for a in form[2:]]
        if b.no_indirect and type(form[1]) is Atom and form[1] is not TRUE \
                and form[1].name not in BUILTINS and form[1].name not in ctx.interp.functions:
            args[0] = _indirect_fn_check(args[0], name)
    else:
        args = _args(form, ctx)
    n = len(args)
    if not b.accepts(n):
        if b.library and b.max is not None and n > b.max:
            # LispE library functions ignore extra arguments
            args = args[:b.max]
            n = b.max
        elif b.library:
            def missing(env):
                raise located(LispEError("Wrong parameter description"), ctx, form)
            return missing
        else:
            raise compile_error("Wrong number of arguments for: '%s'" % b.canonical,
                                ctx, form)
    if n > 1 and b.printing:
        # LispE turns each argument into text as soon as it is evaluated:
        # (println l (pop l)) shows l before the pop
        args = [_printed(a) for a in args]
    if n == 2 and name in ("^^", "**") and type(form[2]) is int and form[2] == 2:
        from ..builtins.arith import SQUARE as b     # LispE compiles (^^ x 2) as (* x x)
        args, n = args[:1], 1
    fast = _FAST_BINARY.get(b.inline)
    if fast is not None and n == 2:
        return fast(args[0], args[1], b.fn, ctx, form)
    fn = b.fn
    if b.interp:
        interp = ctx.interp
        if n == 1:
            a0 = args[0]

            def call_i1(env):
                try:
                    return fn(interp, env, a0(env))
                except Exception as e:
                    raise convert_exception(e, ctx, form)
            return call_i1
        if n == 2:
            a0, a1 = args

            def call_i2(env):
                try:
                    return fn(interp, env, a0(env), a1(env))
                except Exception as e:
                    raise convert_exception(e, ctx, form)
            return call_i2

        def call_i(env):
            try:
                return fn(interp, env, *[a(env) for a in args])
            except Exception as e:
                raise convert_exception(e, ctx, form)
        return call_i
    if n == 0:
        def call0(env):
            try:
                return fn()
            except Exception as e:
                raise convert_exception(e, ctx, form)
        return call0
    if n == 1:
        a0 = args[0]

        def call1(env):
            try:
                return fn(a0(env))
            except Exception as e:
                raise convert_exception(e, ctx, form)
        return call1
    if n == 2:
        a0, a1 = args

        def call2(env):
            try:
                return fn(a0(env), a1(env))
            except Exception as e:
                raise convert_exception(e, ctx, form)
        return call2
    if n == 3:
        a0, a1, a2 = args

        def call3(env):
            try:
                return fn(a0(env), a1(env), a2(env))
            except Exception as e:
                raise convert_exception(e, ctx, form)
        return call3

    def calln(env):
        try:
            return fn(*[a(env) for a in args])
        except Exception as e:
            raise convert_exception(e, ctx, form)
    return calln


# ---- fast paths for two-argument arithmetic and comparison on integers

def _fast_arith(op):
    def make(x, y, slow, ctx, form):
        if op == "+":
            def f(env):
                a = x(env)
                b = y(env)
                if type(a) is int and type(b) is int:
                    r = a + b
                    if _I64_MIN <= r <= _I64_MAX:
                        return r
                    return wrap64(r)
                try:
                    return slow(a, b)
                except Exception as e:
                    raise convert_exception(e, ctx, form)
        elif op == "-":
            def f(env):
                a = x(env)
                b = y(env)
                if type(a) is int and type(b) is int:
                    r = a - b
                    if _I64_MIN <= r <= _I64_MAX:
                        return r
                    return wrap64(r)
                try:
                    return slow(a, b)
                except Exception as e:
                    raise convert_exception(e, ctx, form)
        else:
            def f(env):
                a = x(env)
                b = y(env)
                if type(a) is int and type(b) is int:
                    r = a * b
                    if _I64_MIN <= r <= _I64_MAX:
                        return r
                    return wrap64(r)
                try:
                    return slow(a, b)
                except Exception as e:
                    raise convert_exception(e, ctx, form)
        return f
    return make


def _fast_compare(op):
    def make(x, y, slow, ctx, form):
        if op == "<":
            def f(env):
                a = x(env)
                b = y(env)
                if type(a) is int and type(b) is int:
                    return TRUE if a < b else None
                try:
                    return slow(a, b)
                except Exception as e:
                    raise convert_exception(e, ctx, form)
        elif op == ">":
            def f(env):
                a = x(env)
                b = y(env)
                if type(a) is int and type(b) is int:
                    return TRUE if a > b else None
                try:
                    return slow(a, b)
                except Exception as e:
                    raise convert_exception(e, ctx, form)
        elif op == "<=":
            def f(env):
                a = x(env)
                b = y(env)
                if type(a) is int and type(b) is int:
                    return TRUE if a <= b else None
                try:
                    return slow(a, b)
                except Exception as e:
                    raise convert_exception(e, ctx, form)
        elif op == ">=":
            def f(env):
                a = x(env)
                b = y(env)
                if type(a) is int and type(b) is int:
                    return TRUE if a >= b else None
                try:
                    return slow(a, b)
                except Exception as e:
                    raise convert_exception(e, ctx, form)
        else:   # = and eq
            def f(env):
                a = x(env)
                b = y(env)
                if type(a) is int and type(b) is int:
                    return TRUE if a == b else None
                try:
                    return slow(a, b)
                except Exception as e:
                    raise convert_exception(e, ctx, form)
        return f
    return make


# the closures of the builtins flagged ``inline`` (by their operator), for two arguments
_FAST_BINARY = {
    "+": _fast_arith("+"), "-": _fast_arith("-"), "*": _fast_arith("*"),
    "<": _fast_compare("<"), ">": _fast_compare(">"), "<=": _fast_compare("<="),
    ">=": _fast_compare(">="), "==": _fast_compare("="),
}


def _deferred_args(form, ctx):
    """The arguments of a call whose head is not known at compile time (a variable that may
    hold an instance): a compile error in one of them is raised only if it is evaluated,
    since ``(obj (get))`` calls the method ``get`` of obj, not the builtin."""
    out = []
    for a in form[1:]:
        try:
            out.append(compile_expr(a, ctx))
        except LispEError as e:
            def deferred(env, e=e):
                raise e
            out.append(deferred)
    return out


def _class_method_names(ctx):
    cls = ctx.cls
    return cls.declared if cls is not None else ()


def compile_call(name, form, ctx, tail):
    """A call whose head atom is not a builtin: a user function, class, or a variable
    holding a lambda or an instance. Resolved at run time."""
    interp = ctx.interp
    F = interp.functions
    G = interp.globals
    raw = form[1:]
    f0 = F.get(name)
    in_method = name in _class_method_names(ctx)    # a method of the class being defined
    args = _args(form, ctx) if isinstance(f0, (Function, PatternFunction)) and not in_method \
        else _deferred_args(form, ctx)
    n = len(args)
    if isinstance(f0, Function) and not in_method and not f0.params.rest and not f0.params.optional \
            and len(f0.params.required) != n and name != ctx.fname:
        raise located(f0.arity_error(), ctx, form)
    if tail and name == ctx.fname:
        if n == 1:
            a0 = args[0]

            def tailcall1(env):
                return TailCall([a0(env)])
            return tailcall1

        def tailcall(env):
            return TailCall([a(env) for a in args])
        return tailcall

    def resolve(env):
        v = env.get(name, MISSING)
        if v is MISSING:
            if type(env) is MethodFrame:
                inst = env.inst
                v = inst.fields.get(name, MISSING)
                if v is not MISSING:
                    return v
                m = inst.cls.find_method(name)
                if m is not None:
                    return m
            v = G.get(name, MISSING)
            if v is MISSING:
                # LispE: a method name called outside its instance runs that method (of
                # the last class defining it) as a plain function
                m = interp.class_methods.get(name)
                if m is not None:
                    return m
                return unbound_error(interp, name)
        return v

    helpers = []      # [instance call, construction], compiled when first needed

    def other(f, env):
        if isinstance(f, Instance):
            if not helpers:
                helpers.extend((compile_instance_call(raw, ctx), compile_construction(raw, ctx)))
            return helpers[0](f, env)
        if isinstance(f, ClassDef):
            if not helpers:
                helpers.extend((compile_instance_call(raw, ctx), compile_construction(raw, ctx)))
            return helpers[1](f, env)
        if callable_value(f):       # defun, λ, defpat, data@, Python callables of the API
            return f.call([a(env) for a in args], env)
        raise LispEError("Not a function or a data structure")

    if n == 1:
        a0 = args[0]

        def call1(env):
            try:
                f = F.get(name)
                if type(f) is Function:
                    if f.nreq1 is not None:
                        if f.code is not None:
                            return f.code(a0(env))
                        r = f.body({f.nreq1: a0(env)})
                        if type(r) is TailCall:
                            return f.call(r.args)
                        return r
                    return f.call([a0(env)])
                if f is None:
                    f = resolve(env)
                return other(f, env)
            except ReturnSignal as ret:
                return ret.value
            except Exception as e:
                raise convert_exception(e, ctx, form)
        plain = call1
    elif n == 2:
        a0, a1 = args

        def call2(env):
            try:
                f = F.get(name)
                if type(f) is Function:
                    if f.nreq2 is not None:
                        if f.code is not None:
                            return f.code(a0(env), a1(env))
                        p0, p1 = f.nreq2
                        r = f.body({p0: a0(env), p1: a1(env)})
                        if type(r) is TailCall:
                            return f.call(r.args)
                        return r
                    return f.call([a0(env), a1(env)])
                if f is None:
                    f = resolve(env)
                return other(f, env)
            except ReturnSignal as ret:
                return ret.value
            except Exception as e:
                raise convert_exception(e, ctx, form)
        plain = call2
    else:
        def calln(env):
            try:
                f = F.get(name)
                if f is None:
                    f = resolve(env)
                if type(f) is Function:
                    return f.call([a(env) for a in args])
                return other(f, env)
            except Exception as e:
                raise convert_exception(e, ctx, form)
        plain = calln
    if ctx.cls is None:
        return plain

    # inside a method: a method of the instance's class comes before a global function
    def method_first(env):
        if type(env) is MethodFrame:
            inst = env.inst
            m = inst.cls.find_method(name)
            if m is not None:
                try:
                    return m.call_on(inst, [a(env) for a in args])
                except Exception as e:
                    raise convert_exception(e, ctx, form)
        return plain(env)
    return method_first


_MISMATCH = "mismatch between class instance and class definition"


def _method_call_entry(x, ctx):
    """One argument ``(m args...)`` of ``(obj ...)``: a call of obj's method m when its
    class has one; otherwise the expression itself (a builtin call such as (+ 1 2))."""
    mname = x[0].name
    interp = ctx.interp
    W = ctx.withclass
    cache = {}

    def entry(inst, env):
        cls = inst.cls
        if W is not None and cls is not W:
            raise LispEError(_MISMATCH)
        m = cls.find_method(mname)
        if m is not None:
            margs = cache.get("args")
            if margs is None:
                margs = cache["args"] = [compile_expr(a, ctx) for a in x[1:]]
            return m.call_on(inst, [a(env) for a in margs])
        if mname in interp.functions or mname in interp.class_methods:
            raise LispEError("Unknown function")
        e = cache.get("expr")
        if e is None:
            e = cache["expr"] = compile_expr(x, ctx)
        return e(env)
    return entry


def _value_entry(x, ctx):
    """Another argument of ``(obj ...)``: evaluated; a class must be obj's own class."""
    cache = []

    def entry(inst, env):
        if not cache:
            cache.append(compile_expr(x, ctx))
        v = cache[0](env)
        if type(v) is ClassDef and v is not inst.cls:
            raise LispEError(_MISMATCH)
        return v
    return entry


def compile_instance_call(raw, ctx):
    """``(obj (m args))``, ``(obj Class (m args))``, ``(obj (m1) (m2))``: each argument in
    turn (methods called on obj); the value of the last (nil when there is none)."""
    entries = [_method_call_entry(x, ctx) if isinstance(x, list) and x and type(x[0]) is Atom
               else _value_entry(x, ctx) for x in raw]

    def instance_call(inst, env):
        r = None
        for e in entries:
            r = e(inst, env)
        return r
    return instance_call


def compile_construction(raw, ctx):
    """``(Class v1 v2...)``: field values in order (own fields first, then inherited ones);
    an argument ``(m args)`` naming a method of the class calls it on the new instance
    (``(Tok path (configure))``)."""
    G = ctx.interp.globals
    cache = {}

    def value(i, cls, inst, env):
        x = raw[i]
        if isinstance(x, list) and x and type(x[0]) is Atom:
            m = cls.find_method(x[0].name)
            if m is not None:
                margs = cache.get(("m", i))
                if margs is None:
                    margs = cache[("m", i)] = [compile_expr(a, ctx) for a in x[1:]]
                return m.call_on(inst, [a(env) for a in margs])
        e = cache.get(i)
        if e is None:
            e = cache[i] = compile_expr(x, ctx)
        return e(env)

    def construct(cls, env):
        inst = Instance(cls, {})
        fields = inst.fields
        n = len(raw)
        declared = cls.all_fields()
        optional = any(default is not None for _, default in declared)
        if not optional and n > len(declared):
            raise LispEError("argument list mismatch with the parameter list")
        for i, (fname, default) in enumerate(declared):
            if i < n:
                fields[fname] = value(i, cls, inst, env)
            elif default is not None:
                fields[fname] = default(G)
            else:
                raise LispEError("Missing arguments" if optional
                                 else "argument list mismatch with the parameter list")
        if len(fields) > len(declared):
            # fields created by an init call (setqi) come after the declared ones
            names = {f for f, _ in declared}
            for k in [k for k in fields if k not in names]:
                fields[k] = fields.pop(k)
        return inst
    return construct


def compile_value_call(form, ctx):
    """((λ (x) ...) 3), ((f) args): the head is an expression."""
    head = compile_expr(form[0], ctx)
    literal_lambda = isinstance(form[0], list) and form[0] and _sym(form[0][0]) in ("λ", "lambda", "\\")
    # a head that may give an instance: ((@ l 0) (get)) calls its method get
    args = _args(form, ctx) if literal_lambda else _deferred_args(form, ctx)
    interp = ctx.interp
    raw = form[1:]
    helpers = []

    def call(env):
        try:
            f = head(env)
            if callable_value(f):
                return f.call([a(env) for a in args], env)
            if isinstance(f, Instance):
                if not helpers:
                    helpers.append(compile_instance_call(raw, ctx))
                return helpers[0](f, env)
            if f is None:
                raise LispEError("Not a function or a data structure")
            return call_value(interp, f, [a(env) for a in args], env)  # builtins, atoms, '(+ 1)
        except Exception as e:
            raise convert_exception(e, ctx, form)
    return call


# ----------------------------------------------------------------------------- parameters

def parse_params(plist, ctx, form):
    if plist is None:
        plist = List()
    if not isinstance(plist, list):
        raise compile_error("Wrong parameter description", ctx, form)
    required, optional, rest = [], [], None
    for p in plist:
        if type(p) is Atom:
            if optional:
                optional.append((p.name, None))
            else:
                required.append(p.name)
        elif isinstance(p, list):
            if len(p) == 2 and isinstance(p[0], list) and len(p[0]) == 0 and type(p[1]) is Atom:
                rest = p[1].name
            elif len(p) >= 1 and type(p[0]) is Atom:
                default = compile_expr(p[1], ctx) if len(p) > 1 else None
                optional.append((p[0].name, default))
            else:
                raise compile_error("Wrong parameter description", ctx, form)
        else:
            raise compile_error("Wrong parameter description", ctx, form)
    return Params(required, optional, rest, plist)


# ----------------------------------------------------------------------------- helpers of the forms

def _sym(x):
    return x.name if type(x) is Atom else None


def _check_var(name_atom, ctx, form):
    if type(name_atom) is not Atom:
        name = to_string(name_atom)
        raise compile_error("Invalid variable name: '%s' (keyword)" % name, ctx, form)
    name = name_atom.name
    if name in RESERVED_NAMES:      # what the real LispE refuses (library names are accepted)
        raise compile_error("Invalid variable name: '%s' (keyword)" % name, ctx, form)
    return name


def _loop_var(name_atom, ctx, form):
    if type(name_atom) is not Atom:
        return _check_var(name_atom, ctx, form)
    return name_atom.name


def _top_return(fn, ctx):
    """Outside any function, a (return v) inside a loop ends the loop with v (LispE)."""
    if ctx.in_function:
        return fn

    def returning(env):
        try:
            return fn(env)
        except ReturnSignal as r:
            return r.value
    return returning


# ----------------------------------------------------------------------------- operators with assignment

def _int_power(a, b):
    from ..builtins import arith
    r = arith.BINARY["^"](a, b)
    if type(a) is int and isinstance(r, float) and r == r and abs(r) != float("inf"):
        return wrap64(int(r))      # (^^= x 2) keeps an integer variable an integer
    return r


def _opassign_fn(name):
    from ..builtins import arith
    if name in ("+=", "-=", "*=", "/=", "%="):
        return arith.BINARY[name[0]]
    if name == "^^=":
        return _int_power
    return {"<<=": arith.shift_left, ">>=": arith.shift_right, "&=": arith.bit_and,
            "|=": arith.bit_or, "^=": arith.bit_xor, "&~=": arith.bit_andnot}[name]


def update_in_place(cur, r):
    """Give the list ``cur`` the elements of ``r`` (``+=`` on a list), nested lists included."""
    if len(cur) != len(r):
        cur[:] = r
        return
    for i, y in enumerate(r):
        x = cur[i]
        if x is not y and isinstance(x, list) and isinstance(y, list) \
                and type(x) is not V.LList and type(x) is not Form:
            update_in_place(x, y)
        else:
            cur[i] = y


# ----------------------------------------------------------------------------- unbound names

def _language_constants():
    import os
    import platform
    return {"_sep": os.sep, "_version": "lispe-py 1.2025.11.12", "ϕ": (1 + 5 ** 0.5) / 2,
            "os_version": List([platform.system(), platform.release()])}


LANGUAGE_CONSTANTS = None


def unbound_error(interp, name):
    """Value of a name bound nowhere: a language constant, or an error (a clear one for
    what LispE has and lispe-py does not support yet). Raises, or returns the constant."""
    global LANGUAGE_CONSTANTS
    if LANGUAGE_CONSTANTS is None:
        LANGUAGE_CONSTANTS = _language_constants()
    v = LANGUAGE_CONSTANTS.get(name, MISSING)
    if v is not MISSING:
        return v
    if name == "this":      # a LispE instruction that no program can evaluate
        raise LispEError("cannot evaluate this instruction: 'this'")
    from ..builtins.unsupported import unsupported_error
    err = unsupported_error(name)
    if err is not None:
        raise err
    raise LispEError("Unbound atom: '%s'" % name)
