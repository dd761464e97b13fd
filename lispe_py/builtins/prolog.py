"""LispE's ``defprol`` functions (Prolog-like clauses) and ``cut_``.

``(defprol name (patterns...) body...)`` adds a clause; a call tries every clause whose
patterns match the arguments (the patterns of ``defpat``) and returns the list of the
values of the bodies that succeed. A body of one instruction succeeds when its value is
true; a longer body runs its instructions in order and stops at the first false value
(failure); the value ``cut_`` stops the search after this clause. An error in a body is a
failure; ``return`` or ``break`` ends the call with the values found before. No clause
matching gives ``()``.

As LispE, the clauses are filed by the type of their first pattern: a call tries the
clauses filed under the type of its first argument (the first element of lists, as deep
as the deepest first pattern), in the order they were defined, then those whose first
pattern is a variable or a list pattern; with neither, the result is nil."""

from ..errors import BreakSignal, LispEError, ReturnSignal
from ..values import Atom, List, truthy, type_name
from .registry import BUILTINS  # noqa: F401  (the builtins layer)

__all__ = ["PrologFunction", "CUT"]

CUT = Atom("cut_")
GENERIC = None


class PrologFunction:
    """The clauses of one defprol name."""

    __slots__ = ("name", "buckets", "depth", "source")

    kind = "list_"

    def __init__(self, name):
        self.name = name
        self.buckets = {}       # label of the first pattern -> [(n, matcher, body)]
        self.depth = 0          # the deepest first pattern (LispE's depths[])
        self.source = None

    def add(self, label, depth, n, matcher, instructions, source):
        if self.source is None:
            self.source = source
        self.depth = max(self.depth, depth)
        self.buckets.setdefault(label, []).append((n, matcher, instructions))

    def lispe_str(self):
        from ..values import to_string
        return to_string(self.source)

    def _first_label(self, v):
        d = self.depth - 1
        while isinstance(v, list) and d:
            if not v:
                return GENERIC
            v = v[0]
            d -= 1
        return type_name(v)

    def call(self, args, env=None):
        args = list(args)
        label = self._first_label(args[0]) if args else GENERIC
        clauses = self.buckets.get(label)
        generic = self.buckets.get(GENERIC) if label is not GENERIC else None
        if clauses is None:
            clauses, generic = generic, None
            if clauses is None:
                return None
        results = List()
        n = len(args)
        for group in (clauses, generic or ()):
            for size, matcher, instructions in group:
                if size != n:
                    continue
                frame = {}
                if not matcher(args, frame):
                    continue
                try:
                    value, success, cut = _run(instructions, frame)
                except (ReturnSignal, BreakSignal):
                    return results
                if success:
                    results.append(value)
                if cut:
                    return results
        return results


def _run(instructions, frame):
    """Evaluate a clause body: (value, success, cut)."""
    try:
        if len(instructions) == 1:
            v = instructions[0](frame)
            return v, truthy(v), False
        v, success, cut = True, True, False
        for ins in instructions:
            v = ins(frame)
            if v is CUT:
                cut = True
            else:
                success = truthy(v)
                if not success:
                    break
        return v, success, cut
    except LispEError:
        return None, False, False


def pattern_label(p, interp):
    """(label, depth) of a clause's first pattern: the type it files the clause under (None
    for a variable or a list pattern) and how many lists lead to it (the parameter list
    counts one; a type pattern such as (integer_ x) is not a list)."""
    from ..values import Form
    depth = 1
    e = p
    while True:
        if isinstance(e, list) and not isinstance(e, str):
            if not e:
                return GENERIC, depth
            head = e[0]
            if type(head) is Atom:
                name = head.name
                if name in ("key@", "keyi@", "keyn@") and isinstance(e, Form):
                    kind = {"key@": "dictionary_", "keyi@": "dictionary_i_",
                            "keyn@": "dictionary_n_"}[name]
                    return kind, depth
                if name.endswith("_") and len(name) > 1 and len(e) == 2:
                    return name, depth
            e = head
            depth += 1
            continue
        break
    if type(e) is Atom:
        if e.name.endswith("_") and len(e.name) > 1 and e is not CUT:
            return e.name, depth
        return GENERIC, depth
    if e is None:
        return GENERIC, depth
    return type_name(e), depth
