"""Hooks through which foreign value types (tensors, modules) join LispE's generic builtins.

Each table maps a Python type to a function; the core builtins consult them when an
operand is not a LispE value. Lookups walk the MRO, so registering a base class works.

- ``AT[type](obj, indexes)``           -> value of ``(at obj i j ...)``
- ``SET_AT[type](obj, indexes, value)`` -> ``(set@ obj i ... value)``
- ``SIZE[type](obj)``                  -> ``(size obj)``
- ``CAR[type](obj)`` / ``CDR[type](obj)``
- ``ARITH[type](op, a, b)``            -> ``a op b`` for op in "+ - * / % ^^"; called when
  either operand has that type (``a`` may be a LispE number)
- ``TO_PYTHON[type](obj)``             -> the Python value the embedding API returns
- ``EXTRACT[type](obj, from, upto)``   -> ``(@@ obj from [upto])`` (upto None when absent)
- ``ITER[type](obj)``                  -> the values ``loop`` walks
"""

AT = {}
SET_AT = {}
SIZE = {}
CAR = {}
CDR = {}
ARITH = {}
TO_PYTHON = {}
EXTRACT = {}
ITER = {}


def find(table, obj):
    """The hook registered for type(obj) or one of its bases, or None."""
    t = type(obj)
    fn = table.get(t)
    if fn is None and table:
        for k in t.__mro__[1:]:
            fn = table.get(k)
            if fn is not None:
                table[t] = fn
                break
    return fn
