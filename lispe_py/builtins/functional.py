"""Higher-order builtins: map, filter, fold, scan, zip, takewhile...

A function argument may be a quoted name, a lambda, a builtin, or a partial list such as
``'(+ 1)``: ``map``/``filter``/``takewhile``/``dropwhile`` put the element first
(``(- x 10)``), ``maplist``/``filterlist`` put it last."""

from ..errors import LispEError
from ..values import (TRUE, Atom, Floats, Form, Integers, List, Numbers, Shorts, Strings,
                      Float32, Short, truthy, to_string)
from ..runtime import caller as _caller, is_lambda_list, iterate
from .registry import builtin


# the heads a partial list given to map/filter/takewhile/dropwhile may have; any other head is
# LispE's "missing operator" ((map '(list 1) l), (map '(eq 1) l))
_PARTIAL_OPERATORS = {"+", "-", "*", "/", "%", "^^", "**", "<", ">", "<=", ">=", "=", "!=",
                      "==", ">=<", "<<", ">>", "&", "|", "^", "&~", "and", "or", "xor"}
# filter, takewhile and dropwhile accept only the comparisons
_PARTIAL_COMPARISONS = {"<", ">", "<=", ">=", "=", "!=", "==", ">=<"}


def _partial_ok(name, f):
    ops = _PARTIAL_OPERATORS if name == "map" else _PARTIAL_COMPARISONS
    return type(f[0]) is Atom and f[0].name in ops and len(f) >= 2


def partial_error(name, arg):
    """The compile-time error of LispE for a quoted partial call given to map, filter,
    takewhile or dropwhile whose head is not an operator ("missing operator"), or None."""
    if name not in ("map", "filter", "takewhile", "dropwhile"):
        return None
    if isinstance(arg, list) and len(arg) == 2 and type(arg[0]) is Atom and arg[0].name == "quote":
        f = arg[1]
        if isinstance(f, list) and f and not is_lambda_list(f) and not _partial_ok(name, f):
            return "missing operator"
    return None


def _head_callable(interp, env, head):
    if type(head) is Atom and head.name in ("and", "or"):
        # special forms in lispe-py: as functions of their evaluated arguments
        if head.name == "and":
            return lambda args: TRUE if all(truthy(a) for a in args) else None
        return lambda args: TRUE if any(truthy(a) for a in args) else None
    fn = interp.callable_of(head, env)
    return lambda args: interp.apply(fn, args, env)


def caller(interp, env, f, element_first, name="map"):
    """Return a Python function calling the LispE function designator f on one element.

    A partial list: map, filter, takewhile and dropwhile put the element first and need an
    operator head with arguments ((map '(- 10) l) computes (- x 10)); maplist, filterlist,
    takelist, droplist put it in place of the last nil argument (``_`` reads as nil:
    (maplist '(split _ " ") l)), or last when there is none ((maplist '(- 10) l) is 10 - x)."""
    if isinstance(f, list) and f and (isinstance(f, Form) or type(f) is List) and not is_lambda_list(f):
        head = f[0]
        extra = list(f[1:])
        if element_first:
            if not _partial_ok(name, f):
                raise LispEError("missing operator")
            call = _head_callable(interp, env, head)
            return lambda x: call([x] + extra)
        call = _head_callable(interp, env, head)
        holes = [i for i, a in enumerate(extra) if a is None]
        if holes:
            i = holes[-1]
            before, after = extra[:i], extra[i + 1:]
            return lambda x: call(before + [x] + after)
        return lambda x: call(extra + [x])
    # one element per call: a compiled λ or defun is called directly (lispe_py.runtime)
    return _caller(interp, interp.callable_of(f, env), env, 1)


def caller2(interp, env, f):
    if isinstance(f, list) and f and not is_lambda_list(f):
        head = interp.callable_of(f[0], env)
        extra = list(f[1:])
        return lambda a, b: interp.apply(head, extra + [a, b], env)
    return _caller(interp, interp.callable_of(f, env), env, 2)


def _seq(l):
    if isinstance(l, (list, str)):
        return l
    return list(iterate(l))


