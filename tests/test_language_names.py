"""Variable names: which builtin and special-form names a program may use as variables.

tests/data/variable_names.json holds what the real LispE answered for every name lispe-py
knows as a builtin or special form and every name of its ``(atoms)`` (tools/variable_names.py
ran the probes): for each context (setq, setq in a defun, setg, defun parameter, lambda
parameter, let, loop variable) ``accepted`` (the program printed 3), ``refused``
(``Invalid variable name``) or ``other`` (the binary did something else: not checked). The
torch names were probed with the torch library loaded, for setq only. lispe-py must accept
exactly the names the binary accepts and refuse the ones it refuses."""

import io
import json
import os

import pytest

from lispe_py.errors import LispEError
from lispe_py.interpreter import Interpreter
from lispe_py.reserved import RESERVED_NAMES

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "variable_names.json")

with open(DATA, encoding="utf-8") as _f:
    RECORDED = json.load(_f)
NAMES = RECORDED["names"]
CONTEXTS = RECORDED["contexts"]

# Where the binary's answer is a quirk lispe-py does not reproduce: true and nil are
# constants here, so they cannot be parameters or let/loop variables (the binary lets
# ((λ (true) true) 3) give 3, but (setq true 3) is refused); a lone "." (lispe-py's reader
# takes it as a dotted tail: an error all the same).
QUIRKS = {("true", c) for c in ("param", "lambda_param", "let", "loop")} | \
         {("nil", c) for c in ("param", "lambda_param", "let")} | \
         {(".", c) for c in ("setq", "setq_defun", "setg")}     # lispe-py reads (setq . 3) as (setq (3))


def run(src):
    out = io.StringIO()
    interp = Interpreter(stdout=out, stderr=io.StringIO())
    try:
        interp.eval_source(src, "<names>")
    except LispEError as e:
        return "error: " + e.message
    return out.getvalue()


def verdicts():
    for name in sorted(NAMES):
        for context, verdict in sorted(NAMES[name].items()):
            if verdict in ("accepted", "refused") and (name, context) not in QUIRKS:
                yield name, context, verdict


def test_recorded_counts():
    setq = [r["setq"] for r in NAMES.values()]
    assert setq.count("accepted") >= 500 and setq.count("refused") >= 350
    for n in ("padding", "fill", "round", "left", "json", "cos", "sin", "trim", "tensor_relu"):
        assert NAMES[n]["setq"] == "accepted", n
    for n in ("car", "if", "setq", "size", "map", "+", "this", "true", "nil"):
        assert NAMES[n]["setq"] == "refused", n


def test_reserved_module_matches_the_recording():
    refused = {n for n, r in NAMES.items() if r["setq"] != "accepted"}
    assert RESERVED_NAMES == refused


def test_every_name_as_the_real_binary():
    wrong = []
    for name, context, verdict in verdicts():
        got = run(CONTEXTS[context].format(n=name))
        if verdict == "accepted":
            ok = got.split("\n", 1)[0] == "3"
        else:
            ok = got.startswith("error: Invalid variable name")
        if not ok:
            wrong.append("%s in %s: real %s, lispe-py %r" % (name, context, verdict, got[:80]))
    assert not wrong, "\n".join(wrong[:40]) + "\n(%d in all)" % len(wrong)


@pytest.mark.parametrize("src, expected", [
    # a call of a library name is the library function, even where a variable has that name
    ("(setq round 3) (list (round 7.6) round)", "(8 3)"),
    ("(setq round (λ (x) 0)) (round 7.6)", "8"),
    ("(defun h2 (round) (round 1.5)) (h2 (λ (x) 0))", "2"),
    ("(defun h3 (round) round) (h3 5)", "5"),
    # and a bare library name given to a higher-order function is the library function
    ("(setq round 3) (map round (list 1.5 2.5))", "(2 3)"),
    ("(defun h (round) (map round (list 1.5))) (h (λ (x) 0))", "(2)"),
    ("(setq cos 3) (list cos (cos 0))", "(3 1)"),
    ("(setq cos 3) (setq r (map 'cos (list 0 0))) (list r cos)", "((1 1) 3)"),
    ("(defun g (x) (setq sin 2) (list sin (sin 0))) (g 1)", "(2 0)"),
    # v01/v02 of the objects corpus, and names inside methods
    ("(setq padding 3) (setq fill 4) (setq left 6) (setq json 7) (+ padding fill left json)", "20"),
    ("(defun pad (l n) (setq padding (- n (size l))) (setq size_ padding) (list padding size_))"
     "(pad (list 1 2) 5)", "(3 3)"),
    ("(class@ Pad (padding) (defun grow () (+= padding 1) (setq fill 2) (list padding fill)))"
     "(setq p (Pad 4)) (list (p (grow)) p)", '((5 2) (Pad "padding":5))'),
    ("(loop round (list 1 2) round)", "2"),
    ("(let ((cos 2) (trim 3)) (+ cos trim))", "5"),
])
def test_library_names_as_variables(lispe, src, expected):
    assert lispe(src) == expected
