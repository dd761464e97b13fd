"""Infinite lists (repeat, cycle) composed with take, drop, map, filter, takewhile, dropwhile; over (issue 15).

Each expected value is what the real LispE 1.2025.11.12 prints for the same program
(recorded with ../shared/tools/lispe-real)."""

import pytest

from lispe_py.errors import LispEError

CASES = [
    ('(take 5 (repeat 1))',
     '(1 1 1 1 1)'),
    ("(take 5 (cycle '(1 2)))",
     '(1 2 1 2 1)'),
    ("(take 3 (map '+ (repeat 1)))",
     '(2 2 2)'),
    ("(take 4 (filter (lambda (x) (> x 1)) (cycle '(1 2 3))))",
     '(2 3 2 3)'),
    ("(takewhile '(< 3) (cycle '(1 2 3 4)))",
     '(1 2)'),
    ("(take 5 (repeat '(1 2)))",
     '((1 2) (1 2) (1 2) (1 2) (1 2))'),
    ("(drop 2 (take 5 (cycle '(1 2 3))))",
     '(3 1 2)'),
    ('(take 3 (repeat "ab"))',
     '("ab" "ab" "ab")'),
    ('(setq l (list 1 2 3)) (over (lambda (x) (* x 2)) l) l',
     '(2 4 6)'),
    ('(setq l (list 1 2 3)) (over (lambda (x) (* x 2)) l)',
     '(2 4 6)'),
    ("(setq l (integers 1 2 3)) (over '+ l)",
     '(1 2 3)'),
    ('(setq l (list 1 2 3)) (type (over (lambda (x) (* x 2.5)) l))',
     'list_'),
    ("(take 3 (map '(* 2) (cycle '(1 2))))",
     '(2 4 2)'),
    ('(take 3 (map (lambda (x) (* x 3)) (repeat 2)))',
     '(6 6 6)'),
    ("(take 3 (dropwhile '(< 3) (cycle '(1 2 3 4))))",
     '(4 1 2)'),
    ('(take 0 (repeat 1))',
     '()'),
    ("(take 3 (map '+ (map '+ (repeat 1))))",
     '(4 4 4)'),
    ('(take 3 (take 5 (repeat 1)))',
     '(1 1 1)'),
    ('(take 3 (cycle (list 1 (list 2))))',
     '(1 (2) 1)'),
]

ERRORS = [
    ('(repeat 1)',
     "This instruction must be composed with other instructions such as 'drop' or 'take'"),
    ('(type (repeat 1))',
     "This instruction must be composed with other instructions such as 'drop' or 'take'"),
    ('(over)',
     "Wrong number of arguments for: 'over'"),
    ('(over 1)',
     "Wrong number of arguments for: 'over'"),
]


@pytest.mark.parametrize("src,expected", CASES)
def test_output(lispe, src, expected):
    assert lispe(src) == expected


@pytest.mark.parametrize("src,message", ERRORS)
def test_error(lispe, src, message):
    with pytest.raises(LispEError) as e:
        lispe(src)
    assert message in e.value.text


@pytest.mark.parametrize("src", ['(take 5 (map (lambda (x) (* x 2)) (cycle (integers 1 2))))',
                                 '(take 2 (cycle "ab"))'])
def test_cycle_needs_a_list(lispe, src):
    # the real LispE prints "Error: we can only cycle on list" (without a line)
    with pytest.raises(LispEError, match="we can only cycle on list"):
        lispe(src)
