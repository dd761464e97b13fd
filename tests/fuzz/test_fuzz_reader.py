"""Crash-free reader and evaluator: random text, token soups and deep nesting give a value
or a LispEError with a position, never a Python exception of another kind."""

import os
import sys

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lispe_py import LispE, LispEError

TOKENS = ["(", ")", "[", "]", "{", "}", "'", '"', "`", ";", ";;", ".", ":", "λ", "1", "-2",
          "3.5", "2e-4", "0x1F", "0b11", "abc", "+", "-", "*", "/", "setq", "defun", "if",
          "loop", "x", "nil", "true", '"s"', "\n", " ", "@", "key@", "list", "car", "cdr",
          "99999999999999999999999", "1e400", "\\", "#", "$", "λx"]

SETTINGS = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def outcome(source):
    lisp = LispE(stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    try:
        lisp.eval(source, timeout=30)
        return "value"
    except LispEError as e:
        assert e.message, "an error without a message"
        return "error"


@SETTINGS
@given(st.text(max_size=60))
def test_random_text(src):
    outcome(src)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_token_soup(src):
    outcome(src)


@SETTINGS
@given(st.binary(max_size=60))
def test_invalid_utf8_through_the_cli(tmp_path_factory, data):
    import subprocess
    path = tmp_path_factory.mktemp("bytes") / "prog.lsp"
    path.write_bytes(data)
    # only a few through the CLI (a process each); the reader itself sees them all
    text = data.decode("utf-8", "replace")
    outcome(text)
    if len(data) % 10 == 0:
        r = subprocess.run([sys.executable, "-m", "lispe_py", str(path)], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode in (0, 1)
        assert "Traceback" not in r.stderr


@pytest.mark.parametrize("depth", [1000, 100_000])
@pytest.mark.parametrize("shape", ["calls", "quoted", "unclosed"])
def test_deep_nesting(depth, shape):
    src = {"calls": "(list " * depth + "1" + ")" * depth,
           "quoted": "'" + "(" * depth + ")" * depth,
           "unclosed": "(" * depth}[shape]
    assert outcome(src) in ("value", "error")


def test_deep_nesting_through_the_cli(tmp_path):
    import subprocess
    depth = 100_000
    path = tmp_path / "deep.lsp"
    path.write_text("(println 1)\n" + "(list " * depth + "1" + ")" * depth + "\n")
    r = subprocess.run([sys.executable, "-m", "lispe_py", str(path)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "deep.lsp:2:1: Stack overflow" in r.stderr


def test_absurd_allocations_are_clear_errors():
    lisp = LispE()
    for src in ["(iota 1e12)", "(iota 1000000000000)", "(range 0 1000000000000 1)"]:
        try:
            lisp.eval(src, timeout=20)
            raise AssertionError("no error for " + src)
        except LispEError as e:
            assert "too large" in e.message or "memory" in e.message
