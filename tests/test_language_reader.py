"""Reader details checked on the real LispE: byte strings, complex literals, dots, colons."""

import pytest

from lispe_py.errors import LispEError


def test_byte_strings(lispe):
    assert lispe('(list (type b"abc") b"abc")') == '(stringbyte_ "abc")'
    with pytest.raises(LispEError, match="Unbound atom: 'b`abc`'"):
        lispe("(type b`abc`)")


def test_quoted_dot(lispe):
    assert lispe("'(a . b)") == "( a  b)"
    assert lispe("(list (size '(a . b)) (type '(a . b)))") == "(4 list_)"
    assert lispe("(list (+ 1 . * 2 3))") == "(7)"


def test_colon_outside_braces(lispe):
    with pytest.raises(LispEError, match="Unbound atom: ':'"):
        lispe("(list 'a:b)")


def test_setq_checks_the_name_first(lispe):
    with pytest.raises(LispEError, match=r"Invalid variable name: 'λ' \(keyword\)"):
        lispe("(setq λx 2)")
    with pytest.raises(LispEError, match="Wrong number of arguments for: 'setq'"):
        lispe("(setq x 1 y 2)")
