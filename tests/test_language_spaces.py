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


def test_load_into_a_space(tmp_path):
    """(load file name): the file's functions in that space (the binary prints 820 for
    naver/lispe's examples/spacenames/space_calling.lisp); an unknown space is unbound."""
    import io
    from lispe_py.errors import LispEError
    from lispe_py.interpreter import Interpreter
    called = tmp_path / "called.lsp"
    called.write_text("(defun calculus(x y) (+ x (* x y)))\n")
    interp = Interpreter(stdout=io.StringIO(), stderr=io.StringIO())
    src = '(load "%s" truc)\n(space truc (calculus 20 40))' % called
    assert interp.eval_source(src, "prog.lsp") == 820
    try:
        interp.eval_source("(space nope (+ 1 2))", "prog.lsp")
    except LispEError as e:
        assert e.message == "Unbound atom: 'nope'"
    else:
        raise AssertionError("no error")
