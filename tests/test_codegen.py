"""The code generator (lispe_py/compiler/codegen.py) against the closure compiler.

Every program runs twice in fresh interpreters, with defun/λ bodies compiled to Python code
and with closures only: output, value and error report (message, position, form, chain
of calls) must be the same. Random programs come from the differential fuzzer's grammar,
their statements run inside a defun (where the generated code is)."""

import io
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lispe_py.compiler import codegen
from lispe_py.errors import LispEError
from lispe_py.interpreter import Interpreter
from lispe_py.runner import run_with_big_stack
from lispe_py.values import to_string

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))


def run(src, generate):
    saved = codegen.ENABLED
    codegen.ENABLED = generate
    out = io.StringIO()
    interp = Interpreter(stdout=out, stderr=io.StringIO())
    try:
        try:
            v = run_with_big_stack(interp.eval_source, src, "prog.lsp")
            return out.getvalue() + "=> " + to_string(v), interp
        except LispEError as e:
            return out.getvalue() + "!! " + str(e), interp
    finally:
        codegen.ENABLED = saved


def same(src):
    a, ia = run(src, True)
    b, _ = run(src, False)
    assert a == b, "generated:\n%s\nclosures:\n%s" % (a, b)
    return a, ia


PROGRAMS = [
    # arithmetic on every kind of operand, in a function
    "(defun f (a b) (list (+ a b) (- a b) (* a b) (% a b) (< a b) (> a b) (<= a b) (>= a b) (= a b) (eq a b)))"
    "(println (f 7 2) (f -7 2) (f 7 -2) (f 2.5 1) (f 1 2.5) (f 2.5 1.5) (f \"a\" \"b\") (f 3 \"4\"))",
    "(defun f (a b) (+ a b)) (println (f 9223372036854775807 1) (f -9223372036854775808 -1))",
    "(defun f (a) (list (- a 1) (+ a 1) (* a 2) (- 1 a) (+ 1 a))) (println (f 9223372036854775807) (f -9223372036854775808))",
    "(defun f (a b) (% a b)) (println (f 7 0))",
    # bounds from an if's test: no 64-bit guard where the test rules overflow out
    "(defun f (n) (list (if (< n 2) (- n 1) (+ n 1)) (if (> n 5) (- n 1) (+ n 1)) (if (<= n 0) (+ n 1) (- n 1))"
    " (if (>= n 9) (- n 9) (+ n 9))))"
    "(println (f 9223372036854775807) (f -9223372036854775808) (f 3) (f 0) (f 2.5) (f \"7\"))",
    "(defun f (n) (if (> n 0) (block (setq n -9223372036854775808) (- n 1)) (- n 1))) (println (f 1) (f 0))",
    "(defun f (n) (if (> n 0) (while (> n -3) (setq n (- n 1))) (- n 1)) n) (println (f 2))",
    "(defun f (a b) (% a b)) (println (f -7 3) (f 7 -3) (f 7.5 2))",
    "(defun f (x) (if x 1 2)) (println (f 0) (f 0.0) (f \"\") (f ()) (f nil) (f 1) (f \"a\") (f '(1)) (f {}))",
    "(defun f (a b) (and a b)) (defun g (a b) (or a b)) (println (f 1 0) (f 1 2) (g 0 nil) (g 0 3))",
    "(defun f (a b) (* a b)) (println (f 2 0.5) (f 0.5 2) (f 3 \"2\") (f \"ab\" 2))",
    # unbound locals read the global, then the frame once set
    "(setq y 5) (defun f (c) (if c (setq y 1)) y) (println (f true) (f nil))",
    "(defun f () (+ zz 1)) (f)",
    "(defun f () (setq a 1) (loop x '(1 2 3) (setq a (+ a x))) (list a x)) (println (f))",
    "(defun f (n) (setq s 0) (loopcount n i (setq s (+ s i))) (list s i)) (println (f 4) (f 0))",
    "(defun f (n) (loopcount n (print \"x\")) 1) (println (f 3) (f -2))",
    # loops, break, return
    "(defun f () (setq i 0) (while true (setq i (+ i 1)) (if (> i 5) (break))) i) (println (f))",
    "(defun f () (setq i 0) (list (while (< i 3) (setq i (+ i 1))) i)) (println (f))",
    "(defun f (l) (loop x l (if (eq x 3) (return (* x 10)))) 0) (println (f '(1 2 3 4)) (f '(1)))",
    "(defun g (x) x) (defun f () (+ 1 (g (return 5))) 7) (println (f))",
    "(defun g (x y z) x) (defun f () (+ 1 (g (return 5) 1 2)) 7) (println (f))",
    "(defun f (l) (map (λ (x) (if (> x 1) (return x))) l) 0) (println (f '(1 2 3)))",
    "(defun h () (break)) (println (loop x '(1 2 3) (println x) (h)))",
    # tail calls, recursion, redefinition
    "(defun f (n acc) (if (eq n 0) acc (f (- n 1) (+ acc n)))) (println (f 100000 0))",
    "(defun f (n) (if (eq n 0) 0 (+ 1 (f (- n 1))))) (println (f 20000))",
    "(defun g (x) (* x 2)) (defun f (x) (g x)) (println (f 3)) (defun g (x) (* x 3)) (println (f 3))",
    "(defun f (x) (h x)) (defun h (x) (* x 10)) (println (f 3))",
    "(defun f (x) (h x)) (setq h (λ (y) (+ y 1))) (println (f 3))",
    "(defun g (x (y 10)) (+ x y)) (defun f (a) (list (g a) (g a 1))) (println (f 1))",
    "(defun g (x $ r) (list x r)) (defun f (a) (g a 1 2)) (println (f 0))",
    "(defun f (n) (cond ((< n 0) 'neg) ((eq n 0) 'zero) (true (f (- n 1))))) (println (f 5) (f -1))",
    "(defun even (n) (if (eq n 0) true (odd (- n 1)))) (defun odd (n) (if (eq n 0) nil (even (- n 1)))) (println (even 10) (odd 7))",
    # lambdas see the frame of their caller
    "(defun k (l) (setq z 3) (map (λ (x) (+ x z)) l)) (println (k '(1 2)))",
    "(defun w (l) (map (λ (x) (setq lst x)) l) lst) (println (w '(1 2 3)))",
    "(defun mk () (setq y 10) (λ (x) (+ x y))) (setq h (mk)) (setq y 1) (println (h 1))",
    "(setq f (λ (n) (if (< n 2) 1 (* n (self (- n 1)))))) (println (f 10))",
    "(setq f (λ (n acc) (if (eq n 0) acc (self (- n 1) (+ acc n))))) (println (f 10000 0))",
    "(defun f (l) (map (λ (x) (map (λ (y) (+ x y)) l)) l)) (println (f '(1 2)))",
    "(defun f (l) (filter (λ (x) (eq (% x 2) 0)) l)) (println (f '(1 2 3 4)))",
    "(defun f (a) (setq g (λ (x) (+ x a))) (g 1)) (println (f 5))",
    "(println (map (λ (x) (* x 2)) '(1 2 3)) (foldl (λ (a b) (+ a b)) 0 '(1 2 3)))",
    "(println ((λ (x (y 2)) (+ x y)) 1) ((λ (x $ r) (list x r)) 1 2 3))",
    # forms left to the closures inside generated code
    "(defun f (x) (let ((y (* x 2))) (setq z y) (+ y 1))) (println (f 3))",
    "(defun f (x) (switch x (1 'one) (2 'two) (true 'other))) (println (f 1) (f 5))",
    "(defun f (x) (catch (car x))) (println (f 5))",
    "(defun f (x) (maybe (car x) 'bad)) (println (f 5) (f '(1)))",
    "(defun f (l) (setq s 0) (loop x l (let ((y x)) (setq s (+ s y)) (if (> s 3) (break)))) s) (println (f '(1 2 3 4)))",
    "(defun f (x) (+= x 2) (-= x 1) (*= x 3) x) (println (f 1) (f 1.5))",
    "(defun f (l) (+= l 1) l) (println (f (integers 1 2)))",
    "(defun f (x) (setq x (list 1)) (+= x 2) x) (println (f 0))",
    "(defun f (x) (eval '(+ x 1))) (println (f 3))",
    "(defun f (x) (eval (list '+ x 1))) (println (f 3))",
    "(defun f () (setq a 1) (println a (+ a 1)) (println (list a))) (f)",
    "(defun f (x) (select (key@ x \"a\") 0)) (println (f {\"a\":3}) (f {\"b\":3}))",
    "(defun f (x) (check (> x 0) (println \"pos\") x)) (println (f 1) (f -1))",
    "(defun f (x) (ncheck (> x 0) 'neg (println \"pos\") x)) (println (f 1) (f -1))",
    "(defun f (x) (ife (> x 0) 'pos (println \"no\") 'neg)) (println (f 1) (f -1))",
    "(defun f (x) (setqv y (* x 2))) (println (f 4) y)",
    "(defun f (x) (setg gg x) gg) (println (f 4) gg)",
    "(defun f (x) (label y (* x 2))) (println (f 4))",
    "(defmacro twice (x) (* 2 x)) (defun f (a) (twice a)) (println (f 4))",
    "(defun f () (quote (1 2))) (setq l (f)) (push l 3) (println (f) l)",
    "(defun f () '(1 2)) (setq l (f)) (push l 3) (println (f) l)",
    "(defun f (x) (^^ x 2)) (println (f 7) (f 2.5))",
    "(defun f (l) (map 'cos l)) (println (f '(0)))",
    "(defun f (l) (setq op '+) (map op l)) (f '(1 2))",
    "(defun f (x) (println x (setq x 5) x)) (f 1)",
    "(defun f (x) (list x (setqv x 5) x)) (println (f 1))",
    "(defun f (x) (+ x (block (setq x 10) x))) (println (f 1))",
    # errors: position, form and chain
    "(defun g (x) (car x))\n(defun f (y)\n  (g y))\n(f 5)",
    "(defun f (x)\n  (+ 1 (* x \"a\")))\n(f 2)",
    "(defun f (x)\n  (if (< x 1)\n      (cdr x)\n      (f (- x 1))))\n(f 3)",
    "(defun f (x) (car x)) (println (catch (f 5)))",
    "(defun f (x) (g x)) (f 1)",
    "(defun f (x) (loopcount x 1)) (f \"a\")",
    "(defun f (n) (if (eq n 0) (car 0) (f (- n 1)))) (f 10)",
    "(defun f (a b) (+ a b)) (defun g () (f 1)) (g)",
]


