"""Hugging Face models: the static KV cache, generation that reads tokens back in chunks, and
safetensors through the safetensors library (lispe_py.torch.hf); CPU here, CUDA where present."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from lispe_py import LispE, LispEError  # noqa: E402
from lispe_py.torch import hf  # noqa: E402

CUDA = torch.cuda.is_available()


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=300, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                      max_position_embeddings=1024)
    path = str(tmp_path_factory.mktemp("llama"))
    LlamaForCausalLM(cfg).to(torch.bfloat16).save_pretrained(path)
    return path


def _lisp(path, config='{"device":"cpu" "dtype":"float32"}'):
    lisp = LispE()
    lisp.eval("(use 'lispe_torch)")
    lisp.define("path", path)
    lisp.eval('(setq m (torch_hf_load_model_lora "m" path %s))' % config)
    return lisp


def test_static_cache_grows_and_matches_the_full_forward(llama):
    lisp = _lisp(llama)
    torch.manual_seed(1)
    ids = torch.randint(0, 300, (2, 300))
    lisp.define("ids", ids)
    full = lisp.eval("(torch_hf_forward m ids)")
    lisp.eval("(setq kv (torch_hf_enable_kv_cache m true))")
    parts = [lisp.eval("(torch_hf_forward m (tensor_slice ids 1 0 250) kv)")]
    for j in range(250, 300, 10):               # past the first 256-token buffer
        parts.append(lisp.eval("(torch_hf_forward m (tensor_slice ids 1 %d %d) kv)" % (j, j + 10)))
    torch.testing.assert_close(torch.cat(parts, 1), full, atol=1e-5, rtol=0)
    assert lisp.eval("(string kv)") == "KV Cache (300 tokens)"
    cache = lisp.get("kv", raw=True)
    assert cache.k[0].shape == (2, 2, 512, 16)   # one buffer per layer, written in place
    lisp.eval("(torch_hf_reset_kv_cache kv)")
    assert lisp.eval("(string kv)") == "KV Cache (0 tokens)"
    torch.testing.assert_close(lisp.eval("(torch_hf_forward m (tensor_slice ids 1 0 5) kv)"),
                               full[:, :5], atol=1e-5, rtol=0)


def test_sliding_window_cache_keeps_its_length(llama):
    lisp = _lisp(llama, '{"device":"cpu" "dtype":"float32" "max_cache_len":8}')
    lisp.eval("(setq kv (torch_hf_enable_kv_cache m true))")
    for j in range(12):
        lisp.eval("(torch_hf_forward m (tensor_create (integers %d)) kv)" % (j + 1))
    assert lisp.get("kv", raw=True).k[0].shape[2] == 8
    assert lisp.eval("(string kv)") == "KV Cache (12 tokens)"


def test_gradients_through_a_cached_step(llama):
    """With LoRA adapters and gradients on, the cached path still lets gradients reach them."""
    lisp = _lisp(llama)
    lisp.eval('(torch_hf_lora_init "m" 4 8 (list "q_proj" "v_proj"))'
              "(setq kv (torch_hf_enable_kv_cache m true))"
              "(torch_hf_forward m (tensor_create (integers 1 2 3)) kv)")
    out = lisp.eval("(torch_hf_forward m (tensor_create (integers 4 5)) kv)")
    assert out.requires_grad
    out.sum().backward()
    params = lisp.eval('(torch_hf_lora_get_parameters "m")')
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in params)


@pytest.mark.parametrize("every", [1, 4, 16])
def test_generation_read_in_chunks_gives_the_same_tokens(llama, monkeypatch, every):
    """Greedy tokens read back every N steps (what a GPU does): the same tokens, stopping at
    the same EOS, as reading each one."""
    lisp = _lisp(llama, '{"device":"cpu"}')
    free = list(lisp.eval('(torch_hf_generate m (integers 1 2 3 4) -1 40 {"greedy":true})'))
    assert len(free) == 40
    monkeypatch.setattr(hf, "_read_every", lambda m, rule, cb: every)
    assert list(lisp.eval('(torch_hf_generate m (integers 1 2 3 4) -1 40 {"greedy":true})')) == free
    eos = free[9]
    stop = free.index(eos) + 1
    got = list(lisp.eval('(torch_hf_generate m (integers 1 2 3 4) %d 40 {"greedy":true})' % eos))
    assert got == free[:stop]
    assert list(lisp.eval('(torch_hf_generate m (integers 1 2 3 4) -1 7 {"greedy":true})')) == free[:7]


def test_sampling_with_a_seed_and_the_repetition_penalty(llama):
    lisp = _lisp(llama, '{"device":"cpu" "repetition_penalty":1.3 "temperature":0.8}')
    a = lisp.eval('(torch_manual_seed 5) (torch_hf_generate m (integers 1 2 3 4) -1 20 {"topk":5})')
    b = lisp.eval('(torch_manual_seed 5) (torch_hf_generate m (integers 1 2 3 4) -1 20 {"topk":5})')
    assert list(a) == list(b) and len(a) == 20
    c = lisp.eval('(torch_manual_seed 5) (torch_hf_generate m (integers 1 2 3 4) -1 20 {"topp":0.9})')
    assert len(c) == 20
    greedy = list(lisp.eval('(torch_hf_generate m (integers 1 2 3 4) -1 30 {"greedy":true})'))
    # the penalty keeps greedy decoding from repeating the last token at once
    assert all(x != y for x, y in zip(greedy, greedy[1:]))
    seen = []
    lisp.define("seen", None)
    lisp.eval("(defun cb (tok d) (push d tok))")
    lisp.eval('(setq acc (list)) (torch_hf_generate m (integers 1 2 3 4) -1 5 {"greedy":true "callback":cb "data":acc})')
    seen = list(lisp.eval("acc"))
    assert seen == greedy[:5]


def test_safetensors_round_trip_and_bad_file(tmp_path):
    w = {"a": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.ones(4, dtype=torch.bfloat16)}
    w["c"] = w["a"][0]                           # a view sharing storage is written as its own tensor
    p = str(tmp_path / "x.safetensors")
    hf.save_safetensors(p, w)
    back = hf.load_safetensors(p)
    assert set(back) == {"a", "b", "c"} and all(torch.equal(back[k], w[k]) for k in w)
    from safetensors import safe_open
    with safe_open(p, framework="pt") as f:
        assert f.metadata() == {"format": "pt"}
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text('{"vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1,'
                                     ' "num_attention_heads": 1}')
    (bad / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    lisp = LispE()
    with pytest.raises(LispEError, match="Error loading HF model: .*model.safetensors"):
        lisp.eval('(torch_hf_load_model "%s")' % bad)


@pytest.mark.skipif(not CUDA, reason="needs CUDA")
def test_generation_on_cuda_matches_the_cpu(llama):
    cpu = _lisp(llama, '{"device":"cpu" "dtype":"float32"}')
    gpu = _lisp(llama, '{"device":"cuda" "dtype":"float32"}')
    prog = '(torch_hf_generate m (integers 1 2 3 4) -1 40 {"greedy":true})'
    assert list(gpu.eval(prog)) == list(cpu.eval(prog))
