"""Callable LispE values: user functions (defun), lambdas, pattern functions, classes.

Every callable has ``call(args, env)``: ``args`` are evaluated values, ``env`` is the
caller's frame (lambdas bind their parameters there, as LispE does)."""

from .errors import LispEError, ReturnSignal
from .values import Atom, Form, List, to_string, type_name

MISSING = object()


class TailCall:
    """Returned by a self-call in tail position: the function loops instead of recursing."""

    __slots__ = ("args",)

    def __init__(self, args):
        self.args = args


class Params:
    """A parsed parameter list: required names, optional (name, default-closure), rest name."""

    __slots__ = ("required", "optional", "rest", "source", "simple", "names")

    def __init__(self, required, optional, rest, source):
        self.required = required
        self.optional = optional
        self.rest = rest
        self.source = source
        self.simple = not optional and rest is None
        self.names = tuple(required) + tuple(n for n, _ in optional) + ((rest,) if rest else ())


class Function:
    """A ``defun``: called with a fresh frame; callers' frames are invisible.

    ``body`` is the closure of the body (``body(frame) -> value``); ``code``, when the code
    generator compiled the body (:mod:`lispe_py.compiler.codegen`), is the same body as one
    Python function of the parameter values in order (``code(*values)``: self tail calls
    loop inside, ``return`` is caught inside)."""

    __slots__ = ("name", "params", "body", "source", "globals_", "nreq1", "nreq2", "code")

    kind = "list_"

    def __init__(self, name, params, body, source, globals_):
        self.name = name
        self.params = params
        self.body = body
        self.source = source
        self.globals_ = globals_
        # fast paths of the evaluator's call sites: the parameter names of a plain
        # one- or two-parameter function
        self.nreq1 = params.required[0] if params.simple and len(params.required) == 1 else None
        self.nreq2 = tuple(params.required) if params.simple and len(params.required) == 2 else None
        self.code = None

    def arity_error(self):
        return LispEError("Wrong number of arguments in call to: '(%s %s...)'"
                          % (self.name, to_string(self.params.source)))

    def bind(self, args):
        p = self.params
        req = p.required
        n = len(args)
        nreq = len(req)
        if p.simple:
            if n != nreq:
                raise self.arity_error()
            return dict(zip(req, args))
        if n < nreq:
            raise self.arity_error()
        frame = dict(zip(req, args))
        i = nreq
        for name, default in p.optional:
            if i < n:
                frame[name] = args[i]
            else:
                frame[name] = default(self.globals_) if default is not None else None
            i += 1
        if p.rest is not None:
            frame[p.rest] = List(args[i:])
        elif n > i and not p.optional:
            raise self.arity_error()
        return frame

    def bind_values(self, args):
        """The parameter values in order (defaults evaluated, the rest as a list)."""
        frame = self.bind(args)
        return [frame[n] for n in self.params.names]

    def fast_caller(self, env, nargs):
        """The generated code itself when it takes exactly ``nargs`` arguments."""
        p = self.params
        if self.code is not None and p.simple and len(p.required) == nargs and type(self) is Function:
            return self.code
        return None

    def call(self, args, env=None):
        code = self.code
        if code is not None:
            p = self.params
            if p.simple:
                if len(args) != len(p.required):
                    raise self.arity_error()
                return code(*args)
            return code(*self.bind_values(args))
        frame = self.bind(args)
        body = self.body
        try:
            while True:
                r = body(frame)
                if type(r) is TailCall:
                    frame = self.bind(r.args)
                    continue
                return r
        except ReturnSignal as ret:
            return ret.value

    def lispe_str(self):
        return to_string(self.source)


class Lambda:
    """A ``λ``: binds its parameters in the caller's frame and restores them afterwards.

    ``fast``, when the code generator compiled the body, is the body as one Python
    function ``fast(env, lambda, *values)`` that keeps its parameters in Python locals
    (and binds them in ``env`` only around what may read that frame)."""

    __slots__ = ("params", "body", "source", "globals_", "fast")

    kind = ""

    def __init__(self, params, body, source, globals_, fast=None):
        self.params = params
        self.body = body
        self.source = source
        self.globals_ = globals_
        self.fast = fast

    def bind_values(self, args):
        """The parameter values in order, as :meth:`_bind` would bind them."""
        p = self.params
        n = len(args)
        nreq = len(p.required)
        if n < nreq or (p.simple and n != nreq):
            raise self.arity_error()
        out = list(args[:nreq])
        i = nreq
        for name, default in p.optional:
            out.append(args[i] if i < n else (default(self.globals_) if default is not None else None))
            i += 1
        if p.rest is not None:
            out.append(List(args[i:]))
        return out

    def fast_caller(self, env, nargs):
        """A Python function of ``nargs`` arguments running the generated body in ``env``."""
        p = self.params
        if self.fast is not None and p.simple and len(p.required) == nargs:
            from functools import partial
            return partial(self.fast, env, self)
        return None

    def arity_error(self):
        return LispEError("Wrong number of arguments in: '(lambda %s...)'" % to_string(self.params.source))

    def call(self, args, env=None):
        if env is None:
            env = self.globals_
        p = self.params
        fast = self.fast
        if fast is not None:
            if p.simple:
                if len(args) != len(p.required):
                    raise self.arity_error()
                return fast(env, self, *args)
            return fast(env, self, *self.bind_values(args))
        names = p.names
        saved = [env.get(n, MISSING) for n in names]
        saved_self = env.get("self", MISSING)
        try:
            env["self"] = self
            while True:
                self._bind(env, args)
                r = self.body(env)
                if type(r) is TailCall:
                    args = r.args
                    continue
                return r
        finally:
            for n, v in zip(names, saved):
                if v is MISSING:
                    env.pop(n, None)
                else:
                    env[n] = v
            if saved_self is MISSING:
                env.pop("self", None)
            else:
                env["self"] = saved_self

    def _bind(self, env, args):
        p = self.params
        n = len(args)
        nreq = len(p.required)
        if n < nreq or (p.simple and n != nreq):
            raise self.arity_error()
        for name, v in zip(p.required, args):
            env[name] = v
        i = nreq
        for name, default in p.optional:
            env[name] = args[i] if i < n else (default(self.globals_) if default is not None else None)
            i += 1
        if p.rest is not None:
            env[p.rest] = List(args[i:])

    def lispe_str(self):
        return to_string(self.source)


