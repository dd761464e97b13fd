"""defmacro: parameters substituted into the body at compile time."""

from ..compiler.closures import _const, compile_error
from ..values import Atom, Form, List
from . import special


@special("defmacro", arity=(3, None))
def sf_defmacro(form, ctx, tail):
    if type(form[1]) is not Atom:
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
