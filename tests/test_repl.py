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
            for i in range(50):
                if i % 5 == 0:
                    self.send("\x04")      # again: one sent while the REPL was busy may be lost
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


def test_string_over_two_lines(term):
    term.send('(setq s "abc\r')
    term.send('def")\r')
    term.send("(size s)\r")
    term.read_until(r"\n7\n")


def test_doc_command_and_help(term):
    term.send(":doc cons\r")
    term.read_until(r"\(cons x l\)\n    a new list")
    term.send("(help 'defun)\r")
    out = term.read_until(r"\[special form\]")
    assert "(defun name (params) body...)" in out


def test_completion_menu_shows_signatures(term):
    term.send("(torch_flash_att\t")        # several names: the menu lists them with signatures
    out = term.read_until(r"\(torch_flash_attention_create embed_di")
    assert "(torch_flash_attention q k v [scale])" in out
    term.send("\x03")                       # clear the line


def test_large_tensor_echo_is_summarised(term):
    term.send("(torch_rand (integers 1000 1000))\r")
    out = term.read_until(r"summarised; println prints them all\)", timeout=60)
    echo = out[out.index("(torch_rand (integers 1000 1000))"):]
    assert "tensor([[" in echo and "...," in echo
    assert len(echo.splitlines()) < 15


def test_errors_show_positions_and_calls(term):
    term.send("foo\r")
    term.read_until(r"<repl>:1:1: Error: Unbound atom: 'foo'")
    term.send("(defun f (x) (car x))\r")
    term.send("(defun g (y) (+ 1 (f y)))\r")
    term.send("(g 5)\r")
    out = term.read_until(r"<repl>:1:14: \(car x\)\n")
    assert "LispE calls, innermost last:\n    <repl>:1:1: (g 5)\n    <repl>:1:19: (f y)\n" in out
    term.send("(torch_flash_attention_create 256)\r")
    term.read_until(r"Wrong parameter description\n    usage: \(torch_flash_attention_create embed_dim")


def test_scan_knows_strings_and_comments():
    from lispe_py.repl import scan
    assert scan('(setq s "abc') == (1, True)
    assert scan('(setq s "abc\ndef")') == (0, False)
    assert scan('(a "\\"(" ; "\n)') == (0, False)
    assert scan("(a `raw (") == (1, True)
