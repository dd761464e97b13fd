"""What the lispetorch author's programs (shared/programs/lispetorch: model_qwen.lisp,
generate_qwen.lisp, lora_training.lisp) need from the Hugging Face builtins, on tiny random
Qwen3 / Llama checkpoints written here with transformers:

* ``torch_hf_forward`` gives transformers' logits on the same weights (bf16 as stored, and
  float32 on request), with and without the KV cache;
* models are per interpreter, loaded in the checkpoint's dtype by default, and "mps" / "cuda"
  fall back to the CPU with one note on stderr;
* a LoRA trainer written like lora_training.lisp (class, warmup-cosine scheduler, gradient
  accumulation, clipping, adapters saved) lowers the loss, steps the optimizer only at the
  accumulation boundary, and its adapters reload to the same logits;
* the four programs themselves run unchanged (``shared/programs/lispetorch/run``)."""

import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from lispe_py import LispE, LispEError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS = os.path.join(os.path.dirname(ROOT), "shared", "programs", "lispetorch")

# the sizes of shared/programs/lispetorch/make_tiny_qwen.py, with a small vocabulary
TINY = dict(vocab_size=300, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, head_dim=16,
            max_position_embeddings=512)


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """{"qwen3": folder, "llama": folder}: bf16 safetensors written by transformers."""
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen3Config, Qwen3ForCausalLM
    root = tmp_path_factory.mktemp("tiny_hf")
    torch.manual_seed(0)
    models = {
        "qwen3": Qwen3ForCausalLM(Qwen3Config(tie_word_embeddings=True, rope_theta=1e6,
                                              rms_norm_eps=1e-6, **TINY)),
        "llama": LlamaForCausalLM(LlamaConfig(tie_word_embeddings=False, rope_theta=5e5,
                                              rms_norm_eps=1e-5, **TINY))}
    out = {}
    for name, m in models.items():
        out[name] = str(root / name)
        m.to(torch.bfloat16).save_pretrained(out[name])
    return out


def _reference(path, dtype):
    from transformers import AutoModelForCausalLM
    return AutoModelForCausalLM.from_pretrained(path, dtype=dtype).eval()


def _lisp(**values):
    lisp = LispE()
    lisp.eval("(use 'lispe_torch)")
    for k, v in values.items():
        lisp.define(k, v)
    return lisp


# --------------------------------------------------------------------------- logits

@pytest.mark.parametrize("name", ["qwen3", "llama"])
@pytest.mark.parametrize("dtype", ["bf16", "float32"])
def test_hf_forward_matches_transformers(checkpoints, name, dtype):
    """Same logits as transformers on the same weights: a full forward of a batch, and the
    KV-cache path of model_qwen.lisp (the prompt, then one token per call)."""
    path = checkpoints[name]
    ref = _reference(path, torch.float32 if dtype == "float32" else "auto")
    config = '(dictionary "device" "cpu")' if dtype == "bf16" else \
        '(dictionary "device" "cpu" "dtype" "float32")'
    torch.manual_seed(1)
    ids = torch.randint(0, TINY["vocab_size"], (2, 12))
    lisp = _lisp(path=path, ids=ids)
    lisp.eval("(setq m (torch_hf_load_model path %s))" % config)
    got = lisp.eval("(torch_hf_forward m ids)")
    with torch.no_grad():
        want = ref(ids).logits.float()
    tol = 1e-5 if dtype == "float32" else 2e-2        # bf16: one rounding step of ~1
    assert got.shape == (2, 12, TINY["vocab_size"]) and got.dtype == torch.float32
    torch.testing.assert_close(got, want, atol=tol, rtol=0)
    assert torch.equal(got.argmax(-1), want.argmax(-1))
    # incremental: 8 prompt tokens through a new cache, then 4 single tokens
    lisp.eval("(setq kv (torch_hf_enable_kv_cache m true))")
    steps = [lisp.eval("(torch_hf_forward m (tensor_slice ids 1 0 8) kv)")[:, -1]]
    for j in range(8, 12):
        steps.append(lisp.eval("(torch_hf_forward m (tensor_slice ids 1 %d %d) kv)"
                               % (j, j + 1))[:, -1])
    torch.testing.assert_close(torch.stack(steps[:-1], 1), want[:, 7:11], atol=tol, rtol=0)
    assert lisp.eval("(string kv)") == "KV Cache (12 tokens)"
    # the shared context of (torch_hf_enable_kv_cache m false) keeps nothing between calls
    lisp.eval("(setq shared (torch_hf_enable_kv_cache m false))")
    for _ in range(2):
        torch.testing.assert_close(lisp.eval("(torch_hf_forward m ids shared)"), got, atol=0,
                                   rtol=0)


