"""Pattern functions (``defpat``, ``defpred``) and data structures (``data@``).

A pattern is compiled once into a matcher ``m(value, frame) -> bool`` that binds
variables in ``frame`` (a dict, the frame the clause body then runs in):

* ``nil``/``_`` and ``true`` match anything;
* a number or a string matches an equal value; ``'a`` matches the atom ``a``;
* an atom is a variable: bound on first sight, compared with its value afterwards;
* ``(integer_ x)``: a value of that type (``type`` name), then ``x`` matched against it;
  ``x`` may be a guard, a call such as ``(< x 10)``;
* a call ``(f ... v ...)`` is a guard: the value is bound to the call's argument variable
  (the last atom of the call, looking into a last nested call) and the call must be true;
* ``(C p1 p2 ...)`` where ``C`` is a ``data@`` constructor: a data value built by ``C``;
  where ``C`` is a ``data@`` family name: a value built by one of its constructors;
* ``{"k":p ...}``: a dictionary holding those keys, with values matching;
* any other list ``(p1 p2 $ rest)``: a list of that shape, ``$ rest`` taking the rest.
"""

from .builtins.registry import BUILTINS
from .callables import PatternFunction, TailCall
from .errors import LispEError, ReturnSignal
from .values import TRUE, Atom, Form, List, dict_items, to_string, truthy, type_name

__all__ = ["define_pattern", "define_predicate", "define_data", "DataConstructor", "Data",
           "compile_pattern"]

_DOLLAR = Atom("$")
_QUOTE = Atom("quote")


class Data(List):
    """A value built by a ``data@`` constructor: ``(Name field...)``."""

    __slots__ = ()
    kind = "data_"


class DataConstructor:
    """``(Point integer_ integer_)`` of a ``data@``: calling it checks and builds a Data."""

    __slots__ = ("name", "fields", "family", "source")

    kind = "list_"
    env_free = True     # call(args, env) does not read env (generated call sites rely on it)

    def __init__(self, name, fields, source, family=None):
        self.name = name
        self.fields = fields        # list of checkers: value -> bool, with their description
        self.family = family
        self.source = source

    def call(self, args, env=None):
        if len(args) != len(self.fields):
            raise LispEError("Size mismatch between argument list and data structure definition")
        for i, (check, required) in enumerate(self.fields):
            if check is not None and not check(args[i]):
                raise LispEError("Mismatch on argument: %d (%s required)" % (i + 1, required))
        return Data([Atom(self.name)] + list(args))

    def lispe_str(self):
        return to_string(self.source)


def _field_checker(spec, interp):
    if spec is None or spec is TRUE:
        return None, "_"
    if type(spec) is Atom:
        name = spec.name
        if name.endswith("_"):
            return (lambda v, n=name: type_name(v) == n), name
        return (lambda v, n=name: isinstance(v, list) and len(v) > 0 and type(v[0]) is Atom
                and v[0].name == n), name
    if isinstance(spec, list) and spec and type(spec[0]) is Atom:
        name = spec[0].name
        return (lambda v, n=name: isinstance(v, list) and len(v) > 0 and type(v[0]) is Atom
                and v[0].name == n), "list_"
    return None, "_"


def define_data(form, ctx):
    """(data@ (Name spec...) ...) or (data@ Family (Name spec...) ...)."""
    from .compiler.closures import compile_error
    interp = ctx.interp
    items = list(form[1:])
    family = None
    if items and type(items[0]) is Atom:
        family = items[0].name
        items = items[1:]
    if not items:
        raise compile_error("Wrong number of arguments for: 'data@'", ctx, form)
    members = []
    for d in items:
        if not isinstance(d, list) or not d or type(d[0]) is not Atom:
            raise compile_error("Wrong data structure definition", ctx, form)
        fields = [_field_checker(s, interp) for s in d[1:]]
        c = DataConstructor(d[0].name, fields, d, family)
        interp.functions[d[0].name] = c
        members.append(d[0].name)
    if family is not None:
        interp.data_families[family] = set(members)
        interp.globals.setdefault(family, TRUE)
    return None


# ----------------------------------------------------------------------------- patterns

_EQ = None


def _equal(a, b):
    global _EQ
    if _EQ is None:
        _EQ = BUILTINS["="].fn
    if type(a) is not type(b) and (isinstance(a, str) or isinstance(b, str)):
        return False
    try:
        return truthy(_EQ(a, b))
    except Exception:
        return False


