"""The one exception type users see, and the control-flow signals of the evaluator."""


class LispEError(Exception):
    """A LispE error: ``message`` plus where it happened (``file``, ``line``, ``column``)
    and the source text of the offending ``form`` when known."""

    def __init__(self, message, file=None, line=None, column=None, form=None, prefix=True):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.form = form
        self.prefix = prefix      # False for texts LispE prints without "Error: "
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

    def __str__(self):
        where = ""
        if self.line is not None:
            where = f"{self.file or '<input>'}:{self.line}:{self.column}: "
        s = where + self.text
        form = self.form_text()
        if form:
            s += "\n    in: " + form
        return s

    def form_text(self, limit=100):
        """The offending form as LispE prints it, cut to ``limit`` characters."""
        form = self.form
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


def error(message, prefix=True):
    """Build a LispEError (raise it)."""
    return LispEError(message, prefix=prefix)


class BreakSignal(Exception):
    """(break) leaves the innermost loop."""


class ReturnSignal(Exception):
    """(return v) leaves the current function."""

    def __init__(self, value):
        self.value = value
