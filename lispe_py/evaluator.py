"""The evaluator: every form is compiled once into a Python closure ``f(env) -> value``.

``env`` is the current frame (a dict): the global frame at top level, a fresh dict in a
``defun`` call. An atom is looked up in the current frame, then the global frame, then
among functions and builtins. Special forms are compiled by the functions registered in
:data:`SPECIAL_FORMS`; everything else is a call. The evaluator knows nothing about
torch: builtins come from :mod:`lispe_py.builtins.registry`.
"""

from .builtins.registry import BUILTINS, SPECIAL_FORMS, Builtin
from .builtins.registry import (CANONICAL_NAMES, DEFLIB_NAMES, _operator_name,  # noqa: F401
                                FN_ARG_BUILTINS as _FN_ARG_BUILTINS, NO_INDIRECT_FN as _NO_INDIRECT_FN,
                                PRINTING as _PRINTING)
from .runtime import deep_copy, iterate
from .callables import (MISSING, ClassDef, Function, Instance, Lambda, Method, MethodFrame,
                        Params, PatternFunction, TailCall)
from .errors import BreakSignal, LispEError, ReturnSignal
from .reserved import LET_RESERVED_NAMES, RESERVED_NAMES
from .values import (EMPTY, TRUE, Atom, Dictionary, Form, List, Maybe, to_string, truthy,
                     wrap64)
from . import values as V

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1


def special(*names):
    def deco(fn):
        for n in names:
            SPECIAL_FORMS[n] = fn
        return fn
    return deco


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


def _args(form, ctx):
    return [compile_expr(a, ctx) for a in form[1:]]


def _indirect_fn_check(arg, fname):
    def checked(env):
        v = arg(env)
        if type(v) is Atom:
            if v.name in BUILTINS:
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
        from .builtins.functional import partial_error      # LispE checks it when compiling
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
        from .builtins.arith import SQUARE as b     # LispE compiles (^^ x 2) as (* x x)
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
        if isinstance(f, (Lambda, Function, PatternFunction)):
            return f.call([a(env) for a in args], env)
        if isinstance(f, Builtin):
            raise LispEError("Not a function or a data structure")
        if hasattr(f, "call") and not isinstance(f, (list, dict)):   # e.g. Python callables of the API
            return f.call([a(env) for a in args], env)
        if isinstance(f, (list, dict)) and f and raw:
            return interp.data_call(f, [a(env) for a in args])
        raise LispEError("Not a function or a data structure")

    if n == 1:
        a0 = args[0]

        def call1(env):
            try:
                f = F.get(name)
                if type(f) is Function:
                    if f.nreq1 is not None:
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
            if isinstance(f, (Lambda, Function, PatternFunction)):
                return f.call([a(env) for a in args], env)
            if isinstance(f, Instance):
                if not helpers:
                    helpers.append(compile_instance_call(raw, ctx))
                return helpers[0](f, env)
            if f is None:
                raise LispEError("Not a function or a data structure")
            return interp.apply(f, [a(env) for a in args], env)
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


# ----------------------------------------------------------------------------- special forms

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


@special("quote")
def sf_quote(form, ctx, tail):
    if len(form) != 2:
        raise compile_error("Wrong number of arguments for: 'quote'", ctx, form)
    v = form[1]
    if isinstance(v, (list, dict, set)):
        return _copying_const(v)
    return _const(v)


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
    if name in ctx.interp.__dict__.get("constants", ()):
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


@special("if")
def sf_if(form, ctx, tail):
    if len(form) not in (3, 4):
        raise compile_error("Wrong number of arguments for: 'if'", ctx, form)
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


@special("ife")
def sf_ife(form, ctx, tail):
    if len(form) < 4:
        raise compile_error("Wrong number of arguments for: 'ife'", ctx, form)
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


@special("check")
def sf_check(form, ctx, tail):
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'check'", ctx, form)
    c = compile_expr(form[1], ctx)
    body = compile_body(list(form[2:]), ctx, tail)

    def check(env):
        return body(env) if truthy(c(env)) else None
    return check


@special("ncheck")
def sf_ncheck(form, ctx, tail):
    if len(form) < 3:
        raise compile_error("Wrong number of arguments for: 'ncheck'", ctx, form)
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


@special("switch")
def sf_switch(form, ctx, tail):
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'switch'", ctx, form)
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


@special("let")
def sf_let(form, ctx, tail):
    if len(form) < 2 or not isinstance(form[1], list):
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


