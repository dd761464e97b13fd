"""Transformer block options (pre-norm, GELU, no bias, dropout) and torch_compile, on the CPU
(inductor) here."""

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from lispe_py import LispE, LispEError  # noqa: E402


def _lisp():
    lisp = LispE()
    lisp.eval("(use 'lispe_torch)")
    return lisp


def _reference(m, x, pre, act, causal):
    """The block written out: batch-first x [B, S, E]."""
    mha = m.attention
    b, s, e = x.shape
    h = mha.num_heads

    def attn(y):
        q, k, v = F.linear(y, mha.in_proj_weight, mha.in_proj_bias).chunk(3, -1)
        q, k, v = (t.reshape(b, s, h, e // h).transpose(1, 2) for t in (q, k, v))
        sc = q @ k.transpose(-1, -2) / (e // h) ** 0.5
        if causal:
            sc = sc + torch.full((s, s), float("-inf")).triu(1)
        o = (torch.softmax(sc, -1) @ v).transpose(1, 2).reshape(b, s, e)
        return mha.out_proj(o)

    if pre:
        x = x + attn(m.norm1(x))
        return x + m.ffn2(act(m.ffn1(m.norm2(x))))
    x = m.norm1(x + attn(x))
    return m.norm2(x + m.ffn2(act(m.ffn1(x))))


@pytest.mark.parametrize("norm,act,fn", [("pre", "gelu", F.gelu), ("post", "gelu", F.gelu),
                                         ("pre", "relu", torch.relu), ("pre", "silu", F.silu)])
def test_block_options_compute_the_written_out_block(norm, act, fn):
    lisp = _lisp()
    torch.manual_seed(0)
    lisp.eval('(setq b (torch_transformer_block 32 4 64 {"norm":"%s" "activation":"%s" '
              '"causal":true "batch_first":true}))' % (norm, act))
    x = torch.randn(2, 7, 32)
    lisp.define("x", x)
    got = lisp.eval("(torch_transformer_forward b x)")
    m = lisp.get("b", raw=True).module
    torch.testing.assert_close(got, _reference(m, x, norm == "pre", fn, True), atol=1e-5, rtol=1e-5)
    # sequence-first (the default layout) gives the same, transposed
    lisp.eval('(setq c (torch_transformer_block 32 4 64 {"norm":"%s" "activation":"%s" "causal":true}))'
              % (norm, act))
    lisp.get("c", raw=True).module.load_state_dict(m.state_dict())
    seq = lisp.eval("(torch_transformer_forward c (torch_transpose x 0 1))")
    torch.testing.assert_close(seq.transpose(0, 1), got, atol=1e-6, rtol=1e-6)
    # a mask: "causal" asks for it per call
    lisp.eval('(setq d (torch_transformer_block 32 4 64 {"norm":"%s" "activation":"%s" "batch_first":true}))'
              % (norm, act))
    lisp.get("d", raw=True).module.load_state_dict(m.state_dict())
    torch.testing.assert_close(lisp.eval('(torch_transformer_forward d x "causal")'), got,
                               atol=1e-6, rtol=1e-6)


def test_block_without_bias_and_the_cpp_block_unchanged():
    lisp = _lisp()
    lisp.eval('(setq nb (torch_transformer_block 16 2 32 {"bias":nil "norm":"pre" "activation":"gelu"}))')
    names = [n for n, _ in lisp.get("nb", raw=True).module.named_parameters()]
    assert names == ["attention.in_proj_weight", "attention.out_proj.weight", "norm1.weight",
                     "norm2.weight", "ffn1.weight", "ffn2.weight"]
    assert lisp.eval('(torch_transformer_forward nb (torch_randn (integers 5 2 16)))').shape == (5, 2, 16)
    # the default block: the C++'s names and code path
    lisp.eval("(setq cb (torch_transformer_block 16 2 32))")
    m = lisp.get("cb", raw=True).module
    assert m.classic and len(list(m.parameters())) == 12
    assert lisp.eval("(println cb) (type cb)") == "torch_transformer_block_"


def test_block_dropout_only_in_training_mode():
    lisp = _lisp()
    torch.manual_seed(0)
    lisp.eval('(setq b (torch_transformer_block 16 2 32 {"dropout":0.5 "norm":"pre" "batch_first":true}))')
    x = torch.randn(2, 6, 16)
    lisp.define("x", x)
    a = lisp.eval("(torch_transformer_forward b x)")
    b = lisp.eval("(torch_transformer_forward b x)")
    assert not torch.equal(a, b)                             # training: dropout
    lisp.eval("(torch_eval b)")
    c = lisp.eval("(torch_transformer_forward b x)")
    assert torch.equal(c, lisp.eval("(torch_transformer_forward b x)"))
    assert lisp.get("b", raw=True).module.attention.dropout == 0.5


def test_block_option_errors():
    lisp = _lisp()
    for opts, msg in (('{"norm":"middle"}', 'norm: "pre" or "post", not middle'),
                      ('{"activation":"tanh"}', "activation: one of relu, gelu, gelu_tanh, silu"),
                      ('{"dropout":1.5}', "dropout: a probability"),
                      ('{"nope":true}', "Unknown transformer block option: nope")):
        with pytest.raises(LispEError, match=msg):
            lisp.eval("(torch_transformer_block 16 2 32 %s)" % opts)


def test_attention_weights_of_a_pre_norm_block_see_the_normalised_input():
    lisp = _lisp()
    lisp.eval('(setq b (torch_transformer_block 16 2 32 {"norm":"pre" "batch_first":true}))')
    x = torch.randn(1, 5, 16) * 3 + 1
    lisp.define("x", x)
    w = lisp.eval("(torch_attention_weights b x)")
    m = lisp.get("b", raw=True).module
    from lispe_py.torch.layers import mha_weights
    want = mha_weights(m.attention, m.norm1(x).transpose(0, 1))
    torch.testing.assert_close(w, want)


# --------------------------------------------------------------------------- torch_compile

def test_compile_keeps_type_results_parameters_and_files(tmp_path):
    """A compiled module (inductor on the CPU) is the same LispE object: same type and printed
    form, same results, trained by an optimizer made before, saved and loaded as before."""
    lisp = _lisp()
    torch.manual_seed(0)
    lisp.eval('(setq b (torch_transformer_block 16 2 32 {"norm":"pre" "activation":"gelu" '
              '"causal":true "batch_first":true}))'
              '(setq head (torch_linear 16 5)) (setq model (list b head))'
              '(setq opt (torch_optimizer model 0.01 "adamw"))')
    x = torch.randn(2, 6, 16)
    lisp.define("x", x)
    fwd = "(torch_linear_forward head (torch_transformer_forward b x))"
    want = lisp.eval(fwd)
    assert lisp.eval("(torch_compile model)") is not None
    assert lisp.eval("(type b)") == "torch_transformer_block_"
    assert lisp.eval("(string head)") == "PyTorch Linear Layer"
    assert lisp.get("b", raw=True).module._compiled_call_impl is not None
    torch.testing.assert_close(lisp.eval(fwd), want, atol=1e-5, rtol=1e-5)
    step = ("(torch_optimizer_zero_grad opt)"
            "(setq loss (torch_mse_loss %s (torch_zeros (integers 2 6 5))))"
            "(torch_backward loss) (torch_optimizer_step opt) (at loss 0)" % fwd)
    losses = [lisp.eval(step) for _ in range(3)]
    assert losses[2] < losses[0]
    path = str(tmp_path / "head.pt")
    assert lisp.eval('(torch_save_model head "%s")' % path) == "Model saved successfully"
    assert sorted(torch.load(path, weights_only=True)["states"][0]) == ["bias", "weight"]
    lisp.eval('(setq fresh (torch_linear 16 5)) (torch_load_model fresh "%s")' % path)
    assert torch.equal(lisp.get("fresh", raw=True).module.weight,
                       lisp.get("head", raw=True).module.weight)
    lisp.eval("(torch_eval model)")
    assert not lisp.get("b", raw=True).module.training


def test_compile_modes_and_errors():
    lisp = _lisp()
    with pytest.raises(LispEError, match="Unknown compile mode: fast"):
        lisp.eval('(torch_compile (torch_linear 2 2) "fast")')
    with pytest.raises(LispEError, match="must be a PyTorch module"):
        lisp.eval("(torch_compile 3)")
    with pytest.raises(LispEError, match="must be a PyTorch module"):
        lisp.eval("(torch_compile (list (torch_linear 2 2) 3))")
    for mode in ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs"):
        assert lisp.eval('(type (torch_compile (torch_linear 2 2) "%s"))' % mode) == "torch_linear_"


def test_compile_flash_attention_forward():
    lisp = _lisp()
    torch.manual_seed(1)
    lisp.eval("(setq fa (torch_flash_attention_create 16 2 0.0 true)) (torch_eval fa)")
    x = torch.randn(1, 5, 16)
    lisp.define("x", x)
    want = lisp.eval("(torch_flash_attention_forward fa x x x true)")
    lisp.eval("(torch_compile fa)")
    torch.testing.assert_close(lisp.eval("(torch_flash_attention_forward fa x x x true)"), want,
                               atol=1e-5, rtol=1e-5)
    assert lisp.eval("(type fa)") == "torch_flash_attention_"
