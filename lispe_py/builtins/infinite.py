"""Infinite lists: ``repeat`` and ``cycle`` give lazy lists that ``map``, ``filter``,
``drop`` and ``dropwhile`` extend and ``take``/``takewhile`` consume; ``over`` applies a
function to every element of a list in place.

Elsewhere a lazy list is an error, as in LispE: ``This instruction must be composed with
other instructions such as 'drop' or 'take'``."""

import itertools

from ..errors import LispEError
from ..values import List
from .core import integer
from .registry import BUILTINS, builtin

_COMPOSE = "This instruction must be composed with other instructions such as 'drop' or 'take'"


class Lazy:
    """A lazy infinite list: a source (repeat or cycle) and the steps applied to it."""

    def __init__(self, source, steps=()):
        self.source = source        # a function returning a fresh iterator
        self.steps = tuple(steps)   # functions iterator -> iterator

    def extended(self, step):
        return Lazy(self.source, self.steps + (step,))

    def iterator(self):
        it = self.source()
        for step in self.steps:
            it = step(it)
        return it

    @property
    def kind(self):
        raise LispEError(_COMPOSE)

    def lispe_str(self):
        raise LispEError(_COMPOSE)


@builtin("repeat", arity=1)
def repeat(x):
    """(repeat x): the infinite list x x x ... (to use with take, map, filter, drop...)."""
    return Lazy(lambda: itertools.repeat(x))


@builtin("cycle", arity=1)
def cycle(l):
    """(cycle l): the infinite list of the elements of l, over and over."""
    from ..values import TYPED_LISTS
    if not isinstance(l, list) or isinstance(l, TYPED_LISTS):
        raise LispEError("we can only cycle on list")
    items = list(l)
    if not items:
        return Lazy(lambda: iter(()))
    return Lazy(lambda: itertools.cycle(items))


@builtin("over", interp=True, arity=2)
def over(interp, env, f, l):
    """(over f l): replace each element x of l by (f x), in place; l."""
    from .functional import caller
    from ..values import Atom
    if not isinstance(l, list):
        raise LispEError("Expecting a list")
    if type(f) is Atom and f.name in ("+", "-", "*", "/", "%", "^^"):
        return l                    # (+ x) is x
    g = caller(interp, env, f, False)
    for i, x in enumerate(l):
        l[i] = g(x)
    return l


# ----------------------------------------------------------------------------- composition

def _one(interp, env, name, f, x):
    b = _ORIGINAL[name]
    r = b.fn(interp, env, f, List([x]))
    return r


def _wrap(name, lazy_handler):
    old = BUILTINS[name]
    _ORIGINAL[name] = old
    old_fn = old.fn

    if old.interp:
        def fn(interp, env, a, b):
            if isinstance(b, Lazy):
                return lazy_handler(interp, env, a, b)
            if isinstance(a, Lazy):
                raise LispEError(_COMPOSE)
            return old_fn(interp, env, a, b)
    else:
        def fn(interp, env, a, b):
            if isinstance(b, Lazy):
                return lazy_handler(interp, env, a, b)
            if isinstance(a, Lazy):
                raise LispEError(_COMPOSE)
            return old_fn(a, b)
    fn.__doc__ = old_fn.__doc__
    fn.__name__ = old_fn.__name__
    builtin(name, arity=(old.min, old.max), interp=True, doc=old.doc)(fn)


_ORIGINAL = {}


def _take(interp, env, n, lz):
    return List(itertools.islice(lz.iterator(), max(integer(n), 0)))


def _drop(interp, env, n, lz):
    k = max(integer(n), 0)
    return lz.extended(lambda it: itertools.islice(it, k, None))


def _map(interp, env, f, lz):
    def step(it):
        for x in it:
            yield _one(interp, env, "map", f, x)[0]
    return lz.extended(step)


def _filter(interp, env, f, lz):
    def step(it):
        for x in it:
            if len(_one(interp, env, "filter", f, x)):
                yield x
    return lz.extended(step)


def _takewhile(interp, env, f, lz):
    out = List()
    for x in lz.iterator():
        if not len(_one(interp, env, "takewhile", f, x)):
            break
        out.append(x)
    return out


def _dropwhile(interp, env, f, lz):
    from .functional import caller
    from ..values import truthy
    g = caller(interp, env, f, True)

    def step(it):
        for x in it:
            if not truthy(g(x)):
                break               # LispE drops the first failing element too
        yield from it
    return lz.extended(step)


_wrap("take", _take)
_wrap("drop", _drop)
_wrap("map", _map)
_wrap("filter", _filter)
_wrap("takewhile", _takewhile)
_wrap("dropwhile", _dropwhile)
