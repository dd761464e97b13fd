"""Plots (matplotlib) and the attention weights of attention modules."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("matplotlib")

from lispe_py import LispE, LispEError  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG
    import struct
    return struct.unpack(">II", data[16:24])


def test_plot_losses_writes_a_png(tmp_path):
    lisp = LispE()
    out = tmp_path / "loss.png"
    r = lisp.eval('(torch_plot_losses (list 2.3 1.9 1.5 1.2 1.0 0.8) "%s")' % out)
    assert r == str(out)
    w, h = _png_size(out)
    assert (w, h) == (640, 400)
    # a tensor, several curves (list of lists, dictionary), a title
    lisp.define("t", torch.tensor([3.0, 2.0, 1.5]))
    lisp.eval('(torch_plot_losses t "%s" "from a tensor")' % (tmp_path / "t.png"))
    lisp.eval('(torch_plot_losses (dict "train" (list 3 2 1) "valid" (list 3 2.5 2)) "%s")'
              % (tmp_path / "d.png"))
    lisp.eval('(torch_plot_losses (list (list 3 2 1) (list 4 3 2)) "%s")' % (tmp_path / "l.png"))
    assert all((tmp_path / n).read_bytes()[:8] == PNG for n in ("t.png", "d.png", "l.png"))


def test_plot_errors_are_lispe_errors(tmp_path):
    lisp = LispE()
    with pytest.raises(LispEError, match="not a number: 'a'"):
        lisp.eval('(torch_plot_losses (list 1 "a") "%s")' % (tmp_path / "x.png"))
    with pytest.raises(LispEError, match="needs a file name outside a notebook"):
        lisp.eval("(torch_plot_losses (list 1 2))")
    with pytest.raises(LispEError, match="cannot write the plot"):
        lisp.eval('(torch_plot_losses (list 1 2) "/nonexistent/dir/x.png")')
    with pytest.raises(LispEError, match="no head 9"):
        lisp.eval('(torch_plot_attention (torch_rand (integers 1 2 3 3)) "%s" 9)' % (tmp_path / "a.png"))


def test_sandbox_refuses_plot_files(tmp_path):
    lisp = LispE(sandbox=True)
    with pytest.raises(LispEError):
        lisp.eval('(torch_plot_losses (list 1 2) "%s")' % (tmp_path / "x.png"))
    assert not (tmp_path / "x.png").exists()


def test_plot_attention_2d_and_one_head(tmp_path):
    lisp = LispE()
    lisp.eval('(torch_plot_attention (torch_softmax (torch_rand (integers 5 5)) 1) "%s")' % (tmp_path / "a.png"))
    lisp.eval('(torch_plot_attention (torch_rand (integers 2 4 6 6)) "%s" (list 1 3) (strings "a" "b" "c" "d" "e" "f") "one head")'
              % (tmp_path / "b.png"))
    assert _png_size(tmp_path / "a.png")[0] > 300 and _png_size(tmp_path / "b.png")[0] > 300


def test_display_hook_gets_the_png_inline():
    lisp = LispE()
    shown = []
    lisp.interpreter.display = shown.append
    assert lisp.eval("(torch_plot_losses (list 3 2 1))") is True      # no file: only shown
    assert set(shown[0]) == {"image/png", "text/plain"}
    import base64
    assert base64.b64decode(shown[0]["image/png"])[:8] == PNG


def test_flash_attention_weights_reproduce_the_forward():
    lisp = LispE()
    lisp.eval("(setq fa (torch_flash_attention_create 32 4)) (torch_eval fa)")
    x = torch.randn(2, 7, 32)
    lisp.define("x", x)
    w = lisp.eval("(torch_attention_weights fa x true)")
    assert w.shape == (2, 4, 7, 7)
    assert torch.allclose(w.sum(-1), torch.ones(2, 4, 7))
    assert float(w[0, 0].triu(1).abs().max()) == 0.0                   # causal
    m = lisp.get("fa", raw=True).module
    v = m.v_proj(x).view(2, 7, 4, 8).transpose(1, 2)
    out = m.out_proj((w @ v).transpose(1, 2).reshape(2, 7, 32))
    ref = lisp.eval("(torch_flash_attention_forward fa x x x true)")
    assert torch.allclose(out, ref, atol=1e-5)
    assert lisp.eval("(torch_attention_weights fa (torch_randn (integers 5 32)))").shape == (4, 5, 5)


def test_multihead_attention_weights_match_pytorch():
    lisp = LispE()
    lisp.eval("(setq mha (torch_multihead_attention 32 4)) (torch_eval mha)")
    x = torch.randn(2, 6, 32)
    lisp.define("x", x)
    w = lisp.eval("(torch_attention_weights mha x)")
    xs = x.transpose(0, 1)
    _, ref = lisp.get("mha", raw=True).module(xs, xs, xs, need_weights=True,
                                             average_attn_weights=False)
    assert torch.allclose(w, ref, atol=1e-6)


def test_transformer_block_weights_are_causal():
    lisp = LispE()
    lisp.eval('(setq b (torch_transformer_block 32 4 64 {"flash":true "causal":true "batch_first":true}))')
    lisp.define("x", torch.randn(1, 5, 32))
    w = lisp.eval("(torch_attention_weights b x)")
    assert w.shape == (1, 4, 5, 5) and float(w[0, 2].triu(1).abs().max()) == 0.0
    with pytest.raises(LispEError, match="must be an attention module"):
        lisp.eval("(torch_attention_weights 3 x)")
