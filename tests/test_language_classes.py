"""class@ / defclass: fields, defaults, methods, setqi, from@, the call forms of spec §8."""

import pytest

from lispe_py.errors import LispEError

ANIMALS = """
(class@ Animal (name (sound "...")) (defun speak () (+ name " says " sound))
        (defun rename (n) (setqi name n) name))
(class@ Dog (breed) (from@ Animal) (defun info () (+ name ":" breed)))
(setq d (Dog "rex" "wouf" "lab"))
"""


def test_class_fields_methods(lispe):
    src = ("(class@ Pt (x (y 5)) (defun norm () (+ x y)) (defun setx (v) (setqi x v) x))"
           "(setq p (Pt 1)) (list (p (norm)) (p (setx 10)) (p (norm)) (@ p 'x) (p Pt (norm)))")
    assert lispe(src) == "(6 10 15 10 15)"


def test_class_printing_and_type(lispe):
    src = ("(class@ Pt (x (y 5)) (defun norm () (+ x y))) (setq p (Pt 1 2))"
           "(list p (type p))")
    assert lispe(src) == '((Pt "x":1 "y":2) Pt)'


def test_inheritance_field_order_and_calls(lispe):
    src = ANIMALS + "(list d (d (speak)) (d (info)) (d Dog (info)) (@ d 'breed))"
    assert lispe(src) == ('((Dog "breed":"rex" "name":"wouf" "sound":"lab") "wouf says lab" '
                          '"wouf:rex" "wouf:rex" "rex")')


def test_setqi_set_at_and_local_setq(lispe):
    src = ANIMALS + "(d (rename \"max\")) (set@ d 'breed \"poodle\") (d (info))"
    assert lispe(src) == "max:poodle"
    src = "(class@ A (a) (defun f () (setq a 5) a)) (setq o (A 2)) (list (o (f)) (@ o 'a))"
    assert lispe(src) == "(5 2)"


def test_constructor_argument_is_a_method_call(lispe):
    src = ("(class@ Tok (path init) (defun configure () (+ path \"!\")))"
           "(setq t (Tok \"p\" (configure))) (@ t 'init)")
    assert lispe(src) == "p!"


def test_defclass_and_immediate_call(lispe):
    assert lispe("(defclass A (a) (defun f () (* a 2))) ((A 4) (f))") == "8"


def test_missing_constructor_argument(lispe):
    with pytest.raises(LispEError, match="argument list mismatch with the parameter list"):
        lispe("(class@ A (a) (defun f () a)) (A)")
