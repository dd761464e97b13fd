"""Optimizers, losses, autograd, schedulers, train/eval and the progress bar
(lispe_py.torch.training, lispe_py.torch.progress)."""

import io

import pytest

torch = pytest.importorskip("torch")

import lispe_py.torch  # noqa: E402,F401
from lispe_py.errors import LispEError  # noqa: E402
from lispe_py.torch._lazy import ensure  # noqa: E402
from lispe_py.values import TRUE, Dictionary, List, to_string, type_name  # noqa: E402

from conftest import call_builtin as call  # noqa: E402

ensure()


def dictionary(**kw):
    d = Dictionary()
    for k, v in kw.items():
        d[k] = v
    return d


def test_optimizer_types_and_errors():
    m = call("torch_model", 2, 3, 1)
    for kind, cls in (("adam", torch.optim.Adam), ("sgd", torch.optim.SGD),
                      ("adamw", torch.optim.AdamW)):
        opt = call("torch_optimizer", m, 0.01, kind)
        assert to_string(opt) == "PyTorch Optimizer"
        assert type_name(opt) == "torch_optimizer_"
        assert isinstance(opt.optimizer, cls)
    with pytest.raises(LispEError, match="Unsupported optimizer type"):
        call("torch_optimizer", m, 0.01, "rmsprop")
    with pytest.raises(LispEError, match="First argument must be a model"):
        call("torch_optimizer", "model", 0.01, "adam")


def test_mlp_training_reduces_loss():
    torch.manual_seed(0)
    m = call("torch_model", 4, 16, 2)
    opt = call("torch_optimizer", m, 0.01, "adam")
    x = torch.tensor([1.0, 2, 3, 4])
    y = torch.tensor([0.5, 1.5])
    first = call("torch_mse_loss", call("torch_forward", m, x), y).item()
    for _ in range(100):
        loss = call("torch_mse_loss", call("torch_forward", m, x), y)
        assert call("torch_optimizer_zero_grad", opt) is TRUE
        assert call("torch_backward", loss) is TRUE
        assert call("torch_optimizer_step", opt) is TRUE
    assert loss.item() < first / 10


def test_optimizer_over_list_of_modules_and_tensors():
    emb = call("torch_embedding", 5, 4)
    lin = call("torch_linear", 4, 5)
    bias = torch.zeros(5)                         # a plain tensor: switched to requires_grad
    opt = call("torch_optimizer", List([emb, lin, bias]), 0.1, "sgd")
    assert bias.requires_grad
    before = lin.module.weight.detach().clone()
    ids = torch.tensor([0, 1, 2])
    logits = call("torch_linear_forward", lin, call("torch_embedding_forward", emb, ids)) + bias
    loss = call("torch_crossentropy_loss", logits, torch.tensor([1, 2, 3]))
    call("torch_backward", loss)
    call("torch_optimizer_step", opt)
    assert not torch.equal(before, lin.module.weight)
    assert bias.abs().sum() > 0


def test_flash_attention_module_is_trainable():
    att = call("torch_flash_attention_create", 8, 2, 0.0, TRUE)
    opt = call("torch_optimizer", att, 0.01, "adam")
    x = torch.randn(1, 4, 8)
    loss = call("torch_mse_loss", call("torch_flash_attention_forward", att, x, x, x),
                torch.zeros(1, 4, 8))
    call("torch_backward", loss)
    assert call("torch_clip_grad_norm", opt, 1.0) > 0
    call("torch_optimizer_step", opt)


def test_param_free_optimizers_and_add_params():
    for name in ("torch_adam_optimizer", "torch_adamw_optimizer", "torch_sgd_optimizer"):
        opt = call(name, 0.1)
        assert call("torch_optimizer_step", opt) is TRUE
        assert call("torch_clip_grad_norm", opt, 1.0) == 0.0
    w = torch.tensor([1.0, 2.0])
    opt = call("torch_optimizer_add_params", List([w]), 0.01, 0.0)
    assert isinstance(opt.optimizer, torch.optim.AdamW)
    # the manual's form adds parameters to an existing optimizer
    empty = call("torch_adam_optimizer", 0.1)
    lin = call("torch_linear", 2, 2)
    assert call("torch_optimizer_add_params", empty, lin) is empty
    assert len(empty.params()) == 2
    with pytest.raises(LispEError, match="params must be a list of tensors"):
        call("torch_optimizer_add_params", 1, 0.1, 0.0)
    with pytest.raises(LispEError, match="All elements in params must be tensors"):
        call("torch_optimizer_add_params", List([1]), 0.1, 0.0)


def test_losses():
    loss = call("torch_mse_loss", torch.tensor([1.0, 2, 3]), torch.tensor([1.1, 1.9, 3.2]))
    assert loss.dim() == 0 and abs(loss.item() - 0.02) < 1e-6
    logits = torch.tensor([[2.0, 1, 0.1], [0.5, 2.5, 0.3]])
    ce = call("torch_cross_entropy", logits, torch.tensor([0, 1]))
    assert abs(ce.item() - 0.31853973865509033) < 1e-6
    assert abs(call("torch_crossentropy_loss", torch.tensor([2.0, 1, 0.1]),
                    torch.tensor([0])).item() - 0.4170299470424652) < 1e-6
    with pytest.raises(LispEError, match="Both arguments must be tensors"):
        call("torch_mse_loss", 1, 2)
    with pytest.raises(LispEError, match="Error calculating MSE loss"):
        call("torch_mse_loss", torch.ones(2), torch.ones(3))


