"""defprol and cut_ (issue 15): LispE's Prolog-like clauses.

Every expected value is what the real LispE 1.2025.11.12 prints for the same program
(recorded with ../shared/tools/lispe-real; errors: the message before ", line: N in:
file")."""

import pytest

from lispe_py.errors import LispEError

CASES = [
    ('(defprol f (x) (* x 2)) (println (f 3))',
     '(6)'),
    ('(defprol g (1) "one") (defprol g (x) (* x 2)) (println (g 1) (g 5))',
     '("one" 2) (10)'),
    ('(defprol h (1) "one" cut_) (defprol h (x) (* x 2)) (println (h 1) (h 5))',
     '(cut_) (10)'),
    ('(defprol k (x) (< x 3) "small") (defprol k (x) (>= x 3) "big") (defprol k (x) "any") (println (k 1) (k 5))',
     '("small" "any") ("big" "any")'),
    ('(defprol k2 (x) (car x)) (defprol k2 (x) (* x 2)) (println (k2 1) (k2 (list 4)))',
     '(2) (4 (8))'),
    ('(defprol k3 ((a b)) (+ a b)) (defprol k3 ((a b c)) (* a b c)) (defprol k3 (x) x) (println (k3 (list 1 2)) (k3 (list 1 2 3)) (k3 7))',
     '(3 (1 2)) (6 (1 2 3)) (7)'),
    ('(defprol k4 (x y) (+ x y)) (println (k4 1))',
     '()'),
    ('(defprol k5 ("a" x) x) (defprol k5 (x "b") (+ x "!")) (println (k5 "a" "b") (k5 "c" "b"))',
     '("b" "a!") ("c!")'),
    ('(defprol k6 (x) (println "side" x) x) (defprol k6 (x) cut_ 9) (defprol k6 (x) 10) (println (k6 2))',
     'side 2\n(2 9)'),
    ('(defprol k7 ((integer_ x)) (* 2 x)) (defprol k7 ((string_ x)) (+ x x)) (println (k7 2) (k7 "a"))',
     '(4) ("aa")'),
    ('(defprol k8 (x) x) (println k8 (type k8))',
     '(defprol k8 (x) x) list_'),
    ('(println (defprol k9 (x) x))',
     ''),
    ('(defprol k10 ([a $ b]) b) (println (k10 (list 1 2 3)))',
     '((2 3))'),
    ('(defprol k11 (x) (break) 1) (println (k11 1))',
     '()'),
    ('(defprol k12 (x) (return 5) 1) (defprol k12 (x) 2) (println (k12 1))',
     '()'),
    ('(defprol k13 (x) nil) (defprol k13 (x) 0) (defprol k13 (x) "") (defprol k13 (x) ()) (println (k13 1))',
     '()'),
    ('(defprol m1 (x) "gen") (defprol m1 (1) "one") (defprol m1 (2) "two") (defprol m1 (y) "gen2") (println (m1 1) (m1 2) (m1 3) (m1 "a"))',
     '("one" "gen" "gen2") ("two" "gen" "gen2") ("gen" "gen2") ("gen" "gen2")'),
    ('(defprol m2 ("a") "sa") (defprol m2 (x) "gen") (defprol m2 ((integer_ x)) "int") (defprol m2 (1) "one") (println (m2 1) (m2 "a"))',
     '("int" "one" "gen") ("sa" "gen")'),
    ('(defprol m3 ((a b)) "l2") (defprol m3 ((integers_ x)) "ints") (defprol m3 (x) "gen") (println (m3 (list 1 2)) (m3 (integers 1 2)))',
     '("l2" "gen") ("l2" "gen")'),
    ('(defprol m4 (x x) "same") (defprol m4 (x y) "diff") (println (m4 1 1) (m4 1 2))',
     '("same" "diff") ("diff")'),
    ('(defprol m5 (x) (setq z (* x 2)) z) (println (m5 3))',
     '(6)'),
    ('(defprol n1 (1) "one") (defprol n1 ((integers_ y)) "ints") (println (n1 (integers 1 2)) (n1 1))',
     '("ints") ("one")'),
    ('(defprol n2 ((integers_ y)) "ints") (defprol n2 (1) "one") (println (n2 (integers 1 2)) (n2 1))',
     '("ints") ("one")'),
    ('(defprol n3 ((integers_ y)) "ints") (defprol n3 (1) "one") (defprol n3 ((a b)) "l2") (println (n3 (integers 1 2)) (n3 1) (n3 (list 1 2)))',
     '("l2") ("one") ("l2")'),
    ('(defprol n4 ((a b)) "l2") (println (n4 (list 1 2)) (n4 5))',
     '("l2") ()'),
    ('(defprol n5 (x) "g") (defprol n5 ("a") "sa") (println (n5 (list "a" 2)) (n5 (list)))',
     '("g") ("g")'),
    ('(defprol n6 ((a b)) "l2") (defprol n6 ("a") "sa") (println (n6 (list "a" 2)))',
     '("l2")'),
    ('(defprol n7 () 1) (println (n7))',
     '(1)'),
    ('(defprol n8 (x) x) (defprol n8 ((((a)))) a) (println (n8 (list (list (list 1)))))',
     '((((1))) 1)'),
    ('(defprol o1 (x) (car 5)) (println (o1 1))',
     '()'),
    ('(defprol o2 (x) x) (println (map (lambda (u) (o2 u)) (list 1 2)))',
     '((1) (2))'),
    ('(defprol o3 (x) x) (println (o3 1 2))',
     '()'),
    ('(defprol o4 (x) (o5 x)) (defprol o5 (y) (* y 10)) (println (o4 2))',
     '((20))'),
    ('(println (o6 3)) (defprol o6 (x) x)',
     '(3)'),
    ('(println cut_ (type cut_))',
     'cut_ atom_'),
    ('(defprol o7 (x) (println x) cut_) (println (o7 1))',
     '1\n(cut_)'),
    ('(setq gg 5) (defprol o8 (x) (+ x gg)) (println (o8 1))',
     '(6)'),
    ('(defprol o9 ((short_ x)) 1) (println (o9 1))',
     'nil'),
    ('(defprol o10 (x) 1) (println (o10 (shorts 1)) (o10 (float 2)) (o10 (@ (shorts 3) 0)))',
     '(1) (1) (1)'),
    ('(defprol o11 ({"a":b}) b) (defprol o11 (x) "gen") (println (o11 {"a":1}) (o11 {1:2}))',
     '(1 "gen") ("gen")'),
    ('(defprol fact (0) 1 cut_) (defprol fact (n) (* n (car (fact (- n 1))))) (println (fact 5))',
     '(120)'),
    ('(defprol parent ("tom" "bob") true)\n(defprol parent ("bob" "ann") true)\n(defprol parent ("bob" "joe") true)\n(println (parent "tom" "bob") (parent "bob" "tom"))\n(defprol children (p) (filter (λ (c) (car (parent p c))) (list "bob" "ann" "joe")))\n(println (children "bob"))\n(defprol classify ((integer_ x)) (if (even x) "even" nil)) \n(defprol classify ((integer_ x)) (> x 10) "big")\n(defprol classify (x) "thing")\n(println (classify 4) (classify 13) (classify "s"))\n(defprol lens ([]) 0 cut_)\n(defprol lens ([a $ b]) (+ 1 (car (lens b))))\n(println (lens (list 1 2 3)))\n(defprol mx (x y) (> x y) x cut_)\n(defprol mx (x y) y)\n(println (mx 3 2) (mx 2 3))\n(defprol deep ((a (b c))) (list a b c))\n(defprol deep (x) x)\n(println (deep (list 1 (list 2 3))) (deep 5))\n(defprol w (x) (while nil 1) x)\n(println (w 7))\n(defprol ev (x) (eval (list \'+ x 1)))\n(println (ev 4))\n(println (map (λ(v) (car (mx v 5))) (iota 8)))',
     '(true) ()\n(("ann" "joe"))\n("thing") ("big" "thing") ("thing")\n()\n(cut_) (3)\n((1 2 3) (1 (2 3))) (5)\n()\n(5)\n(5 5 5 5 5 cut_ cut_ cut_)'),
]

ERRORS = [
    ('(defprol f x x)',
     'List of missing parameters in a function declaration'),
    ('(defprol f (x))',
     'wrong number of arguments'),
]


@pytest.mark.parametrize("src,expected", CASES)
def test_output(lispe, src, expected):
    assert lispe(src).rstrip("\n") == expected


@pytest.mark.parametrize("src,message", ERRORS)
def test_error(lispe, src, message):
    with pytest.raises(LispEError) as e:
        lispe(src)
    assert e.value.message == message


def test_clause_order_follows_the_first_argument_type(lispe):
    # clauses filed under the argument's type first, then the generic ones
    src = '(defprol f (x) "gen") (defprol f (1) "one") (f 1)'
    assert lispe(src) == '("one" "gen")'
