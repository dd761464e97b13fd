"""The code generator: the body of a ``defun`` or a ``λ`` -> one Python function.

The body is turned into a Python ``ast`` and given to ``compile()`` once, when the
``defun`` (or the ``λ`` form) is compiled. The closure compiler (:mod:`.closures`) has
already compiled the same body: it raised every compile-time error in LispE's order, and
its closure stays the function's ``body``; the generated code is an extra, faster entry
with the same semantics (any surprise while generating -- an exception of any kind --
keeps the closure alone).

**Frames.** A ``defun`` runs with a fresh frame: its parameters and the variables its body
binds natively (``setq``, loop variables...) are Python locals (a variable bound
nowhere yet reads as unbound-then-global, through a sentinel). A ``λ`` binds its
parameters in its caller's frame: they are Python locals, and every other name is read
and written in that frame (``env``). Whatever may look at the frame -- a builtin taking
the interpreter (``map``, ``println``...), a form left to the closure compiler, a call of
a value that may be a ``λ`` -- gets a real frame: a ``defun`` copies its locals into a dict
kept for the rest of the call (``_e``) and reads them back afterwards; a ``λ`` binds its
parameters in ``env`` around that call, as :class:`lispe_py.callables.Lambda` does.

**Operations.** ``+ - *`` on two ``int`` (wrapped to 64 bits) or two ``float``, ``%`` on a
non-negative ``int`` by a positive one, ``< > <= >=`` on two ``int`` or two ``float``, ``=``
and ``eq`` on two ``int`` are computed inline; any other operand goes to the builtin's own
Python function (the single source of truth). Truth is :func:`lispe_py.values.truthy`.

**Calls.** A user function is called through the entry ``F<k>_<i>`` of the interpreter's
namespace (:mod:`.table`): its generated code itself when the arity matches, so a LispE
call is one Python call (and one Python frame: recursion gets deeper than with closures);
redefinition updates the entry. A name that is no function when called takes the closure
compiler's path (a class, a variable holding a λ...). A self call in tail position is a
loop. ``(return v)`` inside the arguments of a one- or two-argument call ends that call
with v, as the closure compiler does.

**Positions.** Each form that locates errors (calls, operations) gets its own line number
in the generated code; the table of the function maps it to the chain of enclosing
locating forms, so that an error is given its file:line:col, its form and the chain of
LispE calls exactly as the closures give them.

**Left to the closure compiler** (each compiled by it and called with a real frame):
``let``, ``switch``, ``catch``, ``maybe``, ``mloop``/``lloop``, ``setq`` of a list of names,
``+=`` and friends on anything but a variable of the function, ``eval``, ``load``, ``f_``,
``flip``, ``withclass``, ``setqi``, the thread forms, ``for``, ``whilein``, a ``cond`` clause
that is not a list, calls whose head is an expression (``((λ ...) 3)``), and every special
form not listed in :data:`NATIVE`. A body defining something when compiled (``defun``,
``defmacro``, ``defpat``, ``class@``, ``setconst``, ``link``, ``defspace``...), a method,
a ``λ`` inside a class, a function compiled inside a name space, and a self tail call with
another arity or on optional parameters keep the closure for the whole function.
"""

import ast
import builtins
import sys

from ..builtins.registry import BUILTINS, SPECIAL_FORMS
from ..callables import MISSING, Lambda, TailCall
from ..errors import BreakSignal, LispEError, ReturnSignal
from ..runtime import deep_copy, iterate
from ..values import EMPTY, TRUE, Atom, Dictionary, Form, List, LList, to_string, truthy, wrap64
from .closures import (Ctx, _check_var, _loop_var, _opassign_fn, check_arity, compile_body,
                       compile_expr, compile_symbol, convert_exception, parse_params,
                       update_in_place)
from .table import STALE, FunctionTable, StaleEntry

__all__ = ["generate_defun", "generate_lambda", "NATIVE"]

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1

# forms whose compilation has effects (a second compile would repeat them): a body holding
# one keeps its closure
_COMPILE_EFFECTS = frozenset("""defun defmacro defpat defpred data@ class@ defclass setconst
                                link use defspace space dethread""".split())


class _Fallback(Exception):
    """The generator leaves this function to the closure compiler."""


# ----------------------------------------------------------------------------- runtime helpers

def _sync(e, names, values):
    """The frame a consumer sees: the defun's locals copied into its dict (kept per call)."""
    if e is None:
        e = {}
    for n, v in zip(names, values):
        if v is MISSING:
            e.pop(n, None)
        else:
            e[n] = v
    return e


def _back(e, names):
    """The locals read back from the frame after a consumer ran."""
    return tuple([e.get(n, MISSING) for n in names])


def _lbind(env, names, values, lam):
    """A λ's parameters bound in its caller's frame (as Lambda.call binds them)."""
    saved = [env.get(n, MISSING) for n in names]
    saved.append(env.get("self", MISSING))
    env["self"] = lam
    for n, v in zip(names, values):
        env[n] = v
    return saved


def _lunbind(env, names, saved):
    """The parameters read back from the frame, and the frame restored."""
    values = tuple([env.get(n, MISSING) for n in names])
    for n, v in zip(names, saved):
        if v is MISSING:
            env.pop(n, None)
        else:
            env[n] = v
    s = saved[-1]
    if s is MISSING:
        env.pop("self", None)
    else:
        env["self"] = s
    return values


def _locate(e, table, ctx):
    """An exception leaving generated code: located at the form of the line it left from
    (and recorded by each enclosing locating form), as the closures would do."""
    if e.__dict__.pop("_lispe_skip", False):    # raised on behalf of the caller
        return e
    tb = e.__traceback__
    chain = table.get(tb.tb_lineno) if tb is not None else None
    if not chain:
        return e
    for form in chain:
        e = convert_exception(e, ctx, form)
    return e


def _skip(err):
    """An error the closures raise outside the body (arity of a tail call): left for the
    caller to locate."""
    err._lispe_skip = True
    return err


def _count_range(n):
    """The values of a loopcount counter."""
    if not isinstance(n, (int, float)):
        raise LispEError("Expecting a number")
    n = int(n)
    return range(n) if n >= 0 else range(-n - 1, -1, -1)


def _rest(args):
    return List(args)


def _indirect_check(v):
    """The function argument of map & co read from a variable (see closures)."""
    if type(v) is Atom:
        if v.name in BUILTINS and not BUILTINS[v.name].library:   # a library function: unknown
            raise LispEError("Not a function or a data structure")
        raise LispEError("Unknown function call", prefix=False)
    if isinstance(v, list):
        raise LispEError("Unknown function call", prefix=False)
    return v


def _opstore(cur, r):
    """What a variable holds after ``(+= x v)`` computed r: a list is updated in place."""
    if isinstance(cur, list) and isinstance(r, list) and type(cur) is not LList:
        update_in_place(cur, r)
        return cur
    return r


def _helpers():
    return {
        "_M": MISSING, "_TRUE": TRUE, "_truthy": truthy, "_wrap": wrap64, "_MIN": _I64_MIN,
        "_MAX": _I64_MAX, "_STALE": STALE, "_ReturnSignal": ReturnSignal,
        "_BreakSignal": BreakSignal, "_TailCall": TailCall, "_sync": _sync, "_back": _back,
        "_lbind": _lbind, "_lunbind": _lunbind, "_locate": _locate, "_skip": _skip,
        "_iterate": iterate, "_count_range": _count_range, "_deep_copy": deep_copy,
        "_to_string": to_string, "_Lambda": Lambda, "_List": List, "_E0": _E0,
        "_indirect_check": _indirect_check, "_rest": _rest, "_LispEError": LispEError,
        "_opstore": _opstore, "_StaleEntry": StaleEntry, "_Dictionary": Dictionary,
    }


_E0 = {}        # the frame of a defun before anything needed one: empty, never written


def namespace(interp):
    """The globals of the interpreter's generated code (helpers and call entries)."""
    table = interp.functions
    ns = table.ns
    if "_M" not in ns:
        ns.update(_helpers())
        ns["__builtins__"] = builtins
    return ns


# ----------------------------------------------------------------------------- ast helpers

