"""Quantization (spec §1.13): lispe_py.torch.quantization's builtins, called directly (the
registry may hold another module's names), checked against values the real C++ printed."""

import pytest

torch = pytest.importorskip("torch")

import lispe_py.torch  # noqa: E402,F401
from lispe_py.torch import quantization as q  # noqa: E402
from lispe_py.torch.layers import torch_model, torch_forward  # noqa: E402
from lispe_py.errors import LispEError  # noqa: E402
from lispe_py.torch._lazy import ensure  # noqa: E402
from lispe_py.values import List, to_string  # noqa: E402

ensure()


def t():
    return torch.tensor([1.4, 2.6, -0.8, 4.2])


def test_per_tensor():
    assert q.torch_dequantize(q.torch_quantize_dynamic(t(), "int8")).tolist() == [1, 3, -1, 4]
    assert q.torch_dequantize(q.torch_quantize_dynamic(t(), "quint8")).tolist() == [1, 3, 0, 4]
    assert q.torch_dequantize(q.torch_quantize_static(t(), 0.5, 10, "uint8")).tolist() == \
        [1.5, 2.5, -1.0, 4.0]
    assert q.torch_dequantize(q.torch_quantize_linear(t(), 0.25, 0)).tolist() == \
        [1.5, 2.5, -0.75, 4.25]
    assert to_string(q.torch_quantize_static(torch.tensor([1., 2]), 0.5, 3, "uint8")).endswith(
        "[ QuantizedCPUQUInt8Type{2}, qscheme: per_tensor_affine, scale: 0.5, zero_point: 3 ]")
    with pytest.raises(LispEError) as e:
        q.torch_quantize_dynamic(t(), "float")
    assert e.value.text == "Unsupported dtype for quantization: float"
    with pytest.raises(LispEError) as e:
        q.torch_quantize_linear(t(), 0.1, 300)
    assert e.value.text == ("Error in torch_quantize_linear: quantize_tensor_per_tensor_affine "
                            "zero_point 300 is above upper bound.")
    # README forms
    assert q.torch_quantize_dynamic(t(), 0.5, 3).q_zero_point() == 3
    assert q.torch_quantize_static(t(), 0.5, 3).dtype == torch.qint8


def test_int8_and_channels():
    d = q.torch_dequantize(q.torch_quantize_int8(torch.tensor([-1., 0, 1])))
    assert [round(v, 4) for v in d.tolist()] == [-0.9961, 0.0, 0.0]
    with pytest.raises(LispEError) as e:
        q.torch_quantize_int8(torch.tensor([1., 1, 1]))
    assert "zero_point -2147483648 is below lower bound" in e.value.text
    w = torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    d = q.torch_dequantize(q.torch_quantize_per_channel(w, List([0.1, 0.2]), List([0, 0]), 0))
    assert torch.allclose(d, torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.4, 0.6]]))
    assert q.torch_tensor_to_int8(torch.tensor([1.7, -2.2, 300.])).tolist() == [1, -2, 44]
    assert q.torch_quantize_fp16(torch.tensor([1., 2])).dtype == torch.float16


def test_models_are_really_quantized():
    m = torch_model(4, 8, 2)
    x = torch.randn(3, 4)
    dq = q.torch_model_quantize_dynamic(m)
    sq = q.torch_model_quantize_static(m, torch.randn(16, 4))
    assert to_string(dq) == to_string(sq) == "PyTorch Model"
    assert dq is not m and isinstance(m.module.fc1, torch.nn.Linear)      # original untouched
    ref = torch_forward(m, x)
    assert torch.allclose(torch_forward(dq, x), ref, atol=0.05)
    assert torch_forward(sq, x).shape == (3, 2)
    assert torch_forward(dq, torch.randn(4)).shape == (2,)
    assert "quantized" in type(dq.module.inner.fc1).__module__
