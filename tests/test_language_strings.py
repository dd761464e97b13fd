"""sprintf, json, json_parse, prettify, ngrams, editdistance, replace..."""

import pytest

from lispe_py.errors import LispEError


def test_sprintf_value_first(lispe):
    assert lispe('(list (sprintf 3.14159 "%.2f") (stringf 42 "%05d") (stringf 3.14159 "%.3f"))') == \
        '("3.14" "00042" "3.142")'
    with pytest.raises(LispEError, match="wrong format"):
        lispe('(sprintf "%.2f" 3.14159)')


def test_json(lispe):
    assert lispe('(list (json (list 1 "a" 2.5)) (json {"a":(list 1 2)}))') == \
        '("[1,\\"a\\",2.5]" "{\\"a\\":[1,2]}")'
    assert lispe("(json (list 1 2.5 'b nil true (list) 1.0 (/ 1 3.0)))") == \
        '[1,2.5,"b",false,true,[],1,0.333333]'
    assert lispe('(json (list "e\\nf" "q\\""))') == '["e\nf","q\\""]'


def test_json_parse(lispe):
    assert lispe('(json_parse "{\\"a\\": [1, 2.5, \\"x\\"], \\"b\\": {\\"c\\": null, \\"d\\": true}}")') == \
        '{"a":(1 2.5 "x") "b":{"c":nil "d":true}}'
    assert lispe('(list (type (@ (json_parse "[1, 2.0]") 1)) (json_parse "[1,]"))') == "(integer_ (1))"
    with pytest.raises(LispEError, match="JSON' structure contains errors line: 0 at position: 5"):
        lispe('(json_parse "[1, 2")')


def test_prettify(lispe):
    assert lispe("(list (prettify (list 1 (list 2 3))))") == '("(1 (2 3))\n")'


def test_ngrams_editdistance_segment(lispe):
    assert lispe('(list (editdistance "kitten" "sitting") (ngrams "abcd" 2) (segment "hello, world 12.5"))') \
        == '(3 ("ab" "bc" "cd") ("hello" "," "world" "12.5"))'


def test_replace_with_index(lispe):
    assert lispe('(list (replace "aXbXc" "X" "-") (replace "aXbXc" "X" "-" 2) (replace "abc" "z" "y" 1))') \
        == '("a-b-c" "XbXc" "zbc")'


def test_text_helpers(lispe):
    assert lispe('(list (deaccentuate "Élève ç") (emojip "😀") (emojip "a") (stringbyte 12))') == \
        '("Eleve c" true nil "12")'
