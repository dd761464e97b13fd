"""Dictionary builtins: dictionary/dict, key@ (keyi@ keyn@), keys@, values@, get, sets."""

from ..errors import LispEError
from ..values import (Set, Dictionary, DictionaryI, DictionaryN, Integers, List, Numbers, SetI, SetN,
                      SetS, Strings, dict_items, dict_keys, to_string)
from .core import integer, number
from .registry import builtin

_KINDS = {"key": (Dictionary, to_string), "keyi": (DictionaryI, integer),
          "keyn": (DictionaryN, number)}


def _make(kind, args, name):
    cls, conv = _KINDS[kind]
    if len(args) % 2:
        raise LispEError("wrong number of arguments for '%s'" % name)
    d = cls()
    for i in range(0, len(args), 2):
        d[conv(args[i])] = args[i + 1]
    return d


@builtin("dictionary", "dict", arity=(0, None))
def dictionary(*args):
    """(dictionary k v ...) also (dict ...): a string-keyed dictionary."""
    return _make("key", args, "dictionary")


@builtin("dictionaryi", arity=(0, None))
def dictionaryi(*args):
    """(dictionaryi k v ...): an integer-keyed dictionary."""
    return _make("keyi", args, "dictionaryi")


@builtin("dictionaryn", arity=(0, None))
def dictionaryn(*args):
    """(dictionaryn k v ...): a number-keyed dictionary."""
    return _make("keyn", args, "dictionaryn")


def _key_access(kind):
    cls, conv = _KINDS[kind]

    def f(*args):
        if not args:
            return cls()
        d = args[0]
        if not isinstance(d, dict):
            # (key@ "k" v ...) builds a new dictionary
            return _make(kind, args, kind)
        conv_ = conv
        if not isinstance(d, cls):
            if kind != "key":
                raise LispEError("wrong dictionary type for '%s'" % kind)
            conv_ = _CONV_OF[type(d)] if type(d) in _CONV_OF else \
                (integer if isinstance(d, DictionaryI) else number)   # key@ works on every kind
        rest = args[1:]
        if len(rest) == 1:
            return d.get(conv_(rest[0]))
        if len(rest) % 2:
            raise LispEError("wrong number of arguments for '%s'" % kind)
        for i in range(0, len(rest), 2):
            d[conv_(rest[i])] = rest[i + 1]
        return d
    return f


_CONV_OF = {Dictionary: to_string, DictionaryI: integer, DictionaryN: number}


_key = _key_access("key")
_keyi = _key_access("keyi")
_keyn = _key_access("keyn")


@builtin("key@", arity=(0, None))
def key_at(*args):
    """(key@ d k) value or nil; (key@ d k v ...) stores and returns d; (key@) a new dictionary."""
    return _key(*args)


@builtin("keyi@", arity=(0, None))
def keyi_at(*args):
    """(keyi@ d k ...): key@ for integer-keyed dictionaries."""
    return _keyi(*args)


@builtin("keyn@", arity=(0, None))
def keyn_at(*args):
    """(keyn@ d k ...): key@ for number-keyed dictionaries."""
    return _keyn(*args)


@builtin("get", arity=(2, 3))
def get(d, k, default=None):
    """(get d key [default]): the value at key, or default (nil) when missing."""
    if isinstance(d, Dictionary):
        return d.get(to_string(k), default)
    if isinstance(d, DictionaryI):
        return d.get(integer(k), default)
    if isinstance(d, DictionaryN):
        return d.get(number(k), default)
    if isinstance(d, list):
        i = integer(k)
        if -len(d) <= i < len(d):
            return d[i]
        return default
    raise LispEError("You cannot apply 'get' to: '%s'" % to_string(d))


@builtin("keys@", "containerkeys", arity=1)
def keys_at(d):
    """(keys@ d): the keys in printing order."""
    if isinstance(d, Dictionary):
        return Strings(dict_keys(d))
    if isinstance(d, DictionaryI):
        return Integers(dict_keys(d))
    if isinstance(d, DictionaryN):
        return Numbers(dict_keys(d))
    if isinstance(d, list):
        return Integers(range(len(d)))
    return List()            # LispE: () for anything else


@builtin("values@", "containervalues", arity=1)
def values_at(d):
    """(values@ d): the values in printing order."""
    if isinstance(d, dict):
        return List(v for _, v in dict_items(d))
    if isinstance(d, list):
        return List(d)
    return List()            # LispE: () for anything else


@builtin("set", arity=(0, None))
def set_(*args):
    """(set a b ...): a set_ of any values, each one element (a list too); values that print
    the same are one element (3 and "3")."""
    return Set(args)


def _flat(args):
    """sets, seti, setn: a list argument gives its elements."""
    for a in args:
        if isinstance(a, list):
            yield from a
        else:
            yield a


@builtin("sets", arity=(0, None))
def sets(*args):
    """(sets a b ...): a set of strings."""
    return SetS(to_string(x) for x in _flat(args))


@builtin("seti", arity=(0, None))
def seti(*args):
    """(seti a b ...): a set of integers."""
    return SetI(integer(x) for x in _flat(args))


@builtin("setn", arity=(0, None))
def setn(*args):
    """(setn a b ...): a set of numbers."""
    return SetN(number(x) for x in _flat(args))