@special("while")
def sf_while(form, ctx, tail):
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'while'", ctx, form)
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


@special("loop")
def sf_loop(form, ctx, tail):
    if len(form) < 3:
        raise compile_error("Wrong number of arguments for: 'loop'", ctx, form)
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


@special("loopcount", "dotimes")
def sf_loopcount(form, ctx, tail):
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'loopcount'", ctx, form)
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


@special("mloop", "lloop")
def sf_mloop(form, ctx, tail):
    if len(form) < 3 or not isinstance(form[1], list):
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


@special("break")
def sf_break(form, ctx, tail):
    if len(form) != 1:
        raise compile_error("break does not take any arguments", ctx, form)

    def break_(env):
        raise BreakSignal()
    return break_


@special("return")
def sf_return(form, ctx, tail):
    value = compile_expr(form[1], ctx) if len(form) > 1 else _const(None)

    def return_(env):
        raise ReturnSignal(value(env))
    return return_


@special("and")
def sf_and(form, ctx, tail):
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'and'", ctx, form)
    fns = [compile_expr(f, ctx) for f in form[1:]]

    def and_(env):
        for f in fns:
            if not truthy(f(env)):
                return None
        return TRUE
    return and_


@special("or")
def sf_or(form, ctx, tail):
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'or'", ctx, form)
    fns = [compile_expr(f, ctx) for f in form[1:]]

    def or_(env):
        for f in fns:
            if truthy(f(env)):
                return TRUE
        return None
    return or_


@special("andvalue")
def sf_andvalue(form, ctx, tail):
    if len(form) < 3:
        raise compile_error("Wrong number of arguments for: 'andvalue'", ctx, form)
    fns = [compile_expr(f, ctx) for f in form[1:]]

    def andvalue(env):
        v = None
        for f in fns:
            v = f(env)
            if not truthy(v):    # LispE returns the first false value (0, "", ()...)
                return v
        return v
    return andvalue


@special("maybe")
def sf_maybe(form, ctx, tail):
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'maybe'", ctx, form)
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


@special("λ", "lambda", "\\")
def sf_lambda(form, ctx, tail):
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'lambda'", ctx, form)
    params = parse_params(form[1], ctx, form)
    inner = Ctx(ctx.interp, ctx.file, "self", ctx.in_function, (), ctx.cls, ctx.withclass)
    body = compile_body(list(form[2:]), inner, True)
    source = Form([Atom("λ")] + list(form[1:]), getattr(form, "pos", None))
    G = ctx.interp.globals

    def lambda_(env):
        return Lambda(params, body, source, G)
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
        f.body = compile_body(list(form[3:]), ctx.inner(name, True, params.names), True)
    except Exception:
        if previous is None:
            interp.functions.pop(name, None)
        else:
            interp.functions[name] = previous
        raise
    return f


@special("defun")
def sf_defun(form, ctx, tail):
    f = define_function(form, ctx)
    return _const(f)


@special("defmacro")
def sf_defmacro(form, ctx, tail):
    if len(form) < 4 or type(form[1]) is not Atom:
        raise compile_error("Wrong number of arguments for: 'defmacro'", ctx, form)
    ctx.interp.macros[form[1].name] = Macro(form[1].name, form[2], list(form[3:]))
    return _const(None)


class Macro:
    """``defmacro``: parameters substituted into the body at compile time; ``$ rest``."""

    def __init__(self, name, params, body):
        self.name = name
        self.params = list(params) if isinstance(params, list) else []
        self.body = body

    def expand(self, form, ctx):
        args = list(form[1:])
        binding = {}
        ps = self.params
        i = 0
        k = 0
        while k < len(ps):
            p = ps[k]
            if type(p) is Atom and p.name == "$" and k + 1 < len(ps):
                binding[ps[k + 1].name] = List(args[i:])
                i = len(args)
                break
            if type(p) is Atom:
                if i >= len(args):
                    raise compile_error("Wrong number of arguments in call to: '%s'" % self.name, ctx, form)
                binding[p.name] = args[i]
            i += 1
            k += 1
        body = [_substitute(b, binding) for b in self.body]
        if len(body) == 1:
            return body[0]
        return Form([Atom("block")] + body, getattr(form, "pos", None))