@pytest.mark.parametrize("src", PROGRAMS)
def test_same_as_closures(src):
    same(src)


def test_functions_are_generated():
    out, interp = same("(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (fib 10)")
    assert out == "=> 55"
    assert interp.functions["fib"].code is not None


def test_error_positions_inside_generated_code():
    out, _ = same("(defun f (x)\n  (+ 1\n     (car x)))\n(f 5)")
    assert out.startswith("!! prog.lsp:3:6: Error:"), out
    assert "in: (car x)" in out and "prog.lsp:4:1: (f 5)" in out


def test_recursion_is_deeper():
    src = "(defun deep (n) (if (eq n 0) 0 (+ 1 (deep (- n 1))))) (deep %d)"
    assert run(src % 90000, True)[0] == "=> 90000"
    assert "Stack overflow" in run(src % 100000, True)[0]


def _in_defun(program):
    lines = program.strip().split("\n")
    header, body = lines[:3], lines[3:]
    body = [b for b in body]
    return "\n".join(header) + "\n(defun main_ (a b c)\n" + "\n".join(body) + ")\n(main_ a b c)\n"


def _program():
    from fuzz_diff import program
    return program()


# one strategy built once (st.data() with a strategy built per example took 70 s for 40)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.deferred(_program))
def test_random_programs_in_a_function(src):
    same(_in_defun(src))


