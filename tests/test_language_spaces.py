"""defspace / space: name spaces of functions."""


def test_space_functions(lispe):
    assert lispe("(defspace sp (defun f (x) (* x 2))) (list (space sp (f 3)))") == "(6)"
    # a name not defined globally is reachable from outside
    assert lispe("(defspace sp (defun f (x) (* x 2))) (f 3)") == "6"


def test_space_shadows_global_function(lispe):
    src = "(defun f (x) (+ x 1)) (defspace sp (defun f (x) (* x 2))) (list (f 3) (space sp (f 3)))"
    assert lispe(src) == "(4 6)"


def test_space_variables_are_the_callers(lispe):
    src = "(defspace sp (defun f (x) (* x 2))) (setq z (space sp (setq w 3) w)) (list z w)"
    assert lispe(src) == "(3 3)"
