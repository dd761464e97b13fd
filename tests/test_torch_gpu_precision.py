"""Mixed precision, dtype conversion, matmul precision, seeds and fused optimizers
(lispe_py.torch.precision, lispe_py.torch.training): on the CPU here, on CUDA where there is one."""

import threading

import pytest

torch = pytest.importorskip("torch")

from lispe_py import LispE, LispEError  # noqa: E402

CUDA = torch.cuda.is_available()


def _lisp():
    lisp = LispE()
    lisp.eval("(use 'lispe_torch)")
    return lisp


# --------------------------------------------------------------------------- autocast

def test_autocast_bf16_on_the_cpu_and_off_again():
    lisp = _lisp()
    lisp.eval("(setq lin (torch_linear 8 4)) (setq x (torch_randn (integers 2 8)))")
    assert lisp.eval("(torch_linear_forward lin x)").dtype == torch.float32
    assert lisp.eval('(torch_autocast "bfloat16")') is True
    y = lisp.eval("(torch_linear_forward lin x)")
    assert y.dtype == torch.bfloat16
    # softmax and losses compute in float32 (PyTorch's autocast lists), parameters stay float32
    assert lisp.eval("(torch_cross_entropy (torch_linear_forward lin x) (tensor_create (integers 0 3)))").dtype \
        == torch.float32
    assert lisp.get("lin", raw=True).module.weight.dtype == torch.float32
    # it persists from one evaluation to the next (the interpreter's own thread)
    assert lisp.eval("(torch_linear_forward lin x)").dtype == torch.bfloat16
    assert lisp.eval("(torch_autocast nil)") is True
    assert lisp.eval("(torch_linear_forward lin x)").dtype == torch.float32


def test_autocast_float16_names_and_errors():
    lisp = _lisp()
    lisp.eval('(torch_autocast "half")')
    assert lisp.eval("(torch_matmul (torch_randn (integers 2 2)) (torch_randn (integers 2 2)))").dtype \
        == torch.float16
    lisp.eval('(torch_autocast "bf16")')
    assert lisp.eval("(torch_matmul (torch_randn (integers 2 2)) (torch_randn (integers 2 2)))").dtype \
        == torch.bfloat16
    with pytest.raises(LispEError, match="Unknown autocast dtype: int8"):
        lisp.eval('(torch_autocast "int8")')
    lisp.eval("(torch_autocast nil)")


def test_autocast_is_per_interpreter_and_leaves_the_caller_alone():
    a, b = _lisp(), _lisp()
    a.eval('(torch_autocast "bfloat16")')
    x = "(torch_matmul (torch_ones (integers 2 2)) (torch_ones (integers 2 2)))"
    assert a.eval(x).dtype == torch.bfloat16
    assert b.eval(x).dtype == torch.float32
    assert not torch.is_autocast_enabled("cpu")            # this (the test's) thread
    assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
    a.eval("(torch_autocast nil)")


def test_autocast_training_sees_updated_weights_and_backward_runs_without_it():
    """The cast-weight cache is off: after an optimizer step, the next forward uses the new
    weights (a cache kept for the whole program would reuse stale bf16 copies)."""
    lisp = _lisp()
    torch.manual_seed(0)
    lisp.eval('(setq lin (torch_linear 16 16)) (setq x (torch_randn (integers 4 16)))'
              '(setq opt (torch_optimizer lin 0.1 "sgd")) (torch_autocast "bfloat16")')
    seen = []
    orig = torch.Tensor.backward

    def spy(self, *a, **k):
        seen.append(torch.is_autocast_enabled("cpu"))
        return orig(self, *a, **k)

    torch.Tensor.backward = spy
    try:
        losses = [lisp.eval("(torch_optimizer_zero_grad opt)"
                            "(setq loss (torch_mse_loss (torch_linear_forward lin x) (torch_zeros (integers 4 16))))"
                            "(torch_backward loss) (torch_optimizer_step opt) (at loss 0)")
                  for _ in range(3)]
    finally:
        torch.Tensor.backward = orig
    assert seen == [False, False, False]
    assert losses[0] > losses[1] > losses[2]
    w = lisp.get("lin", raw=True).module.weight
    assert w.grad.dtype == torch.float32
    # autocast is back on after the backward pass
    assert lisp.eval("(torch_linear_forward lin x)").dtype == torch.bfloat16
    lisp.eval("(torch_autocast nil)")


def test_autocast_holds_for_evaluations_from_other_caller_threads():
    """Two evaluations from different Python threads of the caller run on the interpreter's
    one thread: the setting holds for both."""
    lisp = _lisp()
    lisp.eval('(torch_autocast "bfloat16")')
    out = []
    t = threading.Thread(target=lambda: out.append(lisp.eval(
        "(torch_matmul (torch_ones (integers 2 2)) (torch_ones (integers 2 2)))").dtype))
    t.start()
    t.join()
    assert out == [torch.bfloat16]
    lisp.eval("(torch_autocast nil)")


# --------------------------------------------------------------------------- dtypes