def _is_call_head(head, ctx):
    """Is ``(head ...)`` an executable call (a guard) rather than a data shape?"""
    from .builtins.registry import SPECIAL_FORMS
    if type(head) is not Atom:
        return False
    name = head.name
    f = ctx.interp.functions.get(name)
    if isinstance(f, DataConstructor):
        return False
    return f is not None or name in BUILTINS or name in SPECIAL_FORMS or name in ctx.interp.macros


def _guard_variable(call, ctx):
    """The argument variable of a guard call: its last atom, or the variable of a last
    nested call (LispE's rule)."""
    from .compiler.closures import compile_error
    last = call[-1] if len(call) > 1 else None
    if isinstance(last, list) and last and _is_call_head(last[0], ctx):
        return _guard_variable(last, ctx)
    if type(last) is Atom and last is not TRUE:
        return last.name
    for x in reversed(call[1:-1]):
        if type(x) is Atom and x is not TRUE:
            return x.name
    raise compile_error("Missing argument in defpat/defpred/defprol function", ctx, call)


def _var_matcher(name):
    def var(v, frame):
        old = frame.get(name, _NONE)
        if old is _NONE:
            frame[name] = v
            return True
        return _equal(old, v)
    return var


_NONE = object()


def compile_pattern(p, ctx):
    from .compiler.closures import compile_expr
    if p is None or p is TRUE:
        return lambda v, frame: True
    t = type(p)
    if t is Atom:
        if p.name.endswith("_") and len(p.name) > 1:
            name = p.name
            return lambda v, frame: type_name(v) == name
        return _var_matcher(p.name)
    if t in (int, float, str):
        return lambda v, frame: _equal(p, v)
    if not isinstance(p, list):
        return lambda v, frame: v == p
    if not p:
        return lambda v, frame: v is None or (isinstance(v, list) and len(v) == 0)
    head = p[0]
    if head is _QUOTE and len(p) == 2:
        lit = p[1]
        return lambda v, frame: v is lit or _equal(lit, v)
    if type(head) is Atom:
        name = head.name
        interp = ctx.interp
        if name in ("key@", "keyi@", "keyn@") and len(p) >= 2 and isinstance(p[1], list):
            return _dict_pattern(p, ctx)
        if name == "rgx" and len(p) == 3 and isinstance(p[1], str) and type(p[2]) is Atom:
            return _rgx_pattern(p[1], p[2].name)
        fams = interp.data_families
        if name in fams:
            members = fams[name]
            subs = [compile_pattern(x, ctx) for x in p[1:]]

            def family(v, frame):
                if not (isinstance(v, list) and v and type(v[0]) is Atom and v[0].name in members):
                    return False
                rest = v[1:]
                if len(rest) < len(subs):
                    return False
                return all(m(x, frame) for m, x in zip(subs, rest))
            return family
        if isinstance(interp.functions.get(name), DataConstructor):
            subs = [compile_pattern(x, ctx) for x in p[1:]]
            n = len(subs)

            def data(v, frame):
                if not (isinstance(v, list) and len(v) == n + 1 and v[0] is head):
                    return False
                for m, x in zip(subs, v[1:]):
                    if not m(x, frame):
                        return False
                return True
            return data
        if name.endswith("_") and len(p) == 2 and not _is_call_head(head, ctx):
            sub = compile_pattern(p[1], ctx)

            def typed(v, frame):
                return type_name(v) == name and sub(v, frame)
            return typed
        if _is_call_head(head, ctx):
            var = _guard_variable(p, ctx)
            guard = compile_expr(Form(list(p), getattr(p, "pos", None), getattr(p, "poss", None)), ctx)
            bind = _var_matcher(var)

            def guarded(v, frame):
                if not bind(v, frame):
                    return False
                try:
                    return truthy(guard(frame))
                except (LispEError, ReturnSignal):
                    return False
            return guarded
    return _list_pattern(p, ctx)


def _rgx_pattern(expression, name):
    """(rgx "exp" x): the value's text matches the whole LispE regular expression; x is
    bound to the value (as the binary does; not a guard call)."""
    from .builtins.rgx import Rgx, _run
    r = Rgx(expression)
    bind = _var_matcher(name)

    def rgxp(v, frame):
        return bool(_run(r.fullmatch, to_string(v))) and bind(v, frame)
    return rgxp


