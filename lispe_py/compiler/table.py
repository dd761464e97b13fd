"""The function table of an interpreter, and the entries generated code calls through.

``interp.functions`` maps names to functions (defun, defpat, data@ constructors, classes,
Python callables of the API). Generated code (:mod:`lispe_py.compiler.codegen`) calls a
user function ``f`` with ``k`` arguments through the global ``F<k>_<i>`` of its namespace
(one namespace per interpreter): a plain Python call, kept in step with the table on every
change, so that redefining ``f`` (or defining it after the caller) still works:

* a ``defun`` whose generated code takes exactly ``k`` arguments: that code;
* another function (closure body, optional or rest parameters, defpat, data@
  constructor, thread function): a wrapper calling its ``call``;
* anything else (a class, a name bound to nothing): :data:`STALE`, on which the call
  site takes the closure compiler's general path (classes, variables holding a λ...).
"""

from ..callables import Function

__all__ = ["FunctionTable", "STALE", "StaleEntry"]


class StaleEntry(Exception):
    """Raised by calling :data:`STALE`: the call site takes the general path (it does so
    only where its arguments can be evaluated again without any effect)."""


class _Stale:
    __slots__ = ()

    def __call__(self, *args):
        raise StaleEntry()

    def __repr__(self):
        return "<no generated entry>"


STALE = _Stale()


def _entry(v, k):
    if type(v) is Function:
        p = v.params
        if v.code is not None and p.simple and len(p.required) == k:
            return v.code
    elif not (isinstance(v, Function) or getattr(type(v), "env_free", False)):
        return STALE
    call = v.call

    def entry(*args):
        return call(list(args))
    return entry


class FunctionTable(dict):
    """A dict of functions that keeps the generated call entries (``ns``) up to date."""

    __slots__ = ("ns", "_keys", "_ids")

    def __init__(self, *a, **kw):
        dict.__init__(self, *a, **kw)
        self.ns = {}            # the globals of the interpreter's generated code
        self._keys = {}         # name -> {k: "F<k>_<i>"}
        self._ids = {}          # name -> i

    def entry_key(self, name, k):
        """The global name through which generated code calls ``name`` with ``k`` args."""
        keys = self._keys.get(name)
        if keys is None:
            keys = self._keys[name] = {}
        key = keys.get(k)
        if key is None:
            i = self._ids.setdefault(name, len(self._ids))
            key = keys[k] = "F%d_%d" % (k, i)
            self.ns[key] = _entry(dict.get(self, name), k)
        return key

    def refresh(self, name):
        keys = self._keys.get(name)
        if keys:
            v = dict.get(self, name)
            ns = self.ns
            for k, key in keys.items():
                ns[key] = _entry(v, k)

    def __setitem__(self, name, v):
        dict.__setitem__(self, name, v)
        if name in self._keys:
            self.refresh(name)

    def __delitem__(self, name):
        dict.__delitem__(self, name)
        if name in self._keys:
            self.refresh(name)

    def pop(self, name, *default):
        v = dict.pop(self, name, *default)
        if name in self._keys:
            self.refresh(name)
        return v

    def popitem(self):
        name, v = dict.popitem(self)
        if name in self._keys:
            self.refresh(name)
        return name, v

    def setdefault(self, name, default=None):
        if name in self:
            return dict.__getitem__(self, name)
        self[name] = default
        return default

    def update(self, *a, **kw):
        for k, v in dict(*a, **kw).items():
            self[k] = v

    def clear(self):
        dict.clear(self)
        for name in self._keys:
            self.refresh(name)

    def __ior__(self, other):
        self.update(other)
        return self

    def copy(self):
        return dict(self)
