"""The embedding API: LispE().eval/call/define/register, LispEError fields, isolation."""

import pytest

from lispe_py import LispE, LispEError


def test_eval_returns_python_values():
    lisp = LispE()
    assert lisp.eval("(+ 1 2)") == 3
    assert lisp.eval("(/ 1 4)") == 0.25
    assert lisp.eval('(list 1 2.5 "a" nil true)') == [1, 2.5, "a", None, True]
    assert lisp.eval('{"b":1 "a":(integers 1 2)}') == {"a": [1, 2], "b": 1}
    assert lisp.eval("'abc") == "abc"


def test_define_call_and_get():
    lisp = LispE()
    lisp.define("xs", [1, 2, 3])
    assert lisp.eval("(sum xs)") == 6
    assert lisp.eval("(type xs)") == "integers_"
    lisp.eval("(defun sq (x) (* x x))")
    assert lisp.call("sq", 12) == 144
    assert lisp.call("+", 1, 2) == 3
    lisp.eval("(setq name \"lispe\")")
    assert lisp.get("name") == "lispe"


def test_register_python_function():
    lisp = LispE()
    lisp.register("pyjoin", lambda *parts: "-".join(map(str, parts)))
    lisp.register("add2", lambda a, b: a + b, arity=2)
    assert lisp.eval('(pyjoin "a" 1 2)') == "a-1-2"
    assert lisp.eval("(map (λ (x) (add2 x 10)) (list 1 2))") == [11, 12]
    with pytest.raises(LispEError, match="Wrong number of arguments"):
        lisp.eval("(add2 1)")


def test_errors_carry_position():
    lisp = LispE()
    with pytest.raises(LispEError) as info:
        lisp.eval("(setq a 1)\n  (car a)")
    e = info.value
    assert e.message == "You cannot apply 'car' to: '1'"
    assert (e.line, e.column) == (2, 3)
    assert e.file == "<eval>"


def test_execute_file(tmp_path):
    p = tmp_path / "f.lsp"
    p.write_text("(setq v (list 1 2))\n(push v 3)\n")
    lisp = LispE()
    assert lisp.execute_file(str(p)) == [1, 2, 3]
    assert lisp.get("v") == [1, 2, 3]


def test_instances_share_nothing():
    a, b = LispE(), LispE()
    a.eval("(defun only_in_a () 1) (setq shared 5)")
    with pytest.raises(LispEError, match="Unbound atom"):
        b.eval("shared")
    with pytest.raises(LispEError, match="Unbound atom"):
        b.eval("(only_in_a)")


def test_timeout_stops_runaway_code():
    lisp = LispE()
    with pytest.raises(LispEError, match="timeout"):
        lisp.eval("(while true (setq x 1))", timeout=0.3)
    assert lisp.eval("(+ 1 1)") == 2


def test_output_streams_can_be_captured():
    import io
    out = io.StringIO()
    lisp = LispE(stdout=out)
    lisp.eval('(println "hello" 1)')
    assert out.getvalue() == "hello 1\n"