def _list_pattern(p, ctx):
    items = list(p)
    rest = None
    if _DOLLAR in items:
        i = items.index(_DOLLAR)
        if i + 1 < len(items):
            rest = compile_pattern(items[i + 1], ctx)
        items = items[:i]
    subs = [compile_pattern(x, ctx) for x in items]
    n = len(subs)

    def listp(v, frame):
        if not isinstance(v, list):
            return False
        if rest is None:
            if len(v) != n:
                return False
        elif len(v) < n:
            return False
        for m, x in zip(subs, v):
            if not m(x, frame):
                return False
        if rest is not None:
            return rest(List(v[n:]), frame)
        return True
    return listp


def _dict_pattern(p, ctx):
    """{k:v ... $:rest}: a dictionary of exactly these entries (more with $:rest, the others
    then bound to rest as a dictionary). A literal key must be there; a variable key takes
    the next entry in the dictionary's order, binding the key."""
    literal, variables, rest = [], [], None
    items = list(p[2:])
    for i in range(0, len(items) - 1, 2):
        k, vp = items[i], items[i + 1]
        if type(k) is Atom and k.name == "$":
            rest = compile_pattern(vp, ctx)
        elif type(k) is Atom:
            variables.append((compile_pattern(k, ctx), compile_pattern(vp, ctx)))
        else:
            literal.append((k, compile_pattern(vp, ctx)))
    count = len(literal) + len(variables)

    def dictp(v, frame):
        if not isinstance(v, dict):
            return False
        if len(v) < count or (rest is None and len(v) != count):
            return False
        used = set()
        for k, m in literal:
            if k not in v or not m(v[k], frame):
                return False
            used.add(k)
        entries = [(k, x) for k, x in dict_items(v) if k not in used]
        for (km, vm), (k, x) in zip(variables, entries):
            if not km(k, frame) or not vm(x, frame):
                return False
            used.add(k)
        if rest is not None:
            others = type(v)()
            for k, x in dict_items(v):
                if k not in used:
                    others[k] = x
            return rest(others, frame)
        return True
    return dictp


# ----------------------------------------------------------------------------- defpat

def _clause(form, ctx, kind):
    from .compiler.closures import compile_error
    interp = ctx.interp
    if len(form) < 3 or type(form[1]) is not Atom or not isinstance(form[2], list):
        raise compile_error("Wrong number of arguments for: '%s'" % kind, ctx, form)
    name = form[1].name
    if name in BUILTINS:
        raise compile_error("'%s' is a reserved keyword." % name, ctx, form)
    f = interp.functions.get(name)
    if not isinstance(f, PatternFunction) or f.predicate != (kind == "defpred"):
        f = PatternFunction(name)
        f.source = Form([Atom(kind)] + list(form[1:]))
        interp.functions[name] = f
    subs = [compile_pattern(x, ctx) for x in form[2]]
    n = len(subs)

    def matcher(args, frame):
        if len(args) != n:
            return False
        for m, a in zip(subs, args):
            if not m(a, frame):
                return False
        return True
    inner = ctx.inner(name, True, ())
    return f, matcher, inner, Form([Atom(kind)] + list(form[1:]))


def define_pattern(form, ctx):
    """(defpat name (patterns...) body...): add a clause to the pattern function ``name``."""
    from .compiler.closures import compile_body
    f, matcher, inner, src = _clause(form, ctx, "defpat")
    body = compile_body(list(form[3:]), inner, True)
    f.clauses.append((matcher, body, src))
    return f


class _PredFail(Exception):
    pass


def define_predicate(form, ctx):
    """(defpred name (patterns...) body...): like defpat, but each body form must be true;
    a false one makes the next clause be tried. Returns true when all hold."""
    from .compiler.closures import compile_expr
    f, matcher, inner, src = _clause(form, ctx, "defpred")
    forms = list(form[3:])
    fns = [compile_expr(x, inner, i == len(forms) - 1) for i, x in enumerate(forms)]

    def body(env):
        r = TRUE
        for fn in fns:
            r = fn(env)
            if type(r) is TailCall:
                return r
            if not truthy(r):
                raise _PredFail()
        return r
    f.predicate = True
    f.clauses.append((matcher, body, src))
    return f


def call_predicate(f, args):
    """Calls of a defpred function: clauses whose body fails are skipped; nil if none holds."""
    while True:
        for matcher, body, _src in f.clauses:
            frame = {}
            if matcher(args, frame):
                try:
                    r = body(frame)
                except _PredFail:
                    continue
                except ReturnSignal as ret:
                    return ret.value
                if type(r) is TailCall:
                    args = r.args
                    break
                return r
        else:
            raise LispEError("Could not find a match for function: '%s'" % f.name)