def _substitute(x, binding):
    if type(x) is Atom:
        if x.name in binding:
            return binding[x.name]
        return x
    if isinstance(x, list) and type(x) in (List, Form):
        items = []
        i = 0
        n = len(x)
        while i < n:
            y = x[i]
            if y is _DOLLAR and i + 1 < n and type(x[i + 1]) is Atom \
                    and isinstance(binding.get(x[i + 1].name), List):
                items.extend(binding[x[i + 1].name])     # "$ rest" splices the rest
                i += 2
                continue
            items.append(_substitute(y, binding))
            i += 1
        poss = getattr(x, "poss", None)
        if poss is not None and len(poss) != len(items):
            poss = None
        return Form(items, getattr(x, "pos", None), poss)
    return x


_DOLLAR = Atom("$")


@special("use")
def sf_use(form, ctx, tail):
    # the libraries lispe-py provides (lispe_py.libraries); any other name fails as in LispE
    from .libraries import use as use_library
    interp = ctx.interp
    names = [compile_expr(f, ctx) for f in form[1:]]

    def use(env):
        r = None
        for n in names:
            r = use_library(interp, n(env))
        return r
    return use


@special("self_eval_placeholder")
def _unused(form, ctx, tail):   # pragma: no cover
    return _const(None)


del SPECIAL_FORMS["self_eval_placeholder"]


def _int_power(a, b):
    from .builtins import arith
    r = arith.BINARY["^"](a, b)
    if type(a) is int and isinstance(r, float) and r == r and abs(r) != float("inf"):
        return wrap64(int(r))      # (^^= x 2) keeps an integer variable an integer
    return r


def _opassign_fn(name):
    from .builtins import arith
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


@special("+=", "-=", "*=", "/=", "%=", "^^=", "<<=", ">>=", "&=", "|=", "^=", "&~=")
def sf_opassign(form, ctx, tail):
    fn = _opassign_fn(form[0].name)
    if len(form) != 3:
        raise compile_error("Wrong number of arguments for: '%s'" % form[0].name, ctx, form)
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


@special("defpat")
def sf_defpat(form, ctx, tail):
    from .patterns import define_pattern
    define_pattern(form, ctx)
    return _const(None)


@special("defpred")
def sf_defpred(form, ctx, tail):
    from .patterns import define_predicate
    define_predicate(form, ctx)
    return _const(None)


@special("data@")
def sf_data(form, ctx, tail):
    from .patterns import define_data
    define_data(form, ctx)
    return _const(None)


@special("flip")
def sf_flip(form, ctx, tail):
    """(flip (f a b ...)): calls (f b a ...)."""
    if len(form) != 2:
        raise compile_error("Wrong number of arguments for: 'flip'", ctx, form)
    call = form[1]
    if not isinstance(call, list) or len(call) < 3 or _sym(call[0]) in ("key@", "keyi@", "keyn@"):
        from .builtins.lists import flip_value     # anything else: its value flipped
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


@special("class@", "defclass")
def sf_class(form, ctx, tail):
    cls = ctx.interp.define_class(form, ctx)
    return _const(cls)


@special("f_")
def sf_fstring(form, ctx, tail):
    if len(form) != 2 or not isinstance(form[1], str):
        raise compile_error("Wrong number of arguments for: 'f_'", ctx, form)
    from .reader import read
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


@special("eval")
def sf_eval(form, ctx, tail):
    if len(form) != 2:
        raise compile_error("Wrong number of arguments for: 'eval'", ctx, form)
    x = compile_expr(form[1], ctx)
    interp = ctx.interp

    def eval_(env):
        v = x(env)
        try:
            return interp.eval_value(v, env, ctx)
        except Exception as e:
            raise convert_exception(e, ctx, form)
    return eval_


@special("load")
def sf_load(form, ctx, tail):
    if len(form) != 2:
        raise compile_error("Wrong number of arguments for: 'load'", ctx, form)
    x = compile_expr(form[1], ctx)
    interp = ctx.interp

    def load(env):
        path = x(env)
        try:
            return interp.load(to_string(path))
        except Exception as e:
            raise convert_exception(e, ctx, form)
    return load


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


@special("withclass")
def sf_withclass(form, ctx, tail):
    """(withclass Class body...): the body's (obj (method ...)) calls are resolved against
    Class; an instance of another class gives 'mismatch between class instance and class
    definition'. A first argument that names no class is ignored (as LispE does)."""
    if len(form) < 2:
        raise compile_error("Wrong number of arguments for: 'withclass'", ctx, form)
    target = form[1]
    cls = ctx.interp.functions.get(target.name) if type(target) is Atom else None
    W = cls if isinstance(cls, ClassDef) else ctx.withclass
    inner = Ctx(ctx.interp, ctx.file, ctx.fname, ctx.in_function, ctx.params, ctx.cls, W)
    return compile_body(list(form[2:]), inner, tail)


