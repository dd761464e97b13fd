"""``heap``: LispE's ordered collection, a balanced binary tree (AVL) whose order is given by
a comparison function returning -1, 0 or 1 (elements comparing 0 share a node); also
two-argument ``insert`` on a heap or a set, and ``pop``/``popfirst``/``poplast``/``car``/
``at``/``in``/``find`` on heaps. LispE's quirks are kept: removing a node that has two
subtrees keeps only the left one."""

from ..errors import LispEError
from ..protocols import AT, CAR, ITER, SIZE
from ..values import EMPTY, SETS, SetI, SetN, SetS, lbool
from .core import integer, number
from .registry import BUILTINS, builtin


class _Node:
    __slots__ = ("value", "same", "left", "right", "height")

    def __init__(self, value):
        self.value = value
        self.same = None
        self.left = None
        self.right = None
        self.height = 0

    def values(self):
        e = self
        while e is not None:
            yield e.value
            e = e.same

    def element(self):
        if self.same is None:
            return self.value
        from ..values import List
        return List(self.values())


class _Ref:
    """A settable slot holding a node (the C++ code works on ``Avl**``)."""
    __slots__ = ("get", "set")

    def __init__(self, get, set_):
        self.get = get
        self.set = set_


def _left(node):
    return _Ref(lambda: node.left, lambda v: setattr(node, "left", v))


def _right(node):
    return _Ref(lambda: node.right, lambda v: setattr(node, "right", v))


def _check_height(ref):
    e = ref.get()
    hg = 1 + e.left.height if e.left is not None else 0
    hd = 1 + e.right.height if e.right is not None else 0
    if hg == hd or hg == hd + 1:
        e.height = hg
    elif hd == hg + 1:
        e.height = hd
    else:
        e.height = hg if hg > hd else hd
        _rebuild(ref, _shape(ref.get(), 0))


def _shape(e, kind):
    while kind < 11 and e is not None:
        hg = e.left.height if e.left is not None else -1
        hd = e.right.height if e.right is not None else -1
        if hg > hd:
            kind = kind * 10 + 1
            e = e.left
        elif hg < hd or (hg == hd and hd != -1):
            kind = kind * 10 + 2
            e = e.right
        else:
            break
    return kind


def _rebuild(ref, kind):
    e = ref.get()
    if kind == 11:
        x = e.left.right
        top = e.left
        top.right = e
        ref.set(top)
        e.left = x
        _check_height(_right(top))
        _check_height(ref)
    elif kind == 12:
        mid = e.left.right
        eg, ed = mid.left, mid.right
        mid.left = e.left
        mid.right = e
        ref.set(mid)
        mid.left.right = eg
        mid.right.left = ed
        _check_height(_left(mid))
        _check_height(_right(mid))
        _check_height(ref)
    elif kind == 21:
        mid = e.right.left
        eg, ed = mid.left, mid.right
        mid.right = e.right
        mid.left = e
        ref.set(mid)
        mid.left.right = eg
        mid.right.left = ed
        _check_height(_left(mid))
        _check_height(_right(mid))
        _check_height(ref)
    elif kind == 22:
        x = e.right.left
        top = e.right
        top.left = e
        ref.set(top)
        e.right = x
        _check_height(_left(top))
        _check_height(ref)


