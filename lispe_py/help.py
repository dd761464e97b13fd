"""Help on names: builtins, special forms, user functions, classes, macros.

``(help 'name)`` prints what :func:`describe` returns; the REPL's ``:doc name``, its
completion menu, the Jupyter kernel's inspection requests, the ``usage:`` line of arity
errors and ``tools/gen_reference.py`` (docs/reference.md) all read the same texts.

A builtin's documentation is its Python docstring, written ``(name args...): what it
does``; the part in brackets is the signature. Special forms without a docstring are
described by :data:`SPECIAL_DOCS`. A user function's documentation is its docstring: a
string written first in its body, ``(defun sq (x) "the square of x" (* x x))``."""

import difflib
import inspect
import textwrap

from .builtins.registry import BUILTINS, Builtin, builtin
from .values import EMPTY, Atom, to_string

__all__ = ["signature", "describe", "split_doc", "builtin_doc", "aliases_of", "special_doc",
           "SPECIAL_DOCS", "names"]

# special forms whose compiling function has no docstring (a docstring there wins)
SPECIAL_DOCS = {
    "and": "(and e1 e2 ...): true when every expression is true; stops at the first nil.",
    "andvalue": "(andvalue e1 e2 ...): like and, but returns the value of the last expression.",
    "block": "(block e1 e2 ...): evaluate the expressions in order; the value of the last.",
    "break": "(break): leave the innermost loop.",
    "catch": "(catch e1 e2 ...): evaluate the expressions; an error becomes an error value "
             "(test it with maybe) instead of stopping the program.",
    "check": "(check condition e1 e2 ...): when condition is true, evaluate the expressions "
             "(the value of the last); otherwise nil.",
    "ncheck": "(ncheck condition else e1 e2 ...): when condition is nil, evaluate else; "
              "otherwise the expressions e1 e2 ...",
    "class@": "(class@ Name (field (field default) ...) (defun method (params) body) ...): "
              "define a class; (Name values...) builds an instance, (obj (method args)) calls a "
              "method.",
    "defclass": "(defclass Name (fields...) methods...): the same as class@.",
    "cond": "(cond (test e ...) (test e ...) ... (true e ...)): the expressions of the first "
            "clause whose test is true.",
    "data@": "(data@ (Name field...) ...): define data structures (constructors) that defpat "
             "patterns can match.",
    "defmacro": "(defmacro name (params) body): a macro, expanded where it is called, at "
                "compile time.",
    "defpat": "(defpat name (pattern ...) body...): one clause of a pattern function; the first "
              "clause whose patterns match the arguments runs.",
    "defpred": "(defpred name (pattern ...) body...): a predicate clause: the clause fails when "
               "a body expression is nil, and the next clause is tried.",
    "defun": "(defun name (params) body...): define a function. Parameters are names, then "
             "(name default) for optional ones. A string written first in the body is the "
             "docstring that help shows.",
    "dotimes": "(dotimes (var n) body...): evaluate body for var = 0 .. n-1.",
    "eval": "(eval x): evaluate x as code; a string is read first.",
    "f_": "(f_ \"text {expr} ...\"): an f-string: each {expr} is replaced by its value.",
    "if": "(if condition then [else]): then when condition is true, else otherwise (nil "
          "without else).",
    "ife": "(ife condition then else1 else2 ...): like if, with several else expressions.",
    "lambda": "(lambda (params) body...): an anonymous function.",
    "λ": "(λ (params) body...): an anonymous function (lambda).",
    "\\": "(\\ (params) body...): an anonymous function (lambda).",
    "let": "(let ((var value) ...) body...): evaluate body with local variables.",
    "lloop": "(lloop (x1 x2 ...) l1 l2 ... body...): walk several lists in parallel.",
    "load": "(load path): run another LispE file in this interpreter; its last value.",
    "loop": "(loop var container body...): evaluate body for each element of the container "
            "(a list, string, dictionary, tensor...).",
    "loopcount": "(loopcount n [var] body...): evaluate body n times (var counts 0 .. n-1).",
    "maybe": "(maybe e1 e2 ... fallback): the value of the expressions, or fallback when one "
             "fails; (maybe x) alone tests whether x is an error value.",
    "mloop": "(mloop (x1 x2 ...) l1 l2 ... body...): walk several lists in parallel.",
    "or": "(or e1 e2 ...): true when one expression is true; stops at the first true one.",
    "quote": "(quote x): x itself, not evaluated; 'x is the same.",
    "return": "(return [value]): leave the current function with value.",
    "select": "(select e1 e2 ...): the first value that is not nil.",
    "setg": "(setg name value): set a global variable.",
    "setq": "(setq name value): set a variable of the current frame (a new one if needed); "
            "returns true.",
    "setqi": "(setqi name value): set a variable, shared with the functions called.",
    "setqv": "(setqv name value): set a variable and return the value.",
    "switch": "(switch expr (key e ...) ... (true e ...)): the expressions of the clause whose "
              "key equals the value of expr.",
    "trace": "(trace true|nil): show each evaluation step (debugging).",
    "use": "(use 'lispe_torch): make the torch library available (it always is in lispe-py).",
    "while": "(while condition body...): evaluate body while condition is true.",
    "+=": "(+= var value): var = var + value.",
    "-=": "(-= var value): var = var - value.",
    "*=": "(*= var value): var = var * value.",
    "/=": "(/= var value): var = var / value.",
    "%=": "(%= var value): var = var % value.",
    "^^=": "(^^= var value): var = var ^^ value (power).",
    "&=": "(&= var value): var = var & value (bits).",
    "|=": "(|= var value): var = var | value (bits).",
    "^=": "(^= var value): var = var ^ value (bits).",
    "&~=": "(&~= var value): var = var &~ value (bits).",
    "<<=": "(<<= var value): var = var << value (bits).",
    ">>=": "(>>= var value): var = var >> value (bits).",
}


