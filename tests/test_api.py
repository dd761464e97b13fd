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


def test_torch_thread_state_carries_from_one_eval_to_the_next():
    # torch keeps grad mode per thread: every eval of an interpreter runs on its own
    # long-lived thread, so a mode set in one eval holds in the next (as in one program)
    import torch
    lisp, other = LispE(), LispE()
    for interp in (lisp, other):       # runs on the evaluation thread, where the mode lives
        interp.register("grad_on", lambda: torch.is_grad_enabled(), arity=0)
    lisp.eval("(use 'lispe_torch) (torch_set_grad_enabled nil)")
    assert lisp.eval("(grad_on)") in (None, False)
    assert other.eval("(grad_on)") is True
    lisp.eval("(torch_set_grad_enabled true)")
    assert lisp.eval("(grad_on)") is True


def test_a_timeout_does_not_reach_the_next_eval():
    import time
    lisp = LispE()
    for _ in range(3):
        try:
            lisp.eval("(while true 1)", timeout=0.2)
            raise AssertionError("no timeout")
        except LispEError as e:
            assert "timeout" in e.message
        # the next evaluation on the same thread runs to its end
        t0 = time.monotonic()
        assert lisp.eval("(setq s 0) (loopcount 20000 i (+= s i)) s") == 199990000
        assert time.monotonic() - t0 < 30


def test_the_evaluation_thread_ends_with_its_interpreter():
    import gc
    import threading
    before = sum(1 for t in threading.enumerate() if t.name == "lispe-eval")
    for _ in range(5):
        LispE().eval("(+ 1 2)")
    gc.collect()
    import time
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and \
            sum(1 for t in threading.enumerate() if t.name == "lispe-eval") > before:
        time.sleep(0.05)
    assert sum(1 for t in threading.enumerate() if t.name == "lispe-eval") <= before
