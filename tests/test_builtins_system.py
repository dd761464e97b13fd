"""System and code builtins (issue 15): ls, fileinfo, getstruct, indent, bodies, loadcode,
exit, link, error_, terminal input.

Each expected value is what the real LispE 1.2025.11.12 prints for the same program
(recorded with ../shared/tools/lispe-real)."""

import subprocess
import sys

import pytest

from conftest import ROOT
from lispe_py.errors import LispEError


@pytest.fixture(autouse=True)
def files(tmp_path, monkeypatch):
    """The programs look at in.txt and the folder dd/ (a.txt, b.txt)."""
    (tmp_path / "in.txt").write_bytes("line1\nline2 é\nline3\n".encode("utf-8"))
    (tmp_path / "dd").mkdir()
    (tmp_path / "dd" / "a.txt").write_text("")
    (tmp_path / "dd" / "b.txt").write_text("")
    monkeypatch.chdir(tmp_path)


CASES = [
    ('(ls "nodir")',
     '()'),
    ('(type (ls "dd"))',
     'strings_'),
    ('(sort < (ls "dd"))',
     '("dd/a.txt" "dd/b.txt")'),
    ('(sort < (ls "dd/"))',
     '("dd/a.txt" "dd/b.txt")'),
    ('(fileinfo "nofile")',
     'nil'),
    ('(type (fileinfo "in.txt"))',
     'dictionary_'),
    ('(list (@ (fileinfo "in.txt") "size") (@ (fileinfo "in.txt") "directory") (@ (fileinfo "in.txt") "pathname") (@ (fileinfo "dd") "directory"))',
     '(21 nil "in.txt" true)'),
    ('(getstruct "a (b (c)) d" "(" ")")',
     '("(b (c))" 2 9)'),
    ('(getstruct "a (b (c)) d" "(" ")" 3)',
     '("(c)" 5 8)'),
    ('(getstruct "a [1 2] d" "[" "]")',
     '("[1 2]" 2 7)'),
    ('(getstruct "abc" "(" ")")',
     'nil'),
    ('(getstruct "a (b \\"(\\" c) d" "(" ")")',
     '("(b \\"(\\" c)" 2 11)'),
    ('(getstruct "a ((b) d" "(" ")")',
     'nil'),
    ('(indent "(defun f (x) (if x 1 2))" 2)',
     '(defun f (x) (if x 1 2))\n\n'),
    ('(indent "(defun f (x)\\n(if x\\n1\\n2))" true)',
     '(defun f (x)\n(if x\n1\n2))\n\n'),
    ('(indent "(a\\n\\n b)" true)',
     '(a\n\n b)\n\n'),
    ('(defun f (x) (* x 2)) (bodies (quote f))',
     'f'),
    ('(defun f (x) (* x 2)) (bodies f)',
     '(defun f (x) (* x 2))'),
    ('(defpat g ((integer_ x)) x) (defpat g ((string_ x)) x) (bodies g)',
     '((defpat g ((string_ x)) x) (defpat g ((integer_ x)) x))'),
    ('(bodies 3)',
     '3'),
    ('(bodies (lambda (x) x))',
     '(λ (x) x)'),
    ('(loadcode "(+ 1 2)")',
     '3'),
    ('(loadcode "(setq z 5)") z',
     '5'),
    ('(loadcode "(+ 1 2) (+ 3 4)")',
     '7'),
    ('(loadcode "")',
     'nil'),
    # link aliases atoms for the whole process (docs/compatibility.md): a name no other
    # test uses, or every later `g` of this test process would be `f`
    ('(defun f_lk (x) (* x 2)) (link "g_lk" (quote f_lk)) (g_lk 4)',
     '8'),
    ('(link "plus_lk" (quote +)) (plus_lk 1 2)',
     '3'),
    ('(link "plus_lk2" (quote +)) (quote (plus_lk2 1 2))',
     '(+ 1 2)'),
    ('(setq x 5) (link "toto_lk" (quote x)) toto_lk',
     '5'),
    ('(println (link "plus_lk4" (quote +)))',
     '\n'),
    ('(println error_)',
     'error_\n'),
    ('(type error_)',
     'atom_'),
    ('ls',
     '(deflib ls (path) Returns the content of a directory)'),
    ('getstruct',
     "(deflib getstruct (str open close (pos 0)) (getstruct str open close (pos)): extracts a sub-string from an 'open' chararacter to a 'close' character starting at 'pos')"),
    ('exit',
     '(deflib exit (value) exit the current program)'),
    ('fileinfo',
     '(deflib fileinfo (path) Returns information about a file)'),
    ('indent',
     '(deflib indent (str lispmode) Indent a string containing code)'),
]

ERRORS = [
    ('(indent "(defun f (x) (if x 1 2))")',
     'Wrong parameter description'),
    ('(loadcode "(car 1)")',
     "You cannot apply 'car' to: '1'"),
    ('(exit)',
     'Wrong parameter description'),
    ('(link "toto_lk3" "x")',
     'the second argument must be an atom'),
    ('(link "x")',
     'wrong number of arguments'),
]


@pytest.mark.parametrize("src,expected", CASES)
def test_output(lispe, src, expected):
    assert lispe(src) == expected


@pytest.mark.parametrize("src,message", ERRORS)
def test_error(lispe, src, message):
    with pytest.raises(LispEError) as e:
        lispe(src)
    assert message in e.value.text


def run(src, stdin=""):
    return subprocess.run([sys.executable, "-m", "lispe_py", "-e", src], input=stdin, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_exit_ends_the_program_with_its_status():
    p = run('(println 1) (exit 3) (println 2)')
    assert p.stdout == "1\n" and p.returncode == 3


def test_pipe_and_input_read_standard_input():
    # real LispE: (list (pipe) (pipe)) with "hello\nworld\n" on stdin gives ("hello" "world")
    assert run("(list (pipe) (pipe))", "hello\nworld\n").stdout.strip() == '("hello" "world")'
    assert run("(list (input@) (input@))", "hello\nworld\n").stdout.strip() == '("hello" "world")'
    # not a terminal: getchar gives "" (as the real LispE does)
    assert run("(type (getchar))", "").stdout.strip() == "string_"
