"""TorchScript models (§1.16) on a module scripted here, and the Hugging Face loader (§1.17)
on a tiny Llama/Qwen3 checkpoint written here (KV cache = full forward, manual = SDPA,
greedy generation = argmax rollout, LoRA training/merge), plus the C++ error texts."""

import json
import os

import pytest

torch = pytest.importorskip("torch")

import lispe_py.torch  # noqa: E402,F401
from lispe_py.torch import hf, jit  # noqa: E402
from lispe_py.errors import LispEError  # noqa: E402
from lispe_py.interpreter import Interpreter  # noqa: E402
from lispe_py.torch._lazy import ensure  # noqa: E402
from lispe_py.values import Dictionary, List, Maybe, to_string  # noqa: E402

ensure()
I = Interpreter()     # the HF models loaded here live in this interpreter


class Chain(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 4)
        self.body = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(4, 2))
        self.register_buffer("scale", torch.tensor([2.0, 3.0]))

    def forward(self, x):
        return self.body(self.fc(x))

    @torch.jit.export
    def predict(self, x):
        return self.forward(x) * self.scale


@pytest.fixture(scope="module")
def jit_file(tmp_path_factory):
    p = str(tmp_path_factory.mktemp("jit") / "chain.pt")
    torch.jit.script(Chain()).save(p)
    return p


def test_jit_roundtrip(jit_file, capsys):
    m = jit.torch_jit_load(jit_file)
    assert to_string(m) == ("=== TorchScript Model Info ===\nDevice: cpu\nParameter count: 26\n"
                            "Memory usage: 0 MB\n\nBuffers:\n  scale: [2]\n")
    ref = torch.jit.load(jit_file)
    x = torch.randn(5, 3)
    assert torch.allclose(jit.torch_jit_model_forward(m, x), ref(x))
    assert list(jit.torch_jit_model_list_methods(m)) == ["forward", "predict"]
    assert list(jit.torch_jit_model_list_tensor_names(m))[-1] == "scale"
    assert list(jit.torch_jit_model_get_tensor_shape(m, "fc.weight")) == [4, 3]
    assert jit.torch_jit_model_get_buffer(m, "scale").tolist() == [2.0, 3.0]
    states = jit.torch_jit_model_get_intermediate_states(m, x, List(["fc", "body"]))
    assert torch.allclose(states[1], ref(x))
    info = jit.torch_jit_model_info(m)
    assert info["parameter_count"] == 26.0 and info["loaded"] is not None
    jit.torch_jit_model_update_weight(m, "fc.bias", torch.zeros(4))
    assert jit.torch_jit_model_get_tensor(m, "fc.bias").tolist() == [0.0] * 4
    jit.torch_jit_model_update_weight(m, "fc.bias", torch.zeros(3))      # warns, still true
    assert "Could not update weight fc.bias" in capsys.readouterr().err
    jit.torch_jit_unload(m)
    assert to_string(m) == "<TorchJITModel: Not loaded>"
    with pytest.raises(LispEError) as e:
        jit.torch_jit_model_forward(m, x)
    assert e.value.text == "Model not loaded"


def test_jit_lora_and_errors(jit_file):
    from lispe_py.torch.lora import torch_lora_linear
    m = jit.torch_jit_load(jit_file)
    lo = torch_lora_linear(3, 4, 2, 4)
    with torch.no_grad():
        lo.module.lora_B.weight.normal_()
    x = torch.randn(2, 3)
    plain = jit.torch_jit_model_forward(m, x)
    jit.torch_jit_model_register_lora_hook(m, "fc.weight", lo)
    w = m.module.fc.weight.detach().clone()
    with_lora = jit.torch_jit_model_forward_with_lora(m, x)
    expect = m.module.body(torch.nn.functional.linear(x, w + lo.module.delta(), m.module.fc.bias))
    assert torch.allclose(with_lora, expect, atol=1e-5)
    assert torch.equal(m.module.fc.weight, w) and torch.allclose(
        jit.torch_jit_model_forward(m, x), plain)
    for fn, args, text in (
            (jit.torch_jit_model_forward, (3, x), "Error: First argument must be a TorchJIT model"),
            (jit.torch_jit_model_list_methods, (3,), "Argument must be a JIT model"),
            (jit.torch_jit_model_get_tensor, (m, "nope"), "Parameter not found: nope"),
            (jit.torch_jit_model_get_buffer, (m, "nope"), "Buffer not found: nope"),
            (jit.torch_jit_load, ("/nonexistent.pt",),
             "Error: Failed to load TorchScript model from /nonexistent.pt")):
        with pytest.raises(LispEError) as e:
            fn(*args)
        assert e.value.text == text