def test_lambda_assigning_self_keeps_the_closure():
    for src in ["(setq f (λ (x) (setq self 3) self)) (println (f 1))",
                "(setq f (λ (x) (let ((self 3)) self))) (println (f 1))"]:
        same(src)


# ----------------------------------------------------------------------------- a grammar of
# what the generator compiles natively: arithmetic on every kind of operand (64-bit edges
# included), variables bound on some paths only, loops with break, frames read by λs

_VALUES = ["0", "1", "-3", "7", "2.5", "-0.5", "9223372036854775807", "-9223372036854775808",
           "4611686018427387904", '"3"', '"ab"', "nil", "true", "'(1 2)", "(integers 1 2)"]
_VARS = ["a", "b", "c", "x", "y"]


def _expr():
    leaf = st.one_of(st.sampled_from(_VALUES), st.sampled_from(_VARS))
    return st.recursive(leaf, lambda e: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "%", "<", ">", "<=", ">=", "=", "eq", "and", "or",
                                   "select"]), e, e).map(lambda t: "(%s %s %s)" % t),
        st.tuples(e, e, e).map(lambda t: "(if %s %s %s)" % t),
        st.tuples(st.sampled_from(["x", "y"]), e).map(lambda t: "(setqv %s %s)" % t),
        st.tuples(e, e).map(lambda t: "(block %s %s)" % t),
        e.map(lambda x: "(car (map (λ (z) (+ z %s)) '(1 2)))" % x),
    ), max_leaves=6)


def _statement():
    e = _expr()
    return st.one_of(
        st.tuples(st.sampled_from(["x", "y", "a"]), e).map(lambda t: "(setq %s %s)" % t),
        st.tuples(e, e).map(lambda t: "(if %s (setq x %s))" % t),
        e.map(lambda x: "(setq i 0) (while (< i 3) (setq i (+ i 1)) (setq y (+ y %s)))" % x),
        e.map(lambda x: "(loopcount 3 k (setq x (+ x k)) (if (> x %s) (break)))" % x),
        e.map(lambda x: "(loop v '(1 2 3) (setq y (* y v)) (if (eq v %s) (return v)))" % x),
        st.tuples(st.sampled_from(["+=", "-=", "*="]), e).map(lambda t: "(%s a %s)" % t),
        e.map(lambda x: "(println %s)" % x),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_statement(), min_size=1, max_size=5), _expr(),
       st.lists(st.tuples(st.sampled_from(_VALUES), st.sampled_from(_VALUES), st.sampled_from(_VALUES)),
                min_size=1, max_size=3))
def test_random_native_forms(stmts, result, calls):
    src = "(setq x 100) (setq y 2)\n(defun f (a b c)\n %s\n %s)\n" % ("\n ".join(stmts), result)
    src += "\n".join("(println (catch (f %s %s %s)))" % t for t in calls)
    same(src)
