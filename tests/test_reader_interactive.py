"""Reading interactive input (REPL, notebook cells): "..." strings across lines, positions kept;
files keep LispE's reading. Positions of unclosed brackets."""

import pytest

from lispe_py.errors import LispEError
from lispe_py.reader import join_string_lines, read
from lispe_py.values import Atom


def test_string_across_lines_in_the_repl():
    forms, poss = read('(setq s "abc\ndef") (car\n  "x" zz)', "<repl>")
    assert forms[0] == [Atom("setq"), Atom("s"), "abc\ndef"]
    assert poss == [(1, 1), (2, 7)]
    assert forms[1].poss == [(2, 8), (3, 3), (3, 7)]          # zz: line 3, column 7


def test_positions_after_several_strings():
    src = '(list "a\nb\nc" q\n  "d\ne" r)'
    forms, _ = read(src, "<cell 4>")
    assert forms[0][1:] == ["a\nb\nc", Atom("q"), "d\ne", Atom("r")]
    assert forms[0].poss == [(1, 2), (1, 7), (3, 4), (4, 3), (5, 4)]


def test_escapes_and_backslash_newline():
    forms, _ = read('(list "t\\"ab\nx" "y\\\nz")', "<repl>")
    assert forms[0][1:] == ['t"ab\nx', "y\nz"]


def test_files_keep_lispe_reading():
    forms, _ = read('(setq s "abc\ndef")', "prog.lsp")
    assert forms[0] == [Atom("setq"), Atom("s"), Atom('"'), Atom("abc"), Atom("def"), Atom('"')]


def test_join_leaves_other_text_alone():
    for src in ['(a "b") ; "c\n"', '(a `b\nc`)', '(a """b\n"c""")', ";; a \"\n b ;; (x)"]:
        assert join_string_lines(src) == (src, None)


def test_error_positions_are_mapped_back():
    with pytest.raises(LispEError) as e:
        read('(list "a\nb" ))', "<repl>")
    assert (e.value.line, e.value.column) == (2, 5)


def test_unclosed_bracket_is_reported_where_it_opens():
    with pytest.raises(LispEError) as e:
        read("(defun f (x)\n  (if (> x 0)\n    (+ x 1)\n\n(println 2)\n", "f.lsp")
    err = e.value
    assert err.message == "parentheses do not balance"
    assert (err.line, err.column) == (2, 3)
    assert err.notes == ["the '(' at 2:3 is never closed (2 brackets are still open at the end, "
                         "the first at 1:1)"]