def _stamp(node, line):
    """Give ``node`` and its children without a position the line ``line``."""
    for n in ast.walk(node):
        if "lineno" in n._attributes and getattr(n, "lineno", None) is None:
            n.lineno = line
            n.end_lineno = line
            n.col_offset = 0
            n.end_col_offset = 0
    return node


def _name(id_, store=False):
    return ast.Name(id=id_, ctx=ast.Store() if store else ast.Load())


def _const(v):
    return ast.Constant(value=v)


def _call(fn, *args):
    return ast.Call(func=fn if isinstance(fn, ast.AST) else _name(fn), args=list(args), keywords=[])


def _assign(target, value):
    return ast.Assign(targets=[_name(target, True)], value=value)


def _is(a, b):
    return ast.Compare(left=a, ops=[ast.Is()], comparators=[b])


def _isnot(a, b):
    return ast.Compare(left=a, ops=[ast.IsNot()], comparators=[b])


def _type_is(x, tname):
    return _is(_call("type", x), _name(tname))


def _and(*xs):
    if not xs:
        return _const(True)
    return xs[0] if len(xs) == 1 else ast.BoolOp(op=ast.And(), values=list(xs))


def _or(*xs):
    return xs[0] if len(xs) == 1 else ast.BoolOp(op=ast.Or(), values=list(xs))


def _ifexp(test, a, b):
    return ast.IfExp(test=test, body=a, orelse=b)


def _tuple(items, store=False):
    return ast.Tuple(elts=list(items), ctx=ast.Store() if store else ast.Load())


def _simple(e):
    """An expression that may be evaluated twice and moved after other code: a constant,
    a temporary (assigned once) or a constant of the function."""
    return isinstance(e, ast.Constant) or (isinstance(e, ast.Name) and e.id[0] in "tk")


def _pure_name(e):
    return isinstance(e, ast.Name)


_ARITH = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult}
_SMALL = (1 << 30) - 1      # one-digit ints: their comparisons are specialized by CPython


def _cmp(x, op, v):
    return ast.Compare(left=x, ops=[op()], comparators=[_const(v)])


def _fits(named, r, up, down):
    """named (r := ...) is in the int64 range: a cheap test for small values first."""
    rn = _name(r)
    if up and down:
        return ast.Compare(left=_const(_I64_MIN), ops=[ast.LtE(), ast.LtE()],
                           comparators=[named, _const(_I64_MAX)])
    if up:
        return _or(_cmp(named, ast.Lt, _SMALL), _cmp(rn, ast.LtE, _I64_MAX))
    return _or(_cmp(named, ast.Gt, -_SMALL), _cmp(rn, ast.GtE, _I64_MIN))
_FAST_BINARY = frozenset(["+", "-", "*", "<", ">", "<=", ">=", "=="])   # see closures._FAST_BINARY
_CMP = {"<": ast.Lt, ">": ast.Gt, "<=": ast.LtE, ">=": ast.GtE, "==": ast.Eq}


# ----------------------------------------------------------------------------- the generator