# ----------------------------------------------------------------------------- docstrings

def split_doc(doc, name=None):
    """``"(name args): text"`` -> ``("(name args)", "text")``; a doc that does not start
    with a bracketed signature gives ``(None, doc)``. ``name`` replaces the head of the
    signature (the docstring of an alias names the builtin's first name)."""
    doc = inspect.cleandoc(doc or "")
    if not doc.startswith("("):
        return None, _reflow(doc)
    depth = 0
    for i, c in enumerate(doc):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                sig = doc[:i + 1]
                rest = doc[i + 1:].lstrip()
                if rest.startswith(":"):
                    rest = rest[1:]
                elif rest and not rest.startswith(("\n", ".", ",", ";", "-")):
                    return None, doc
                rest = _reflow(rest)
                if name is not None:
                    sig = _rename(sig, name)
                return sig, rest.strip()
    return None, doc


def _reflow(text):
    """Paragraphs (blank-line separated) joined into single lines."""
    paras = [" ".join(p.split()) for p in inspect.cleandoc(text).split("\n\n")]
    return "\n".join(p for p in paras if p)


def _rename(sig, name):
    head, sep, tail = sig[1:].partition(" ")
    if not sep:
        head, tail = sig[1:-1], ""
        return "(%s)" % name if head else sig
    return "(%s %s" % (name, tail)


def _python_signature(b):
    """(name a b [c]) from the Python parameters of a builtin without a docstring."""
    try:
        params = list(inspect.signature(b.fn).parameters.values())[2 if b.interp else 0:]
    except (TypeError, ValueError):
        params = []
    parts = []
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            parts.append(p.name + "...")
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            parts.append(p.name if p.default is p.empty else "[%s]" % p.name)
    return "(%s)" % " ".join([b.name] + parts)


def builtin_doc(b):
    """(signature, text) of a Builtin, the signature spelled with the builtin's own name."""
    sig, text = split_doc(b.fn.__doc__ or "", b.name)
    if sig is None:
        sig = _python_signature(b)
    return sig, text


_ALIASES = {"size": -1, "index": {}}


def aliases_of(b):
    """The other names of the builtin ``b`` (same Python function), sorted."""
    if _ALIASES["size"] != dict.__len__(BUILTINS):
        index = {}
        for n, x in dict.items(BUILTINS):
            index.setdefault(id(x.fn), []).append(n)
        _ALIASES["index"] = index
        _ALIASES["size"] = dict.__len__(BUILTINS)
    return sorted(n for n in _ALIASES["index"].get(id(b.fn), ()) if n != b.name)


