"""Help: (help 'name) for builtins, aliases, special forms, user functions and library names;
the signature after an arity error; the texts the REPL and the kernel show."""

import io

import pytest

from conftest import run_cli


@pytest.fixture
def helped():
    """``helped(src)``: what the program prints (help writes on stdout)."""
    from lispe_py.interpreter import Interpreter

    def run(src):
        out = io.StringIO()
        Interpreter(stdout=out, stderr=io.StringIO()).eval_source(src, "<test>")
        return out.getvalue()
    return run


def test_torch_builtin_with_alias(helped):
    text = helped("(help 'torch_rand)")
    assert text.splitlines()[0] == "(torch_rand shape)"
    assert "uniformly from [0, 1)" in text
    assert "torch builtin (lispe_py.torch.tensors)" in text and "also: tensor_rand" in text


def test_signature_with_optional_arguments(helped):
    text = helped("(help 'torch_flash_attention_create)")
    assert text.startswith("(torch_flash_attention_create embed_dim num_heads [dropout 0.0] [bias true])\n")


def test_bare_builtin_name_and_string(helped):
    assert helped("(help car)") == helped("(help 'car)") == helped('(help "car")')
    assert helped("(help car)").startswith("(car l)\n")


def test_special_form(helped):
    text = helped("(help 'defun)")
    assert text.startswith("(defun name (params) body...)\n")
    assert "[special form]" in text
    assert helped("(help 'elapse)").startswith("(elapse e...)")     # its docstring


def test_user_function_docstring(helped):
    text = helped('(defun sq (x) "the square of x" (* x x)) (help \'sq)')
    assert text == "(sq x)\n    the square of x\n    [function (defun)]\n"
    assert helped("(defun f (a (b 2)) (+ a b)) (help f)").startswith("(f a (b 2))\n")


def test_lambda_variable_class_and_macro(helped):
    assert helped("(setq add (lambda (a b) (+ a b))) (help 'add)").startswith("(add a b)\n")
    assert "(Point x y)" in helped("(class@ Point (x y) (defun norm () (+ x y))) (help 'Point)")
    assert "methods: norm" in helped("(class@ Point (x y) (defun norm () (+ x y))) (help 'Point)")
    assert helped("(defmacro twice (x) (* 2 x)) (help 'twice)").startswith("(twice x)")
    assert "a variable (integer_) = 42" in helped("(setq answer 42) (help 'answer)")


def test_unknown_name_suggests(helped):
    text = helped("(help 'torch_rnd)")
    assert "no builtin, special form or function is called 'torch_rnd'" in text
    assert "torch_rand" in text


def test_library_name_before_use(helped):
    text = helped("(help 'tiktoken_encode)")
    assert text.startswith("(tiktoken_encode ")
    assert "(use 'lispe_tiktoken)" in text
    from lispe_py.builtins.registry import BUILTINS
    # help read the documentation without loading the library
    import sys
    if "lispe_py.builtins.tiktoken_lib" not in sys.modules:
        assert dict.get(BUILTINS, "tiktoken_encode") is None


def test_help_returns_nothing_to_echo():
    from lispe_py.interpreter import Interpreter
    from lispe_py.values import EMPTY
    assert Interpreter(stdout=io.StringIO()).eval_source("(help 'car)") is EMPTY


def test_every_builtin_has_a_signature():
    from lispe_py.builtins.registry import BUILTINS
    from lispe_py.evaluator import SPECIAL_FORMS
    from lispe_py.help import signature
    missing = [n for n in list(BUILTINS) + list(SPECIAL_FORMS) if not signature(n)]
    assert missing == []
    for n in SPECIAL_FORMS:
        assert signature(n).startswith("(")


def test_arity_errors_add_the_signature():
    r = run_cli(["-e", "(torch_flash_attention_create 256)"])
    lines = r.stderr.splitlines()
    assert r.returncode == 1
    assert lines[0] == "<expr>:1:1: Error: Wrong parameter description"      # LispE's text
    assert lines[1] == ("    usage: (torch_flash_attention_create embed_dim num_heads "
                        "[dropout 0.0] [bias true])")
    r = run_cli(["-e", "(cons 1)"])
    assert r.stderr.splitlines()[:2] == ["<expr>:1:1: Error: Wrong number of arguments for: 'cons'",
                                         "    usage: (cons x l)"]
    r = run_cli(["-e", "(if)"])
    assert "    usage: (if condition then [else])" in r.stderr.splitlines()


def test_session_doc_and_completion_signature():
    from lispe_py.repl import Session
    out = io.StringIO()
    s = Session(out=out)
    s.evaluate(":doc torch_rand")
    s.evaluate("(defun sq (x) (* x x))")
    assert out.getvalue().startswith("(torch_rand shape)\n")
    assert s.signature("sq") == "(sq x)"
    assert s.signature("torch_randn").startswith("(torch_randn ")
    assert "sq" in s.names()
    s.evaluate(":help")
    assert ":doc name" in out.getvalue()