class _Gen:
    """One function being generated. Flow facts follow the code in source order:
    ``assigned`` (names certainly bound here) and ``K`` (names certainly holding a plain
    ``int`` here: integer literals, loopcount counters, int operations on such values, and
    the assumptions of an int version, checked where it starts)."""

    def __init__(self, ctx, mode, params, locals_hint, consumers_hint, cache, arith_hint=()):
        self.ctx = ctx
        self.cache = cache                  # λ forms already compiled (id -> artifacts)
        self.interp = ctx.interp
        self.mode = mode                    # "defun" or "lambda"
        self.params = params
        self.pnames = list(params.names)
        self.py = {}                        # LispE name -> Python local
        for i, n in enumerate(self.pnames):
            self.py[n] = "p%d" % i
        self.locals = set(self.pnames)      # defun: every native local; lambda: parameters
        self.hint_locals = set(locals_hint)
        if mode == "defun":
            for n in sorted(self.hint_locals):
                self._local(n)
        self.consumers_hint = consumers_hint
        self.consumers = 0                  # sites handing a real frame to something
        self.common_consumers = 0           # ... not on a call site's general path
        self.bound = set()                  # names bound natively (defun)
        self.free = set()                   # names read as free variables
        self.free_reads = 0                 # lookups emitted (they may read _e)
        self.assigned = set(self.pnames)    # certainly bound at this point
        self.K = set()                      # certainly plain ints at this point
        # plain ints unless a call site's general path changed them (then _iv is false)
        self.KF = set()
        # bounds (lo, hi) of plain-int names, from the test of the if branch being generated
        # (in the else branch of (< n 2), n >= 2: n - 1 needs no 64-bit guard)
        self.bounds = {}
        self.kf_nodes = {}                  # id -> node (kept alive: ids are not reused)
        self.uses_iv = False
        self.floors = []                    # per enclosing native loop: K members never lost
        self.int_nodes = {}                 # id -> expression node certainly int (kept alive)
        self.arith = set()                  # locals read as operands of inline operations
        self.versioning = False             # inside an int version (no nested versions)
        # parameters the function's int version checks (found by the previous pass): the
        # loops of the other version do not check them again
        self.entry_ints = set(arith_hint) & set(self.pnames)
        self.consts = []
        self.const_names = {}
        self.table = {}                     # line -> chain of locating forms
        self.line = 1
        self.nline = 1
        self.ntemp = 0
        self.loops = []                     # result temporaries of the native loops around
        self.ret_raise = mode == "lambda"   # (return v) raises instead of returning
        self.tail_used = False
        self.fname = ctx.fname
        self.F = self.interp.functions

    # -------------------------------------------------------------- names and facts

    def _local(self, n):
        if n not in self.py:
            self.py[n] = "v%d" % len(self.py)
        self.locals.add(n)
        return self.py[n]

    def temp(self):
        self.ntemp += 1
        return "t%d" % self.ntemp

    def k(self, v):
        """A constant passed to the generated function (by identity)."""
        key = id(v)
        name = self.const_names.get(key)
        if name is None:
            name = "k%d" % len(self.consts)
            self.consts.append(v)
            self.const_names[key] = name
        return _name(name)

    def at(self, node):
        return _stamp(node, self.line)

    def enter(self, form):
        """Start a form that locates errors: its own line, chained to the enclosing ones."""
        saved = self.line
        self.nline += 1
        line = self.nline
        self.table[line] = (form,) + self.table.get(saved, ())
        self.line = line
        return saved

    def state(self):
        return (frozenset(self.assigned), frozenset(self.K), frozenset(self.KF),
                frozenset(self.bounds.items()))

    def restore(self, st):
        self.assigned = set(st[0])
        self.K = set(st[1])
        self.KF = set(st[2]) if len(st) > 2 else set()
        self.bounds = dict(st[3]) if len(st) > 3 else {}     # a loop head knows no bounds

    @staticmethod
    def join(*states):
        a = frozenset.intersection(*[s[0] for s in states])
        k = frozenset.intersection(*[s[1] for s in states])
        kf = frozenset.intersection(*[(s[2] if len(s) > 2 else frozenset()) | s[1] for s in states]) - k
        b = frozenset.intersection(*[(s[3] if len(s) > 3 else frozenset()) for s in states])
        return a, k, kf, b

    def lose(self, names):
        """These names may no longer hold ints."""
        self.K.difference_update(names)
        self.KF.difference_update(names)
        for n in names:
            self.bounds.pop(n, None)
        for f in self.floors:
            f.difference_update(names)

    def is_int(self, e):
        if isinstance(e, ast.Constant):
            return type(e.value) is int
        return id(e) in self.int_nodes

    def int_node(self, e):
        self.int_nodes[id(e)] = e
        return e

    # -------------------------------------------------------------- values

    def constant(self, x):
        if x is None or type(x) in (int, float, str, bool):
            return _const(x)
        return self.k(x)

    def gen(self, x, tail=False):
        """(statements, expression) computing x; with tail, expression None when every
        path has returned or looped."""
        t = type(x)
        if t is Atom:
            if x is TRUE or x is EMPTY:
                return [], self.at(self.k(x) if x is EMPTY else _name("_TRUE"))
            return [], self.read(x)
        if t is Form or t is List:
            return self.form(x, tail)
        if isinstance(x, (list, dict, set)):
            return [], self.at(_call("_deep_copy", self.k(x)))
        return [], self.at(self.constant(x))

    def body(self, forms, tail):
        if not forms:
            return [], _const(None)
        stmts = []
        for i, f in enumerate(forms):
            last = i == len(forms) - 1
            s, e = self.gen(f, tail and last)
            stmts.extend(s)
            if not last:
                if e is None:
                    raise _Fallback("code after a tail call")
                if not _simple(e) and not _pure_name(e):
                    stmts.append(self.at(ast.Expr(value=e)))
            else:
                return stmts, e
        return stmts, None

    def spill(self, stmts, e):
        """e in a temporary (so that later code cannot change what it read)."""
        if _simple(e):
            return e
        t = self.temp()
        stmts.append(self.at(_assign(t, e)))
        n = _name(t)
        if self.is_int(e):
            self.int_node(n)
        return n

    def args(self, forms):
        """Argument expressions evaluated left to right (earlier ones kept in temporaries
        when a later one needs statements)."""
        stmts = []
        out = []
        pending = []
        for a in forms:
            s, e = self.gen(a)
            if s:
                # what was computed before must not see these statements
                for i, (j, pe) in enumerate(pending):
                    out[j] = self.spill(stmts, pe)
                pending = []
            stmts.extend(s)
            out.append(e)
            if not _simple(e):
                pending.append((len(out) - 1, e))
        return stmts, out

    # -------------------------------------------------------------- variables

    def read(self, atom):
        name = atom.name
        if name in self.locals:
            py = _name(self.py[name])
            if name in self.assigned:
                node = self.at(py)
                if name in self.K:
                    self.int_node(node)
                elif name in self.KF:
                    self.kf_nodes[id(node)] = node
                return node
            # bound later or on some paths only: unbound reads as the closures' lookup
            return self.at(_ifexp(_isnot(_name(self.py[name]), _name("_M")), py,
                                  self.free_read(atom, record=False)))
        if self.mode == "lambda" and name == "self":
            return self.at(_name("_self"))
        return self.free_read(atom)

    def free_read(self, atom, record=True):
        name = atom.name
        self.free_reads += 1
        if record:
            self.free.add(name)
        sym = self.k(compile_symbol(atom, self.ctx))
        t = self.temp()
        if self.mode == "lambda":
            # the caller's frame, then the closures' lookup (fields, globals, functions)
            return self.at(_ifexp(
                _isnot(ast.NamedExpr(target=_name(t, True),
                                     value=_call(ast.Attribute(value=_name("_env"), attr="get", ctx=ast.Load()),
                                                 _const(name), _name("_M"))), _name("_M")),
                _name(t), _call(sym, _name("_env"))))
        glob = _ifexp(
            _isnot(ast.NamedExpr(target=_name(t, True),
                                 value=_call(ast.Attribute(value=_name("_G"), attr="get", ctx=ast.Load()),
                                             _const(name), _name("_M"))), _name("_M")),
            _name(t), _call(sym, _name("_E0")))
        if not self.consumers_hint:
            return self.at(glob)
        return self.at(_ifexp(_isnot(_name("_e"), _const(None)), _call(sym, _name("_e")), glob))

    def write(self, name, value_expr, stmts):
        """name = value in the current frame."""
        if self.mode == "lambda" and name == "self":
            raise _Fallback("self assigned")
        if self.mode == "defun" or name in self.pnames:
            py = self._local(name) if self.mode == "defun" else self.py[name]
            if self.mode == "defun":
                self.bound.add(name)
            stmts.append(self.at(_assign(py, value_expr)))
            self.assigned.add(name)
            self.bounds.pop(name, None)
            if self.is_int(value_expr):
                self.K.add(name)
            else:
                self.lose((name,))
        else:
            stmts.append(self.at(ast.Assign(targets=[ast.Subscript(
                value=_name("_env"), slice=_const(name), ctx=ast.Store())], value=value_expr)))

    # -------------------------------------------------------------- consumers

    def frame_call(self, make_call, stmts, rare=False):
        """Run what reads the frame (make_call(frame_expr) -> expression) with a real frame;
        returns the temporary holding its value. ``rare``: on a path seldom taken (a call
        site's general path), where the frame may not exist yet."""
        self.consumers += 1
        if not rare:
            self.common_consumers += 1
        t = self.temp()
        if self.mode == "defun":
            names = sorted(self.locals, key=lambda n: self.py[n])
            pys = [self.py[n] for n in names]
            if rare:
                stmts.append(self.at(ast.Try(body=[self.at(ast.Expr(value=_name("_e")))], handlers=[
                    self.at(ast.ExceptHandler(type=_name("NameError"), name=None,
                                              body=[self.at(_assign("_e", _const(None)))]))],
                    orelse=[], finalbody=[])))
            stmts.append(self.at(_assign("_e", _call("_sync", _name("_e"), self.k(tuple(names)),
                                                      _tuple([_name(p) for p in pys])))))
            call = self.at(_assign(t, make_call(_name("_e"))))
            back = self.at(ast.Assign(targets=[_tuple([_name(p, True) for p in pys], True)],
                                      value=_call("_back", _name("_e"), self.k(tuple(names))))) if names else None
        else:
            names = self.pnames
            pys = [self.py[n] for n in names]
            sv = self.temp()
            stmts.append(self.at(_assign(sv, _call("_lbind", _name("_env"), self.k(tuple(names)),
                                                   _tuple([_name(p) for p in pys]), _name("_self")))))
            call = self.at(_assign(t, make_call(_name("_env"))))
            if names:
                back = self.at(ast.Assign(targets=[_tuple([_name(p, True) for p in pys], True)],
                                          value=_call("_lunbind", _name("_env"), self.k(tuple(names)), _name(sv))))
            else:
                back = self.at(ast.Expr(value=_call("_lunbind", _name("_env"), self.k(()), _name(sv))))
        if back is None:
            stmts.append(call)
        else:
            stmts.append(self.at(ast.Try(body=[call], handlers=[], orelse=[], finalbody=[back])))
        keep = sorted(self.K & set(names), key=lambda n: self.py[n]) if rare else []
        if keep:
            # on this seldom path: are the ints still ints? (_iv says so for what follows)
            self.uses_iv = True
            stmts.append(self.at(_assign("_iv", _and(_name("_iv"), *[_type_is(_name(self.py[n]), "int")
                                                                     for n in keep]))))
        self.lose(names)        # what the frame holds afterwards is anybody's guess
        self.KF.update(keep)
        return t

    def fallback(self, form, tail):
        """A form left to the closure compiler, called with a real frame."""
        fn = compile_expr(form, self.ctx, tail)
        kf = self.k(fn)
        stmts = []
        t = self.frame_call(lambda frame: _call(kf, frame), stmts)
        if tail and self.fname is not None:
            # a self call in tail position inside it comes back as a TailCall
            self.tail_used = True
            stmts.append(self.at(ast.If(test=_type_is(_name(t), "_TailCall"),
                                        body=self.rebind_from(_name(t)), orelse=[])))
        return stmts, _name(t)

    # -------------------------------------------------------------- forms

    def form(self, form, tail):
        if not form:
            return [], self.at(_call("_List"))
        head = form[0]
        if type(head) is not Atom:
            return self.fallback(form, tail)
        name = head.name
        if name in _COMPILE_EFFECTS:
            raise _Fallback(name)
        sf = SPECIAL_FORMS.get(name)
        if sf is not None:
            if getattr(sf, "arity", None) is not None and check_arity(sf, form) is not None:
                raise _Fallback("arity")
            native = NATIVE.get(name)
            if native is None:
                return self.fallback(form, tail)
            return native(self, form, tail)
        macro = self.interp.macros.get(name)
        if macro is not None:
            return self.gen(macro.expand(form, self.ctx), tail)
        b = BUILTINS.get(name)
        if b is not None and name not in self.F:
            return self.builtin_call(b, form)
        return self.user_call(name, form, tail)

    # ---- builtins

    def builtin_call(self, b, form):
        n = len(form) - 1
        argforms = list(form[1:])
        if not b.accepts(n):
            if b.library and b.max is not None and n > b.max:
                argforms = argforms[:b.max]        # LispE ignores the extra arguments
                n = b.max
            else:
                return self.fallback(form, False)       # "Wrong parameter description"
        squared = n == 2 and b.name in ("^^", "**") and type(argforms[1]) is int and argforms[1] == 2
        # the closures' two-operand fast paths evaluate their operands before their own
        # error handler: an error there is located by the enclosing forms
        operands_outside = n == 2 and b.inline in _FAST_BINARY and not squared
        saved = self.line if operands_outside else self.enter(form)
        try:
            if n > 1 and b.printing:
                # each argument turned into text as soon as it is evaluated
                stmts, args = self.printed_args(argforms)
            elif b.fn_arg and argforms:
                first = argforms[0]
                if type(first) is Atom and first.name in BUILTINS and first.name not in self.F:
                    fs, fe = [], self.at(self.k(BUILTINS[first.name]))
                else:
                    fs, fe = self.gen(first)
                    if b.no_indirect and type(first) is Atom and first is not TRUE \
                            and first.name not in BUILTINS and first.name not in self.F:
                        fe = self.at(_call("_indirect_check", fe))
                rs, re_ = self.args(argforms[1:])
                if rs and not _simple(fe):
                    fe = self.spill(fs, fe)
                stmts, args = fs + rs, [fe] + re_
            else:
                stmts, args = self.args(argforms)
            if squared:
                from ..builtins.arith import SQUARE
                b = SQUARE
                args = args[:1]
                n = 1
            if b.inline is not None and n == 2:
                self.note_operands(argforms)
            if operands_outside:
                args = self.operands(args, stmts)
                self.enter(form)
                return stmts, self.inline(b, args)
            if b.inline is not None and n == 2:
                args = self.operands(args, stmts)
                return stmts, self.inline(b, args)
            fast = _FAST_PATHS.get(b.name)
            if fast is not None and fast[0] == n and b.fn is _fast_fn(b.name):
                args = self.operands(args, stmts)
                return stmts, fast[1](self, b, args, stmts)
            fn = self.k(b.fn)
            if b.interp:
                ki = self.k(self.interp)
                t = self.frame_call(lambda frame: _call(fn, ki, frame, *args), stmts)
                return stmts, _name(t)
            return stmts, self.at(_call(fn, *args))
        finally:
            self.line = saved

    def printed_args(self, argforms):
        stmts = []
        out = []
        for a in argforms:
            s, e = self.gen(a)
            stmts.extend(s)
            t = self.temp()
            stmts.append(self.at(_assign(t, _call("_to_string", e))))
            out.append(_name(t))
        return stmts, out

    def operands(self, args, stmts):
        out = []
        for e in args:
            if not (_simple(e) or _pure_name(e)):
                e = self.spill(stmts, e)
            out.append(e)
        return out

    def _kinds(self, a, c, tname):
        """The guards making both operands plain ``tname`` values (a list, maybe empty),
        or False when one of them certainly is not."""
        kind = int if tname == "int" else float
        g = []
        for x in (a, c):
            if isinstance(x, ast.Constant):
                if type(x.value) is not kind:
                    return False
            elif tname == "int" and self.is_int(x):
                continue
            elif tname == "int" and id(x) in self.kf_nodes:
                self.uses_iv = True
                g.append(_or(_name("_iv"), _type_is(x, "int")))
            elif tname == "float" and self.is_int(x):
                return False
            else:
                g.append(_type_is(x, tname))
        return g

    def inline(self, b, args):
        """Two operands: computed inline on plain ints/floats, else the builtin's function."""
        op = b.inline
        a, c = args
        slow = _call(self.k(b.fn), a, c)
        ka = type(a.value) if isinstance(a, ast.Constant) else None
        kc = type(c.value) if isinstance(c, ast.Constant) else None
        if op in _ARITH:
            out = slow
            gf = self._kinds(a, c, "float")
            if gf is not False:
                e = ast.BinOp(left=a, op=_ARITH[op](), right=c)
                out = e if not gf else _ifexp(_and(*gf), e, out)
            gi = self._kinds(a, c, "int")
            if gi is not False:
                e = ast.BinOp(left=a, op=_ARITH[op](), right=c)
                step = c.value if kc is int and op in "+-" else None
                if step is not None and -_SMALL < step < _SMALL and not isinstance(a, ast.Constant):
                    # x ± k: x itself tells whether the result fits (small x first)
                    up = (step >= 0) == (op == "+")
                    k = abs(step)
                    if not gi and self.bounded(a, up, k):
                        return self.int_node(self.at(e))     # the branch's test bounds a
                    if up:
                        fits = _or(_cmp(a, ast.Lt, _SMALL), _cmp(a, ast.LtE, _I64_MAX - k))
                    else:
                        fits = _or(_cmp(a, ast.Gt, -_SMALL), _cmp(a, ast.GtE, _I64_MIN + k))
                    wrapped = _ifexp(fits, e, _call("_wrap", ast.BinOp(left=a, op=_ARITH[op](), right=c)))
                else:
                    r = self.temp()
                    checks = self.range_check(op, a, c, ka, kc, r)
                    wrapped = _ifexp(checks(ast.NamedExpr(target=_name(r, True), value=e)), _name(r),
                                     _call("_wrap", _name(r)))
                if not gi:
                    return self.int_node(self.at(wrapped))
                out = _ifexp(_and(*gi), wrapped, out)
            return self.at(out)
        if op == "%":
            gi = self._kinds(a, c, "int")
            if gi is False:
                return self.at(slow)
            conds = list(gi)
            if not (ka is int and a.value >= 0):
                conds.append(ast.Compare(left=a, ops=[ast.GtE()], comparators=[_const(0)]))
            if kc is int:
                if c.value <= 0:
                    return self.at(slow)
            else:
                conds.append(ast.Compare(left=c, ops=[ast.Gt()], comparators=[_const(0)]))
            mod = ast.BinOp(left=a, op=ast.Mod(), right=c)
            e = self.at(_ifexp(_and(*conds), mod, slow) if conds else mod)
            if not gi:
                self.int_node(e)        # the builtin gives an int for two ints (or fails)
            return e
        # comparisons: true or nil
        out = slow
        for tname in (("int",) if op == "==" else ("float", "int")):
            g = self._kinds(a, c, tname)
            if g is False:
                continue
            e = _ifexp(ast.Compare(left=a, ops=[_CMP[op]()], comparators=[c]), _name("_TRUE"), _const(None))
            out = e if not g else _ifexp(_and(*g), e, out)
        return self.at(out)

    def range_check(self, op, a, c, ka, kc, r):
        """A test that the int result (a NamedExpr binding r) fits in 64 bits."""
        def both_bounds(x):
            if isinstance(a, ast.Name) and isinstance(c, ast.Name) and a.id[0] == c.id[0] == "t":
                # results of calls: mostly small numbers, a cheap test first
                rn = _name(r)
                return _or(_and(_cmp(x, ast.Gt, -_SMALL), _cmp(rn, ast.Lt, _SMALL)),
                           _and(_cmp(rn, ast.GtE, _I64_MIN), _cmp(rn, ast.LtE, _I64_MAX)))
            return _fits(x, r, True, True)
        if op in "+-" and (kc is int or ka is int):
            k = c.value if kc is int else a.value
            up = (op == "+" and k >= 0) or (op == "-" and kc is int and k <= 0)
            down = (op == "+" and k <= 0) or (op == "-" and kc is int and k >= 0)
            if op == "-" and ka is int and kc is not int:
                up = down = False           # k - x: either way
            if up and not down:
                return lambda x: _fits(x, r, True, False)
            if down and not up:
                return lambda x: _fits(x, r, False, True)
        return both_bounds

    def note_operands(self, forms):
        for x in forms:
            if type(x) is Atom and x.name in self.locals:
                self.arith.add(x.name)

    def test(self, form):
        """(statements, Python truth of form)."""
        if isinstance(form, list) and form and type(form[0]) is Atom:
            name = form[0].name
            b = BUILTINS.get(name)
            if b is not None and b.inline in _CMP and len(form) == 3 and name not in self.F \
                    and name not in SPECIAL_FORMS and name not in self.interp.macros:
                saved = self.line
                try:
                    self.note_operands(form[1:])
                    stmts, args = self.args(list(form[1:]))
                    a, c = self.operands(args, stmts)
                    self.enter(form)
                    slow = _call("_truthy", _call(self.k(b.fn), a, c))
                    op = b.inline
                    out = slow
                    for tname in (("int",) if op == "==" else ("float", "int")):
                        g = self._kinds(a, c, tname)
                        if g is False:
                            continue
                        e = ast.Compare(left=a, ops=[_CMP[op]()], comparators=[c])
                        out = e if not g else _ifexp(_and(*g), e, out)
                    return stmts, self.at(out)
                finally:
                    self.line = saved
        stmts, e = self.gen(form)
        if isinstance(e, ast.Constant):
            return stmts, _const(truthy(e.value))
        if not _pure_name(e):
            e = self.spill(stmts, e)
        return stmts, self.at(_or(_is(e, _name("_TRUE")),
                                  _and(_isnot(e, _const(None)), _call("_truthy", e))))

    # ---- user functions

    def pure(self, x):
        """Can x be evaluated a second time with no effect (constants, variables, the
        inline operators on such operands)?"""
        if not isinstance(x, list) or type(x) not in (Form, List):
            return not isinstance(x, (dict, set))
        if not x or type(x[0]) is not Atom:
            return False
        name = x[0].name
        if name == "quote" and len(x) == 2:
            return True
        if name in SPECIAL_FORMS or name in self.interp.macros or name in self.F:
            return False
        b = BUILTINS.get(name)
        return b is not None and b.inline in _FAST_BINARY and len(x) == 3 \
            and self.pure(x[1]) and self.pure(x[2])

    def user_call(self, name, form, tail):
        n = len(form) - 1
        ctx = self.ctx
        if tail and name == self.fname:
            return self.tail_call(form)
        key = self.F.entry_key(name, n)
        saved_ret = self.ret_raise
        catches = n in (1, 2)   # call1/call2 of the closures end with a return in their args
        saved = self.enter(form)
        try:
            if catches:
                self.ret_raise = True
            stmts, args = self.args(list(form[1:]))
            t = self.temp()
            fast = stmts + [self.at(_assign(t, _call(key, *args)))]
        finally:
            self.ret_raise = saved_ret
            self.line = saved
        after_fast = self.state()
        # the general path (a class, a variable holding a λ...) is the closures' call site,
        # on the enclosing form's line (it locates its own errors)
        general = self.k(compile_expr(form, ctx, False))
        gstmts = []
        gt = self.frame_call(lambda frame: _call(general, frame), gstmts, rare=True)
        gstmts.append(self.at(_assign(t, _name(gt))))
        self.restore(self.join(after_fast, self.state()))
        handlers = []
        if catches:
            r = self.temp()
            handlers.append(self.at(ast.ExceptHandler(type=_name("_ReturnSignal"), name=r, body=[
                self.at(_assign(t, ast.Attribute(value=_name(r), attr="value", ctx=ast.Load())))])))
        if all(self.pure(a) for a in form[1:]):
            # no check on the way: a name that is no function raises StaleEntry, and the
            # general path evaluates the (effect-free) arguments again
            handlers.insert(0, self.at(ast.ExceptHandler(type=_name("_StaleEntry"), name=None, body=gstmts)))
            return [self.at(ast.Try(body=fast, handlers=handlers, orelse=[], finalbody=[]))], _name(t)
        if handlers:
            fast = [self.at(ast.Try(body=fast, handlers=handlers, orelse=[], finalbody=[]))]
        return [self.at(ast.If(test=_isnot(_name(key), _name("_STALE")), body=fast, orelse=gstmts))], _name(t)

    def tail_call(self, form):
        """A self call in tail position: the parameters rebound, the loop goes on."""
        p = self.params
        n = len(form) - 1
        if not p.simple or n != len(p.required):
            raise _Fallback("tail call arity")
        saved = self.line
        stmts, args = self.args(list(form[1:]))
        self.line = saved
        self.tail_used = True
        pys = [self.py[x] for x in self.pnames]
        if len(args) == 1:
            stmts.append(self.at(_assign(pys[0], args[0])))
        elif args:
            stmts.append(self.at(ast.Assign(targets=[_tuple([_name(x, True) for x in pys], True)],
                                            value=_tuple(args))))
        stmts.append(self.at(ast.Continue()))
        return stmts, None

    def rebind_from(self, tc):
        """The parameters taken from a TailCall value (checked as the closures check them)."""
        p = self.params
        pys = [self.py[x] for x in self.pnames]
        args = ast.Attribute(value=tc, attr="args", ctx=ast.Load())
        if not p.simple:
            raise _Fallback("tail call on optional parameters")
        kself = self.k(self.callable_obj)
        check = ast.If(test=ast.Compare(left=_call("len", args), ops=[ast.NotEq()],
                                        comparators=[_const(len(p.required))]),
                       body=[ast.Raise(exc=_call("_skip", _call(ast.Attribute(
                           value=kself, attr="arity_error", ctx=ast.Load()))), cause=None)],
                       orelse=[])
        out = [self.at(check)]
        if len(pys) > 1:
            out.append(self.at(ast.Assign(targets=[_tuple([_name(x, True) for x in pys], True)],
                                          value=args)))
        elif pys:
            out.append(self.at(_assign(pys[0], ast.Subscript(value=args, slice=_const(0), ctx=ast.Load()))))
        out.append(self.at(ast.Continue()))
        return out

    # ---- special forms

    def f_quote(self, form, tail):
        v = form[1]
        if isinstance(v, (list, dict, set)):
            return [], self.at(_call("_deep_copy", self.k(v)))
        return [], self.at(self.constant(v) if type(v) is not Atom else self.k(v))

    def f_setq(self, form, tail, ret_value=False, glob=False):
        target = form[1]
        if len(form) != 3 or type(target) is not Atom:
            return self.fallback(form, tail)
        name = _check_var(target, self.ctx, form)
        if name in self.interp.constants:
            raise _Fallback("constant")
        stmts, e = self.gen(form[2])
        if glob:
            t = self.spill(stmts, e) if ret_value else e
            stmts.append(self.at(ast.Assign(targets=[ast.Subscript(
                value=_name("_G"), slice=_const(name), ctx=ast.Store())], value=t)))
            return stmts, (t if ret_value else self.at(_name("_TRUE")))
        if ret_value and not _simple(e):
            e = self.spill(stmts, e)
        self.write(name, e, stmts)
        return stmts, (e if ret_value else self.at(_name("_TRUE")))

    def f_setqv(self, form, tail):
        return self.f_setq(form, tail, ret_value=True)

    def f_setg(self, form, tail):
        return self.f_setq(form, tail, glob=True)

    def f_if(self, form, tail):
        ts, test = self.test(form[1])
        els = (lambda: self.gen(form[3], tail)) if len(form) == 4 else (lambda: ([], _const(None)))
        return self.two_ways(ts, test, lambda: self.gen(form[2], tail), els, tail,
                             known=self.branch_bounds(form[1]))

    def two_ways(self, ts, test, first, second, tail, swap=False, known=None):
        """Generate the two branches of a test (first, then second, each from the facts
        before them; known: a name's bounds in each), joined afterwards; with swap, first is
        the branch taken when the test is false."""
        before = self.state()
        if known:
            self.bounds[known[0]] = known[1]
        s1, e1 = first()
        a1 = self.state()
        self.restore(before)
        if known:
            self.bounds[known[0]] = known[2]
        s2, e2 = second()
        self.restore(self.join(a1, self.state()))
        if swap:
            s1, e1, s2, e2 = s2, e2, s1, e1
        return self.branches(ts, test, s1, e1, s2, e2, tail)

    def branch_bounds(self, test):
        """(name, bounds if true, bounds if false) for a test (op n k) of a plain-int local n
        against an integer literal k, else None."""
        if not (isinstance(test, list) and len(test) == 3 and type(test[0]) is Atom
                and type(test[1]) is Atom and type(test[2]) is int):
            return None
        op, name, k = test[0].name, test[1].name, test[2]
        b = BUILTINS.get(op)
        if b is None or b.inline not in ("<", "<=", ">", ">=") or op in self.F \
                or op in SPECIAL_FORMS or op in self.interp.macros or name not in self.K:
            return None
        hi_t = {"<": k - 1, "<=": k}.get(b.inline)
        lo_t = {">": k + 1, ">=": k}.get(b.inline)
        lo_f = {"<": k, "<=": k + 1}.get(b.inline)
        hi_f = {">": k, ">=": k - 1}.get(b.inline)
        lo, hi = self.bounds.get(name, (None, None))

        def meet(l2, h2):
            return (l2 if lo is None or (l2 is not None and l2 > lo) else lo,
                    h2 if hi is None or (h2 is not None and h2 < hi) else hi)
        return name, meet(lo_t, hi_t), meet(lo_f, hi_f)

    def bounded(self, a, up, k):
        """Does the plain-int local read by ``a`` stay in 64 bits after moving by k?"""
        if not isinstance(a, ast.Name):
            return False
        for name, (lo, hi) in self.bounds.items():
            if self.py.get(name) == a.id and name in self.K:
                return (hi is not None and hi + k <= _I64_MAX) if up else \
                    (lo is not None and lo - k >= _I64_MIN)
        return False

    def branches(self, ts, test, s1, e1, s2, e2, tail):
        if tail:
            b1 = s1 + ([self.at(ast.Return(value=e1))] if e1 is not None else [])
            b2 = s2 + ([self.at(ast.Return(value=e2))] if e2 is not None else [])
            return ts + [self.at(ast.If(test=test, body=b1, orelse=b2))], None
        if not s1 and not s2:
            e = self.at(_ifexp(test, e1, e2))
            if self.is_int(e1) and self.is_int(e2):
                self.int_node(e)
            return ts, e
        t = self.temp()
        b1 = s1 + [self.at(_assign(t, e1))]
        b2 = s2 + [self.at(_assign(t, e2))]
        n = _name(t)
        if self.is_int(e1) and self.is_int(e2):
            self.int_node(n)
        return ts + [self.at(ast.If(test=test, body=b1, orelse=b2))], n

    def f_ife(self, form, tail):
        ts, test = self.test(form[1])
        return self.two_ways(ts, test, lambda: self.gen(form[2], tail),
                             lambda: self.body(list(form[3:]), tail), tail)

    def f_check(self, form, tail):
        ts, test = self.test(form[1])
        before = self.state()
        s1, e1 = self.body(list(form[2:]), tail)
        self.restore(self.join(before, self.state()))
        return self.branches(ts, test, s1, e1, [], _const(None), tail)

    def f_ncheck(self, form, tail):
        ts, test = self.test(form[1])
        return self.two_ways(ts, test, lambda: self.gen(form[2], tail),
                             lambda: self.body(list(form[3:]), tail), tail, swap=True)

    def f_cond(self, form, tail):
        clauses = list(form[1:])
        for c in clauses:
            if not isinstance(c, list) or len(c) < 2:
                return self.fallback(form, tail)
        return self._cond(clauses, tail)

    def _cond(self, clauses, tail):
        if not clauses:
            return [], _const(None)
        c = clauses[0]
        ts, test = self.test(c[0])
        after_test = self.state()
        s1, e1 = self.body(list(c[1:]), tail)
        a1 = self.state()
        self.restore(after_test)
        s2, e2 = self._cond(clauses[1:], tail)
        self.restore(self.join(a1, self.state()))
        return self.branches(ts, test, s1, e1, s2, e2, tail)

    def f_block(self, form, tail):
        return self.body(list(form[1:]), tail)

    def f_select(self, form, tail):
        forms = list(form[1:])
        if not forms:
            return [], _const(None)
        t = self.temp()
        # v = f1; if not truthy(v): v = f2; ...  (the first true value, or the last one)
        before = self.state()
        s, e = self.gen(forms[0])
        first = s + [self.at(_assign(t, e))]
        states = [self.state()]
        blocks = []
        for f in forms[1:]:
            s, e = self.gen(f)
            blocks.append(s + [self.at(_assign(t, e))])
            states.append(self.state())
        inner = []
        for block in reversed(blocks):
            inner = block + ([self.at(ast.If(test=ast.UnaryOp(op=ast.Not(), operand=_call("_truthy", _name(t))),
                                             body=inner, orelse=[]))] if inner else [])
        if inner:
            first.append(self.at(ast.If(test=ast.UnaryOp(op=ast.Not(), operand=_call("_truthy", _name(t))),
                                        body=inner, orelse=[])))
        self.restore(self.join(*states))
        del before
        return first, _name(t)

    def f_and(self, form, tail, is_or=False):
        forms = list(form[1:])
        t = self.temp()
        ts, test = self.test(forms[0])
        after_first = self.state()
        inner = [self.at(_assign(t, _name("_TRUE") if not is_or else _const(None)))]
        states = [after_first]
        parts = []
        for f in forms[1:]:
            parts.append(self.test(f))
            states.append(self.state())
        for s, tst in reversed(parts):
            if is_or:
                inner = s + [self.at(ast.If(test=tst, body=[self.at(_assign(t, _name("_TRUE")))], orelse=inner))]
            else:
                inner = s + [self.at(ast.If(test=tst, body=inner, orelse=[self.at(_assign(t, _const(None)))]))]
        if is_or:
            out = ts + [self.at(ast.If(test=test, body=[self.at(_assign(t, _name("_TRUE")))], orelse=inner))]
        else:
            out = ts + [self.at(ast.If(test=test, body=inner, orelse=[self.at(_assign(t, _const(None)))]))]
        self.restore(self.join(*states))
        return out, _name(t)

    def f_or(self, form, tail):
        return self.f_and(form, tail, is_or=True)

    # ---- loops

    def native_loop(self, make):
        """A native loop, ``make() -> (statements, result expression)`` generating it
        from the current facts (called again until they hold at its head); outside any
        int version, a loop free of frames whose variables hold ints gets an int version
        (its variables checked once where it starts)."""
        entry = self.state()
        head_k = set(entry[1])
        for _ in range(4):
            self.restore((entry[0], frozenset(head_k)))
            self.floors.append(set(head_k))
            consumers = self.consumers
            arith = set(self.arith)
            self.arith = set()
            try:
                stmts, r = make()
            finally:
                floor = self.floors.pop()
                used = self.arith
                self.arith = arith | used
            end_k = set(self.K)
            if head_k <= end_k and head_k <= floor:
                break
            head_k &= end_k & floor
        else:
            head_k = set()
            self.restore((entry[0], frozenset()))
            self.floors.append(set())
            stmts, r = make()
            floor = self.floors.pop()
        exit_state = (entry[0], frozenset(head_k & floor))
        inner_consumers = self.consumers - consumers
        candidates = (used & self.locals) - head_k - self.entry_ints
        if inner_consumers or not candidates or self.floors or self.versioning:
            self.restore(exit_state)
            return stmts, r
        # the int version: the candidates checked once, then trusted
        self.versioning = True
        try:
            assume = set(candidates)
            for _ in range(4):
                self.restore((entry[0] | assume, frozenset(head_k | assume)))
                self.floors.append(set(head_k | assume))
                try:
                    istmts, ir = make()
                finally:
                    ifloor = self.floors.pop()
                if (head_k | assume) <= (self.K & ifloor):
                    break
                assume &= self.K & ifloor
                if not assume:
                    break
            else:
                assume = set()
        finally:
            self.versioning = False
        if not assume:
            self.restore(exit_state)
            return stmts, r
        self.restore(exit_state)
        t = self.temp()
        guard = _and(*[_type_is(_name(self.py[n]), "int") for n in sorted(assume, key=lambda n: self.py[n])])
        out = [self.at(ast.If(test=guard, body=istmts + [self.at(_assign(t, ir))],
                              orelse=stmts + [self.at(_assign(t, r))]))]
        return out, _name(t)

    def loop_signals(self, stmts, loop, r):
        """A native loop: a break raised by a call inside ends it with nil; outside any
        function a return ends it with its value."""
        handlers = [ast.ExceptHandler(type=_name("_BreakSignal"), name=None,
                                      body=[self.at(_assign(r, _const(None)))])]
        if not self.ctx.in_function:
            x = self.temp()
            handlers.append(ast.ExceptHandler(type=_name("_ReturnSignal"), name=x, body=[
                self.at(_assign(r, ast.Attribute(value=_name(x), attr="value", ctx=ast.Load())))]))
        stmts.append(self.at(ast.Try(body=[loop], handlers=[self.at(h) for h in handlers],
                                     orelse=[], finalbody=[])))
        return stmts

    def f_while(self, form, tail):
        def make():
            r = self.temp()
            stmts = [self.at(_assign(r, _const(None)))]
            ts, test = self.test(form[1])
            self.loops.append(r)
            try:
                bs, be = self.body(list(form[2:]), False)
            finally:
                self.loops.pop()
            loop_body = ts + [self.at(ast.If(test=ast.UnaryOp(op=ast.Not(), operand=test),
                                             body=[self.at(ast.Break())], orelse=[]))]
            loop_body += bs + [self.at(_assign(r, be))]
            loop = self.at(ast.While(test=_const(True), body=loop_body, orelse=[]))
            return self.loop_signals(stmts, loop, r), _name(r)
        return self.native_loop(make)

    def f_loop(self, form, tail):
        var = form[1]
        if type(var) is not Atom or var is TRUE:
            return self.fallback(form, tail)
        name = _loop_var(var, self.ctx, form)
        stmts, seq = self.gen(form[2])
        seq = self.spill(stmts, seq) if not _simple(seq) else seq

        def make():
            out = []
            r = self.temp()
            out.append(self.at(_assign(r, _const(None))))
            x = self.temp()
            self.loops.append(r)
            try:
                body = []
                self.write(name, _name(x), body)
                bs, be = self.body(list(form[3:]), False)
            finally:
                self.loops.pop()
            body += bs + [self.at(_assign(r, be))]
            loop = self.at(ast.For(target=_name(x, True), iter=_call("_iterate", seq), body=body, orelse=[]))
            return self.loop_signals(out, loop, r), _name(r)
        s2, e = self.native_loop(make)
        return stmts + s2, e

    def f_loopcount(self, form, tail):
        stmts, count = self.gen(form[1])
        rest = list(form[2:])
        name = None
        if rest and type(rest[0]) is Atom and len(rest) > 1:
            name = _check_var(rest[0], self.ctx, form)
            rest = rest[1:]
        rng = self.temp()
        stmts.append(self.at(_assign(rng, _call("_count_range", count))))

        def make():
            out = []
            r = self.temp()
            out.append(self.at(_assign(r, _const(None))))
            x = self.temp()
            self.loops.append(r)
            try:
                body = []
                if name is not None:
                    self.write(name, self.int_node(_name(x)), body)
                bs, be = self.body(rest, False)
            finally:
                self.loops.pop()
            body += bs + [self.at(_assign(r, be))]
            loop = self.at(ast.For(target=_name(x, True), iter=_name(rng), body=body, orelse=[]))
            return self.loop_signals(out, loop, r), _name(r)
        s2, e = self.native_loop(make)
        return stmts + s2, e

    def f_break(self, form, tail):
        if self.loops:
            stmts = [self.at(_assign(self.loops[-1], _const(None))), self.at(ast.Break())]
            for f in self.floors[-1:]:
                f.intersection_update(self.K)
        else:
            stmts = [self.at(ast.Raise(exc=_call("_BreakSignal"), cause=None))]
        return stmts, (_const(None) if not tail else None)

    def f_return(self, form, tail):
        if len(form) > 1:
            stmts, e = self.gen(form[1])
        else:
            stmts, e = [], _const(None)
        if self.ret_raise:
            stmts.append(self.at(ast.Raise(exc=_call("_ReturnSignal", e), cause=None)))
        else:
            stmts.append(self.at(ast.Return(value=e)))
        return stmts, (_const(None) if not tail else None)

    def f_lambda(self, form, tail):
        ctx = self.ctx
        if ctx.cls is not None or ctx.withclass is not None:
            return self.fallback(form, tail)
        done = self.cache.get(id(form))
        if done is None or done[0] is not form:
            params = parse_params(form[1], ctx, form)
            inner = Ctx(ctx.interp, ctx.file, "self", ctx.in_function, (), ctx.cls, ctx.withclass)
            body = compile_body(list(form[2:]), inner, True)
            source = Form([Atom("λ")] + list(form[1:]), getattr(form, "pos", None))
            fast = generate_lambda(params, list(form[2:]), inner)
            done = self.cache[id(form)] = (form, params, body, source, fast)
        _, params, body, source, fast = done
        return [], self.at(_call("_Lambda", self.k(params), self.k(body), self.k(source), _name("_G"),
                                 self.k(fast) if fast is not None else _const(None)))

    def f_opassign(self, form, tail):
        """(+= x v) on a variable of the function: x's value first, then v."""
        target = form[1]
        op = form[0].name
        if type(target) is not Atom or target.name not in self.locals \
                or target.name not in self.assigned or op not in ("+=", "-=", "*="):
            return self.fallback(form, tail)
        name = target.name
        py = self.py[name]
        saved = self.enter(form)
        try:
            stmts = []
            cur = self.temp()
            stmts.append(self.at(_assign(cur, _name(py))))
            cur_int = name in self.K
            s2, v = self.gen(form[2])
            stmts.extend(s2)
            v = self.operands([v], stmts)[0]
            fn = self.k(_opassign_fn(op))
            slow = _call("_opstore", _name(cur), _call(fn, _name(cur), v))
            e = ast.BinOp(left=_name(cur), op=_ARITH[op[0]](), right=v)
            r = self.temp()
            fast = _ifexp(_fits(ast.NamedExpr(target=_name(r, True), value=e), r, True, True),
                          _name(r), _call("_wrap", _name(r)))
            guard = [] if cur_int else [_type_is(_name(cur), "int")]
            if not self.is_int(v):
                guard.append(_type_is(v, "int"))
            value = self.int_node(fast) if not guard else _ifexp(_and(*guard), fast, slow)
            self.write(name, value, stmts)
            return stmts, self.at(_name(py))
        finally:
            self.line = saved


