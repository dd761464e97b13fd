"""The sets: set_ (set), set_s_ (sets), set_i_ (seti), set_n_ (setn), as the real LispE
1.2025.11.12 (../shared/tools/lispe-real) has them: each case is a program and what the binary
printed (output, then the final value or the error message). ``test_records_match_the_binary``
re-runs the binary, when present."""

import os

import pytest

from test_language_runtime_values import REAL, _real, run

CASES = [
    ('(set "a")',
     '{a}\n'),
    ('(type (set "a"))',
     'set_\n'),
    ('(set 3 1 2 "z" "a" 1.5)',
     '{1.5 a z 1 2 3}\n'),
    ('(set 1 1.0 "1")',
     '{1}\n'),
    ('(set (list 1 2) (list 1 2))',
     '{(1 2)}\n'),
    ("(set '(1 2) '(3 4))",
     '{(3 4) (1 2)}\n'),
    ('(set 10 2 33 4 5 6 7 8 9)',
     '{9 7 6 5 8 4 33 2 10}\n'),
    ('(list (set "a" "b"))',
     '({b a})\n'),
    ('(set {"a":1})',
     '{{"a":1}}\n'),
    ('(set (set 1 2))',
     '{{2 1}}\n'),
    ('(set (integers 1 2))',
     '{(1 2)}\n'),
    ('(setq x (set 3 1 2 "z")) (list (in x 3) (in x "3") (in x "y") (size x))',
     '(true true nil 4)\n'),
    ('(setq s (set)) (insert s 3) (insert s "a") s',
     '{a 3}\n'),
    ('(string (set 1 "a"))',
     '{a 1}\n'),
    ('(to_list (set 3 1 2))',
     '(1 2 3)\n'),
    ('(json (set 1 "a"))',
     '["a",1]\n'),
    ('(loop e (set 3 1 2) (print e " "))',
     '1 2 3 \n'),
    ('(map (λ(x) (* x 2)) (set 3 1 2))',
     '(2 4 6)\n'),
    ('(list (size (set)) (nullp (set)))',
     '(0 nil)\n'),
    ('(setq s (set 1 2 3)) (pop s 2) s',
     '{3 1}\n'),
    ('(list (at (set 3 1 2) 1) (at (set 3 1 2) -1) (at (set 5 6) 0) (at (set 5) 7))',
     '(2 nil 6 nil)\n'),
    ('(setq s (set 1 2 3 4 5 6 7 8 9 10 11 12 13 14)) (pop s 5) (insert s 5) s',
     '{5 14 1 2 3 8 4 6 11 7 9 13 10 12}\n'),
    ('(set "b" (quote a) 1.5 (integers 1))',
     '{1.5 a (1) b}\n'),
    ('(list (sets (list "a" "b")) (seti (list 1 2)) (setn (list 1 2)))',
     '({"a" "b"} {1 2} {1 2})\n'),
    ('(list (at (sets "b" "a") 0) (at (seti 3 1) 1) (at (seti 3 1) 5))',
     '("a" 3 nil)\n'),
    ('(json (sets "a" "b"))',
     '["a","b"]\n'),
    ('(json (seti 1 2))',
     '[1,2]\n'),
    ('(sort \'< (set "b" "a"))',
     "Error: the second argument should be a list for 'sort'\n"),
    ('(sort \'< "abc")',
     "Error: the second argument should be a list for 'sort'\n"),
    ("(sort '< nil)",
     "Error: the second argument should be a list for 'sort'\n"),
]


@pytest.mark.parametrize("src,expected", CASES, ids=[c[0][:50] for c in CASES])
def test_as_the_binary(src, expected):
    assert run(src) == expected


@pytest.mark.skipif(not os.path.exists(REAL), reason="real LispE binary not present")
def test_records_match_the_binary():
    wrong = [(src, expected, _real(src)) for src, expected in CASES if _real(src) != expected]
    assert not wrong, wrong