def special_doc(name):
    """(signature, text) of a special form, or None."""
    from .builtins.registry import SPECIAL_FORMS
    fn = SPECIAL_FORMS.get(name)
    if fn is None:
        return None
    sig, text = split_doc(fn.__doc__ or "")
    if sig is not None and sig[1:].split(" ")[0].rstrip(")") == name:
        return sig, text
    doc = SPECIAL_DOCS.get(name)
    if doc is not None:
        return split_doc(doc)
    if sig is not None:
        return _rename(sig, name), text
    return "(%s ...)" % name, "special form"


# ----------------------------------------------------------------------------- user code

def _user_doc(f, name):
    """(signature, text, kind) of a user function, class, macro or registered callable."""
    from .callables import ClassDef, Function, Lambda, PatternFunction
    if isinstance(f, Function):
        src = f.source
        doc = src[3] if isinstance(src, list) and len(src) > 4 and isinstance(src[3], str) else ""
        return _params_sig(name, f.params.source), doc, "function (defun)"
    if isinstance(f, Lambda):
        src = f.source
        doc = src[2] if isinstance(src, list) and len(src) > 3 and isinstance(src[2], str) else ""
        return _params_sig(name, f.params.source), doc, "lambda"
    if isinstance(f, PatternFunction):
        sigs = []
        for clause in f.clauses:
            src = clause[2]
            if isinstance(src, list) and len(src) > 2:
                sigs.append(_params_sig(name, src[2]))
        kind = "predicate (defpred)" if f.predicate else "pattern function (defpat)"
        return "\n".join(sigs) or "(%s ...)" % name, "", kind
    if isinstance(f, ClassDef):
        fields = " ".join(n for n, _ in f.all_fields()) if hasattr(f, "all_fields") else \
            " ".join(n for n, _ in f.fields)
        methods = []
        c = f
        while c is not None:
            methods.extend(m for m in c.methods if m not in methods)
            c = c.parent
        text = ("methods: " + " ".join(methods)) if methods else ""
        return "(%s %s)" % (name, fields) if fields else "(%s)" % name, text, "class"
    fn = getattr(f, "fn", None)       # a Python callable registered through the API
    if fn is not None and hasattr(f, "lo"):
        sig, text = split_doc(getattr(fn, "__doc__", "") or "", name)
        if sig is None:
            try:
                ps = [p.name for p in inspect.signature(fn).parameters.values()]
            except (TypeError, ValueError):
                ps = ["args..."]
            sig = "(%s)" % " ".join([name] + ps)
        return sig, text, "Python function (LispE.register)"
    return None


def _params_sig(name, params):
    inner = to_string(params) if isinstance(params, list) else ""
    inner = inner[1:-1] if inner.startswith("(") and inner.endswith(")") else inner
    return "(%s)" % (name + (" " + inner if inner else ""))


# ----------------------------------------------------------------------------- look-ups

def _lookup(name, interp=None):
    """(signature, text, kind, extra lines) for a name, or None when nothing has it."""
    if interp is not None:
        f = interp.functions.get(name)
        if f is not None:
            r = _user_doc(f, name)
            if r is not None:
                return r + ([],)
        m = getattr(interp, "macros", {}).get(name)
        if m is not None:
            ps = " ".join(to_string(p) for p in getattr(m, "params", []))
            return "(%s)" % (name + (" " + ps if ps else "")), "", "macro (defmacro)", []
        v = interp.globals.get(name)
        if v is not None and not isinstance(v, Builtin):
            r = _user_doc(v, name)
            if r is not None:
                return r + ([],)
    sd = special_doc(name)
    if sd is not None:
        return sd + ("special form", [])
    b = BUILTINS.get(name)
    if b is not None:
        sig, text = builtin_doc(b)
        return sig, text, _kind(b), _builtin_extra(b)
    lib = library_docs().get(name)
    if lib is not None:
        sig, text, library, module = lib
        return sig, text, "builtin of the library %s, loaded by (use '%s)" % (library, library), \
            ["defined in %s" % module]
    return None


_LIBRARY_DOCS = {}
_LIBRARY_READ = []


