"""defpat, defpred, data@ and flip: behaviours checked on the real LispE binary."""

import pytest

from lispe_py.errors import LispEError


def test_defpat_type_and_list_patterns(lispe):
    src = """
(defpat lp (()) 'empty)
(defpat lp ((x $ y)) (list 'head x 'rest y))
(defpat fz ((integer_ x)) (* x 2))
(defpat fz ((string_ x)) (+ x "!"))
(list (lp (list)) (lp (list 1 2 3)) (fz 3) (fz "a"))"""
    assert lispe(src) == '(empty (head 1 rest (2 3)) 6 "a!")'


def test_defpat_guards_fizzbuzz(lispe):
    src = """
(defun checking (x y) (eq 0 (% y x)))
(defpat fizzbuzz ((integer_ (checking 15 x))) 'fizzbuzz)
(defpat fizzbuzz ((integer_ (checking 3 x))) 'fizz)
(defpat fizzbuzz ((integer_ (checking 5 x))) 'buzz)
(defpat fizzbuzz (x) x)
(map 'fizzbuzz (range 1 16 1))"""
    assert lispe(src) == "(1 2 fizz 4 buzz fizz 7 8 fizz buzz 11 fizz 13 14 fizzbuzz)"


def test_defpat_recursion_and_flip(lispe):
    src = """
(defpat tst ((x y $ z)) (println 'list x y z) (tst z))
(defpat tst ((x)) (println 'unique x) (tst ()))
(defpat tst (()) (println 'empty))
(tst '(1 2 3 4 5))
(defpat parcours ((string_ (flip (in 'restaurant s)))) (println 'ok s))
(parcours "un bon restaurant")"""
    assert lispe(src) == ("list 1 2 (3 4 5)\nlist 3 4 (5)\nunique 5\nempty\n"
                          "ok un bon restaurant\n")


def test_defpat_literals_repeated_variables_wildcards(lispe):
    src = """
(defpat f1 (1 x) (list 'one x))
(defpat f1 ("a" x) (list 'a x))
(defpat f1 ((number_ x) y) (list 'num x y))
(defpat f1 (x y) (list 'other x y))
(defpat f2 ((x x)) (list 'same x))
(defpat f2 ((x y)) (list 'diff x y))
(defpat f9 ((_ x _)) x)
(defpat f13 (nil) 'any)
(list (f1 1 2) (f1 "a" 3) (f1 2.5 3) (f1 2 3) (f2 '(1 1)) (f2 '(1 2)) (f9 '(1 2 3)) (f13 12))"""
    assert lispe(src) == "((one 2) (a 3) (num 2.5 3) (other 2 3) (same 1) (diff 1 2) 2 any)"


def test_defpat_guard_variable_is_the_last_atom(lispe):
    # (< p q) binds the argument to q, the last atom, even when q is a global
    src = """
(setq q 4)
(defpat k2 ((integer_ (< p q))) (list 'k2 p))
(defpat k2 (a) (list 'no a))
(defpat j1 (y (integer_ (< y z))) (list y z))
(defpat j1 (a c) 'no)
(list (k2 3) (j1 7 3) (j1 3 7))"""
    assert lispe(src) == "((no 3) no (3 7))"


def test_defpat_no_match_and_printing(lispe):
    with pytest.raises(LispEError, match="Could not find a match for function: 'f5'"):
        lispe("(defpat f5 ((list_ x)) x) (f5 3)")
    assert lispe("(defpat f1 (1 x) (list 'one x)) (defpat f1 (x y) x) (list f1 (type f1))") == \
        "((defpat f1 (1 x) (list 'one x)) list_)"
    with pytest.raises(LispEError, match="Missing argument"):
        lispe("(defpat k5 ((integer_ (< x (+ 1 2)))) x)")


def test_defpat_dictionary_pattern(lispe):
    assert lispe('(defpat f4 ({"a":x}) x) (f4 {"a":12})') == "12"


def test_defpred(lispe):
    src = """
(defpred pr1 ((integer_ x)) (< x 10) (println 'small x))
(defpred pr1 (x) (println 'other x))
(pr1 3) (pr1 30)
(defpred pr3 (x) (+ x 1))
(list (pr3 1) (maybe (pr3 nil) "nomatch"))"""
    out = lispe(src)
    assert out.startswith("small 3\nother 30\n")
    assert out.endswith("(2 nomatch)") or "(2" in out


def test_defpred_all_fail(lispe):
    with pytest.raises(LispEError, match="Could not find a match for function: 'pr2'"):
        lispe("(defpred pr2 ((integer_ x)) (< x 10)) (pr2 30)")


def test_data_structures(lispe):
    src = """
(data@ (Point integer_ integer_) (Circle (Point _ _) nil) (Rectangle (Point _ _) nil nil))
(defpat Surface ((Circle (Point x y) r)) (* 3 r r))
(defpat Surface ((Rectangle _ h w)) (* h w))
(defpat Surface (true) 'wrong)
(setq p (Point 1 2))
(list (Surface (Circle (Point 12 32) 10)) (Surface ((atom "Circle") (Point 20 30) 3))
      (Surface (Rectangle (Point 21 20) 10 20)) (Surface p) p (type p) (size p) (car p) (cdr p))"""
    assert lispe(src) == "(300 27 200 wrong (Point 1 2) data_ 3 Point (1 2))"


def test_data_families_and_errors(lispe):
    src = """
(data@ Shape (Triangle _) (Square _))
(defpat dimension ((Shape x)) (list 'dim x))
(list (dimension (Triangle 10)) (dimension (Square 20)) (type (Triangle 1)))"""
    assert lispe(src) == "((dim 10) (dim 20) data_)"
    with pytest.raises(LispEError, match=r"Mismatch on argument: 1 \(integer_ required\)"):
        lispe("(data@ (Point integer_ integer_)) (Point 1.5 2)")
    with pytest.raises(LispEError, match="Size mismatch between argument list"):
        lispe("(data@ (Pixel _ _)) (Pixel 1)")


def test_defpat_dictionary_patterns(lispe):
    # as the binary: {x:y} is a one-entry dictionary (x its key), $:z the other entries;
    # a literal key must be there, and no other unless $:rest is given
    assert lispe('(defpat p ({x:y}) (list "one" x y)) (defpat p ({x:y $:z}) (list "more" x y z)) (defpat p (w) (list "other" w)) (list (p {"a":1}) (p {"a":1 "b":2}) (p {}) (p 3))') == '(("one" "a" 1) ("more" "a" 1 {"b":2}) ("other" {}) ("other" 3))'
    assert lispe('(defpat q ({"a":y}) (list "qa" y)) (defpat q ({"a":y $:z}) (list "qz" y z)) (defpat q (w) "qother") (list (q {"a":5}) (q {"b":5}) (q {"a":5 "b":6}))') == '(("qa" 5) "qother" ("qz" 5 {"b":6}))'