@special("setqi")
def sf_setqi(form, ctx, tail):
    if len(form) != 3 or type(form[1]) is not Atom:
        raise compile_error("Wrong number of arguments for: 'setqi'", ctx, form)
    name = form[1].name
    value = compile_expr(form[2], ctx)

    def setqi(env):
        v = value(env)
        if type(env) is not MethodFrame:
            raise located(LispEError("setqi can only be used within an instance"), ctx, form)
        env.inst.fields[name] = v       # the field itself; a local of that name is untouched
        return TRUE
    return setqi


__all__ = ["compile_expr", "compile_body", "SPECIAL_FORMS", "Ctx", "define_function",
           "deep_copy", "EMPTY", "iterate"]


def define_method(form, ctx, cls):
    """Compile a defun found inside class@ into a Method of ``cls``."""
    from .callables import Method
    if len(form) < 3 or type(form[1]) is not Atom:
        raise compile_error("Wrong number of arguments for: 'defun'", ctx, form)
    name = form[1].name
    params = parse_params(form[2], ctx, form)
    m = Method(name, params, None, Form([Atom("defun")] + list(form[1:])), ctx.interp.globals)
    m.cls = cls
    cls.methods[name] = m
    cls.declared.add(name)
    ctx.interp.class_methods[name] = m
    inner = Ctx(ctx.interp, ctx.file, name, True, frozenset(params.names), cls)
    m.body = compile_body(list(form[3:]), inner, True)
    return m


# ----------------------------------------------------------------------------- name spaces

def _space_functions(interp, name, create):
    spaces = interp.__dict__.setdefault("spaces", {})
    d = spaces.get(name)
    if d is None and create:
        d = spaces[name] = {}
    return d


def _compile_in_space(interp, space, forms, ctx, tail=False):
    """Compile forms with the space's functions seen first (then the global ones)."""
    from collections import ChainMap
    saved = interp.functions
    interp.functions = ChainMap(space, saved)
    try:
        return compile_body(forms, ctx, tail)
    finally:
        interp.functions = saved


@special("defspace")
def sf_defspace(form, ctx, tail):
    """(defspace name forms...): functions defined in a name space; a function name not
    defined globally is also reachable from outside, as in LispE."""
    if len(form) < 2 or type(form[1]) is not Atom:
        raise compile_error("Wrong number of arguments for: 'defspace'", ctx, form)
    interp = ctx.interp
    space = _space_functions(interp, form[1].name, True)
    before = set(space)
    _compile_in_space(interp, space, list(form[2:]), ctx)
    for n in space:
        if n not in before and n not in interp.functions:
            interp.functions[n] = space[n]
    return _const(None)


@special("space")
def sf_space(form, ctx, tail):
    """(space name forms...): evaluate forms with the functions of that name space."""
    if len(form) < 2 or type(form[1]) is not Atom:
        raise compile_error("Wrong number of arguments for: 'space'", ctx, form)
    interp = ctx.interp
    space = _space_functions(interp, form[1].name, False)
    if space is None:
        raise compile_error("Unknown space: '%s'" % form[1].name, ctx, form)
    return _compile_in_space(interp, space, list(form[2:]), ctx)


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
    from .builtins.unsupported import unsupported_error
    err = unsupported_error(name)
    if err is not None:
        raise err
    raise LispEError("Unbound atom: '%s'" % name)


@special("label")
def sf_label(form, ctx, tail):
    """(label name value): store value in name (current frame) and return it."""
    return _setter(form, ctx, False, True)


@special("setconst")
def sf_setconst(form, ctx, tail):
    """(setconst name value): a global constant; setting it again is an error."""
    if len(form) != 3:
        raise compile_error("Wrong number of arguments for: 'setconst'", ctx, form)
    name = _check_var(form[1], ctx, form)
    interp = ctx.interp
    consts = interp.__dict__.setdefault("constants", set())
    value = compile_expr(form[2], ctx)
    G = interp.globals

    if name in consts:
        raise compile_error("'%s' is a constant value" % name, ctx, form)
    consts.add(name)

    def setconst(env):
        G[name] = value(env)
        return TRUE
    return setconst


# the special forms of lispe_py.forms_extra (for, whilein, infix, threads, link)
from . import forms_extra  # noqa: E402,F401