def test_llama3_rope_scaling_matches_transformers(tmp_path):
    """A Llama 3.1 config carries rope_scaling {"rope_type": "llama3", ...}: the frequencies
    are rescaled as transformers does (positions beyond original_max_position_embeddings)."""
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(2)
    scaling = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 16}
    kw = dict(TINY, num_hidden_layers=1)
    ref = LlamaForCausalLM(LlamaConfig(rope_theta=5e5, rope_scaling=scaling, **kw)).eval()
    ref.save_pretrained(str(tmp_path))
    ids = torch.randint(0, TINY["vocab_size"], (1, 40))
    lisp = _lisp(path=str(tmp_path), ids=ids)
    got = lisp.eval("(torch_hf_forward (torch_hf_load_model path) ids)")
    with torch.no_grad():
        torch.testing.assert_close(got, ref(ids).logits, atol=1e-5, rtol=0)
    # a rope type lispe-py does not compute is an error, not a silent difference
    import json
    cfg = json.load(open(tmp_path / "config.json"))
    for key in ("rope_scaling", "rope_parameters"):
        if key in cfg:
            cfg[key] = dict(cfg[key], rope_type="yarn")
    json.dump(cfg, open(tmp_path / "config.json", "w"))
    with pytest.raises(LispEError, match="rope scaling 'yarn' is not supported"):
        _lisp(path=str(tmp_path)).eval("(torch_hf_load_model path)")


# --------------------------------------------------------------------------- loading

def test_models_are_per_interpreter(checkpoints):
    path = checkpoints["qwen3"]
    a, b = _lisp(path=path), _lisp(path=path)
    a.eval('(torch_hf_load_model path (dictionary "device" "cpu"))')
    a.eval('(torch_hf_load_model_lora "tuned" path (dictionary "device" "cpu"))')
    with pytest.raises(LispEError, match="Model not loaded: " + path):
        b.eval("(torch_hf_forward path (tensor_create (integers 1 2)))")
    with pytest.raises(LispEError, match="Model not found: tuned"):
        b.eval("(torch_hf_lora_get_parameters \"tuned\")")
    # b loads its own copy (here in float32): a's model is untouched
    b.eval('(torch_hf_load_model path (dictionary "device" "cpu" "dtype" "float32"))')
    assert a.eval("(torch_hf_get_q_weight path 0)").dtype == torch.bfloat16
    assert b.eval("(torch_hf_get_q_weight path 0)").dtype == torch.float32
    assert a.interpreter.hf_models[path] is not b.interpreter.hf_models[path]


def test_checkpoint_dtype_by_default_float32_on_request(checkpoints):
    path = checkpoints["llama"]
    lisp = _lisp(path=path)
    lisp.eval('(setq m (torch_hf_load_model path (dictionary "device" "cpu")))')
    weights = lisp.interpreter.hf_models[path].w
    assert {t.dtype for t in weights.values()} == {torch.bfloat16}
    assert lisp.eval("(torch_hf_memory_usage m)") == sum(t.numel() * 2 for t in weights.values())
    lisp.eval('(torch_hf_load_model_lora "f32" path (dictionary "device" "cpu" "dtype" "float32"))')
    assert lisp.eval('(torch_hf_get_gate_weight "f32" 1)').dtype == torch.float32
    with pytest.raises(LispEError, match="unknown dtype: int8"):
        lisp.eval('(torch_hf_load_model_lora "x" path (dictionary "dtype" "int8"))')


