"""Threads (issue 15): dethread, wait, threadstore/threadretrieve/threadclear, lock,
waiton/trigger, threadspace/seth. Expected values are the output of the real LispE
1.2025.11.12 on the same programs.

One difference: a LispE thread starts with an empty global frame, a lispe-py thread shares
the global variables of the program (functions are shared in both)."""

import pytest

from lispe_py.errors import LispEError

CASES = [
    # a dethread function runs on its own thread; wait joins them
    ('(dethread call (i) (threadstore "x" i) (* i 2)) (list (call 1) (wait) (threadretrieve "x"))',
     '(true true (1))'),
    ('(dethread call (i) (println "thread" i)) (call 1) (wait)', 'thread 1\ntrue'),
    ('(dethread f (i) (threadstore "k" (* i i))) (loop i (iota 4) (f i)) (wait) '
     '(sort < (threadretrieve "k"))', '(1 4 9 16)'),
    ('(dethread call (i) i) (type call)', 'list_'),
    ('(dethread call (i) (* i 2)) call', '(dethread call (i) (* i 2))'),
    ('(println (dethread g (x) x))', '\n'),
    # the thread store
    ('(threadstore "x" 1) (threadretrieve)', '{"x":(1)}'),
    ("(list (threadstore \"y\" '(1 2)) (threadretrieve \"y\"))", '(true ((1 2)))'),
    ('(threadstore "y" 1) (list (threadclear "y") (threadretrieve "y") (threadretrieve))',
     '(true () {"y":()})'),
    ('(threadstore "y" 1) (list (threadclear) (threadretrieve))', '(true {})'),
    ('(list (threadretrieve "nokey") (threadclear "nokey"))', '(nil nil)'),
    ('(list (threadstore 1 2) (threadretrieve 1) (threadretrieve "1"))', '(true (2) (2))'),
    # lock
    ('(list (lock "k" (+ 1 2)) (lock "k") (lock "a" 1 2) (lock 1 3))', '(3 nil 2 3)'),
    ('(dethread add (i) (lock "n" (threadstore "n" i))) (loop i (iota 5) (add i)) (wait) '
     '(sort < (threadretrieve "n"))', '(1 2 3 4 5)'),
    # waiton / trigger
    ('(trigger "zz")', 'nil'),
    ('(dethread waiter () (waiton "go") (println "released")) (waiter) (sleep 100) '
     '(println (trigger "go")) (wait)', 'true\nreleased\ntrue'),
    # threadspace and seth
    ('(setq v 1) (list (threadspace (seth v 20) v) v)', '(1 1)'),
    ('(list (threadspace (seth w 5) w) (threadspace w) (threadspace (+ w 1)) (threadspace))',
     '(5 5 6 nil)'),
    ('(threadspace (seth w 5)) (dethread f (x) (threadspace (seth w (+ w x)))) (f 10) (wait) '
     '(threadspace w)', '15'),
    ('(defun f (x) (seth v 1)) (threadspace (f 1))', 'true'),
    ('(wait)', 'true'),
]


@pytest.mark.parametrize("src,expected", CASES)
def test_threads(lispe, src, expected):
    assert lispe(src) == expected


ERRORS = [
    ("(setq v 10) (seth v 20)", "this instruction can only be used in a 'threadspace' block"),
    ("(threadspace (seth w 5)) w", "Unbound atom: 'w'"),
    ('(dethread h (x) (throw "oops")) (h 3) (wait)', "oops"),
    ('(dethread h (x) (throw "oops")) (h 3) (sleep 200) (println "after")', "oops"),
    ("(dethread h (x) x) (h)", "Wrong number of arguments in call to: '(h (x)...)'"),
]


@pytest.mark.parametrize("src,message", ERRORS)
def test_thread_errors(lispe, src, message):
    with pytest.raises(LispEError) as e:
        lispe(src)
    assert message in e.value.message


def test_thread_error_stops_the_program(lispe):
    import io
    from lispe_py.interpreter import Interpreter
    out = io.StringIO()
    interp = Interpreter(stdout=out, stderr=io.StringIO())
    with pytest.raises(LispEError, match="oops"):
        interp.eval_source('(dethread h (x) (throw "oops")) (h 3) (sleep 200) (println "after")')
    assert "after" not in out.getvalue()
