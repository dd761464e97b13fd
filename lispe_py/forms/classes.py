"""Classes: class@/defclass, methods, withclass, setqi."""

from ..callables import ClassDef, MethodFrame
from ..compiler.closures import (Ctx, _const, compile_body, compile_error, compile_expr,
                                 located, parse_params)
from ..errors import LispEError
from ..values import TRUE, Atom, Form
from . import special


@special("class@", "defclass")
def sf_class(form, ctx, tail):
    cls = ctx.interp.define_class(form, ctx)
    return _const(cls)


@special("withclass", arity=(1, None))
def sf_withclass(form, ctx, tail):
    """(withclass Class body...): the body's (obj (method ...)) calls are resolved against
    Class; an instance of another class gives 'mismatch between class instance and class
    definition'. A first argument that names no class is ignored (as LispE does)."""
    target = form[1]
    cls = ctx.interp.functions.get(target.name) if type(target) is Atom else None
    W = cls if isinstance(cls, ClassDef) else ctx.withclass
    inner = Ctx(ctx.interp, ctx.file, ctx.fname, ctx.in_function, ctx.params, ctx.cls, W)
    return compile_body(list(form[2:]), inner, tail)


@special("setqi", arity=2)
def sf_setqi(form, ctx, tail):
    if type(form[1]) is not Atom:
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


def define_method(form, ctx, cls):
    """Compile a defun found inside class@ into a Method of ``cls``."""
    from ..callables import Method
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


def define_class(interp, form, ctx):
    """Compile a class@/defclass: fields, parent (from@), methods (each compiled once)."""
    if len(form) < 3 or type(form[1]) is not Atom or not isinstance(form[2], list):
        raise compile_error("Wrong number of arguments for: 'class@'", ctx, form)
    name = form[1].name
    fields = []
    for f in form[2]:
        if type(f) is Atom:
            fields.append((f.name, None))
        elif isinstance(f, list) and f and type(f[0]) is Atom:
            fields.append((f[0].name, compile_expr(f[1], ctx) if len(f) > 1 else None))
        else:
            raise compile_error("Wrong field description in class", ctx, form)
    cls = ClassDef(name, fields, {})
    cls.source = form
    interp.functions[name] = cls
    items = list(form[3:])
    for item in items:
        if isinstance(item, list) and item and type(item[0]) is Atom and item[0].name == "from@":
            parent = interp.functions.get(item[1].name) \
                if len(item) > 1 and type(item[1]) is Atom else None
            if not isinstance(parent, ClassDef):
                raise compile_error("Unknown class in 'from@'", ctx, item)
            cls.parent = parent
    # the method names of the class (and its ancestors), known before any body compiles
    cls.declared = set(cls.parent.declared) if cls.parent is not None else set()
    cls.declared.update(item[1].name for item in items
                        if isinstance(item, list) and len(item) > 1 and type(item[0]) is Atom
                        and item[0].name == "defun" and type(item[1]) is Atom)
    for item in items:
        if isinstance(item, list) and item and type(item[0]) is Atom:
            h = item[0].name
            if h == "defun":
                define_method(item, ctx, cls)
                continue
            if h == "from@":
                continue
        raise compile_error("Unknown statement in class definition", ctx, item)
    return cls
