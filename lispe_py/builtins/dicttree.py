"""``dictionarytree``, ``dictionarytreei``, ``dictionarytreen``: dictionaries kept sorted by
key (LispE's std::map dictionaries); every dictionary builtin works on them."""

from ..errors import LispEError
from ..values import Dictionary, DictionaryI, DictionaryN, to_string
from .core import integer, number
from .registry import builtin


class DictionaryTree(Dictionary):
    __slots__ = ()
    kind = "dictionarytree_"
    sorted_keys = True


class DictionaryTreeI(DictionaryI):
    __slots__ = ()
    kind = "dictionarytree_i_"
    sorted_keys = True


class DictionaryTreeN(DictionaryN):
    __slots__ = ()
    kind = "dictionarytree_n_"
    sorted_keys = True


def _make(cls, conv, args, name):
    if len(args) % 2:
        raise LispEError("wrong arguments for '%s'" % name)
    d = cls()
    for i in range(0, len(args), 2):
        d[conv(args[i])] = args[i + 1]
    return d


@builtin("dictionarytree", arity=(0, None))
def dictionarytree(*args):
    """(dictionarytree k v ...): a string-keyed dictionary kept sorted by key."""
    return _make(DictionaryTree, to_string, args, "tree")


@builtin("dictionarytreei", arity=(0, None))
def dictionarytreei(*args):
    """(dictionarytreei k v ...): an integer-keyed dictionary kept sorted by key."""
    return _make(DictionaryTreeI, integer, args, "treei")


@builtin("dictionarytreen", arity=(0, None))
def dictionarytreen(*args):
    """(dictionarytreen k v ...): a number-keyed dictionary kept sorted by key."""
    return _make(DictionaryTreeN, number, args, "treen")
