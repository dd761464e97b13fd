"""The interactive REPL (prompt_toolkit).

Multi-line input until brackets balance (a "..." string may span lines here), persistent
history (``~/.lispe_py_history``), completion of builtin and user-defined names with their
signature, LispE syntax highlighting, each value echoed in LispE's printed form (large
tensors summarised). ``:doc name`` shows the help of a name, ``:help`` the commands.
Errors are shown with their position and the chain of LispE calls; every earlier
definition stays. Ctrl-C interrupts a running evaluation (or clears the line); Ctrl-D exits."""

import os
import sys

from .errors import LispEError

BANNER = ("lispe-py %s — LispE with PyTorch builtins.\n"
          "(help 'name) or :doc name for help, Tab completes names, :help for commands, "
          "Ctrl-D quits.")

COMMANDS = """\
:doc name      signature and documentation of a builtin, special form or function
:help          this list
Ctrl-C         stop a running evaluation; Ctrl-D quit
A "..." string may span lines here (in files it may not: use `...` or \"\"\"...\"\"\")."""

SOURCE_NAME = "<repl>"


def scan(text):
    """``(depth, open_string)``: how many brackets are still open in ``text`` (strings and
    comments skipped; negative when more close than open) and whether it ends inside a
    string. A "..." string may span lines (the reader allows it for interactive input)."""
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
                    return depth, True
                i = j + 3
                continue
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                return depth, True
            i = j + 1
            continue
        if c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                return depth, True
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        i += 1
    return depth, False


def balance(text):
    """How many brackets are still open in ``text`` (an open string counts as one)."""
    depth, open_string = scan(text)
    return depth + 1 if open_string else depth


def echo_string(value):
    """The REPL's and the notebook's echo of a value: LispE's printed form, tensors of more
    than 1000 elements summarised (``println`` prints them in full)."""
    from .values import to_string
    if "torch" in sys.modules:
        from .torch import _lazy
        if _lazy.loaded():
            from .torch.printing import summarised
            with summarised():
                return to_string(value)
    return to_string(value)


def close_progress():
    """End a progress bar a program left open (its line must not run into what follows)."""
    mod = sys.modules.get("lispe_py.torch.progress")
    if mod is not None:
        mod.close_all()


class Session:
    """The state of one REPL: an interpreter plus the evaluation worker."""

    def __init__(self, debug=False, out=None):
        from .interpreter import Interpreter
        self.interp = Interpreter(args=[])
        self.debug = debug
        self.out = out or sys.stdout

    def names(self):
        from .help import names
        return names(self.interp)

    def signature(self, name):
        from .help import signature
        try:
            return signature(name, self.interp)
        except Exception:
            return None

    def doc(self, name):
        from .help import describe
        return describe(name.strip().lstrip("'"), self.interp)

    def command(self, text):
        """A ``:command`` line; True when it was one."""
        t = text.strip()
        if not t.startswith(":") or t.startswith(("::", ": ")) or t == ":":
            return False
        word, _, arg = t[1:].partition(" ")
        if word == "doc" and arg.strip():
            self.out.write(self.doc(arg) + "\n")
        elif word in ("help", "h", "?"):
            self.out.write(COMMANDS + "\n")
        elif word == "doc":
            self.out.write(":doc needs a name, for example  :doc torch_rand\n")
        else:
            self.out.write("unknown command :%s (:help lists the commands)\n" % word)
        self.out.flush()
        return True

    def evaluate(self, text):
        """Evaluate one input; print its value or its error. Ctrl-C interrupts it."""
        from .runner import run_with_big_stack
        from .values import EMPTY
        if self.command(text):
            return
        err = value = None
        try:
            value = run_with_big_stack(self.interp.eval_source, text, SOURCE_NAME, interruptible=True,
                                       owner=self.interp)
        except BaseException as e:   # reported below; the session goes on
            err = e
        close_progress()
        self.out.flush()
        if err is None:
            if value is not EMPTY:        # println's value: nothing more to show
                try:
                    self.out.write(echo_string(value) + "\n")
                except RecursionError:
                    self.out.write("Error: Stack overflow: the value is nested too deeply to print\n")
        elif isinstance(err, KeyboardInterrupt):
            self.out.write("Interrupted\n")
        elif isinstance(err, LispEError):
            self.out.write(str(err) + "\n")
            if self.debug:
                import traceback
                traceback.print_exception(err, file=self.out)
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
                    sig = session.signature(name) or ""
                    sig = sig.splitlines()[0] if sig else ""
                    if len(sig) > 60:
                        sig = sig[:57] + "..."
                    yield Completion(name, start_position=-len(word), display_meta=sig)

    kb = KeyBindings()

    @kb.add("enter")
    def _(event):
        buf = event.current_buffer
        text = buf.text
        if text.strip().startswith(":"):        # a REPL command is one line
            buf.validate_and_handle()
            return
        depth, open_string = scan(text)
        if open_string and text.strip():
            buf.insert_text("\n")         # inside a string: the line break is part of it
        elif text.strip() and depth > 0:
            buf.insert_text("\n" + "   " * depth)
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