class Heap:
    """A LispE heap: ``compare(a, b)`` gives -1, 0 or 1."""

    kind = "heap_"

    def __init__(self, compare, source):
        self.root = None
        self.compare = compare      # Python function of two values -> int
        self.source = source

    # ---- tree operations (LispE's algorithms)
    def _cmp(self, a, b):
        try:
            r = self.compare(a, b)
        except LispEError:
            return 0                # values that cannot be compared share a node
        if r is None:
            return 0
        if r is True or (hasattr(r, "name") and r.name == "true"):
            return 1
        try:
            return integer(r)
        except LispEError:
            return 0

    def insert(self, v):
        root_ref = _Ref(lambda: self.root, lambda n: setattr(self, "root", n))
        self._insert(root_ref, v)
        return self

    def _insert(self, ref, v):
        node = ref.get()
        if node is None:
            ref.set(_Node(v))
            return
        t = self._cmp(v, node.value)
        if t == 0:
            last = node
            while last.same is not None:
                last = last.same
            last.same = _Node(v)
            return
        self._insert(_left(node) if t < 0 else _right(node), v)
        _check_height(ref)

    def _find(self, v):
        e = self.root
        while e is not None:
            t = self._cmp(v, e.value)
            if t == 0:
                while e is not None:
                    if _equal(e.value, v):
                        return e
                    e = e.same
                return None
            e = e.left if t < 0 else e.right
        return None

    def remove(self, v):
        parent = None
        origin = 0
        e = self.root
        while e is not None:
            t = self._cmp(v, e.value)
            if t == 0:
                moving = e
                prec = None
                while moving is not None:
                    if _equal(v, moving.value):
                        break
                    prec = moving
                    moving = moving.same
                if moving is None:
                    return False
                change = False
                if e.same is None:
                    change = True
                    moving = e.left if e.left is not None else e.right
                elif prec is None:
                    moving = e.same
                    moving.left = e.left
                    moving.right = e.right
                else:
                    prec.same = moving.same
                    moving = e
                if origin == 0:
                    self.root = moving
                elif origin < 0:
                    parent.left = moving
                else:
                    parent.right = moving
                if change and self.root is not None:
                    _check_height(_Ref(lambda: self.root, lambda n: setattr(self, "root", n)))
                return True
            parent = e
            if t < 0:
                origin = -1
                e = e.left
            else:
                origin = 1
                e = e.right
        return False

    def pop_front(self):
        e = self.root
        if e is None:
            return
        ref = _Ref(lambda: self.root, lambda n: setattr(self, "root", n))
        if e.left is None:
            if e.same is None:
                self.root = e.right
            else:
                self.root = e.same
                e.same.right = e.right
            if self.root is not None:
                _check_height(ref)
            return
        while e.left.left is not None:
            e = e.left
        a = e.left
        if a.same is not None:
            e.left = a.same
            a.same.right = a.right
        else:
            e.left = a.right
            _check_height(ref)

    def pop_last(self):
        e = self.root
        if e is None:
            return
        ref = _Ref(lambda: self.root, lambda n: setattr(self, "root", n))
        if e.right is None:
            if e.same is None:
                self.root = e.left
            else:
                self.root = e.same
                e.same.left = e.left
            if self.root is not None:
                _check_height(ref)
            return
        while e.right.right is not None:
            e = e.right
        a = e.right
        if a.same is not None:
            prec = None
            while a.same is not None:
                prec = a
                a = a.same
            prec.same = None
        else:
            e.right = a.left
            _check_height(ref)

    # ---- views
    def nodes_inorder(self):
        out = []

        def walk(n):
            if n is None:
                return
            walk(n.left)
            out.append(n)
            walk(n.right)
        walk(self.root)
        return out

    def to_list(self):
        return [v for n in self.nodes_inorder() for v in n.values()]

    def preorder_nodes(self):
        out = []

        def walk(n):
            if n is None:
                return
            out.append(n)
            walk(n.left)
            walk(n.right)
        walk(self.root)
        return out

    def lispe_str(self):
        from ..values import to_string
        return "(" + " ".join(to_string(v) for v in self.to_list()) + ")"   # strings unquoted

    def lispe_iter(self):
        return self.to_list()

    def lispe_truth(self):
        return self.root is not None

    def __len__(self):
        return len(self.to_list())

    def first(self):
        e = self.root
        if e is None:
            return None
        while e.left is not None:
            e = e.left
        return e.value

    def last(self):
        e = self.root
        if e is None:
            return None
        while e.right is not None:
            e = e.right
        while e.same is not None:
            e = e.same
        return e.value


def _equal(a, b):
    from .arith import values_equal
    return values_equal(a, b)


def _comparator(interp, env, f):
    from .functional import caller2
    from ..values import Atom
    if type(f) is Atom and f.name in ("<", ">", "<=", ">="):
        f = Atom(">=<")         # LispE orders a heap of '< or '> with >=<
    g = caller2(interp, env, f)
    return lambda a, b: g(a, b)