# builtins with an inline path of their own, on the operands the builtin treats plainly:
# name -> (argument count, generator(gen, builtin, operands, statements) -> expression).
# Each is written for one function of the registry (_fast_fn) and used only while the
# registry still holds that function.

def _key_at(gen, b, args, stmts):
    """(key@ d k) on a plain dictionary and a string key: d.get(k) (key_at converts the
    key with to_string, which gives a str itself)."""
    d, k = args
    fast = _call(ast.Attribute(value=d, attr="get", ctx=ast.Load()), k)
    return gen.at(_ifexp(_and(_type_is(d, "_Dictionary"), _type_is(k, "str")), fast,
                         _call(gen.k(b.fn), d, k)))


def _set_at(gen, b, args, stmts):
    """(set@ d k v) on a plain dictionary and a string key: d[k] = v, the value d."""
    d, k, v = args
    t = gen.temp()
    store = ast.Assign(targets=[ast.Subscript(value=d, slice=k, ctx=ast.Store())], value=v)
    stmts.append(gen.at(ast.If(test=_and(_type_is(d, "_Dictionary"), _type_is(k, "str")),
                               body=[gen.at(store), gen.at(_assign(t, d))],
                               orelse=[gen.at(_assign(t, _call(gen.k(b.fn), d, k, v)))])))
    return _name(t)