class PatternFunction:
    """A ``defpat`` (or ``defpred``) function: clauses tried in order; the first whose
    patterns match runs (see :mod:`lispe_py.patterns`)."""

    __slots__ = ("name", "clauses", "source", "predicate")

    kind = "list_"
    env_free = True     # call(args, env) does not read env (generated call sites rely on it)

    def __init__(self, name):
        self.name = name
        self.clauses = []     # (matcher(args, frame) -> bool, body closure, source)
        self.source = None
        self.predicate = False

    def call(self, args, env=None):
        if self.predicate:
            from .patterns import call_predicate
            return call_predicate(self, args)
        while True:
            for matcher, body, _src in self.clauses:
                frame = {}
                if matcher(args, frame):
                    try:
                        r = body(frame)
                    except ReturnSignal as ret:
                        return ret.value
                    if type(r) is TailCall:
                        args = r.args
                        break
                    return r
            else:
                raise LispEError("Could not find a match for function: '%s'" % self.name)

    def lispe_str(self):
        return to_string(self.clauses[0][2]) if self.clauses else self.name


class ClassDef:
    """A ``class@``/``defclass``: fields (name, default closure) and methods."""

    __slots__ = ("name", "fields", "methods", "parent", "source", "declared")

    kind = ""      # (type Class) is empty in LispE

    def __init__(self, name, fields, methods, parent=None):
        self.name = name
        self.fields = fields
        self.methods = methods
        self.parent = parent
        self.source = None
        self.declared = set()     # method names of the class and its ancestors

    def find_method(self, name):
        c = self
        while c is not None:
            m = c.methods.get(name)
            if m is not None:
                return m
            c = c.parent
        return None

    def all_fields(self):
        """The class's own fields first, then the inherited ones (LispE's order)."""
        out = list(self.fields)
        if self.parent is not None:
            names = {n for n, _ in out}
            out.extend(f for f in self.parent.all_fields() if f[0] not in names)
        return out

    def lispe_str(self):
        """LispE prints a class as its head: (class@ Name (fields...) [(from@ Parent)])."""
        src = self.source
        fields = to_string(src[2]) if src is not None and len(src) > 2 else "()"
        parent = " (from@ %s)" % self.parent.name if self.parent is not None else ""
        return "(class@ %s %s%s)" % (self.name, fields, parent)


class Instance:
    """An object of a LispE class: its fields live in ``fields``, the one storage that
    every method call on it reads and writes (see :class:`MethodFrame`)."""

    __slots__ = ("cls", "fields", "cleanup", "__weakref__")

    def __init__(self, cls, fields):
        self.cls = cls
        self.fields = fields
        self.cleanup = None     # the finalizer registered by (toclean ...)

    @property
    def lispe_type(self):
        return self.cls.name

    def lispe_str(self):
        from .values import in_list
        parts = ['"%s":%s' % (k, in_list(v)) for k, v in self.fields.items()]
        return "(" + self.cls.name + (" " + " ".join(parts) if parts else "") + ")"


def is_callable(v):
    return isinstance(v, (Function, Lambda, PatternFunction))


__all__ = ["Function", "Lambda", "PatternFunction", "ClassDef", "Instance", "TailCall",
           "Params", "MISSING", "is_callable", "Atom", "Form", "type_name", "Method", "MethodFrame"]


class MethodFrame(dict):
    """The frame of a method call: the method's own locals (parameters, ``setq``, loop
    variables). The instance's fields are not copied into it: a name missing here is
    looked up in ``inst.fields`` (the instance's own storage) before the global frame,
    and ``+=``/``setqi`` write there, so every method, nested calls included, sees and
    updates the same fields."""

    __slots__ = ("inst",)


class Method(Function):
    """A function defined inside a class: instance fields read as variables."""

    __slots__ = ("cls",)

    def _frame(self, inst, args):
        p = self.params
        if p.simple:
            if len(args) != len(p.required):
                raise self.arity_error()
            frame = MethodFrame(zip(p.required, args))
        else:
            frame = MethodFrame(self.bind(args))
        frame.inst = inst
        return frame

    def call_on(self, inst, args):
        frame = self._frame(inst, args)
        body = self.body
        try:
            while True:
                r = body(frame)
                if type(r) is TailCall:
                    frame = self._frame(inst, r.args)
                    continue
                return r
        except ReturnSignal as ret:
            return ret.value

    def call(self, args, env=None):
        """Called by name: on the current instance when it is one of this method's class;
        otherwise (LispE) as a plain function, whose fields are then unbound atoms."""
        if type(env) is MethodFrame and env.inst.cls.find_method(self.name) is self:
            return self.call_on(env.inst, args)
        return Function.call(self, args, env)