def test_mps_and_cuda_fall_back_with_one_note(checkpoints, capsys, monkeypatch):
    if torch.backends.mps.is_available() or torch.cuda.is_available():
        pytest.skip("this machine has MPS or CUDA")
    from lispe_py.torch import devices
    monkeypatch.setattr(devices, "_warned", set())        # notes already given in this process
    lisp = _lisp(path=checkpoints["qwen3"])
    capsys.readouterr()
    lisp.eval('(torch_hf_load_model path (dictionary "device" "mps"))'
              '(torch_hf_load_model_lora "b" path (dictionary "device" "mps"))'
              '(torch_hf_load_model_lora "c" path (dictionary "device" "cuda"))'
              '(torch_hf_load_model_lora "d" path (dictionary "device" "cuda:1"))'
              "(loopcount 3 (torch_to_mps (tensor_create (integers 1 2))))")
    out = lisp.eval('(torch_hf_forward "c" (torch_to_mps (tensor_create (integers 1 2))))')
    assert out.device.type == "cpu" and out.shape == (1, 2, TINY["vocab_size"])
    assert capsys.readouterr().err.splitlines() == [
        "lispe-py: MPS is not available on this machine; using cpu instead",
        "lispe-py: CUDA is not available on this machine; using cpu instead"]


# --------------------------------------------------------------------------- LoRA trainer

TRAINER = r"""
(use 'lispe_torch)

(class@ TinyLoRATrainer (model_name model_path config init)
    (defun configure()
        (setqi global_step 0)
        (setqi accumulation_step 0)
        (setqi epoch_losses (floats))
        (setqi updates (integers))
        (torch_hf_load_model_lora model_name model_path (dictionary "device" (@ config "device")))
        (torch_hf_lora_init model_name 8 16 (strings "q_proj" "k_proj" "v_proj" "o_proj") "bfloat16")
        (setq lora_params (torch_hf_lora_get_parameters model_name))
        (setqi optimizer (torch_optimizer_add_params lora_params (@ config "learning_rate") 0.01))
        (setqi scheduler (torch_lr_scheduler optimizer "linear_warmup_cosine"
            (dictionary "initial_lr" (@ config "learning_rate") "min_lr" 1e-5
                        "total_steps" (@ config "total_steps") "warmup_steps" 2)))
        true)

    (defun loss_of(input_tensor)
        (setq input_2d (tensor_reshape input_tensor (integers 1 -1)))
        (setq logits (torch_hf_forward model_name input_2d))
        (setq shape (tensor_shape logits))
        (setq seq_len (@ shape 1))
        (setq pred (tensor_reshape (tensor_slice logits 1 0 (- seq_len 1))
                                   (integers (- seq_len 1) (@ shape 2))))
        (setq target (tensor_reshape (torch_to_mps . tensor_slice input_2d 1 1 seq_len)
                                     (integers (- seq_len 1))))
        (torch_cross_entropy pred target))

    (defun train_step(input_tensor)
        (check (== (% accumulation_step (@ config "accumulation")) 0)
            (torch_optimizer_zero_grad optimizer))
        (setq loss (loss_of input_tensor))
        (torch_backward (tensor_div loss . torch_to_mps . tensor_create . floats (@ config "accumulation")))
        (setq should_update (== (% (+ accumulation_step 1) (@ config "accumulation")) 0))
        (check should_update
            (torch_clip_grad_norm optimizer 1.0)
            (torch_optimizer_step optimizer)
            (torch_scheduler_step scheduler)
            (torch_optimizer_zero_grad optimizer)
            (+= global_step 1)
            (push updates (+ accumulation_step 1)))
        (+= accumulation_step 1)
        (@ loss 0))

    (defun train(samples epochs)
        (loopcount epochs epoch
            (setq total 0.0)
            (loop s samples (+= total (train_step s)))
            (push epoch_losses (/ total (size samples))))
        epoch_losses)

    (defun validate(samples)
        (torch_set_grad_enabled false)
        (setq total 0.0)
        (loop s samples (+= total (@ (loss_of s) 0)))
        (torch_set_grad_enabled true)
        (/ total (size samples)))
)
"""


