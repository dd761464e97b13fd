"""What a LispE thread sees (issue 15): an empty global frame of its own, the program's
functions and macros, copies of its arguments. Expected values are the output of the real
LispE 1.2025.11.12 (../shared/tools/lispe-real) on the same programs.

lispe-py gives each dethread thread its own global frame: the interpreter's global frame is
a :class:`lispe_py.builtins.threads.GlobalFrame`, a dict that turns into a per-thread frame
the first time a thread runs (the program's own accesses stay plain dict accesses)."""

import io

import pytest

from lispe_py.errors import LispEError


@pytest.fixture
def lispe_threads():
    from lispe_py.builtins.threads import GlobalFrame
    from lispe_py.interpreter import Interpreter
    from lispe_py.values import to_string

    def run(src):
        out = io.StringIO()
        interp = Interpreter(stdout=out, stderr=io.StringIO())
        assert type(interp.globals) is GlobalFrame
        v = interp.eval_source(src, "<test>")
        return out.getvalue() + to_string(v)
    return run


CASES = [
    # setg in a thread writes the thread's own frame
    ('(setq n 0) (dethread f () (setg n 5)) (f) (wait) n', '0'),
    ('(setq n 7) (dethread f () (setq n 9) (setg k 1) (println n k)) (f) (wait) n', '9 1\n7'),
    # a function called by the thread reads and writes the thread's frame too
    ('(setq n 7) (defun g () (setg n 8)) (dethread f () (g) (println n)) (f) (wait) n', '8\n7'),
    # functions, macros and lambdas passed as arguments are there
    ('(defun g (x) (* x 2)) (dethread f () (println (g 4))) (f) (wait)', '8\ntrue'),
    ('(defmacro m (x) (* x 2)) (dethread f () (println (m 4))) (f) (wait) "end"', '8\nend'),
    ('(setq fn (lambda (x) (* x 2))) (dethread f (g) (println (g 3))) (f fn) (wait)',
     '6\ntrue'),
    # arguments are copies
    ('(setq l (list 1 2)) (dethread f (x) (push x 5) (println x)) (f l) (wait) l',
     '(1 2 5)\n(1 2)'),
    ('(setq l (list (list 1) 2)) (dethread f (x) (push (car x) 5) (println x)) (f l) (wait) l',
     '((1 5) 2)\n((1) 2)'),
    ('(setq d {"a":(list 1)}) (dethread f (x) (push (@ x "a") 5)) (f d) (wait) d',
     '{"a":(1)}'),
    # threadspace variables are shared, as before
    ('(threadspace (seth w 5)) (dethread f (x) (threadspace (seth w (+ w x)))) (f 10) (wait) '
     '(threadspace w)', '15'),
]


@pytest.mark.parametrize("src,expected", CASES)
def test_thread_frame(lispe_threads, src, expected):
    assert lispe_threads(src) == expected


ERRORS = [
    # the program's variables, even _pi, are unbound in a thread
    ('(setq n 7) (dethread f () (println "a") (println n)) (f) (wait) (println "end")',
     "Unbound atom: 'n'", "a\n"),
    ('(dethread f () (println _pi)) (f) (wait) (println "end")', "Unbound atom: '_pi'", ""),
    ('(setq n 7) (defun g () n) (dethread f () (println (g))) (f) (wait) (println "end")',
     "Unbound atom: 'n'", ""),
    # a thread's variables die with it
    ('(dethread f () (setq q 1)) (f) (wait) (dethread h () (println q)) (h) (wait)',
     "Unbound atom: 'q'", ""),
]


@pytest.mark.parametrize("src,message,printed", ERRORS)
def test_thread_frame_errors(src, message, printed):
    from lispe_py.builtins.threads import GlobalFrame
    from lispe_py.interpreter import Interpreter
    out = io.StringIO()
    interp = Interpreter(stdout=out, stderr=io.StringIO())
    assert type(interp.globals) is GlobalFrame
    with pytest.raises(LispEError) as e:
        interp.eval_source(src, "<test>")
    assert message in e.value.message
    assert out.getvalue() == printed


def test_program_frame_is_a_dict_until_a_thread_runs():
    from lispe_py.builtins.threads import GlobalFrame, enable_thread_globals
    from lispe_py.interpreter import Interpreter
    interp = Interpreter(stdout=io.StringIO(), stderr=io.StringIO())
    assert type(interp.globals) is GlobalFrame
    assert interp.eval_source("(setq n 3) (+ n 1)", "<test>") == 4
    assert type(interp.globals) is GlobalFrame        # no thread: the plain class
    assert enable_thread_globals(interp) is True


def test_default_interpreter_gives_threads_their_frame(lispe):
    assert lispe('(setq n 0) (dethread f () (setg n 5)) (f) (wait) n') == '0'
