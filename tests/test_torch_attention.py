"""Flash attention module and SDPA builtins against a float64 plain-PyTorch reference.

Every variant (module forward, bool mask, float mask, causal, dropout 0, SDPA with each
optional argument, torch_flash_attention's scale rule) must agree with softmax(q kT s + m) v
computed in float64 to a relative error below 1e-5. Dropout is checked statistically with a
fixed seed; gradients must reach every projection.
"""

import math

import pytest

torch = pytest.importorskip("torch")

import lispe_py.torch.attention  # noqa: E402,F401
import lispe_py.torch.tensors  # noqa: E402,F401
from lispe_py.errors import LispEError  # noqa: E402
from lispe_py.torch._lazy import ensure  # noqa: E402
from lispe_py.torch.attention import FlashAttention, simple_scale  # noqa: E402
from lispe_py.values import TRUE, Floats, List, to_string, type_name  # noqa: E402

from conftest import call_builtin as call  # noqa: E402

ensure()
B, S, E, H = 2, 5, 16, 4


def reference(q, k, v, mask=None, causal=False, scale=None):
    """softmax(q kT * scale + mask) v in float64, the textbook way."""
    q, k, v = q.double(), k.double(), v.double()
    s = (1.0 / math.sqrt(q.shape[-1])) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * s
    if causal:
        L, M = q.shape[-2], k.shape[-2]
        keep = torch.ones(L, M, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask.double()
    return torch.softmax(scores, -1) @ v


def module_reference(m, q, k, v, **kw):
    mod = m.module
    def proj(x, lin):
        y = x.double() @ lin.weight.double().T
        if lin.bias is not None:
            y = y + lin.bias.double()
        return y
    def heads(x):
        b, s = x.shape[0], x.shape[1]
        return x.view(b, s, m.num_heads, m.head_dim).transpose(1, 2)
    o = reference(heads(proj(q, mod.q_proj)), heads(proj(k, mod.k_proj)),
                  heads(proj(v, mod.v_proj)), **kw)
    o = o.transpose(1, 2).reshape(q.shape[0], q.shape[1], m.embed_dim)
    return proj(o, mod.out_proj)


def rel_err(a, b):
    return ((a.double() - b.double()).norm() / b.double().norm()).item()


@pytest.fixture
def data():
    g = torch.Generator().manual_seed(1234)
    x = torch.randn(B, S, E, generator=g)
    y = torch.randn(B, S, E, generator=g)
    return x, y


@pytest.fixture
def module():
    torch.manual_seed(7)
    return call("torch_flash_attention_create", E, H, 0.0, TRUE)


# --------------------------------------------------------------------------- module

def test_module_print_and_type():
    assert to_string(call("torch_flash_attention_create", 256, 8, 0.1, TRUE)) == \
        "Flash Attention (embed_dim=256, num_heads=8, head_dim=32, dropout=0.1, bias=true)"
    assert to_string(call("torch_flash_attention_create", 256, 8)) == \
        "Flash Attention (embed_dim=256, num_heads=8, head_dim=32, dropout=0, bias=true)"
    assert to_string(call("torch_flash_attention_create", 12, 3, 0.5, 0)) == \
        "Flash Attention (embed_dim=12, num_heads=3, head_dim=4, dropout=0.5, bias=false)"
    assert to_string(call("torch_flash_attention_create", 16, 4, 0.0, None)).endswith("bias=true)")
    assert type_name(call("torch_flash_attention_create", 8, 2)) == "torch_flash_attention_"


def test_module_structure():
    m = call("torch_flash_attention_create", 8, 2, 0.0, 0)
    names = [n for n, _ in m.module.named_parameters()]
    assert names == ["q_proj.weight", "k_proj.weight", "v_proj.weight", "out_proj.weight"]
    assert m.training


def test_module_forward_matches_reference(module, data):
    x, y = data
    out = call("torch_flash_attention_forward", module, x, y, y)
    assert out.shape == (B, S, E) and out.dtype == torch.float32
    assert rel_err(out, module_reference(module, x, y, y)) < 1e-5


def test_module_causal(module, data):
    x, _ = data
    out = call("torch_flash_attention_forward", module, x, x, x, TRUE)
    assert rel_err(out, module_reference(module, x, x, x, causal=True)) < 1e-5
    assert rel_err(out, call("torch_flash_attention_forward", module, x, x, x)) > 1e-3


def test_module_bool_mask(module, data):
    x, y = data
    g = torch.Generator().manual_seed(3)
    mask = torch.rand(B, H, S, S, generator=g) > 0.4
    mask[..., 0] = True                       # every row keeps one key
    out = call("torch_flash_attention_with_mask", module, x, y, y, mask)
    assert rel_err(out, module_reference(module, x, y, y, mask=mask)) < 1e-5


def test_module_float_mask_is_additive(module, data):
    x, y = data
    mask = torch.randn(S, S)
    out = call("torch_flash_attention_with_mask", module, x, y, y, mask)
    assert rel_err(out, module_reference(module, x, y, y, mask=mask)) < 1e-5
    # a float mask of ones adds the same constant to every score: no effect (PyTorch semantics)
    ones = call("torch_flash_attention_with_mask", module, x, y, y, torch.ones(B, H, S, S))
    assert rel_err(ones, call("torch_flash_attention_forward", module, x, y, y)) < 1e-5


def test_module_cross_attention_and_unbatched(module, data):
    x, y = data
    kv = torch.randn(B, 7, E)
    out = call("torch_flash_attention_forward", module, x, kv, kv)
    assert out.shape == (B, S, E)
    assert rel_err(out, module_reference(module, x, kv, kv)) < 1e-5
    single = call("torch_flash_attention_forward", module, x[0], y[0], y[0])
    assert rel_err(single, call("torch_flash_attention_forward", module, x, y, y)[0]) < 1e-5


def test_module_accepts_lispe_lists():
    m = call("torch_flash_attention_create", 4, 2, 0.0, TRUE)
    q = List([List([Floats([1, 2, 3, 4]), Floats([5, 6, 7, 8]), Floats([9, 10, 11, 12])])])
    assert call("torch_flash_attention_forward", m, q, q, q).shape == (1, 3, 4)


def test_dropout_zero_is_deterministic(module, data):
    x, _ = data
    base = call("torch_flash_attention_forward", module, x, x, x)
    for training in (TRUE, None):
        out = call("torch_flash_attention_with_dropout", module, x, x, x, 0.0, training)
        assert rel_err(out, base) < 1e-6


def test_dropout_statistics():
    # q = k = 0: uniform weights 1/N; v = 1: each output is (#kept keys)/(N (1-p)).
    torch.manual_seed(0)
    N, p = 64, 0.25
    q = torch.zeros(1, 4, N, 8)
    v = torch.ones(1, 4, N, 8)
    out = call("torch_scaled_dot_product_attention", q, q, v, None, p, None, None)
    mean, std = out.mean().item(), out[..., 0].std().item()
    expected_std = math.sqrt(p / ((1 - p) * N))
    assert abs(mean - 1.0) < 0.03
    assert 0.7 * expected_std < std < 1.3 * expected_std
    torch.manual_seed(0)
    again = call("torch_scaled_dot_product_attention", q, q, v, None, p, None, None)
    assert torch.equal(out, again)             # fixed seed, same draw


def test_module_dropout_only_in_training_mode(data):
    x, _ = data
    torch.manual_seed(1)
    m = call("torch_flash_attention_create", E, H, 0.5, TRUE)
    a = call("torch_flash_attention_forward", m, x, x, x)
    b = call("torch_flash_attention_forward", m, x, x, x)
    assert not torch.allclose(a, b)            # training mode: stochastic
    m.eval()
    c = call("torch_flash_attention_forward", m, x, x, x)
    assert rel_err(c, module_reference(m, x, x, x)) < 1e-5
    noisy = call("torch_flash_attention_with_dropout", m, x, x, x, 0.5, TRUE)
    quiet = call("torch_flash_attention_with_dropout", m, x, x, x, 0.5, None)
    assert not torch.allclose(noisy, c) and rel_err(quiet, c) < 1e-6


def test_gradients_flow(module, data):
    x, y = data
    x = x.clone().requires_grad_(True)
    out = call("torch_flash_attention_forward", module, x, y, y)
    out.square().sum().backward()
    for name, prm in module.module.named_parameters():
        assert prm.grad is not None and torch.isfinite(prm.grad).all(), name
    assert x.grad is not None
    # gradient w.r.t. the query equals the float64 reference's
    x64 = x.detach().double().requires_grad_(True)
    module_reference(module, x64, y, y).square().sum().backward()
    assert rel_err(x.grad, x64.grad) < 1e-4


# --------------------------------------------------------------------------- SDPA

def test_sdpa_arities_and_values():
    g = torch.Generator().manual_seed(5)
    q, k, v = (torch.randn(2, 3, 6, 8, generator=g) for _ in range(3))
    ref = reference(q, k, v)
    for args in ((), (None,), (None, 0.0), (None, 0.0, None), (None, 0.0, None, None)):
        out = call("torch_scaled_dot_product_attention", q, k, v, *args)
        assert rel_err(out, ref) < 1e-5
    causal = call("torch_scaled_dot_product_attention", q, k, v, None, 0.0, TRUE)
    assert rel_err(causal, reference(q, k, v, causal=True)) < 1e-5
    bmask = torch.rand(6, 6, generator=g) > 0.3
    bmask[:, 0] = True
    assert rel_err(call("torch_scaled_dot_product_attention", q, k, v, bmask, 0.0, None, None),
                   reference(q, k, v, mask=bmask)) < 1e-5
    fmask = torch.randn(6, 6, generator=g)
    assert rel_err(call("torch_scaled_dot_product_attention", q, k, v, fmask, None, None, None),
                   reference(q, k, v, mask=fmask)) < 1e-5


def test_sdpa_scale_forms():
    q = (torch.arange(16.0, dtype=torch.float64) / 16).reshape(1, 1, 4, 4)
    v = torch.arange(16.0, dtype=torch.float64).reshape(1, 1, 4, 4)
    ref = reference(q, q, v, scale=2.0)
    for s in (2.0, 2, torch.tensor([2.0]), Floats([2.0])):
        out = call("torch_scaled_dot_product_attention", q, q, v, None, 0.0, None, s)
        assert rel_err(out, ref) < 1e-12


def test_sdpa_errors():
    x = torch.ones(1, 3, 8)
    with pytest.raises(LispEError) as e:
        call("torch_scaled_dot_product_attention", x, x, x, torch.ones(3, 3), None, TRUE, None)
    assert e.value.text.startswith("Error in scaled dot product attention: ")
    with pytest.raises(LispEError) as e:
        call("torch_scaled_dot_product_attention", x, x, 3)
    assert e.value.text == "Error: Unsupported type for tensor conversion"


# --------------------------------------------------------------------------- torch_flash_attention

@pytest.mark.parametrize("e", [64, 10, 6, 7, 12, 100])
def test_simple_flash_scale_rule(e):
    h = 8
    while e % h:
        h -= 1
    assert simple_scale(e) == pytest.approx(1 / math.sqrt(e / h))
    g = torch.Generator().manual_seed(e)
    q, k, v = (torch.randn(1, 3, e, generator=g) for _ in range(3))
    out = call("torch_flash_attention", q, k, v)
    assert rel_err(out, reference(q, k, v, scale=1 / math.sqrt(e / h))) < 1e-5


def test_simple_flash_values_and_scale_argument():
    q = (torch.arange(12.0) / 12).reshape(1, 3, 4)
    v = torch.tensor([1., 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]).reshape(1, 3, 4)
    out = call("torch_flash_attention", q, q, v)
    assert to_string(out) == ("(1,.,.) = \n 0.2796  0.3303  0.3902  0.0000\n"
                              "  0.1603  0.2954  0.5443  0.0000\n"
                              "  0.0824  0.2369  0.6807  0.0000\n[ CPUFloatType{1,3,4} ]")
    scaled = call("torch_flash_attention", q, q, v, 0.25)
    assert rel_err(scaled, reference(q, q, v, scale=0.25)) < 1e-5


def test_errors():
    x = torch.ones(2, 3)
    with pytest.raises(LispEError) as e:
        call("torch_flash_attention", x, x, x)
    assert e.value.text == "Flash Attention requires at least 3D tensors (batch, seq_len, embed_dim)"
    with pytest.raises(LispEError) as e:
        call("torch_flash_attention_create", 100, 8, 0.0, TRUE)
    assert e.value.text == "embed_dim must be divisible by num_heads"
    y = torch.ones(1, 2, 4)
    with pytest.raises(LispEError) as e:
        call("torch_flash_attention_forward", torch.nn.Linear(4, 4), y, y, y)
    assert e.value.text == "Error: First argument must be a Flash Attention module"
    m = call("torch_flash_attention_create", 8, 2, 0.0, TRUE)
    x = torch.ones(1, 3, 8)
    with pytest.raises(LispEError) as e:
        call("torch_flash_attention_with_mask", m, x, x, x, torch.tensor([1, 1, 1]))
    assert e.value.text.startswith("Error in Flash Attention with mask: Expected attn_mask dtype")


def test_module_moves_with_device_helpers():
    from lispe_py.torch.devices import move_to, device_of
    m = FlashAttention(8, 2)
    assert move_to(m, torch.device("cpu")) is m
    assert device_of(m).type == "cpu"
    assert call("torch_to_cpu", m) is m
