"""Compound assignments, bitwise operators, 64-bit integers, the maths library."""

import pytest

from lispe_py.errors import LispEError


def test_compound_assignment(lispe):
    assert lispe("(setq x 5) (list (+= x 2) (-= x 1) (*= x 2) (/= x 4) (%= x 2))") == "(7 6 12 3 1)"
    assert lispe("(setq x 5) (list (^^= x 2) (<<= x 1) (>>= x 2) (&= x 7) (|= x 8) (^= x 1) (&~= x 2))") \
        == "(25 50 12 4 12 13 13)"
    assert lispe("(setq l (list 1 2 3)) (+= (@ l 1) 10) l") == "(1 12 3)"
    assert lispe("(setq x 5) (/= x 2) (list x (type x))") == "(2.5 number_)"


def test_bitwise(lispe):
    assert lispe("(list (& 12 10) (| 12 10) (^ 12 10) (~ 12) (<< 1 4) (>> 16 2))") == "(8 14 6 -13 16 4)"
    # a float first operand works on the bits of the double
    assert lispe("(list (& 12.5 10) (| 1.5 2) (^ 2.5 1) (<< 1.5 2) (~ 2.5))") == \
        "(0 1.5 2.5 -8.98847e+307 -1.75)"


def test_wrap_around(lispe):
    assert lispe("(list (* 4611686018427387904 4) (! 20) (- -9223372036854775807 2))") == \
        "(0 2432902008176640000 9223372036854775807)"
    assert lispe("(list 0xFFFFFFFFFFFFFFFF 99999999999999999999)") == "(-1 7766279631452241919)"


def test_strings_in_arithmetic(lispe):
    assert lispe('(* 3 "ab")') == "0"
    with pytest.raises(LispEError, match="cannot use this element in an arithmetic expression: 'a'"):
        lispe('(+ 1 "a")')


def test_maths_library(lispe):
    src = ("(list (sqrt 16) (type (sqrt 16)) (√ 16) (floor 2.7) (floor -2.5) (round 2.5) (round -2.5)"
           " (trunc -2.7) (rint 2.5) (fabs -3) (type (fabs -3)))")
    assert lispe(src) == "(4 number_ 4 2 -3 3 -3 -2 2 3 number_)"
    src = ("(list (log 10) (exp 1) (log2 8) (cbrt 27) (tgamma 5) (gcd 12 18) (hcf 12 18)"
           " (radian 180) (degree _pi) (atan 1) (round 3.14159 2))")
    assert lispe(src) == "(2.30259 2.71828 3 3 24 6 6 3.14159 180 0.785398 3)"
    assert lispe("(list (∛ 27) (iabs -3) (iabs -3.5) (signp -2) (signp 0) (signp 3.5) (sign 2))") == \
        "(3 3 3 -1 0 1 -2)"


def test_cosine_is_a_library_function(lispe):
    assert lispe("(cosine (floats 1 2) (floats 2 3))") == "0.992278"
    assert lispe("(list cosine)") == \
        "((deflib cosine (val valb) Returns the cosine similarity between two vectors))"
    with pytest.raises(LispEError, match="expected 'floats' or 'numbers'"):
        lispe("(cosine (list 1 2) (list 2 3))")


def test_complex(lispe):
    assert lispe("(list 12.3,2i (type 12.3,2i) (complex 1 2) (real 1.5,2i) (imaginary 1.5,2i))") == \
        "(12.3,2i complex_ 1,2i 1.5 2)"