def test_to_dtype_tensors_modules_and_lists():
    lisp = _lisp()
    t = lisp.eval('(torch_to_dtype (torch_ones (integers 3)) "bfloat16")')
    assert t.dtype == torch.bfloat16
    assert lisp.eval('(torch_to_dtype (torch_ones (integers 3)) "int64")').dtype == torch.int64
    assert lisp.eval('(torch_to_dtype (torch_ones (integers 3)) "double")').dtype == torch.float64
    lisp.eval('(setq lin (torch_linear 4 2)) (setq blk (torch_transformer_block 8 2 16))')
    assert lisp.eval('(type (torch_to_dtype lin "half"))') == "torch_linear_"
    assert lisp.get("lin", raw=True).module.weight.dtype == torch.float16
    lisp.eval('(torch_to_dtype (list lin blk) "bf16")')
    assert {p.dtype for p in lisp.get("blk", raw=True).module.parameters()} == {torch.bfloat16}
    y = lisp.eval('(torch_transformer_forward blk (torch_to_dtype (torch_randn (integers 3 1 8)) "bf16"))')
    assert y.dtype == torch.bfloat16
    with pytest.raises(LispEError, match="Unknown dtype: float8"):
        lisp.eval('(torch_to_dtype (torch_ones (integers 3)) "float8")')
    with pytest.raises(LispEError, match="floating dtype only"):
        lisp.eval('(torch_to_dtype lin "int32")')
    with pytest.raises(LispEError, match="must be a tensor or a module"):
        lisp.eval('(torch_to_dtype 3 "float32")')


def test_matmul_precision_and_tf32_default():
    lisp = _lisp()
    lisp.eval("(torch_ones (integers 1))")                      # torch loaded by lispe-py
    assert torch.backends.cuda.matmul.allow_tf32 is True       # lispe-py's default (CUDA only)
    try:
        assert lisp.eval('(torch_set_matmul_precision "highest")') is True
        assert torch.get_float32_matmul_precision() == "highest"
        assert not torch.backends.cuda.matmul.allow_tf32
        lisp.eval('(torch_set_matmul_precision "high")')
        assert torch.backends.cuda.matmul.allow_tf32
        with pytest.raises(LispEError, match="Unknown matmul precision: low"):
            lisp.eval('(torch_set_matmul_precision "low")')
    finally:
        # back to the default: exact products on the CPU, TF32 on CUDA
        torch.set_float32_matmul_precision("highest")
        torch.backends.cuda.matmul.allow_tf32 = True
    assert torch.get_float32_matmul_precision() == "high"        # as PyTorch reports it


def test_manual_seed_repeats_random_draws():
    lisp = _lisp()
    a = lisp.eval("(torch_manual_seed 42) (torch_randn (integers 5))")
    b = lisp.eval("(torch_manual_seed 42) (torch_randn (integers 5))")
    c = lisp.eval("(torch_manual_seed 43) (torch_randn (integers 5))")
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert lisp.eval("(torch_manual_seed 7)") is True
    m1 = lisp.eval("(torch_manual_seed 3) (torch_linear 4 4)").module.weight.clone()
    m2 = lisp.eval("(torch_manual_seed 3) (torch_linear 4 4)").module.weight
    assert torch.equal(m1, m2)


# --------------------------------------------------------------------------- fused optimizers

def test_adam_is_not_fused_on_the_cpu():
    lisp = _lisp()
    lisp.eval('(setq lin (torch_linear 4 2)) (setq opt (torch_optimizer lin 0.01 "adamw"))'
              '(torch_backward (torch_mse_loss (torch_linear_forward lin (torch_ones (integers 3 4))) (torch_zeros (integers 3 2))))'
              '(torch_optimizer_step opt)')
    opt = lisp.get("opt", raw=True)
    assert opt.fuse_checked and not opt.optimizer.param_groups[0].get("fused")


def test_fused_decision_waits_for_parameters():
    """An optimizer made without parameters decides at the first step that has some."""
    lisp = _lisp()
    lisp.eval('(setq opt (torch_adam_optimizer 0.01)) (torch_optimizer_step opt)')
    opt = lisp.get("opt", raw=True)
    assert not opt.fuse_checked
    lisp.eval('(setq lin (torch_linear 2 2)) (torch_optimizer_add_params opt lin) (torch_optimizer_step opt)')
    assert opt.fuse_checked


@pytest.mark.skipif(not CUDA, reason="needs CUDA")
def test_adam_and_adamw_are_fused_on_cuda():
    lisp = _lisp()
    for kind in ("adam", "adamw"):
        lisp.eval('(setq lin (torch_linear 4 2)) (setq opt (torch_optimizer lin 0.01 "%s"))'
                  '(torch_to_device lin "cuda")'           # moved after the optimizer was made
                  '(torch_backward (torch_mse_loss (torch_linear_forward lin (torch_to_device (torch_ones (integers 3 4)) "cuda"))'
                  ' (torch_to_device (torch_zeros (integers 3 2)) "cuda")))'
                  '(torch_optimizer_step opt)' % kind)
        assert lisp.get("opt", raw=True).optimizer.param_groups[0]["fused"] is True


@pytest.mark.skipif(not CUDA, reason="needs CUDA")
def test_autocast_on_cuda():
    lisp = _lisp()
    lisp.eval('(setq lin (torch_to_device (torch_linear 8 8) "cuda")) (torch_autocast "bfloat16")')
    y = lisp.eval('(torch_linear_forward lin (torch_to_device (torch_randn (integers 2 8)) "cuda"))')
    assert y.dtype == torch.bfloat16 and y.is_cuda
    lisp.eval("(torch_autocast nil)")