_FAST_PATHS = {"key@": (2, _key_at), "set@": (3, _set_at)}


def _fast_fn(name):
    if name == "key@":
        from ..builtins.dicts import key_at
        return key_at
    if name == "set@":
        from ..builtins.lists import set_at
        return set_at
    return None


NATIVE = {
    "quote": _Gen.f_quote, "setq": _Gen.f_setq, "setqv": _Gen.f_setqv, "label": _Gen.f_setqv,
    "setg": _Gen.f_setg, "if": _Gen.f_if, "ife": _Gen.f_ife, "check": _Gen.f_check,
    "ncheck": _Gen.f_ncheck, "cond": _Gen.f_cond, "block": _Gen.f_block,
    "select": _Gen.f_select, "and": _Gen.f_and, "or": _Gen.f_or, "while": _Gen.f_while,
    "loop": _Gen.f_loop, "loopcount": _Gen.f_loopcount, "dotimes": _Gen.f_loopcount,
    "break": _Gen.f_break, "return": _Gen.f_return, "λ": _Gen.f_lambda, "lambda": _Gen.f_lambda,
    "\\": _Gen.f_lambda, "+=": _Gen.f_opassign, "-=": _Gen.f_opassign, "*=": _Gen.f_opassign,
}


# ----------------------------------------------------------------------------- entry points

