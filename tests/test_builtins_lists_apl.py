"""Builtins real LispE programs (naver/lispe examples) use, as the real LispE 1.2025.11.12
(../shared/tools/lispe-real) has them: rotate and ⌽ with a count, swap of neighbours,
transpose, the infix form •. Each case: a program, then what the binary printed (output, final value or error
message); ``test_records_match_the_binary`` re-runs the binary when present."""

import os

import pytest

from test_language_runtime_values import REAL, _real, run

CASES = [
    # enum: a lazy walk over the live container
    ("(enum '(a b))",
     '((0 a) (1 b))\n'),
    ("(type (enum '(a b)))",
     'enum\n'),
    ('(setq l (list 1 2 3)) (loop c (enum l) (set@ l 2 9) (print c)) l',
     '(0 1)(1 2)(2 9)(1 2 9)\n'),
    ('(setq l (list 1 2)) (loop c (enum l) (push l 7) (print c)) l',
     '(0 1)(1 2)(1 2 7 7)\n'),
    ("(car (enum '(a b)))",
     "Error: You cannot apply 'car' to: '((0 a) (1 b))'\n"),
    ('(list (size (enum \'(a b c))) (enum "ab") (enum \'(a b) 1))',
     '(3 ((0 "a") (1 "b")) ((1 a) (2 b)))\n'),
    ('(setq l (list 3 1 2)) (loop c (enum (reverse l)) (print c)) l',
     '(0 2)(1 1)(2 3)(2 1 3)\n'),
    # errors: a library function held in a variable, called with too few arguments
    ("(setq a 'log) (map a '(1 2 3))",
     'Unknown function call\n'),
    ("(setq a '+) (map a '(1 2 3))",
     'Error: Not a function or a data structure\n'),
    ("(defun g () (setq a 'cos) (map a '(0))) (g)",
     'Unknown function call\n'),
    ('(maplist \'tokenize \'("a b"))',
     'Error: Wrong parameter description\n'),
    ("(map 'gcd '(1 2))",
     'Error: Wrong parameter description\n'),
    ("(maplist 'cons '(1 2))",
     'Error: wrong number of arguments\n'),
    # take and takewhile on an infinite irange; the difference of two chrono stamps
    ('(take 3 (irange 1 1))',
     '(1 2 3)\n'),
    ("(takewhile '(< 10) (irange 1 1))",
     '(1 2 3 4 5 6 7 8 9)\n'),
    ('(take 2 (irange 0 10 3))',
     '(0 3)\n'),
    ('(setq c (chrono)) (type (- (chrono) c))',
     'number_\n'),
    ('(setq c (chrono)) (+ c 1)',
     "Error: cannot evaluate '+' with these operands\n"),
    # a quoted (lambda ...) where a function goes is that λ
    ("(map '(lambda (x) (* x 3)) '(3 4 5))",
     '(9 12 15)\n'),
    ("(map '(λ (x) (* x 3)) '(3 4 5))",
     '(9 12 15)\n'),
    ("(filter '(lambda (x) (> x 3)) '(3 4 5))",
     '(4 5)\n'),
    ("(zipwith '(lambda (x y) (+ x y)) '(3 4) '(1 2))",
     '(4 6)\n'),
    ("(apply '(lambda (x y) (+ x y)) '(1 2))",
     '3\n'),
    ("(setq k 10) (map '(lambda (x) (+ x k)) '(1 2))",
     '(11 12)\n'),
    ("(map '(foo 1) '(3 4 5))",
     'Error: missing operator\n'),
    # the infix form: a run of one operator is one call, + - and or xor take all before them
    ('(• 2 ^^ 3 * 2)',
     '64\n'),
    ('(• 10 - 2 - 3)',
     '5\n'),
    ('(• 1 + 2 - 3 * 4 / 2)',
     '-3\n'),
    ('(• 2 * 3 ^^ 2)',
     '18\n'),
    ('(• (+ 1 2) * 2)',
     '6\n'),
    ('(• 1 +)',
     'Error: Infix expression is malformed\n'),
    ('(• 2 + 3 < 4 * 2)',
     "Error: cannot evaluate '*' with these operands\n"),
    ('(• 10 - 2 + 3)',
     '11\n'),
    ('(• 1 + 2 * 3 * 4)',
     '25\n'),
    ('(• 1 2)',
     'Error: Infix expression is malformed\n'),
    ('(setq x 3) (• x * x + 1)',
     '10\n'),
    ('(• 1 < 2 and 3 < 4)',
     'true\n'),
    ('(• (1 + 2) * (3 + 4))',
     '21\n'),
    ('(• 2 * (+ 1 (3 * 4)))',
     '26\n'),
    ("(swap '(1 2 3 4) 1)",
     '(1 3 2 4)\n'),
    ("(swap '(1 2 3 4) 3)",
     'Error: cannot swap values in this list\n'),
    ("(swap '(1 2) 0 5)",
     'Error: cannot swap values in this list\n'),
    ("(rotate '(1 2 3 4))",
     '(2 3 4 1)\n'),
    ("(rotate '(1 2 3 4) -1)",
     '(4 1 2 3)\n'),
    ("(rotate '(1 2 3 4) 5)",
     '(2 3 4 1)\n'),
    ('(rotate "abcd" 1)',
     'bcda\n'),
    ('(⌽ "abc")',
     'cab\n'),
    ('(type (rotate (integers 1 2 3) 2))',
     'integers_\n'),
    ("(⌽ '(1 2 3) 1)",
     '(2 3 1)\n'),
    ("(⌽ '((1 2 3) (4 5 6)) 1)",
     '((4 5 6) (1 2 3))\n'),
    ('(list (rotate 5 1) (⌽ 5))',
     '(-5 5)\n'),
    ('(setq l (list 1 2 3)) (rotate l 1) l',
     '(1 2 3)\n'),
    ("(transpose '((1 2 3) (4 5 6)))",
     '((1 4) (2 5) (3 6))\n'),
    ("(transpose '((1.5 2) (3 4)))",
     '((1.5 3) (2 4))\n'),
    ("(transpose '(1 2))",
     '(1 2)\n'),
    ('(transpose (maplist (λ (x) (split x "")) (list "ab" "cd")))',
     '(("a" "c") ("b" "d"))\n'),
]


@pytest.mark.parametrize("src,expected", CASES, ids=[c[0][:50] for c in CASES])
def test_as_the_binary(src, expected):
    assert run(src) == expected


@pytest.mark.skipif(not os.path.exists(REAL), reason="real LispE binary not present")
def test_records_match_the_binary():
    wrong = [(src, expected, _real(src)) for src, expected in CASES if _real(src) != expected]
    assert not wrong, wrong
