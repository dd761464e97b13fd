"""The LispE kernel: ipykernel's ``Kernel`` with a lispe-py interpreter behind it.

ipykernel does the Jupyter protocol (sockets, messages, heartbeat, signals); this class
answers the requests: execute, complete, inspect, is_complete. A cell runs on the
interpreter's big-stack worker thread while the kernel's main thread waits, so the
interrupt signal (SIGINT, which ipykernel turns into KeyboardInterrupt in the main thread
during a request) stops the cell the way Ctrl-C does in the REPL."""

import contextvars
import sys

from ipykernel.kernelbase import Kernel

from .. import __version__
from ..errors import LispEError

_DELIMS = set(" \t\n\r()[]{}'\"`;")


def _word_at(code, pos, forward=False):
    """(start, end) of the name around ``pos`` (before it only, unless ``forward``)."""
    start = pos
    while start > 0 and code[start - 1] not in _DELIMS:
        start -= 1
    end = pos
    if forward:
        while end < len(code) and code[end] not in _DELIMS:
            end += 1
    return start, end


def _enclosing_head(code, pos):
    """The name that heads the form the cursor is in: ``(torch_rand (integers| ...`` ->
    ``integers``; None at top level."""
    depth = 0
    i = pos - 1
    while i >= 0:
        c = code[i]
        if c in ")]":
            depth += 1
        elif c in "([":
            if depth == 0:
                s, e = _word_at(code, i + 1, forward=True)
                return code[s:e] or None
            depth -= 1
        i -= 1
    return None


class LispEKernel(Kernel):
    implementation = "lispe-py"
    implementation_version = __version__
    language = "lispe"
    language_version = "LispE 1.2025 (lispetorch v2.3 builtins)"
    language_info = {
        "name": "lispe",
        "mimetype": "text/x-lispe",
        "file_extension": ".lsp",
        "pygments_lexer": "lispe",
        "codemirror_mode": "commonlisp",
        "version": "1.2025",
    }
    banner = ("lispe-py %s: LispE with PyTorch builtins. (help 'name) or Shift-Tab for help."
              % __version__)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from ..interpreter import Interpreter
        self.interp = Interpreter(args=[])
        self.interp.progress_bars = True          # tqdm bars in cell output
        self.interp.display = self._display        # plots show inline

    def set_parent(self, ident, parent, channel="shell"):
        """Also tell the output streams which request their text belongs to."""
        super().set_parent(ident, parent, channel)
        if channel == "shell":
            for stream in (sys.stdout, sys.stderr):
                if hasattr(stream, "set_parent"):
                    stream.set_parent(parent)

    # ---------------------------------------------------------------- execution

    def _display(self, data):
        """Show a MIME bundle (a plot) in the output of the running cell."""
        self._flush()
        self.send_response(self.iopub_socket, "display_data",
                           {"data": data, "metadata": {}, "transient": {}})

    def _flush(self):
        for s in (sys.stdout, sys.stderr):
            try:
                s.flush()
            except Exception:
                pass

    async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                         allow_stdin=False, **kwargs):
        from ..repl import close_progress, echo_string
        from ..runner import run_with_big_stack
        from ..values import EMPTY
        interp = self.interp
        interp.stdout, interp.stderr = sys.stdout, sys.stderr   # ipykernel's streams
        name = "<cell %d>" % self.execution_count
        err = value = None
        try:
            # the worker thread runs in this request's context: ipykernel's streams read the
            # parent message (which cell the output belongs to) from a context variable
            ctx = contextvars.copy_context()
            value = run_with_big_stack(ctx.run, interp.eval_source, code, name, interruptible=True,
                                       owner=interp)
        except BaseException as e:      # reported to the front end; the kernel goes on
            err = e
        close_progress()
        self._flush()
        if err is None:
            if not silent and value is not EMPTY:
                try:
                    text = echo_string(value)
                except RecursionError:
                    err = LispEError("Stack overflow: the value is nested too deeply to print",
                                     prefix=False)
                else:
                    self.send_response(self.iopub_socket, "execute_result", {
                        "execution_count": self.execution_count,
                        "data": {"text/plain": text}, "metadata": {}})
            if err is None:
                return {"status": "ok", "execution_count": self.execution_count,
                        "payload": [], "user_expressions": {}}
        if isinstance(err, KeyboardInterrupt):
            content = {"ename": "KeyboardInterrupt", "evalue": "Interrupted",
                       "traceback": ["Interrupted"]}
        elif isinstance(err, LispEError):
            lines = str(err).splitlines()
            content = {"ename": "LispEError", "evalue": lines[0], "traceback": lines}
        else:                           # a bug of lispe-py: say so, in one line
            text = "Error: internal error: %s: %s" % (type(err).__name__, err)
            content = {"ename": type(err).__name__, "evalue": text, "traceback": [text]}
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return dict(content, status="error", execution_count=self.execution_count)

    # ---------------------------------------------------------------- introspection

    async def do_complete(self, code, cursor_pos):
        from ..help import names, signature
        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        start, end = _word_at(code, cursor_pos)
        word = code[start:end]
        matches = [n for n in names(self.interp) if n.startswith(word)] if word else []
        types = []
        for n in matches[:200]:
            sig = signature(n, self.interp) or ""
            types.append({"start": start, "end": end, "text": n, "type": "function",
                          "signature": sig.splitlines()[0] if sig else ""})
        return {"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": end,
                "metadata": {"_jupyter_types_experimental": types}}

    async def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        from ..help import describe, signature
        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        start, end = _word_at(code, cursor_pos, forward=True)
        name = code[start:end]
        if not name or signature(name, self.interp) is None:
            head = _enclosing_head(code, cursor_pos)
            if head:
                name = head
        if not name or signature(name, self.interp) is None:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": describe(name, self.interp)},
                "metadata": {}}

    async def do_is_complete(self, code):
        from ..repl import scan
        depth, open_string = scan(code)
        if open_string or depth > 0:
            return {"status": "incomplete", "indent": "   " * max(depth, 0)}
        if depth < 0:
            return {"status": "invalid"}
        return {"status": "complete"}


def launch(argv=None):
    """Start the kernel (what ``python -m lispe_py.kernel -f FILE`` runs)."""
    from ipykernel.kernelapp import IPKernelApp
    IPKernelApp.launch_instance(argv=argv, kernel_class=LispEKernel)
