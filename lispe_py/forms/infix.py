"""The infix form ``(• x op y op z ...)``, rewritten into prefix calls when compiled.

As LispE does it: a run of the same operator makes one call with all its operands
(``(• 1 + 2 + 3)`` is ``(+ 1 2 3)``); ``+ - and or xor`` take everything before them as
their first operand (lowest priority); any other operator takes only the last operand
(``(• 1 + 2 * 3)`` is ``(+ 1 (* 2 3))``, ``(• 2 ^^ 3 * 2)`` is ``(^^ 2 (* 3 2))``). A list
operand that is not a call (``(1 + 2)``) is itself read as infix; a call's arguments are
looked at the same way."""

from ..builtins.registry import BUILTINS, SPECIAL_FORMS
from ..compiler.closures import compile_expr
from ..errors import LispEError
from ..values import Atom, Form
from . import special

_OPERATORS = frozenset("+ - * / % ^^ ** < > <= >= = != == & | ^ << >> &~ and or xor".split())
_LOW = frozenset("+ - and or xor".split())


def _form(items, like):
    return Form(items, getattr(like, "pos", None), None)


def _is_operator(x):
    return type(x) is Atom and x.name in _OPERATORS


def _malformed():
    return LispEError("Infix expression is malformed")


def _operand(x, ctx):
    """An operand: a list that is no call is infix itself; a call keeps its head and has
    its list arguments looked at."""
    if not isinstance(x, list) or not x:
        return x
    head = x[0]
    if type(head) is Atom and head.name == "•":
        return infix(list(x[1:]), x, ctx)
    if type(head) is Atom and (head.name in BUILTINS or head.name in SPECIAL_FORMS
                               or head.name in ctx.interp.functions
                               or head.name in ctx.interp.macros):
        return _form([head] + [_operand(y, ctx) for y in x[1:]], x)
    return infix(list(x), x, ctx)


def infix(items, like, ctx):
    """The prefix form of the infix sequence ``items``."""
    ops = _form([], like)
    into_last = False
    expect_operator = False
    for x in items:
        if _is_operator(x):
            if not expect_operator:
                raise _malformed()
            if len(ops) == 1:
                ops = _form([x, ops[0]], like)
                into_last = False
            elif x.name == ops[0].name:
                into_last = False
            elif x.name in _LOW:
                ops = _form([x, ops], like)
                into_last = False
            else:
                last = ops[-1]
                into_last = True
                if not (isinstance(last, list) and last and type(last[0]) is Atom
                        and last[0].name == x.name and len(last) != 2):
                    ops[-1] = _form([x, last], like)
            expect_operator = False
            continue
        if expect_operator:
            raise _malformed()
        expect_operator = True
        v = _operand(x, ctx)
        if into_last:
            ops[-1].append(v)
        else:
            ops.append(v)
    if not expect_operator:
        raise _malformed()
    return ops


@special("•")
def sf_infix(form, ctx, tail):
    """(• x op y ...): the infix expression, computed as its prefix form."""
    return compile_expr(infix(list(form[1:]), form, ctx), ctx, tail)