def test_backward_flags_and_grad_mode():
    w = call("torch_requires_grad", torch.tensor([1.0, 2.0]))
    loss = (w * w).sum()
    assert call("torch_backward", loss, TRUE, None) is TRUE
    assert call("torch_backward", loss) is TRUE         # the graph was retained
    assert torch.equal(call("torch_grad", w), torch.tensor([4.0, 8.0]))
    with pytest.raises(LispEError, match=r"Argument must be a tensor \(loss\)"):
        call("torch_backward", 1.0)
    with pytest.raises(LispEError, match="Error in backward pass"):
        call("torch_backward", torch.ones(2))
    try:
        assert call("torch_set_grad_enabled", None) is TRUE
        assert not torch.is_grad_enabled()
    finally:
        call("torch_set_grad_enabled", TRUE)
    assert torch.is_grad_enabled()


def test_train_eval_switch():
    m = call("torch_model", 2, 2, 2)
    blk = call("torch_transformer_block", 4, 2, 8)
    assert m.training and blk.training
    assert call("torch_eval", List([m, blk])) is TRUE
    assert not m.module.training and not blk.module.training
    call("torch_train", m)
    assert m.module.training
    call("torch_train", m, None)
    assert not m.module.training
    att = call("torch_flash_attention_create", 8, 2, 0.0, TRUE)
    call("torch_model_eval", att)
    assert not att.module.training
    with pytest.raises(LispEError):
        call("torch_eval", 3)


def test_parameters_builtin():
    ps = call("torch_parameters", call("torch_model", 2, 3, 1))
    assert isinstance(ps, List) and len(ps) == 6


@pytest.mark.parametrize("kind,config,expected", [
    ("cosine", dict(initial_lr=1.0, min_lr=0.0, total_steps=4),
     [0.853553, 0.5, 0.146447, 0.0, 0.146447]),
    ("linear", dict(initial_lr=1.0, min_lr=0.0, total_steps=4), [0.75, 0.5, 0.25, 0.0]),
    ("exponential", dict(initial_lr=0.1, gamma=0.5), [0.05, 0.025]),
    ("step", dict(initial_lr=1.0, gamma=0.1, step_size=2), [1, 0.1, 0.1, 0.01, 0.01]),
    ("linear_warmup_cosine", dict(initial_lr=0.001, min_lr=0.0001, total_steps=6, warmup_steps=2),
     [0.0005, 0.001, 0.000868198, 0.00055, 0.000231802, 0.0001]),
])
def test_scheduler_curves(kind, config, expected):
    opt = call("torch_optimizer", call("torch_model", 2, 2, 2), 0.01, "adam")
    s = call("torch_lr_scheduler", opt, kind, dictionary(**config))
    assert call("torch_scheduler_get_lr", s) == 0.01        # creation does not change the lr
    for e in expected:
        assert call("torch_scheduler_step", s) is TRUE
        assert abs(call("torch_scheduler_get_lr", s) - e) < 1e-6
        assert abs(opt.optimizer.param_groups[0]["lr"] - e) < 1e-6


def test_scheduler_print_and_errors():
    opt = call("torch_optimizer", call("torch_model", 2, 2, 2), 0.01, "adam")
    s = call("torch_lr_scheduler", opt, "exponential", dictionary(initial_lr=0.1, gamma=0.5))
    assert to_string(s) == "LR Scheduler (Exponential, step=0, lr=0.01)"
    assert type_name(s) == "torch_lrs_scheduler_"
    call("torch_scheduler_set_lr", s, 0.003)
    assert to_string(s) == "LR Scheduler (Exponential, step=0, lr=0.003)"
    with pytest.raises(LispEError, match="Unknown scheduler type: polynomial") as e:
        call("torch_lr_scheduler", opt, "polynomial", Dictionary())
    assert e.value.text == "Unknown scheduler type: polynomial"      # no "Error: " prefix
    empty = call("torch_adam_optimizer", 0.5)
    e2 = call("torch_lr_scheduler", empty, "exponential", dictionary(initial_lr=0.2))
    assert call("torch_scheduler_get_lr", e2) == 0.5


def test_progress_bar_only_on_a_terminal():
    from lispe_py.interpreter import Interpreter

    class Tty(io.StringIO):
        def isatty(self):
            return True
    piped = io.StringIO()
    v = Interpreter(stdout=io.StringIO(), stderr=piped).eval_source(
        "(use 'lispe_torch) (torch_progress 3 10)", "<t>")
    assert v is TRUE and piped.getvalue() == ""
    tty = Tty()
    Interpreter(stdout=io.StringIO(), stderr=tty).eval_source(
        '(use \'lispe_torch) (torch_progress 1 4 "epoch") (torch_progress 4 4 "epoch")', "<t>")
    out = tty.getvalue()
    assert "epoch" in out and "4/4" in out and "100%" in out