def _build(gen, pyname, body_forms):
    """The whole function: locals, the tail loop, return and error handlers; when its
    parameters are operands of inline operations, an int version for when they are ints
    (checked on entry, and again after each self tail call)."""
    start = gen.state()
    stmts, e = gen.body(body_forms, True)
    if e is not None:
        stmts.append(gen.at(ast.Return(value=e)))
    ints = sorted(gen.arith & set(gen.pnames), key=lambda n: gen.py[n])
    if ints:
        gen.restore((start[0], frozenset(ints)))
        gen.versioning = True
        istmts, ie = gen.body(body_forms, True)
        gen.versioning = False
        if ie is not None:
            istmts.append(gen.at(ast.Return(value=ie)))
        gen.line = 1
        guard = _and(*[_type_is(_name(gen.py[n]), "int") for n in ints])
        stmts = [gen.at(ast.If(test=guard, body=istmts, orelse=stmts))]
    gen.line = 1
    init = []
    if gen.mode == "defun":
        if gen.common_consumers or (gen.consumers and gen.free_reads):
            init.append(gen.at(_assign("_e", _const(None))))
        for n in sorted(gen.locals - set(gen.pnames), key=lambda n: gen.py[n]):
            init.append(gen.at(_assign(gen.py[n], _name("_M"))))
    if gen.uses_iv:
        init.append(gen.at(_assign("_iv", _const(True))))
    if gen.tail_used:
        stmts = [gen.at(ast.While(test=_const(True), body=init + stmts, orelse=[]))]
        init = []
    body = init + stmts
    handlers = []
    if gen.mode == "defun":
        r = "_r"
        handlers.append(gen.at(ast.ExceptHandler(type=_name("_ReturnSignal"), name=r, body=[
            gen.at(ast.Return(value=ast.Attribute(value=_name(r), attr="value", ctx=ast.Load())))])))
    handlers.append(gen.at(ast.ExceptHandler(type=_name("Exception"), name="_x", body=[
        gen.at(ast.Raise(exc=_call("_locate", _name("_x"), _name("_LOC"), _name("_CTX")), cause=None))])))
    body = [gen.at(ast.Try(body=body, handlers=handlers, orelse=[], finalbody=[]))]
    args = [ast.arg(arg=gen.py[n]) for n in gen.pnames]
    if gen.mode == "lambda":
        args = [ast.arg(arg="_env"), ast.arg(arg="_self")] + args
    fn = gen.at(ast.FunctionDef(name=pyname, args=ast.arguments(
        posonlyargs=[], args=args, vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
        defaults=[]), body=body, decorator_list=[], returns=None))
    fn = _ConstantsInOneTuple().visit(fn)
    maker_args = ["_G", "_K"]
    maker = gen.at(ast.FunctionDef(name="_make", args=ast.arguments(
        posonlyargs=[], args=[ast.arg(arg=a) for a in maker_args], vararg=None, kwonlyargs=[],
        kw_defaults=[], kwarg=None, defaults=[]),
        body=[fn, gen.at(ast.Return(value=_name(pyname)))], decorator_list=[], returns=None))
    module = ast.Module(body=[maker], type_ignores=[])
    _stamp(module, 1)
    return module