def test_lora_trainer_in_the_style_of_lora_training(checkpoints, tmp_path):
    path = checkpoints["llama"]
    torch.manual_seed(3)
    samples = [torch.randint(0, TINY["vocab_size"], (16,)) for _ in range(6)]
    lisp = _lisp(path=path, samples=samples, adapters=str(tmp_path / "adapters.pt"))
    lisp.eval(TRAINER)
    lisp.eval('(setq trainer (TinyLoRATrainer "tiny_lora" path (dictionary "device" "mps" '
              '"learning_rate" 1e-2 "accumulation" 4 "total_steps" 6) (configure)))')
    before = lisp.eval("(trainer (validate samples))")
    b_weight = lisp.eval('(@ (torch_hf_lora_get_parameters "tiny_lora") 1)')
    snapshots = []

    # one epoch by hand, micro-step by micro-step: B (zero at start) changes only at steps 4, 8
    for s in range(6):
        lisp.eval("(trainer (train_step (@ samples %d)))" % s)
        snapshots.append(b_weight.detach().float().abs().sum().item())
    assert snapshots[:3] == [0.0, 0.0, 0.0] and snapshots[3] > 0.0
    assert snapshots[4] == snapshots[5] == snapshots[3]
    assert lisp.eval("(@ trainer 'global_step)") == 1
    assert lisp.eval("(@ trainer 'updates)") == [4]

    losses = lisp.eval("(trainer (train samples 3))")
    after = lisp.eval("(trainer (validate samples))")
    assert lisp.eval("(@ trainer 'updates)") == [4, 8, 12, 16, 20, 24]
    assert lisp.eval("(@ trainer 'global_step)") == 6
    assert list(losses) == sorted(losses, reverse=True) and after < before - 0.2, \
        (before, losses, after)
    assert abs(lisp.eval("(torch_scheduler_get_lr (@ trainer 'scheduler))") - 1e-5) < 1e-9

    # the adapters reload into a fresh model (another interpreter) to the same logits
    assert lisp.eval('(torch_hf_lora_save "tiny_lora" adapters)') is True
    probe = "(torch_hf_forward \"tiny_lora\" (tensor_reshape (@ samples 0) (integers 1 -1)))"
    tuned = lisp.eval(probe)
    other = _lisp(path=path, samples=samples, adapters=str(tmp_path / "adapters.pt"))
    other.eval('(torch_hf_load_model_lora "tiny_lora" path (dictionary "device" "cpu"))')
    other.eval('(torch_hf_lora_init "tiny_lora" 8 16 (strings "q_proj" "k_proj" "v_proj" '
               '"o_proj") "bfloat16")')
    assert not torch.equal(other.eval(probe), tuned)
    assert other.eval('(torch_hf_lora_load "tiny_lora" adapters)') is True
    assert torch.equal(other.eval(probe), tuned)


# --------------------------------------------------------------------------- the programs

@pytest.mark.skipif(not os.path.isfile(os.path.join(PROGRAMS, "run")),
                    reason="shared/programs/lispetorch is not next to this checkout")
def test_author_programs_run_unchanged(tmp_path):
    # one OpenMP thread per program: these tiny models spend their time in small kernels,
    # and spinning OpenMP threads next to the other test workers slow them down many times
    env = dict(os.environ, WORK=str(tmp_path), PYTHON=sys.executable,
               LISPE="%s -m lispe_py" % sys.executable)
    env.setdefault("OMP_NUM_THREADS", "1")
    r = subprocess.run([os.path.join(PROGRAMS, "run")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.stdout.strip().splitlines()[-1] == "4 passed, 0 failed", r.stdout + r.stderr