# --------------------------------------------------------------------------- HF

def make_checkpoint(d, qwen3=False, seed=0):
    torch.manual_seed(seed)
    os.makedirs(d, exist_ok=True)
    V, H, L, NH, KV, HD, I = 32, 16, 2, 4, 2, 4, 24
    json.dump({"vocab_size": V, "hidden_size": H, "num_hidden_layers": L,
               "num_attention_heads": NH, "num_key_value_heads": KV, "head_dim": HD,
               "intermediate_size": I, "rms_norm_eps": 1e-6, "rope_theta": 10000.0},
              open(os.path.join(d, "config.json"), "w"))
    w = {"model.embed_tokens.weight": torch.randn(V, H), "model.norm.weight": torch.ones(H)}
    if not qwen3:
        w["lm_head.weight"] = torch.randn(V, H) * 0.3          # Qwen3 here: tied embeddings
    for i in range(L):
        p = "model.layers.%d." % i
        w[p + "input_layernorm.weight"] = torch.ones(H)
        w[p + "post_attention_layernorm.weight"] = torch.ones(H)
        for n, shape in (("self_attn.q_proj", (NH * HD, H)), ("self_attn.k_proj", (KV * HD, H)),
                         ("self_attn.v_proj", (KV * HD, H)), ("self_attn.o_proj", (H, NH * HD)),
                         ("mlp.gate_proj", (I, H)), ("mlp.up_proj", (I, H)),
                         ("mlp.down_proj", (H, I))):
            w[p + n + ".weight"] = torch.randn(*shape) * 0.3
        if qwen3:
            w[p + "self_attn.q_norm.weight"] = torch.ones(HD)
            w[p + "self_attn.k_norm.weight"] = torch.ones(HD)
    hf.save_safetensors(os.path.join(d, "model.safetensors"), w)
    return d


def cfg(**kw):
    d = Dictionary()
    d.update(kw)
    return d


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    d = make_checkpoint(str(tmp_path_factory.mktemp("hf") / "llama"))
    return hf.torch_hf_load_model(I, None, d, cfg(device="cpu"))


def test_hf_forward_cache_generate(llama):
    ids = torch.tensor([[1, 5, 7, 9]])
    full = hf.torch_hf_forward(I, None, llama, ids)
    assert full.shape == (1, 4, 32)
    kv = hf.torch_hf_enable_kv_cache(I, None, llama, True)
    hf.torch_hf_forward(I, None, llama, ids[:, :3], kv)
    step = hf.torch_hf_forward(I, None, llama, ids[:, 3:], kv)
    assert torch.allclose(step[0, 0], full[0, 3], atol=1e-4)
    assert hf.torch_hf_model_info(I, None, llama) == List(["vocab_size", 32, "hidden_size", 16])
    # greedy generation = argmax rollout of full forwards
    seq, expect = [1, 5, 7], []
    for _ in range(4):
        t = int(hf.torch_hf_forward(I, None, llama, torch.tensor([seq]))[0, -1].argmax())
        expect.append(t)
        seq.append(t)
    got = hf.torch_hf_generate(I, None, llama, List([1, 5, 7]), -1, 4, cfg(greedy=True))
    assert list(got) == expect
    assert list(hf.torch_hf_generate(I, None, llama, List([1, 5, 7]), 7, 4)) == []
    from lispe_py.builtins.registry import BUILTINS
    assert isinstance(BUILTINS["torch_hf_get_q_weight"].fn(I, None, llama, 9), Maybe)


def test_hf_manual_attention_and_lora(tmp_path):
    d = make_checkpoint(str(tmp_path / "qwen"), qwen3=True, seed=1)
    q = hf.torch_hf_load_model(I, None, d, cfg(device="cpu", manual_attention=True))
    ids = torch.tensor([[2, 3, 4]])
    a = hf.torch_hf_forward(I, None, q, ids)
    b = hf.torch_hf_forward_manual(I, None, q, ids)
    assert torch.allclose(a, b, atol=1e-4)
    assert hf.torch_hf_forward_attention_size(I, None, q) == 2
    assert hf.torch_hf_forward_attention_scores(I, None, q, 0).shape == (1, 4, 3, 3)
    name = hf.torch_hf_load_model_lora(I, None, "tiny-lora", d, cfg(device="cpu"))
    hf.torch_hf_lora_init(I, None, name, 2, 4, List(["q_proj", "down_proj"]))
    params = hf.torch_hf_lora_get_parameters(I, None, name)
    assert len(params) == 8
    opt = torch.optim.SGD(list(params), lr=0.1)
    out = hf.torch_hf_forward(I, None, name, ids)
    out.pow(2).mean().backward()
    opt.step()
    tuned = hf.torch_hf_forward(I, None, name, ids).detach()
    assert not torch.allclose(tuned, out.detach())
    hf.torch_hf_lora_merge(I, None, name)
    assert torch.allclose(hf.torch_hf_forward(I, None, name, ids), tuned, atol=1e-4)
    hf.torch_hf_lora_unmerge(I, None, name)
    hf.torch_hf_lora_enable(I, None, name, None)
    assert torch.allclose(hf.torch_hf_forward(I, None, name, ids), out.detach(), atol=1e-4)