class _ConstantsInOneTuple(ast.NodeTransformer):
    """The constants of a generated function (``_LOC``, ``_CTX``, ``k0``...) read from one
    tuple ``_K``: a closure's free variables are copied into every call's frame, and one
    instead of dozens made fib 15% faster."""

    def visit_Name(self, node):
        i = _KSLOT.get(node.id)
        if i is None:
            m = node.id
            if not (m[:1] == "k" and m[1:].isdigit()):
                return node
            i = int(m[1:]) + 2
        assert isinstance(node.ctx, ast.Load), node.id
        return ast.copy_location(ast.Subscript(value=ast.copy_location(_name("_K"), node),
                                               slice=ast.copy_location(_const(i), node),
                                               ctx=ast.Load()), node)


_KSLOT = {"_LOC": 0, "_CTX": 1}


def _generate(ctx, mode, params, body_forms, pyname, callable_obj=None):
    interp = ctx.interp
    if not ENABLED or type(interp.functions) is not FunctionTable:
        return None         # inside a name space: the closures' lookups
    locals_hint, consumers_hint, arith_hint = (), False, frozenset()
    gen = None
    cache = {}
    for _ in range(4):
        gen = _Gen(ctx, mode, params, locals_hint, consumers_hint, cache, arith_hint)
        gen.callable_obj = callable_obj
        module = _build(gen, pyname, body_forms)
        if (gen.bound <= gen.hint_locals or mode != "defun") and bool(gen.consumers) == consumers_hint \
                and not (gen.free & gen.locals) and gen.arith & set(gen.pnames) == arith_hint:
            break
        arith_hint = frozenset(gen.arith & set(gen.pnames))
        locals_hint = gen.bound | gen.hint_locals
        consumers_hint = bool(gen.consumers) or consumers_hint
    else:
        return None
    filename = "<lispe %s %s>" % (ctx.file or "<input>", pyname)
    if _DUMP:
        sys.stderr.write(ast.unparse(module) + "\n")
    code = compile(module, filename, "exec")
    ns = namespace(interp)
    scope = {}
    exec(code, ns, scope)
    # the global frame as the closures see it: the one of the interpreter now
    return scope["_make"](interp.globals, (gen.table, ctx) + tuple(gen.consts))


