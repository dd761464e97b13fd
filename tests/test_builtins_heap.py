"""heap (an AVL tree ordered by a comparator), two-argument insert on heaps, sets and lists, pop/popfirst/poplast/in/car/at/size on heaps (issue 15).

Each expected value is what the real LispE 1.2025.11.12 prints for the same program
(recorded with ../shared/tools/lispe-real)."""

import pytest

from lispe_py.errors import LispEError

CASES = [
    ("(setq h (heap '>=< 5 3 8 1)) (list h (type h))",
     '((1 3 5 8) heap_)'),
    ("(setq h (heap '>=< 5 3 8 1)) (insert h 4) (list h (car h) (size h))",
     '((1 3 4 5 8) 1 5)'),
    ("(heap '>=< '(1 2) '(0 3))",
     '((1 2) (0 3))'),
    ('(setq h2 (heap (lambda (a b) (>=< b a)))) (insert h2 3) (insert h2 10) (insert h2 1) (println h2) (println (pop h2)) h2',
     '(10 3 1)\n(10 3)\n(10 3)'),
    ("(heap '>=<)",
     '()'),
    ('(loop x (heap \'>=< 5 3 8 1 4) (print x " "))',
     '1 3 4 5 8 '),
    ("(setq h (heap '>=< 5 3 8 1 4)) (list (@ h 0) (@ h -1))",
     '(5 8)'),
    ("(setq h (heap '>=< 5 3 8 1 4)) (maplist (lambda (i) (@ h i)) (iota0 5))",
     '(5 3 1 4 8)'),
    ("(setq h (heap '>=< 1 2 3 4 5 6 7)) (maplist (lambda (i) (@ h i)) (iota0 7))",
     '(4 2 1 3 6 5 7)'),
    ("(setq h (heap '>=< 7 6 5 4 3 2 1 1)) (list (@ h 2) h (@ h -1))",
     '((1 1) (1 1 2 3 4 5 6 7) 7)'),
    ("(setq h (heap '>=< 7 6 5 4 3 2 1 1)) (println (pop h 4)) (println (pop h 1)) (println (pop h 9)) (println (popfirst h)) (poplast h)",
     '(1 1 2 3)\n(1 2 3)\nnil\n(2 3)\n(2)'),
    ("(setq h (heap '>=< 2 1 1 1)) (println h) (println (popfirst h) (poplast h) (poplast h) (poplast h) (poplast h))",
     '(1 1 1 2)\n(1 1 2) (1 1) (1) () nil\n'),
    ("(setq h (heap '>=< 5 3 8 1 4 9 10)) (println (pop h 5)) (@ h 2)",
     '(1 3 4)\n4'),
    ("(setq h (heap '>=< 5 3 8 1 4)) (println (popfirst h) h) (println (poplast h) h)",
     '(3 4 5 8) (3 4 5 8)\n(3 4 5) (3 4 5)\n'),
    ("(heap '>=< 3 3 3)",
     '(3 3 3)'),
    ('(heap \'>=< 1 "a" 2.5)',
     '(1 a 2.5)'),
    ("(setq h (heap '>=< 1 2 3)) (list (in h 3) (in h 8))",
     '(true nil)'),
    ("(insert '(1 2) 3)",
     '(1 2 3)'),
    ('(insert (sets "a") 3)',
     '{"3" "a"}'),
    ('(insert (seti 1) "3")',
     '{1 3}'),
    ("(insert (heap '>=< 1) 3 4)",
     '(1 3)'),
    ("(last (heap '>=< 1 2))",
     ''),
    ("(find (heap '>=< 1 2) 2)",
     ''),
    ("(size (heap '>=< 1 1 2))",
     '2'),
    ('(heap)',
     '()'),
    ("(heap '< 3 1 2)",
     '(1 2 3)'),
    ("(heap '> 3 1 2)",
     '(1 2 3)'),
    ("(heap '< 3 1 5 2)",
     '(1 2 3 5)'),
    ('(heap (lambda (a b) (< a b)) 3 1 5 2)',
     '(3 5 1 2)'),
    ('(heap (lambda (a b) 2) 3 1 5 2)',
     '(3 1 5 2)'),
    ('(heap (lambda (a b) -3) 3 1 5 2)',
     '(2 5 1 3)'),
    ('(heap (lambda (a b) 0.5) 3 1 5 2)',
     '(3 1 5 2)'),
    ('(heap (lambda (a b) (>=< b a)) 3 10 1)',
     '(10 3 1)'),
    ("(map (lambda (x) (* 2 x)) (heap '>=< 1 2 3))",
     '(2 4 6)'),
    ('(setq h (heap (quote >=<) 20 19 18 17 16 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1)) (list h (maplist (lambda (i) (@ h i)) (iota0 7)))',
     '((1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20) (13 5 3 2 1 4 9))'),
    ("(setq h (heap '>=<)) (loop i (range 1 30 3) (insert h (% (* i 7) 11))) (list h (maplist (lambda (i) (@ h i)) (iota0 7)))",
     '((0 1 2 3 4 5 6 7 9 10) (4 2 1 0 3 6 5))'),
    ("(setq h (heap '>=< 5 3 8 1 4 9 10 2 6 7)) (pop h 3) (pop h 8) (list h (maplist (lambda (i) (@ h i)) (iota0 5)))",
     '((1 2 5 6 7 9 10) (5 1 2 9 7))'),
]

ERRORS = [
    ("(@ (heap '>=<) 0)",
     'index out of bounds'),
    ("(@ (heap '>=< 1) 5)",
     'index out of bounds'),
    ("(cdr (heap '>=< 1 2 3))",
     "You cannot apply 'cdr' to: '(1 2 3)'"),
]


@pytest.mark.parametrize("src,expected", CASES)
def test_output(lispe, src, expected):
    assert lispe(src) == expected


@pytest.mark.parametrize("src,message", ERRORS)
def test_error(lispe, src, message):
    with pytest.raises(LispEError) as e:
        lispe(src)
    assert message in e.value.text