def test_hf_errors():
    for fn, args, text in (
            (hf.torch_hf_forward, ("tmp_no_model", torch.ones(1, 2)),
             "Model not loaded: tmp_no_model"),
            (hf.torch_hf_lora_merge, ("tmp_no_model",), "Model not found: tmp_no_model"),
            (hf.torch_hf_load_model, ("tmp_no_model",),
             "  \u2717 Cannot open config file: tmp_no_model/config.json"),
            (hf.torch_hf_reset_kv_cache, (3,), "Error: Expecting a kv cache type")):
        with pytest.raises(LispEError) as e:
            fn(I, None, *args)
        assert e.value.text == text
    assert hf.torch_hf_model_summary(I, None, "x") == "HF Model Summary"
    assert list(hf.torch_hf_list_weights(I, None, "x")) == [] and hf.torch_hf_get_weight(I, None, "x", "w") is None


def test_remaining_hf_and_jit_builtins(tmp_path, jit_file):
    """Builtins of spec §1 no conformance case reaches: HF embeddings, eps, memory, attention
    score clearing, LoRA adapter files; moving a JIT model between devices."""
    from lispe_py.values import TRUE
    d = make_checkpoint(str(tmp_path / "qwen"), qwen3=True, seed=2)
    q = hf.torch_hf_load_model(I, None, d, cfg(device="cpu", manual_attention=True))
    assert hf.torch_hf_get_rms_norm_eps(I, None, q) == 1e-6
    n_weights = sum(t.numel() * t.element_size() for t in hf._model(I, q).w.values())
    assert hf.torch_hf_memory_usage(I, None, q) == n_weights
    ids = torch.tensor([[1, 2, 3]])
    emb = hf.torch_hf_embeddings(I, None, q, ids)
    assert torch.equal(emb, hf._model(I, q).w["model.embed_tokens.weight"][ids])
    hf.torch_hf_forward_manual(I, None, q, ids)
    assert hf.torch_hf_forward_attention_size(I, None, q) == 2
    assert hf.torch_hf_clear_attention_scores(I, None, q) is TRUE
    assert hf.torch_hf_forward_attention_size(I, None, q) == 0
    # LoRA adapters: save, change, load back
    name = hf.torch_hf_load_model_lora(I, None, "tiny-lora-files", d, cfg(device="cpu"))
    hf.torch_hf_lora_init(I, None, name, 2, 4, List(["q_proj"]))
    params = list(hf.torch_hf_lora_get_parameters(I, None, name))
    with torch.no_grad():
        for p in params:
            p.normal_()
    before = hf.torch_hf_forward(I, None, name, ids).detach()
    path = str(tmp_path / "adapters.pt")
    assert hf.torch_hf_lora_save(I, None, name, path) is TRUE
    with torch.no_grad():
        for p in params:
            p.zero_()
    assert not torch.allclose(hf.torch_hf_forward(I, None, name, ids), before)
    assert hf.torch_hf_lora_load(I, None, name, path) is TRUE
    assert torch.allclose(hf.torch_hf_forward(I, None, name, ids), before, atol=1e-5)
    # JIT devices (CPU here: MPS and CUDA are absent, so both land on the CPU)
    m = jit.torch_jit_load(jit_file)
    assert jit.torch_jit_model_to_device(m, "cpu") is TRUE
    assert jit.torch_jit_model_to_best_device(m) is TRUE
    assert m.device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(LispEError, match="Error moving model to device"):
        jit.torch_jit_model_to_device(m, "nodevice")


def test_cuda_builtins_without_cuda():
    if torch.cuda.is_available():
        pytest.skip("a CUDA machine")
    from lispe_py import LispE
    lisp = LispE()
    lisp.eval("(use 'lispe_torch)")
    for src in ['(torch_set_device "cuda")', "(torch_to_cuda (tensor_ones (integers 2)))",
                "(torch_cuda_empty_cache)"]:
        with pytest.raises(LispEError, match="CUDA support not compiled"):
            lisp.eval(src)
    assert lisp.eval("(torch_cuda_memory_total)") == 0
    assert lisp.eval("(torch_cuda_memory_allocated)") == 0