def generate_defun(f, body_forms, ctx):
    """The generated code of the defun ``f`` (body compiled in ``ctx``), or None."""
    try:
        return _generate(ctx, "defun", f.params, body_forms, _pyname(f.name), f)
    except _Fallback:
        return None
    except RecursionError:
        return None
    except Exception:
        if _DEBUG:
            raise
        return None


def generate_lambda(params, body_forms, ctx):
    """The generated body of a λ, ``fast(env, lambda, *values)``, or None."""
    if ctx.cls is not None or ctx.withclass is not None:
        return None
    if "self" in params.names or _sets_self(body_forms):
        return None
    try:
        return _generate(ctx, "lambda", params, body_forms, "lambda_", _LambdaArity(params))
    except _Fallback:
        return None
    except RecursionError:
        return None
    except Exception:
        if _DEBUG:
            raise
        return None


def _sets_self(x, depth=0):
    """Does a form store into ``self`` (the λ's name for itself in its frame)?"""
    if depth > 200:
        return True
    if isinstance(x, list):
        if len(x) > 1 and type(x[0]) is Atom and x[0].name in _SETTERS:
            target = x[1]
            if target is _SELF:
                return True
            if isinstance(target, list) and any(y is _SELF or (isinstance(y, list) and y and y[0] is _SELF)
                                                for y in target):
                return True
        return any(_sets_self(y, depth + 1) for y in x)
    return False


_SELF = Atom("self")
_SETTERS = frozenset(["setq", "setqv", "label", "setg", "+=", "-=", "*=", "/=", "%=", "let",
                      "loop", "loopcount", "dotimes", "for", "whilein", "mloop", "lloop"])


class _LambdaArity:
    """What a λ's tail call checks (its arity error)."""

    def __init__(self, params):
        self.params = params

    def arity_error(self):
        return LispEError("Wrong number of arguments in: '(lambda %s...)'" % to_string(self.params.source))


def _pyname(name):
    s = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not s or not (s[0].isalpha() or s[0] == "_") or not s.isidentifier():
        s = "f_" + s
    return s if s.isascii() else "lispe_function"


# LISPE_PY_NO_CODEGEN=1 (or ENABLED = False): every body stays a closure
ENABLED = not __import__("os").environ.get("LISPE_PY_NO_CODEGEN")
# LISPE_PY_CODEGEN_STRICT=1: an exception while generating is raised (not a silent fallback)
_DEBUG = bool(__import__("os").environ.get("LISPE_PY_CODEGEN_STRICT"))
_DUMP = bool(__import__("os").environ.get("LISPE_PY_DUMP_CODE"))      # print what is generated
