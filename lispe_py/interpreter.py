"""One LispE interpreter instance: global frame, function pool, macros, file context.

Two instances share nothing. :class:`lispe_py.api.LispE` wraps this for embedding."""

import math
import os
import sys

from .builtins.registry import BUILTINS
from .builtins.threads import GlobalFrame
from .errors import BreakSignal, LispEError, ReturnSignal
from .compiler import Ctx, compile_expr, convert_exception, located, unbound_error
from .compiler.table import FunctionTable
from .reader import read
from .runtime import call, call_builtin, is_lambda_list
from .values import EMPTY, TRUE, Atom, Form, List, Strings, to_string

COMPILE_TIME = {"defun", "defmacro", "defpat", "defpred", "data@", "class@", "defclass", "use"}


def _load_families():
    # the core families and the special forms; the torch families load on the first
    # torch_*/tensor_* name (see builtins.registry), and torch itself on the first torch
    # builtin that runs
    from . import builtins, forms  # noqa: F401


class Interpreter:
    def __init__(self, args=None, stdout=None, stderr=None):
        _load_families()
        self.globals = GlobalFrame()    # a dict; each dethread thread gets its own (threads.py)
        self.functions = FunctionTable()    # also the entries generated code calls through
        self.macros = {}
        self.class_methods = {}     # method name -> the Method of the last class defining it
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.file = None
        self.used = set()
        self.sandbox = None
        self.hf_models = {}     # torch_hf_* models loaded by this interpreter (torch/hf.py)
        self.spaces = {}        # defspace name -> its function table
        self.constants = set()  # names set by setconst
        self.data_families = {}  # data@ family name -> the names of its constructors
        self.thread_state = None   # threads, locks and thread stores (builtins/threads.py)
        self.rule_tokenizers = {}  # the main rule tokenizer and segmenter (tokenizer_rules.py)
        self.fast_slots = {}       # getfast/setfast slots (builtins/sequences.py)
        g = self.globals
        g["_pi"] = g["π"] = math.pi
        g["_e"] = g["ℯ"] = math.e
        g["_tau"] = g["τ"] = math.tau
        g["_phi"] = (1 + 5 ** 0.5) / 2
        g["_current"] = os.getcwd() + os.sep
        g["_args"] = Strings(args or [])
        g["_endl"] = "\n"

    # ------------------------------------------------------------------ running code

    def compile_program(self, source, filename=None):
        """Read and compile a program; defuns and other compile-time forms take effect now.
        Returns the list of runtime closures (with their forms)."""
        forms, poss = read(source, filename)
        ctx = Ctx(self, filename)
        runtime = []
        for f, pos in zip(forms, poss):
            head = f[0] if isinstance(f, Form) and f else None
            name = head.name if type(head) is Atom else None
            try:
                fn = compile_expr(f, ctx)
            except (RecursionError, MemoryError) as e:
                raise convert_exception(e, ctx, f)
            if type(f) is Atom and pos is not None:
                fn = _symbol_at(fn, filename, pos, f)
            if name in COMPILE_TIME:
                if name == "use":
                    try:
                        fn(self.globals)
                    except LispEError as e:
                        raise located(e, ctx, f)
                continue
            runtime.append((fn, f))
        return runtime

    def run_compiled(self, runtime, env=None):
        env = self.globals if env is None else env
        value = None
        for fn, form in runtime:
            try:
                value = fn(env)
            except ReturnSignal as r:
                value = r.value
            except BreakSignal:
                value = EMPTY
            except (RecursionError, MemoryError) as e:
                raise convert_exception(e, Ctx(self, self.file), form)
            except LispEError as e:   # out of a special form: the top-level form's position
                if e.line is None:
                    located(e, Ctx(self, self.file), form)
                raise
        return value

    def eval_source(self, source, filename=None):
        """Evaluate LispE source text; returns the value of the last runtime form."""
        saved = self.file
        if filename is not None:
            self.file = filename
        try:
            return self.run_compiled(self.compile_program(source, filename))
        finally:
            self.file = saved

    def execute_file(self, path):
        try:
            with open(path, encoding="utf-8") as f:
                source = f.read()
        except OSError:
            raise LispEError("Unknown file: %s" % path, prefix=False)
        except UnicodeDecodeError as e:
            raise LispEError("cannot read %s: invalid UTF-8 at byte %d" % (path, e.start), file=path,
                             line=1, column=1)
        self.globals["_current"] = os.path.dirname(os.path.abspath(path)) + os.sep
        return self.eval_source(source, path)

    def load(self, path):
        """(load path): run another file in this interpreter; its last value."""
        if self.sandbox is not None:
            self.sandbox.check("load")
        if not os.path.isfile(path):
            raise LispEError("Unknown file: %s" % path, prefix=False)
        saved = self.globals.get("_current")
        try:
            return self.execute_file(path)
        finally:
            self.globals["_current"] = saved

    def eval_value(self, v, env, ctx):
        """(eval x): a list is evaluated as code; a string is read (first form) and evaluated."""
        if isinstance(v, str):
            forms, _ = read(v, ctx.file)
            if not forms:
                return None
            v = forms[0]
        if isinstance(v, list) or type(v) is Atom:
            fn = compile_expr(_as_form(v), ctx)
            return fn(env)
        return v

    # ------------------------------------------------------------------ names

    def resolve_name(self, name):
        f = self.functions.get(name)
        if f is not None:
            return f
        b = BUILTINS.get(name)
        if b is not None:
            return b
        return unbound_error(self, name)

    def callable_of(self, f, env):
        """Turn a function designator (atom, name, builtin, lambda) into something callable."""
        if type(f) is Atom:
            f = self.resolve_name(f.name)
        if isinstance(f, str):
            f = self.resolve_name(f)
        if is_lambda_list(f):
            # a quoted '(lambda (x) ...): the λ it writes, made in this frame
            code = compile_expr(Form(list(f)), Ctx(self, self.file))
            f = code(env if env is not None else self.globals)
        return f

    def apply(self, f, args, env=None):
        """Call a LispE function value with evaluated arguments (:func:`lispe_py.runtime.call`)."""
        return call(self, f, args, env)

    def call_builtin_obj(self, b, args, env):
        return call_builtin(self, b, args, env)

    def call_builtin(self, name, args, env=None):
        return self.call_builtin_obj(BUILTINS[name], args, env if env is not None else self.globals)

    def data_call(self, data, args):
        raise LispEError("Not a function or a data structure")

    def use(self, lib):
        """(use 'lib): the torch library is always available; this loads its builtins now."""
        name = to_string(lib)
        if self.sandbox is not None:
            self.sandbox.check_module(name)
        self.used.add(name)
        BUILTINS.load_families()
        return TRUE

    # ------------------------------------------------------------------ classes

    def define_class(self, form, ctx):
        from .forms.classes import define_class
        return define_class(self, form, ctx)

    # ------------------------------------------------------------------ errors

    def error_suffix(self, e):
        path = os.path.abspath(e.file) if e.file else "<input>"
        return ", line: %s in: %s" % (e.line if e.line is not None else 0, path)

    def error_text(self, e):
        return e.text + self.error_suffix(e)


def _symbol_at(fn, file, pos, atom):
    """A top-level bare symbol: its errors carry its position."""
    def symbol_at(env):
        try:
            return fn(env)
        except LispEError as e:
            raise e.locate(file, pos[0], pos[1], atom)
    return symbol_at


def _as_form(v):
    if type(v) is List:
        return Form([_as_form(x) for x in v])
    return v
