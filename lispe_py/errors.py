"""The one exception type users see, and the control-flow signals of the evaluator.

An uncaught error prints as (first line as LispE: the conformance corpora check it)::

    prog.lsp:2:3: Error: You cannot apply 'car' to: '5'
        in: (car x)
      LispE calls, innermost last:
        prog.lsp:6:1: (g 5)
        prog.lsp:4:8: (f y)
        prog.lsp:2:3: (car x)

An arity error adds the signature of what was called (``usage:``) right after the first
line; a form holding a lone ``"`` (a "..." string that runs past the end of its line) adds
a hint."""


class LispEError(Exception):
    """A LispE error: ``message`` plus where it happened (``file``, ``line``, ``column``)
    and the source text of the offending ``form`` when known. ``calls`` is the chain of
    user-function calls the error went through, innermost first (see :meth:`called_from`)."""

    def __init__(self, message, file=None, line=None, column=None, form=None, prefix=True):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.form = form
        self.prefix = prefix      # False for texts LispE prints without "Error: "
        self.calls = []           # [(file, line, column, form)] innermost first
        self.notes = []           # extra explanation lines, printed after the form
        super().__init__(message)

    @property
    def text(self):
        """The message as LispE spells it (with ``Error: `` where LispE adds it)."""
        return ("Error: " + self.message) if self.prefix else self.message

    def located(self):
        return self.line is not None

    def locate(self, file, line, column, form=None):
        """Attach a position unless one is already known; returns self."""
        if self.line is None:
            self.file, self.line, self.column = file, line, column
            if form is not None and self.form is None:
                self.form = form
        return self

    # ------------------------------------------------------------------ positions

    @property
    def symbol(self):
        """The name an unbound-atom error is about (None for other errors)."""
        m = self.message
        for head in ("Unbound atom: '", "cannot evaluate this instruction: '"):
            if type(m) is str and m.startswith(head) and m.endswith("'"):
                return m[len(head):-1]
        return None

    def position_in(self, form):
        """The position, inside ``form``, of the symbol an unbound-atom error is about
        (its first occurrence, searched depth first); None when unknown."""
        name = self.symbol
        if name is None:
            return None
        return _find_atom(form, name, 0)

    def called_from(self, ctx, form):
        """Record that the error left ``form`` (already located deeper): kept when ``form``
        calls a user function, so that the report shows the chain of LispE calls."""
        pos = getattr(form, "pos", None)
        if pos is None or not form:
            return
        head = form[0]
        name = getattr(head, "name", None)
        if type(name) is not str:
            return
        interp = getattr(ctx, "interp", None)
        if interp is None or name not in interp.functions:
            from .builtins.registry import BUILTINS
            from .builtins.registry import SPECIAL_FORMS
            if name in BUILTINS or name in SPECIAL_FORMS or name in getattr(interp, "macros", ()):
                return
        calls = self.calls
        if not calls:
            calls.append((self.file, self.line, self.column, self.form))
        calls.append((getattr(ctx, "file", None), pos[0], pos[1], form))

    # ------------------------------------------------------------------ printing

    def __str__(self):
        where = ""
        if self.line is not None:
            where = f"{self.file or '<input>'}:{self.line}:{self.column}: "
        lines = [where + self.text]
        usage = self.usage()
        if usage:
            lines.append("    usage: " + usage)
        form = self.form_text()
        if form:
            lines.append("    in: " + form)
        for note in getattr(self, "notes", ()):
            lines.append("    " + note)
        hint = self.hint()
        if hint:
            lines.append("    hint: " + hint)
        lines.extend(self.chain_lines())
        return "\n".join(lines)

    def form_text(self, limit=100):
        """The offending form as LispE prints it, cut to ``limit`` characters."""
        return _form_text(self.form, limit)

    def usage(self):
        """The signature of what an arity error is about ('(cons a b)'), or None."""
        m = self.message
        head = "Wrong number of arguments for: '"
        name = None
        if type(m) is not str:
            return None
        if m.startswith(head) and m.endswith("'"):
            name = m[len(head):-1]
        elif m == "Wrong parameter description":       # a library function: the form's head
            form = self.form
            if isinstance(form, list) and form:
                name = getattr(form[0], "name", None)
        if type(name) is not str or not name:
            return None
        try:
            from .help import signature
            return signature(name)
        except Exception:       # help must never hide the error itself
            return None

    def hint(self):
        """A hint for a common beginner's mistake visible in the form."""
        form = self.form
        if isinstance(form, list) and _find_atom(form, '"', 0, positions=False):
            return ('a "..." string cannot span lines (LispE); use `...` or """...""" '
                    'for text over several lines, or \\n inside "..."')
        return None

    def chain_lines(self, limit=12):
        """The chain of LispE calls, innermost last (nothing when the error left no call)."""
        calls = getattr(self, "calls", ())
        if len(calls) < 2:
            return []
        out = ["  LispE calls, innermost last:"]
        entries = list(reversed(calls))
        rows = []
        i = 0
        while i < len(entries):
            f, l, c, form = entries[i]
            j = i + 1
            while j < len(entries) and entries[j][:3] == (f, l, c):
                j += 1
            rows.append("    %s:%s:%s: %s" % (f or "<input>", l, c, _form_text(form, 80) or ""))
            if j - i > 1:
                rows.append("    (the call above repeated %d more time%s)" % (j - i - 1, "s" if j - i > 2 else ""))
            i = j
        if len(rows) > limit:
            keep = limit // 2
            rows = rows[:keep] + ["    ... %d more calls ..." % (len(rows) - 2 * keep)] + rows[-keep:]
        return out + rows


def _form_text(form, limit):
    if form is None or isinstance(form, str):
        return form
    from .values import to_string
    try:
        text = to_string(form)
    except RecursionError:
        return "(a form nested too deeply to print)"
    except Exception:
        return None
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _find_atom(form, name, depth, positions=True):
    """Position of the first atom called ``name`` in a read form (or True when found and
    ``positions`` is false); None when absent."""
    if depth > 50 or not isinstance(form, list):
        return None
    poss = getattr(form, "poss", None)
    for i, x in enumerate(form):
        if getattr(x, "name", None) == name and type(x).__name__ == "Atom":
            if not positions:
                return True
            p = poss[i] if poss is not None and i < len(poss) else None
            if p is not None:
                return p
            continue
        if isinstance(x, list):
            p = _find_atom(x, name, depth + 1, positions)
            if p is not None:
                return p
    return None


def error(message, prefix=True):
    """Build a LispEError (raise it)."""
    return LispEError(message, prefix=prefix)


class BreakSignal(Exception):
    """(break) leaves the innermost loop."""


class ReturnSignal(Exception):
    """(return v) leaves the current function."""

    def __init__(self, value):
        self.value = value
