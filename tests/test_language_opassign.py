"""+= and the other op-assignments on lists and dictionary entries, chrbyte on lists,
memory_size: programs run on the real LispE (shared/tools/lispe-real, 1.2025.11.12), each
expected text being what it printed (an error: its message without the ", line: N in: FILE"
suffix; the final value line left out).

A list changed by += is changed in place (every variable, parameter or field holding it sees
the change, nested lists included); a missing dictionary key counts as 0."""

import io

import pytest

from lispe_py.errors import LispEError
from lispe_py.interpreter import Interpreter


def run_program(src):
    """stdout of a program; an uncaught error adds its LispE text as the last line."""
    out = io.StringIO()
    interp = Interpreter(stdout=out, stderr=io.StringIO())
    try:
        interp.eval_source(src, "<test>")
    except LispEError as e:
        out.write(e.text + "\n")
    return out.getvalue()


REAL_CASES = {
    'chrbyte_lists': (
        '(println (chrbyte 65) (type (chrbyte 65)))\n'
        '(println (chrbyte (integers 65 66 67)) (type (chrbyte (integers 65 66 67))))\n'
        '(println (chrbyte (list 65 66 67)) (chrbyte (floats 65 66)) (chrbyte (list 65.7 66)))\n'
        '(println (chrbyte (integers 228 184 173)) (size (chrbyte (integers 228 184 173))))\n'
        '(println (chrbyte (integers 195 169 65)) (size (chrbyte (integers 195 169 65))))\n'
        '(println (+ "x" (chrbyte (integers 65 66))) (chrbyte "65") (size (chrbyte ())))\n'
        '(println (size (chrbyte (integers 0 65))) (size (chrbyte (list 65 "a" 67))))\n'
        '(println (chrbyte (integers 65 66 67) 5))\n',
        # real LispE:
        'A stringbyte_\n'
        'ABC stringbyte_\n'
        'ABC AB AB\n'
        '中 1\n'
        'éA 2\n'
        'xAB A 0\n'
        '2 3\n'
        'ABC\n'),
    'chrbyte_negative': (
        '(println (chrbyte -1))\n',
        # real LispE:
        'Error: cannot convert this value to a stringbyte\n'),
    'chrbyte_out_of_range': (
        '(println (chrbyte (integers 65 66)))\n'
        '(println (chrbyte (integers 256 65)))\n',
        # real LispE:
        'AB\n'
        'Error: cannot convert this value to a stringbyte\n'),
    'field_list_of_instance': (
        '(class@ B (l) (defun addd (x) (+= l x) l))\n'
        '(setq src (integers 1 2))\n'
        '(setq bb (B src))\n'
        '(bb (addd 10))\n'
        '(println bb src)\n',
        # real LispE:
        '(B "l":(11 12)) (11 12)\n'),
    'list_index_past_the_end': (
        '(setq l (list 1 2))\n'
        '(+= (@ l 5) 1)\n'
        '(+= (@ l 9) 4)\n'
        '(*= (@ l 7) 3)\n'
        '(+= (@ l -1) 1)\n'
        '(println l)\n'
        '(setq m (list (list 1 2)))\n'
        '(+= (@ m 0 5) 1)\n'
        '(println m)\n'
        '(+= (@ l -9) 1)\n',
        # real LispE:
        '(1 2 1 4 1)\n'
        '((1 2 1))\n'
        'Error: index out of bounds\n'),
    'list_element_out_of_range': (
        '(setq l (list 1 2))\n'
        '(+= (@ l 1) 5)\n'
        '(println l)\n'
        '(+= (@ l 5) 1)\n'
        '(println l)\n',
        # real LispE:
        '(1 7)\n'
        '(1 7 1)\n'),
    'list_in_dictionary_value': (
        '(setq d (dictionary))\n'
        '(set@ d "v" (integers 1 2))\n'
        '(setq v (@ d "v"))\n'
        '(+= (@ d "v") 1)\n'
        '(println v)\n',
        # real LispE:
        '(2 3)\n'),
    'list_plus_list': (
        '(setq b (list 1 2))\n'
        '(+= b (list 10 20 30))\n'
        '(println b)\n'
        '(setq t (list 1 2))\n'
        '(+= t (list 5))\n'
        '(println t)\n',
        # real LispE:
        '(11 22)\n'
        '(6 2)\n'),
    'list_shared_by_two_variables': (
        '(setq y (list 1 2))\n'
        '(setq z y)\n'
        '(+= y 10)\n'
        '(println y z)\n',
        # real LispE:
        '(11 12) (11 12)\n'),
    'list_through_parameter': (
        '(defun f (l) (-= l 1))\n'
        '(setq x (integers 1 2))\n'
        '(f x)\n'
        '(println x)\n',
        # real LispE:
        '(0 1)\n'),
    'memory_sizes': (
        '(println (memory_size) (type (memory_size)) (memory_full_size) (type (memory_full_size)))\n'
        '(setq l (range 0 100000 1))\n'
        '(println (memory_size 1) (memory_full_size))\n'
        '(println memory_size)\n'
        '(println memory_full_size)\n',
        # real LispE:
        '0 number_ 0 number_\n'
        '0 0\n'
        '(deflib memory_size () Memory used)\n'
        '(deflib memory_full_size () Full Memory Usage)\n'),
    'missing_integer_key': (
        '(setq di (dictionaryi))\n'
        '(+= (@ di 3) 5)\n'
        '(println di)\n',
        # real LispE:
        '{3:5}\n'),
    'missing_key_counts_as_zero': (
        '(setq d (dictionary))\n'
        '(+= (@ d "k") 5)\n'
        '(+= (@ d "k") 2)\n'
        '(-= (@ d "a") 5)\n'
        '(*= (@ d "b") 5)\n'
        '(+= (@ d "e") 2.5)\n'
        '(println (@ d "k") (@ d "a") (@ d "b") (@ d "e") (size d))\n',
        # real LispE:
        '7 -5 0 2 4\n'),
    'missing_key_string_value': (
        '(setq d (dictionary))\n'
        '(+= (@ d "c") "x")\n'
        '(println d)\n',
        # real LispE:
        "Error: cannot use this element in an arithmetic expression: 'x'\n"),
    'nested_lists_in_place': (
        '(setq a (list 1 2))\n'
        '(setq ll (list a 3))\n'
        '(+= ll 1)\n'
        '(println a ll)\n',
        # real LispE:
        '(2 3) ((2 3) 4)\n'),
    'plus_is_not_in_place': (
        '(setq z (list 1 2))\n'
        '(setq z2 z)\n'
        '(setq z (+ z 1))\n'
        '(println z2 z)\n',
        # real LispE:
        '(1 2) (2 3)\n'),
    'strings_list': (
        '(setq s (strings "a" "b"))\n'
        '(+= s "c")\n'
        '(println s)\n',
        # real LispE:
        '("ac" "bc")\n'),
    'times_equal_through_parameter': (
        '(setq f (floats 1 2))\n'
        '(defun g (l) (*= l 2))\n'
        '(g f)\n'
        '(println f)\n',
        # real LispE:
        '(2 4)\n'),
    'typed_lists_keep_their_type': (
        '(setq x (integers 1 2))\n'
        '(+= x 0.5)\n'
        '(println x (type x))\n'
        '(setq k (floats 1 2))\n'
        '(setq k2 k)\n'
        '(+= k (integers 1 1))\n'
        '(println k2 (type k2))\n',
        # real LispE:
        '(1 2) integers_\n'
        '(2 3) floats_\n'),
    'value_of_pluseq_on_a_list': (
        '(setq x (integers 1 2))\n'
        '(println (+= x 1))\n'
        '(println x)\n',
        # real LispE:
        '(2 3)\n'
        '(2 3)\n'),
}


@pytest.mark.parametrize("name", sorted(REAL_CASES))
def test_as_real_lispe(name):
    src, expected = REAL_CASES[name]
    assert run_program(src) == expected
