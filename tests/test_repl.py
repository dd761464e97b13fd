"""The REPL, driven through a real pseudo-terminal."""

import os
import pty
import re
import select
import sys
import time

import pytest

from conftest import ROOT

ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b\][^\x07]*\x07|\r")


class Terminal:
    def __init__(self, tmp_path):
        env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", PYTHONPATH=ROOT,
                   LISPE_PY_HISTORY=str(tmp_path / "history"), COLUMNS="120", LINES="40")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:   # child
            os.execve(sys.executable, [sys.executable, "-m", "lispe_py"], env)
        self.buf = ""

    def read_until(self, pattern, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            clean = ANSI.sub("", self.buf)
            if re.search(pattern, clean):
                return clean
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    self.buf += os.read(self.fd, 65536).decode("utf-8", "replace")
                except OSError:
                    break
        raise AssertionError("timed out waiting for %r; screen:\n%s" % (pattern, ANSI.sub("", self.buf)[-2000:]))

    def send(self, text):
        os.write(self.fd, text.encode())

    def close(self):
        try:
            self.send("\x04")
            for _ in range(50):
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    return
                time.sleep(0.1)
        finally:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            os.close(self.fd)


@pytest.fixture
def term(tmp_path):
    t = Terminal(tmp_path)
    t.read_until(r"lispe>")
    yield t
    t.close()


def test_multiline_definition_and_echo(term):
    term.send("(defun sq (x)\r")
    term.send("(* x x))\r")
    term.send("(sq 7)\r")
    assert "49" in term.read_until(r"\n49\n")


def test_error_keeps_definitions(term):
    term.send("(setq keep 41)\r")
    term.send("(car 5)\r")
    term.read_until(r"You cannot apply 'car' to: '5'")
    term.send("(+ keep 1)\r")
    out = term.read_until(r"\n42\n")
    assert "<repl>:1:1" in out


def test_ctrl_c_interrupts_evaluation(term):
    term.send("(setq n 0)\r")
    term.read_until(r"true")
    term.send("(while true (setq n (+ n 1)))\r")
    time.sleep(1.5)
    term.send("\x03")
    term.read_until(r"Interrupted")
    term.send("(> n 0)\r")
    term.read_until(r"Interrupted[\s\S]*true")


def test_history_is_persistent(tmp_path):
    t = Terminal(tmp_path)
    try:
        t.read_until(r"lispe>")
        t.send("(+ 20 22)\r")
        t.read_until(r"\n42\n")
    finally:
        t.close()
    assert "(+ 20 22)" in (tmp_path / "history").read_text()


def test_piped_stdin_runs_without_terminal():
    import subprocess
    p = subprocess.run([sys.executable, "-m", "lispe_py"], input="(println (+ 1 2))\n(* 2 3)\n",
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert p.returncode == 0
    assert p.stdout == "3\n6\n"


def test_balance_counter():
    from lispe_py.repl import balance
    assert balance("(defun f (x)") == 1
    assert balance('(a "(" ; (\n)') == 0
    assert balance("[a (b") == 2
    assert balance("(a))") == -1


def test_lexer_highlights_lispe():
    from pygments import lex
    from pygments.token import Comment, Keyword, Name, Number, String
    from lispe_py.lexer import LispELexer
    toks = [(t, v) for t, v in lex('(defun f (x) (println "hi" 2.5)) ; c', LispELexer()) if v.strip()]
    assert (Keyword, "defun") in toks
    assert (Name.Builtin, "println") in toks
    assert (String, '"hi"') in toks
    assert (Number.Float, "2.5") in toks
    assert (Comment.Single, "; c") in toks


def test_lexer_registered_with_pygments():
    from pygments.lexers import get_lexer_by_name
    assert get_lexer_by_name("lispe").name == "LispE"
