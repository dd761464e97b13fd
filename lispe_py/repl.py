"""The interactive REPL (prompt_toolkit).

Multi-line input until brackets balance, persistent history (``~/.lispe_py_history``),
completion of builtin and user-defined names, LispE syntax highlighting, each value echoed
in LispE's printed form. Errors are shown with their position and every earlier
definition stays. Ctrl-C interrupts a running evaluation (or clears the line); Ctrl-D exits."""

import os
import sys

from .errors import LispEError

BANNER = "lispe-py %s — LispE with PyTorch builtins. Ctrl-D to quit."


def balance(text):
    """How many brackets are still open in ``text`` (strings and comments skipped).
    Negative when there are more closing than opening brackets."""
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == ";":
            if text.startswith(";;", i):
                j = text.find(";;", i + 2)
                if j >= 0:
                    i = j + 2
                    continue
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            if text.startswith('"""', i):
                j = text.find('"""', i + 3)
                if j < 0:
                    return depth + 1
                i = j + 3
                continue
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                return depth + 1
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        i += 1
    return depth


class Session:
    """The state of one REPL: an interpreter plus the evaluation worker."""

    def __init__(self, debug=False, out=None):
        from .interpreter import Interpreter
        self.interp = Interpreter(args=[])
        self.debug = debug
        self.out = out or sys.stdout

    def names(self):
        from .builtins.registry import BUILTINS
        from .evaluator import SPECIAL_FORMS
        interp = self.interp
        return sorted(set(BUILTINS) | set(SPECIAL_FORMS) | set(interp.functions) |
                      {k for k in interp.globals if not k.startswith("_")})

    def evaluate(self, text):
        """Evaluate one input; print its value or its error. Ctrl-C interrupts it."""
        from .values import to_string
        from .runner import run_with_big_stack
        err = value = None
        try:
            value = run_with_big_stack(self.interp.eval_source, text, "<repl>", interruptible=True)
        except BaseException as e:   # reported below; the session goes on
            err = e
        self.out.flush()
        if err is None:
            self.out.write(to_string(value) + "\n")
        elif isinstance(err, KeyboardInterrupt):
            self.out.write("Interrupted\n")
        elif isinstance(err, LispEError):
            self.out.write(str(err) + "\n")
        else:
            if self.debug:
                import traceback
                traceback.print_exception(err, file=self.out)
            self.out.write("Error: internal error: %s: %s\n" % (type(err).__name__, err))
        self.out.flush()


def main(debug=False):
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.lexers import PygmentsLexer

    from . import __version__
    from .lexer import LispELexer

    session = Session(debug=debug)

    class NameCompleter(Completer):
        def get_completions(self, document, complete_event):
            word = document.get_word_before_cursor(pattern=_WORD)
            if not word:
                return
            for name in session.names():
                if name.startswith(word):
                    yield Completion(name, start_position=-len(word))

    kb = KeyBindings()

    @kb.add("enter")
    def _(event):
        buf = event.current_buffer
        if buf.text.strip() and balance(buf.text) > 0:
            buf.insert_text("\n" + "   " * balance(buf.text))
        else:
            buf.validate_and_handle()

    hist_path = os.environ.get("LISPE_PY_HISTORY", os.path.join(os.path.expanduser("~"), ".lispe_py_history"))
    try:
        history = FileHistory(hist_path)
    except OSError:
        history = InMemoryHistory()
    prompt = PromptSession(history=history, lexer=PygmentsLexer(LispELexer), completer=NameCompleter(),
                           multiline=True, key_bindings=kb, complete_while_typing=False)
    print(BANNER % __version__)
    while True:
        try:
            text = prompt.prompt("lispe> ", prompt_continuation=lambda w, n, s: "...    ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if not text.strip():
            continue
        session.evaluate(text)
    return 0


import re  # noqa: E402

_WORD = re.compile(r"[^\s()\[\]{}'\"`;]+")