def _typed_like(first):
    """maplist: the result's type follows the first result."""
    if isinstance(first, bool):
        return List
    if type(first) is int:
        return Integers
    if type(first) is float:
        return Numbers
    if type(first) is Float32:
        return Floats
    if type(first) is Short:
        return Shorts
    if type(first) is str:
        return Strings
    return List


# LispE applies an operator given to map to the element twice: (map '+ l) is (+ x x); maplist
# and mapcar apply the arithmetic ones to the element alone, which gives it back
_OPERATORS = {"+", "-", "*", "/", "%", "^^", "**", "<", ">", "<=", ">=", "=", "!=", "<<",
              ">>", "&", "|", "^"}
_IDENTITY_OPERATORS = {"+", "-", "*", "/", "^^", "**"}


def _operator(f):
    return f.name if type(f) is Atom and f.name in _OPERATORS else None


@builtin("map", interp=True, arity=2)
def map_(interp, env, f, l):
    """(map f l): a list of (f x) for each x of l; (map '+ l): (+ x x) for each x."""
    if _operator(f):
        fn = interp.callable_of(f, env)
        return List(interp.apply(fn, [x, x], env) for x in _seq(l))
    g = caller(interp, env, f, True)
    return List(g(x) for x in _seq(l))


@builtin("maplist", "mapcar", "¨", interp=True, arity=2)
def maplist(interp, env, f, l):
    """(maplist f l): like map; the result is typed after the first value; partial lists
    take the element last."""
    if _operator(f) in _IDENTITY_OPERATORS:
        out = list(_seq(l))
    else:
        g = caller(interp, env, f, False)
        out = [g(x) for x in _seq(l)]
    return typed_after_first(out)


def typed_after_first(out):
    """A list typed after its first value (maplist, zipwith): the other values are converted
    to that type as LispE reads them ((1 "a") gives (1 0))."""
    if not out:
        return List()
    cls = _typed_like(out[0])
    if cls is List:
        return List(out)
    if all(type(x) is type(out[0]) for x in out):
        return cls(out)
    from .arith import as_float, as_integer, as_number
    convert = {Integers: as_integer, Numbers: as_number, Floats: as_float,
               Shorts: lambda x: Short(as_integer(x)), Strings: to_string}[cls]
    return cls(convert(x) for x in out)


@builtin("filter", interp=True, arity=2)
def filter_(interp, env, f, l):
    """(filter f l): the elements x with (f x) true."""
    g = caller(interp, env, f, True, "filter")
    out = [x for x in _seq(l) if truthy(g(x))]
    return List(out)


@builtin("filterlist", interp=True, arity=2)
def filterlist(interp, env, f, l):
    """(filterlist f l): like filter, partial lists take the element last."""
    g = caller(interp, env, f, False)
    return List(x for x in _seq(l) if truthy(g(x)))


@builtin("takewhile", interp=True, arity=2)
def takewhile(interp, env, f, l):
    """(takewhile f l): the leading elements for which (f x) is true."""
    g = caller(interp, env, f, True, "takewhile")
    out = []
    for x in (l if isinstance(l, (list, str)) else iterate(l)):    # lazily: an irange may be infinite
        if not truthy(g(x)):
            break
        out.append(x)
    return List(out)


@builtin("dropwhile", interp=True, arity=2)
def dropwhile(interp, env, f, l):
    """(dropwhile f l): l after its leading elements satisfying f (LispE also drops the first
    failing one)."""
    g = caller(interp, env, f, True, "dropwhile")
    items = list(_seq(l))
    i = 0
    while i < len(items) and truthy(g(items[i])):
        i += 1
    return List(items[i + 1:])


@builtin("take", arity=2)
def take(n, l):
    """(take n l): the first n elements."""
    from .core import integer
    if not isinstance(l, (list, str)):
        if getattr(l, "lispe_iter", None) is not None:      # an irange (maybe infinite)
            import itertools
            return List(itertools.islice(l.lispe_iter(), max(integer(n), 0)))
        return List()            # LispE: () for what is not a list
    return List(list(l)[:max(integer(n), 0)])


