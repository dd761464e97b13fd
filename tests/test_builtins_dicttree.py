"""dictionarytree, dictionarytreei, dictionarytreen: dictionaries sorted by key (issue 15).

Each expected value is what the real LispE 1.2025.11.12 prints for the same program
(recorded with ../shared/tools/lispe-real)."""

import pytest

from lispe_py.errors import LispEError

CASES = [
    ('(dictionarytree)',
     '{}'),
    ('(setq d (dictionarytree "b" 2 "a" 1 "c" 3)) (list d (type d))',
     '({"a":1 "b":2 "c":3} dictionarytree_)'),
    ('(setq d (dictionarytreei 3 "x" 1 "y" 20 "z")) (list d (type d))',
     '({1:"y" 3:"x" 20:"z"} dictionarytree_i_)'),
    ('(setq d (dictionarytreen 3.5 "x" 1 "y")) (list d (type d))',
     '({1:"y" 3.5:"x"} dictionarytree_n_)'),
    ('(setq d (dictionarytree)) (set@ d "z" 1) (set@ d "a" 2) (list d (keys@ d) (values@ d) (@ d "a"))',
     '({"a":2 "z":1} ("a" "z") (2 1) 2)'),
    ('(setq d (dictionarytree "z" 1 "a" 2)) (loop k d (print k " "))',
     'a z '),
    ('(setq d (dictionarytreei 30 1 2 2 100 3 -5 4)) (list d (keys@ d) (values@ d))',
     '({-5:4 2:2 30:1 100:3} (-5 2 30 100) (4 2 1 3))'),
    ('(setq d (dictionarytreei 30 1 2 2)) (key@ d 2)',
     '2'),
    ('(setq d (dictionarytreei 30 1 2 2)) (keyi@ d 2)',
     '2'),
    ('(setq d (dictionarytree "b" 1 "a" 2)) (list (pop d "a") d)',
     '({"b":1} {"b":1})'),
    ('(size (dictionarytree "b" 2 "a" 1))',
     '2'),
    ('(setq d (dictionarytree "b" 2 "a" 1)) (list (in d "a") (in d "z"))',
     '(nil nil)'),
    ('(dictionarytree "b" \'(1 2) "a" "x")',
     '{"a":"x" "b":(1 2)}'),
    ('(for x (dictionarytreei 30 1 2 2 100 3) x)',
     '(2 30 100)'),
    ('(json (dictionarytree "b" 2 "a" 1))',
     '{"a":1,"b":2}'),
]

ERRORS = [
    ('(dictionarytree "a")',
     "wrong arguments for 'tree'"),
    ('(dictionarytreei 1)',
     "wrong arguments for 'treei'"),
]


@pytest.mark.parametrize("src,expected", CASES)
def test_output(lispe, src, expected):
    assert lispe(src) == expected


@pytest.mark.parametrize("src,message", ERRORS)
def test_error(lispe, src, message):
    with pytest.raises(LispEError) as e:
        lispe(src)
    assert message in e.value.text