def library_docs():
    """name -> (signature, text, library, module) for the builtins of the libraries that
    ``use`` loads, read from their source without importing them (importing registers the
    names, which only ``use`` may do)."""
    if _LIBRARY_READ:
        return _LIBRARY_DOCS
    _LIBRARY_READ.append(True)
    import ast
    import importlib.util
    from .libraries import LIBRARIES
    for library, module in LIBRARIES.items():
        if not module:
            continue
        try:
            spec = importlib.util.find_spec(module)
            with open(spec.origin, encoding="utf-8") as f:
                tree = ast.parse(f.read())
        except (ImportError, OSError, SyntaxError, AttributeError, TypeError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and getattr(deco.func, "id", None) == "builtin":
                    names = [a.value for a in deco.args if isinstance(a, ast.Constant)
                             and isinstance(a.value, str)]
                    for n in names:
                        sig, text = split_doc(ast.get_docstring(node) or "", n)
                        _LIBRARY_DOCS[n] = (sig or "(%s ...)" % n, text, library, module)
    return _LIBRARY_DOCS


def _kind(b):
    mod = b.module or ""
    if mod.startswith("lispe_py.torch"):
        return "torch builtin"
    if "tiktoken" in mod:
        return "tiktoken builtin"
    return "builtin"


def _builtin_extra(b):
    extra = []
    al = aliases_of(b)
    if al:
        extra.append("also: " + " ".join(al))
    return extra


def signature(name, interp=None):
    """The signature of ``name`` (``"(cons a list)"``), or None when unknown."""
    r = _lookup(name, interp)
    return r[0] if r is not None else None


def describe(name, interp=None):
    """The help text of ``name``: signature, documentation, what it is; for an unknown name,
    the closest known names."""
    if isinstance(name, Atom):
        name = name.name
    r = _lookup(name, interp)
    if r is None:
        from .builtins.unsupported import UNSUPPORTED
        if name in UNSUPPORTED:
            return "%s: a LispE name that lispe-py does not support yet (%s)" % (name, UNSUPPORTED[name])
        if interp is not None and name in interp.globals:
            v = interp.globals[name]
            from .values import type_name
            return "%s: a variable (%s) = %s" % (name, type_name(v), _short(v))
        close = difflib.get_close_matches(name, names(interp), n=5, cutoff=0.7)
        text = "no builtin, special form or function is called '%s'" % name
        if close:
            text += "; did you mean: " + ", ".join(close) + "?"
        return text
    sig, text, kind, extra = r
    lines = [sig]
    for line in text.splitlines():
        lines.extend(textwrap.wrap(line, 88, initial_indent="    ", subsequent_indent="    ")
                     or [""])
    tail = kind
    mod = None
    if kind.endswith("builtin"):
        b = BUILTINS.get(name)
        mod = b.module if b is not None else None
    if mod:
        tail += " (%s)" % mod
    if extra:
        tail += "; " + "; ".join(extra)
    lines.append("    [%s]" % tail)
    return "\n".join(lines)


def _short(v, limit=60):
    try:
        s = to_string(v)
    except Exception:
        s = "?"
    s = " ".join(s.split())
    return s if len(s) <= limit else s[:limit - 3] + "..."


def names(interp=None):
    """Every name help knows: builtins, special forms, and the interpreter's own."""
    from .builtins.registry import SPECIAL_FORMS
    out = set(BUILTINS) | set(SPECIAL_FORMS)
    if interp is not None:
        out |= set(interp.functions) | set(getattr(interp, "macros", {}))
        out |= {k for k in interp.globals if not k.startswith("_")}
    return sorted(out)


# ----------------------------------------------------------------------------- the builtin

def _name_of(x):
    if isinstance(x, Atom):
        return x.name
    if isinstance(x, str):
        return x
    if isinstance(x, Builtin):
        return x.name
    return getattr(x, "name", None)


@builtin("help", interp=True, arity=(0, 1))
def help_(interp, env, x=None):
    """(help 'name): print the signature and documentation of a builtin, special form or
    user function (its docstring: a string first in its body); (help) tells how to use it."""
    if x is None:
        text = ("(help 'name) shows the signature and documentation of a builtin, special form "
                "or function, e.g. (help 'torch_rand).\nThe list of every builtin: "
                "docs/reference.md; in the REPL, :doc name and Tab.")
    else:
        name = _name_of(x)
        if name is None:
            from .callables import Lambda
            if isinstance(x, Lambda):
                sig, doc, kind = _user_doc(x, "lambda")
                text = sig + ("\n    " + doc if doc else "") + "\n    [lambda]"
            else:
                text = "help needs a name: (help 'name)"
        else:
            text = describe(name, interp)
    interp.stdout.write(text + "\n")
    interp.stdout.flush()
    return EMPTY
