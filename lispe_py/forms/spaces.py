"""Name spaces: defspace, space."""

from ..compiler.closures import _const, compile_body, compile_error
from ..values import Atom
from . import special


def _space_functions(interp, name, create):
    spaces = interp.spaces
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


@special("defspace", arity=(1, None))
def sf_defspace(form, ctx, tail):
    """(defspace name forms...): functions defined in a name space; a function name not
    defined globally is also reachable from outside, as in LispE."""
    if type(form[1]) is not Atom:
        raise compile_error("Wrong number of arguments for: 'defspace'", ctx, form)
    interp = ctx.interp
    space = _space_functions(interp, form[1].name, True)
    before = set(space)
    _compile_in_space(interp, space, list(form[2:]), ctx)
    for n in space:
        if n not in before and n not in interp.functions:
            interp.functions[n] = space[n]
    return _const(None)


@special("space", arity=(1, None))
def sf_space(form, ctx, tail):
    """(space name forms...): evaluate forms with the functions of that name space."""
    if type(form[1]) is not Atom:
        raise compile_error("Wrong number of arguments for: 'space'", ctx, form)
    interp = ctx.interp
    name = form[1].name
    space = _space_functions(interp, name, False)
    if space is not None:
        return _compile_in_space(interp, space, list(form[2:]), ctx)
    # not there yet: a (load file name) before it may create it when the program runs
    compiled = []

    def space_(env):
        if not compiled:
            sp = _space_functions(interp, name, False)
            if sp is None:
                raise compile_error("Unbound atom: '%s'" % name, ctx, form)   # the binary's text
            compiled.append(_compile_in_space(interp, sp, list(form[2:]), ctx))
        return compiled[0](env)
    return space_
