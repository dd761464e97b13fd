"""Sandboxed embedding (lispe_py.sandbox): every way out of the interpreter is refused with a
LispEError, and nothing happens outside."""

import os

import pytest

from lispe_py import LispE, LispEError


@pytest.fixture
def boxed(tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    return LispE(sandbox=True, allowed_dir=str(allowed)), allowed


def refused(lisp, src, capability):
    with pytest.raises(LispEError) as e:
        lisp.eval(src)
    assert e.value.message.startswith("sandbox:"), e.value.message
    assert capability in e.value.message
    assert e.value.line is not None          # a position, as every LispE error
    return e.value


ESCAPES = [
    ('(fread "/etc/passwd")', "'read'"),
    ('(json_read "/etc/passwd")', "'read'"),
    ('(realpath "/etc")', "'read'"),
    ('(isdirectory "/etc")', "'read'"),
    ('(eval (list (quote fread) "/etc/passwd"))', "'read'"),        # code built at run time
    ('(eval "(fread \\"/etc/passwd\\")")', "'read'"),               # code read from a string
    ("(apply 'fread '(\"/etc/passwd\"))", "'read'"),                # through apply
    ('(map (lambda (p) (fread p)) \'("/etc/passwd"))', "'read'"),   # inside a lambda
    ('(command "cat /etc/passwd")', "'command'"),
    ('(command "python3 -c \\"import os\\"")', "'command'"),
    ('(getenv "HOME")', "'environment'"),
    ('(setenv "PATH" "/tmp")', "'environment'"),
    ('(load "/etc/passwd")', "'load'"),
    ("(use 'os)", "module 'os'"),
    ("(use 'subprocess)", "module 'subprocess'"),
    ("(use 'lispe_python)", "module 'lispe_python'"),
]


@pytest.mark.parametrize("src,capability", ESCAPES)
def test_escapes_are_refused(boxed, src, capability):
    lisp, _ = boxed
    refused(lisp, src, capability)


def test_nothing_is_written_or_run(boxed, tmp_path):
    lisp, _ = boxed
    target = tmp_path / "written.txt"
    refused(lisp, '(fwrite "%s" "x")' % target, "'write'")
    refused(lisp, '(fappend "%s" "x")' % target, "'write'")
    refused(lisp, '(json_write (dictionary "a" 1) "%s")' % target, "'write'")
    marker = tmp_path / "marker"
    refused(lisp, '(command "touch %s")' % marker, "'command'")
    assert not target.exists() and not marker.exists()
    assert os.environ.get("PATH") != "/tmp"


def test_errors_keep_the_interpreter_usable(boxed):
    lisp, _ = boxed
    lisp.eval("(defun sq (x) (* x x))")
    refused(lisp, '(fread "/etc/passwd")', "'read'")
    assert lisp.eval("(sq 7)") == 49


def test_torch_files_only_under_the_allowed_folder(boxed, tmp_path):
    pytest.importorskip("torch")
    lisp, allowed = boxed
    lisp.eval("(use 'lispe_torch) (setq m (torch_linear 2 2))")
    inside = allowed / "m.pt"
    assert lisp.eval('(torch_save_model m "%s")' % inside) == "Model saved successfully"
    assert lisp.eval('(torch_load_model m "%s")' % inside) == "Model loaded successfully"
    outside = tmp_path / "m.pt"
    for src in ['(torch_save_model m "%s")' % outside,
                '(torch_save_model m "%s/../m.pt")' % allowed,                 # traversal
                '(torch_save_checkpoint m nil 1 "%s")' % outside,
                '(torch_load_model m "/etc/passwd")',
                '(torch_sentencepiece_tokenizer "/etc/passwd")',
                '(torch_hf_tokenizer "/etc")',
                '(torch_jit_load "/etc/passwd")',
                '(torch_hf_load_model "/etc")',
                '(torch_train_sentencepiece "/etc/passwd" "%s" 100 "bpe")' % (allowed / "sp"),
                '(torch_lora_save_adapters (torch_lora_linear 2 2 1 1.0) "%s")' % outside]:
        err = refused(lisp, src, "outside the allowed folder")
        assert str(allowed) in err.message
    assert not outside.exists() and not (tmp_path / "m.pt").exists()


def test_symlink_out_of_the_allowed_folder(boxed, tmp_path):
    pytest.importorskip("torch")
    lisp, allowed = boxed
    (allowed / "link").symlink_to(tmp_path)
    lisp.eval("(use 'lispe_torch)")
    refused(lisp, '(torch_save_model (torch_linear 2 2) "%s/link/m.pt")' % allowed,
            "outside the allowed folder")
    assert not (tmp_path / "m.pt").exists()


def test_torch_files_refused_without_an_allowed_folder():
    pytest.importorskip("torch")
    lisp = LispE(sandbox=True)
    lisp.eval("(use 'lispe_torch)")
    refused(lisp, '(torch_save_model (torch_linear 2 2) "m.pt")', "'torch_io'")


def test_capabilities_can_be_given_back(tmp_path):
    f = tmp_path / "data.txt"
    f.write_text("hello")
    lisp = LispE(sandbox={"read"})
    assert lisp.eval('(fread "%s")' % f) == "hello\n"
    refused(lisp, '(fwrite "%s" "x")' % f, "'write'")
    # `modules` replaces the default list (lispe_blas is allowed, then missing as in LispE)
    only = LispE(sandbox=True, modules=["lispe_tiktoken", "lispe_blas"])
    assert only.eval("(use 'lispe_tiktoken) 1") == 1
    refused(only, "(use 'lispe_torch)", "module 'lispe_torch'")
    with pytest.raises(LispEError, match="LISPEPATH|lispe_blas.so"):
        only.eval("(use 'lispe_blas)")
    with pytest.raises(ValueError, match="unknown capabilities"):
        LispE(sandbox={"network"})


def test_the_sandbox_belongs_to_one_interpreter(tmp_path):
    f = tmp_path / "data.txt"
    f.write_text("hello")
    boxed, free = LispE(sandbox=True), LispE()
    refused(boxed, '(fread "%s")' % f, "'read'")
    assert free.eval('(fread "%s")' % f) == "hello\n"
    pytest.importorskip("torch")
    # the torch guard reads the sandbox of the evaluation running on its thread
    free.eval("(use 'lispe_torch)")
    assert free.eval('(torch_save_model (torch_linear 2 2) "%s")' % (tmp_path / "f.pt"))