@builtin("drop", arity=2)
def drop(n, l):
    """(drop n l): l without its first n elements."""
    from .core import integer
    if not isinstance(l, (list, str)):
        return List()            # LispE: () for what is not a list
    return List(list(l)[max(integer(n), 0):])


@builtin("foldl", interp=True, arity=3)
def foldl(interp, env, f, init, l):
    """(foldl f init l): (f (f (f init x1) x2) x3)."""
    g = caller2(interp, env, f)
    acc = init
    for x in _seq(l):
        acc = g(acc, x)
    return acc


@builtin("foldr", interp=True, arity=3)
def foldr(interp, env, f, init, l):
    """(foldr f init l): (f x1 (f x2 (f x3 init)))."""
    g = caller2(interp, env, f)
    acc = init
    for x in reversed(list(_seq(l))):
        acc = g(x, acc)
    return acc


@builtin("foldl1", interp=True, arity=2)
def foldl1(interp, env, f, l):
    """(foldl1 f l): foldl starting from the first element."""
    items = list(_seq(l))
    if not items:
        return None
    return foldl(interp, env, f, items[0], items[1:])


@builtin("foldr1", interp=True, arity=2)
def foldr1(interp, env, f, l):
    """(foldr1 f l): foldr starting from the last element."""
    items = list(_seq(l))
    if not items:
        return None
    return foldr(interp, env, f, items[-1], items[:-1])


@builtin("scanl", interp=True, arity=3)
def scanl(interp, env, f, init, l):
    """(scanl f init l): the successive values of foldl."""
    g = caller2(interp, env, f)
    acc = init
    out = [acc]
    for x in _seq(l):
        acc = g(acc, x)
        out.append(acc)
    return List(out)


@builtin("scanl1", interp=True, arity=2)
def scanl1(interp, env, f, l):
    """(scanl1 f l): scanl starting from the first element."""
    items = list(_seq(l))
    if not items:
        return List()
    return scanl(interp, env, f, items[0], items[1:])


@builtin("scanr", interp=True, arity=3)
def scanr(interp, env, f, init, l):
    """(scanr f init l): the successive values of foldr, last first."""
    g = caller2(interp, env, f)
    acc = init
    out = [acc]
    for x in reversed(list(_seq(l))):
        acc = g(x, acc)
        out.append(acc)
    out.reverse()
    return List(out)


@builtin("scanr1", interp=True, arity=2)
def scanr1(interp, env, f, l):
    """(scanr1 f l): scanr starting from the last element."""
    items = list(_seq(l))
    if not items:
        return List()
    return scanr(interp, env, f, items[-1], items[:-1])


@builtin("zip", arity=(2, None))
def zip_(*ls):
    """(zip l1 l2 ...): a list of lists, one per position."""
    if not all(isinstance(x, list) for x in ls):
        raise LispEError("'zip' only accepts lists as arguments")
    sizes = {len(x) for x in ls}
    if len(sizes) > 1:
        raise LispEError("Lists should all have the same size in 'zip'")
    return List(List(t) for t in zip(*ls))


@builtin("zipwith", interp=True, arity=(3, None))
def zipwith(interp, env, f, *ls):
    """(zipwith f l1 l2 ...): (f x1 y1 ...) for each position."""
    if not all(isinstance(x, list) for x in ls):
        raise LispEError("'zipwith' only accepts lists as arguments")
    sizes = {len(x) for x in ls}
    if len(sizes) > 1:
        raise LispEError("'zipwith' only accepts lists of same size as arguments")
    if isinstance(f, list) and f and not is_lambda_list(f):
        head = interp.callable_of(f[0], env)
        extra = list(f[1:])
        out = [interp.apply(head, extra + list(t), env) for t in zip(*ls)]
    else:
        fn = interp.callable_of(f, env)
        out = [interp.apply(fn, list(t), env) for t in zip(*ls)]
    return typed_after_first(out)


__all__ = ["caller", "caller2", "to_string"]
