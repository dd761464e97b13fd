"""The lispe-py command: files, -e, exit codes, error reports, start-up without torch."""

import subprocess
import sys

from conftest import ROOT, run_cli


def test_runs_file_and_prints_last_value(tmp_path):
    p = tmp_path / "prog.lsp"
    p.write_text("(defun fact (n) (if (<= n 1) 1 (* n (fact (- n 1)))))\n(println \"hi\")\n(fact 15)\n")
    r = run_cli([str(p)])
    assert r.returncode == 0
    assert r.stdout == "hi\n1307674368000\n"


def test_expression_option():
    r = run_cli(["-e", "(+ 1 2.5)"])
    assert (r.returncode, r.stdout) == (0, "3\n")


def test_program_arguments(tmp_path):
    p = tmp_path / "args.lsp"
    p.write_text("_args")
    r = run_cli([str(p), "a", "b"])
    assert r.stdout == '("%s" "a" "b")\n' % str(p)


def test_uncaught_error_goes_to_stderr_with_position(tmp_path):
    p = tmp_path / "bad.lsp"
    p.write_text('(println "before")\n(setq x 1)\n  (car x)\n(println "after")\n')
    r = run_cli([str(p)])
    assert r.returncode == 1
    assert r.stdout == "before\n"
    assert "bad.lsp:3:3: Error: You cannot apply 'car' to: '1'" in r.stderr
    assert "in: (car x)" in r.stderr
    assert "Traceback" not in r.stderr


def test_syntax_error_prints_nothing(tmp_path):
    p = tmp_path / "unbalanced.lsp"
    p.write_text('(println "a")\n(+ 1 2\n')
    r = run_cli([str(p)])
    assert r.returncode == 1 and r.stdout == ""
    assert "parentheses do not balance" in r.stderr


def test_unknown_symbol_and_arity_errors(tmp_path):
    r = run_cli(["-e", "(foo 1)"])
    assert r.returncode == 1 and "Unbound atom: 'foo'" in r.stderr
    r = run_cli(["-e", "(cons 1)"])
    assert r.returncode == 1 and "Wrong number of arguments for: 'cons'" in r.stderr
    r = run_cli(["-e", "(apply 'cons '(1))"])        # indirect call: LispE's own text
    assert r.returncode == 1 and "Error: wrong number of arguments" in r.stderr


def test_missing_file():
    r = run_cli(["/nonexistent/prog.lsp"])
    assert r.returncode == 1 and "Unknown file: /nonexistent/prog.lsp" in r.stderr


def test_debug_shows_python_traceback_only_when_asked(tmp_path):
    r = run_cli(["--debug", "-e", "(car 5)"])
    assert r.returncode == 1 and "You cannot apply" in r.stderr


def test_deep_recursion_and_long_loop(tmp_path):
    p = tmp_path / "deep.lsp"
    p.write_text("(defun deep (n) (if (eq n 0) 0 (+ 1 (deep (- n 1)))))\n(println (deep 10000))\n"
                 "(setq s 0) (loopcount 1000000 i (setq s (+ s i))) s\n")
    r = run_cli([str(p)], timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "10000\n499999500000\n"


def test_stack_overflow_is_a_lispe_error(tmp_path):
    p = tmp_path / "overflow.lsp"
    p.write_text("(defun deep (n) (if (eq n 0) 0 (+ 1 (deep (- n 1)))))\n(deep 10000000)\n")
    r = run_cli([str(p)], timeout=300)
    assert r.returncode == 1
    assert "Stack overflow" in r.stderr and "Traceback" not in r.stderr


def test_start_up_does_not_import_torch():
    code = ("import sys; from lispe_py.cli import main; main(['-e', '(+ 1 2)']); "
            "print('torch' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.splitlines() == ["3", "False"]


def test_python_dash_m(tmp_path):
    r = subprocess.run([sys.executable, "-m", "lispe_py", "-e", "(list 1 \"a\")"], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.stdout == '(1 "a")\n'
