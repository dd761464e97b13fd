"""What a user sees when a program fails: position, form, reason, the chain of LispE calls,
hints; --version and --debug."""

import re

from conftest import run_cli


def _run(tmp_path, source, *args):
    p = tmp_path / "prog.lsp"
    p.write_text(source)
    return run_cli([*args, str(p)], cwd=str(tmp_path))


def test_chain_of_lispe_calls_innermost_last(tmp_path):
    r = _run(tmp_path, "(defun f (x)\n  (car x))\n(defun g (y)\n  (+ 1 (f y)))\n(println \"a\")\n(g 5)\n")
    assert r.returncode == 1 and r.stdout == "a\n"
    lines = [l.replace(str(tmp_path) + "/", "") for l in r.stderr.splitlines()]
    assert lines == ["prog.lsp:2:3: Error: You cannot apply 'car' to: '5'",
                     "    in: (car x)",
                     "  LispE calls, innermost last:",
                     "    prog.lsp:6:1: (g 5)",
                     "    prog.lsp:4:8: (f y)",
                     "    prog.lsp:2:3: (car x)"]


def test_deep_recursion_chain_is_cut(tmp_path):
    r = _run(tmp_path, "(defun f (n) (if (= n 0) (car n) (+ 1 (f (- n 1)))))\n(f 500)\n")
    lines = r.stderr.splitlines()
    assert "(the call above repeated" in r.stderr
    assert len(lines) < 20


def test_bare_symbol_has_its_position(tmp_path):
    r = _run(tmp_path, "(println 1)\n\n  foo\n")
    assert r.stderr.splitlines()[0].endswith("prog.lsp:3:3: Error: Unbound atom: 'foo'")
    r = _run(tmp_path, "(setq x 1)\n(if (> x 0) bar 2)\n")
    assert r.stderr.splitlines()[0].endswith("prog.lsp:2:13: Error: Unbound atom: 'bar'")
    r = run_cli(["-e", "foo"])
    assert r.stderr.startswith("<expr>:1:1: Error: Unbound atom: 'foo'")


def test_unclosed_bracket_reported_where_it_opens(tmp_path):
    r = _run(tmp_path, "(defun f (x)\n  (if (> x 0)\n    (+ x 1)\n\n(defun g (y) y)\n")
    lines = r.stderr.splitlines()
    assert lines[0].endswith("prog.lsp:2:3: Error: parentheses do not balance")
    assert "the '(' at 2:3 is never closed" in lines[1] and "the first at 1:1" in lines[1]
    r = _run(tmp_path, "(defun f (x)\n (+ x 1)\n\n(println 2)\n")
    assert r.stderr.splitlines()[0].endswith("prog.lsp:1:1: Error: parentheses do not balance")


def test_string_across_lines_in_a_file_gets_a_hint(tmp_path):
    r = _run(tmp_path, '(setq s "abc\ndef")\n')
    lines = r.stderr.splitlines()
    assert lines[0].endswith("Error: Wrong number of arguments for: 'setq'")     # as LispE
    assert any(l.startswith("    hint: a \"...\" string cannot span lines") for l in lines)


def test_version():
    r = run_cli(["--version"])
    assert r.returncode == 0
    assert re.match(r"lispe-py \d+\.\d+\.\d+ .*Python 3\.\d+.*PyTorch", r.stdout)


def test_debug_shows_the_python_traceback():
    r = run_cli(["--debug", "-e", "(car 5)"])
    assert r.returncode == 1
    assert r.stderr.startswith("<expr>:1:1: Error: You cannot apply 'car' to: '5'")
    assert "Traceback (most recent call last)" in r.stderr and "lists.py" in r.stderr
    r = run_cli(["-e", "(car 5)"])
    assert "Traceback" not in r.stderr
    r = run_cli(["--debug", "-e", '(torch_tensor "x")'])
    assert "Traceback (most recent call last)" in r.stderr