@builtin("heap", interp=True, arity=(0, None))
def heap(interp, env, *args):
    """(heap comparator v1 v2 ...): an ordered collection (a balanced tree) sorted with
    comparator, which returns -1, 0 or 1 (e.g. '>=<); elements comparing 0 are kept together.
    (heap) without a comparator is the empty list."""
    from ..values import List
    if not args:
        return List()
    h = Heap(_comparator(interp, env, args[0]), args[0])
    for v in args[1:]:
        h.insert(v)
    return h


AT[Heap] = lambda h, keys: _heap_at(h, integer(keys[0])) if len(keys) == 1 else \
    _heap_at(h, integer(keys[0]))
SIZE[Heap] = lambda h: len(h.nodes_inorder())     # LispE counts the nodes
CAR[Heap] = lambda h: h.first()
ITER[Heap] = lambda h: h.to_list()


def _heap_at(h, i):
    if h.root is None:
        raise LispEError("index out of bounds")
    if i == -1:
        e = h.root
        while e.right is not None:
            e = e.right
        return e.element()
    nodes = h.preorder_nodes()
    if i < 0 or i >= len(nodes):
        raise LispEError("index out of bounds")
    return nodes[i].element()


# ----------------------------------------------------------------------------- wrappers

def _wrap(name, arity, handler):
    """Re-register builtin ``name``: ``handler(args)`` returns NotImplemented to fall back
    to the previous definition."""
    old = BUILTINS[name]
    old_fn = old.fn
    if old.interp:
        def fn(interp, env, *args):
            r = handler(*args)
            if r is NotImplemented:
                return old_fn(interp, env, *args)
            return r
    else:
        def fn(interp, env, *args):
            r = handler(*args)
            if r is NotImplemented:
                return old_fn(*args)
            return r
    fn.__doc__ = old_fn.__doc__
    fn.__name__ = old_fn.__name__
    builtin(name, arity=arity, interp=True, doc=old.doc)(fn)


def _insert(c, v, *rest):
    if isinstance(c, Heap):
        return c.insert(v)          # an index is ignored
    if isinstance(c, SETS) and not rest:
        if isinstance(c, SetS):
            from ..values import to_string
            c.add(to_string(v))
        elif isinstance(c, SetI):
            c.add(integer(v))
        elif isinstance(c, SetN):
            c.add(number(v))
        else:
            c.add(v)
        return c
    if not rest:
        if isinstance(c, list):
            c.append(v)             # (insert l v) appends
            return c
        raise LispEError("Wrong number of arguments for: 'insert'")
    return NotImplemented


def _pop(c, *k):
    if isinstance(c, Heap):
        if not k:
            if c.root is None:
                return None
            c.pop_last()
            return c
        return c if c.remove(k[0]) else None
    return NotImplemented


def _popfirst(c):
    if isinstance(c, Heap):
        if c.root is None:
            return None
        c.pop_front()
        return c
    return NotImplemented


def _poplast(c, *k):
    if isinstance(c, Heap) and not k:
        if c.root is None:
            return None
        c.pop_last()
        return c
    return _pop(c, *k)


def _in(c, v):
    if isinstance(c, Heap):
        return lbool(c._find(v) is not None)
    return NotImplemented


def _find(c, v, *start):
    if isinstance(c, Heap):
        return EMPTY                # what LispE gives
    return NotImplemented


def _last(c):
    if isinstance(c, Heap):
        return EMPTY                # what LispE gives
    return NotImplemented


def _to_list(c, *rest):
    if isinstance(c, Heap):
        from ..values import List
        return List(c.to_list())
    return NotImplemented


_wrap("insert", (2, 3), _insert)
_wrap("pop", (1, 2), _pop)
_wrap("poplast", (1, 2), _poplast)
_wrap("popfirst", 1, _popfirst)
_wrap("in", 2, _in)
_wrap("find", (2, 3), _find)
_wrap("last", 1, _last)
if "to_list" in BUILTINS:
    _old_to_list = BUILTINS["to_list"]
    _wrap("to_list", (_old_to_list.min, _old_to_list.max), _to_list)
