"""LoRA layers (spec §1.12): creation, forward = original + (alpha/r)·B·A, merge, delta,
adapters on disk, training through an optimizer, printed forms and C++ error texts."""

import pytest

torch = pytest.importorskip("torch")

import lispe_py.torch  # noqa: E402,F401
from lispe_py.torch import lora  # noqa: E402
from lispe_py.errors import LispEError  # noqa: E402
from lispe_py.torch._lazy import ensure  # noqa: E402
from lispe_py.values import to_string, type_name  # noqa: E402

ensure()


def test_create_and_print():
    lo = lora.torch_lora_linear(8, 4, 2, 16.0)
    assert to_string(lo) == "LoRA Linear Layer (8 -> 4, rank=2, alpha=16, merged=false)"
    assert to_string(lora.torch_lora_linear(8, 4, 2, 4.5)).endswith("alpha=4.5, merged=false)")
    assert type_name(lo) == "torch_lora_linear_"
    m = lo.module
    assert not m.original.weight.requires_grad and m.lora_A.weight.requires_grad
    assert torch.count_nonzero(m.lora_B.weight) == 0
    with pytest.raises(LispEError) as e:
        lora.torch_lora_linear(4, 3, 0, 4)
    assert e.value.text.startswith("Error creating LoRA linear layer: ")


def test_forward_delta_merge():
    lo = lora.torch_lora_linear(4, 3, 2, 4)
    with torch.no_grad():
        lo.module.lora_B.weight.normal_()
    x = torch.randn(5, 4)
    m = lo.module
    expected = m.original(x) + 2.0 * (x @ m.lora_A.weight.T @ m.lora_B.weight.T)
    assert torch.allclose(lora.torch_lora_forward(lo, x), expected, atol=1e-5)
    delta = lora.torch_lora_compute_delta(lo)
    assert delta.shape == (3, 4)
    assert torch.allclose(delta, 2.0 * m.lora_B.weight @ m.lora_A.weight)
    assert abs(lora.torch_lora_get_adaptation_magnitude(lo) - delta.norm().item()) < 1e-5
    before = lora.torch_lora_forward(lo, x).detach()
    assert lora.torch_lora_merge_weights(lo) == "LoRA weights merged successfully"
    assert lora.torch_lora_merge_weights(lo) == "LoRA weights merged successfully"   # once
    assert to_string(lo).endswith("merged=true)")
    assert torch.allclose(lora.torch_lora_forward(lo, x), before, atol=1e-5)


def test_apply_to_linear_and_errors(lispe):
    out = lispe("""
(setq lin (torch_linear 4 3))
(setq la (torch_lora_apply_to_linear lin 2 8))
(setq x (tensor_ones (integers 2 4)))
(list (< (tensor_max (tensor_abs (tensor_sub (torch_linear_forward lin x) (torch_lora_forward la x)))) 0.0001)
      (maybe (torch_lora_forward 1 x) "e")
      (torch_lora_trainable_params la))""")
    assert out == '(true "e" ())'
    with pytest.raises(LispEError) as e:
        lora.torch_lora_compute_delta(3)
    assert e.value.text == "Argument must be a LoRA linear layer"
    with pytest.raises(LispEError) as e:
        lora.torch_lora_apply_to_linear(3, 2, 1)
    assert e.value.text == "Error: First argument must be a linear layer"


def test_adapters_roundtrip(tmp_path):
    a, b = lora.torch_lora_linear(4, 3, 2, 4), lora.torch_lora_linear(4, 3, 2, 4)
    with torch.no_grad():
        a.module.lora_B.weight.normal_()
    p = str(tmp_path / "ad.pt")
    assert lora.torch_lora_save_adapters(a, p) == "LoRA adapters saved successfully"
    assert lora.torch_lora_load_adapters(b, p) == "LoRA adapters loaded successfully"
    assert torch.allclose(lora.torch_lora_compute_delta(a), lora.torch_lora_compute_delta(b))
    with pytest.raises(LispEError) as e:
        lora.torch_lora_load_adapters(b, str(tmp_path / "none.pt"))
    assert e.value.text.startswith("Error loading LoRA adapters: open file failed")
    with pytest.raises(LispEError) as e:
        lora.torch_lora_save_adapters(3, p)
    assert e.value.text == "Error: Model must contain LoRA layers"


def test_training_moves_only_adapters(lispe):
    out = lispe("""
(setq lo (torch_lora_linear 4 2 2 4))
(setq w0 (tensor_sum (torch_lora_compute_delta lo)))
(setq opt (torch_optimizer lo 0.05 "adam"))
(setq x (tensor_ones (integers 8 4)))
(setq y (tensor_ones (integers 8 2)))
(loop i (iota 5)
  (torch_optimizer_zero_grad opt)
  (torch_backward (torch_mse_loss (torch_lora_forward lo x) y))
  (torch_optimizer_step opt))
(list (> (torch_lora_get_adaptation_magnitude lo) 0) (size (torch_lora_parameters lo)))""")
    assert out == "(true 2)"
