"""Greedy generation benchmark: ``torch_hf_generate`` (lispe-py's Hugging Face loader, KV
cache) against ``transformers``' ``generate`` (greedy, ``use_cache=True``) on the same
weights, in one process, on the CPU or a GPU.

    python bench/hf_generate.py [--tokens 200] [--rounds 5] [--prompt 32] [--dtype bfloat16]
                                [--model DIR] [--arch qwen-tiny|llama-512] [--device cuda]

The model is a tiny random Qwen3 (``--arch qwen-tiny``, the default: hidden 64, 2 layers, 4
heads, 2 KV heads, head_dim 16, tied embeddings, q/k norms; the sizes of
``shared/programs/lispetorch/make_tiny_qwen.py``) or a 4-layer, 512-wide Llama (``--arch
llama-512``: 8 heads, 4 KV heads, MLP 1536, vocabulary 32000) written as bf16 safetensors into
a temporary folder, unless ``--model`` names a checkpoint folder. On CUDA a fourth side is
transformers' ``generate`` with its static cache (``cache_implementation="static"``, without
the torch.compile it would start).
Both sides generate exactly ``--tokens`` new tokens from the same random prompt (no EOS stop),
and the tokens are checked to be identical (same logits, same argmax). A third side, "forward
loop", is the same greedy decoding written directly on the transformers model
(``model(ids, past_key_values=...)`` one token at a time, without ``generate``'s machinery).
The sides alternate, round after round, in turn order reversed each round; the figure is the
median of the rounds. tokens/s = new tokens / wall time; the ratios are lispe-py / transformers.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# bench/tokenizers.py would shadow the tokenizers package that transformers imports
sys.path[:] = [ROOT] + [p for p in sys.path if os.path.abspath(p or ".") != HERE]


def build_tiny_qwen(folder, dtype):
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM
    torch.manual_seed(0)
    cfg = Qwen3Config(vocab_size=1027, hidden_size=64, intermediate_size=128,
                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                      head_dim=16, max_position_embeddings=4096, tie_word_embeddings=True,
                      rope_theta=1000000.0, rms_norm_eps=1e-6)
    Qwen3ForCausalLM(cfg).to(getattr(torch, dtype)).save_pretrained(folder)
    return folder


def build_llama_512(folder, dtype):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=32000, hidden_size=512, intermediate_size=1536,
                      num_hidden_layers=4, num_attention_heads=8, num_key_value_heads=4,
                      max_position_embeddings=2048, tie_word_embeddings=False,
                      rope_theta=500000.0, rms_norm_eps=1e-5)
    LlamaForCausalLM(cfg).to(getattr(torch, dtype)).save_pretrained(folder)
    return folder


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--prompt", type=int, default=32, help="prompt length (tokens)")
    ap.add_argument("--dtype", default="bfloat16", help="dtype of the generated checkpoint")
    ap.add_argument("--model", help="an existing checkpoint folder (config.json + safetensors)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--arch", default="qwen-tiny", choices=["qwen-tiny", "llama-512"])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    a = ap.parse_args()

    import warnings
    import torch
    import transformers
    from transformers import AutoModelForCausalLM
    from lispe_py import LispE

    warnings.filterwarnings("ignore")                 # transformers' deprecation notes
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    if a.threads:
        torch.set_num_threads(a.threads)
    tmp = None
    folder = a.model
    if folder is None:
        tmp = tempfile.TemporaryDirectory()
        build = build_tiny_qwen if a.arch == "qwen-tiny" else build_llama_512
        folder = build(tmp.name, a.dtype)

    dev = a.device
    cuda = dev.startswith("cuda")
    ref = AutoModelForCausalLM.from_pretrained(folder, dtype="auto").eval().to(dev)
    ref.generation_config.eos_token_id = None
    ref.generation_config.pad_token_id = 0
    vocab = ref.config.vocab_size
    torch.manual_seed(1)
    prompt = torch.randint(0, vocab, (1, a.prompt)).to(dev)

    lisp = LispE()
    lisp.define("path", folder)
    lisp.define("prompt", prompt[0].tolist())
    lisp.define("n", a.tokens)
    lisp.define("dev", dev)
    lisp.eval('(use \'lispe_torch) (setq m (torch_hf_load_model path (dictionary "device" dev)))'
              ' (setq opts (dictionary "greedy" true))')
    where = lisp.interpreter.hf_models[folder].device
    code = "(torch_hf_generate m prompt -1 n opts)"

    def sync():
        if cuda:
            torch.cuda.synchronize()

    def run_lispe():
        sync()
        t = time.perf_counter()
        out = lisp.eval(code)
        return time.perf_counter() - t, list(out)

    def run_hf(**extra):
        sync()
        t = time.perf_counter()
        with torch.no_grad():
            out = ref.generate(prompt, max_new_tokens=a.tokens, min_new_tokens=a.tokens,
                               do_sample=False, use_cache=True, **extra)
        out = out[0, a.prompt:].tolist()
        return time.perf_counter() - t, out

    def run_hf_static():
        # without the automatic torch.compile that a static cache triggers (compiling would
        # take longer than the whole benchmark)
        try:
            return run_hf(cache_implementation="static", disable_compile=True)
        except (TypeError, ValueError):
            return run_hf(cache_implementation="static")

    def run_loop():
        # the same greedy decoding written directly on the transformers model (no generate)
        t = time.perf_counter()
        new = []
        with torch.no_grad():
            out = ref(prompt, use_cache=True)
            for _ in range(a.tokens):
                tok = int(out.logits[0, -1].argmax())
                new.append(tok)
                if len(new) == a.tokens:
                    break
                out = ref(torch.tensor([[tok]], device=dev), past_key_values=out.past_key_values,
                          use_cache=True)
        return time.perf_counter() - t, new

    sides = (("lispe-py", run_lispe), ("transformers", run_hf), ("forward loop", run_loop))
    if cuda:
        sides = sides + (("hf static cache", run_hf_static),)
    ok = []
    for name, fn in sides:
        try:
            fn()                                      # warm-up
            ok.append((name, fn))
        except Exception as e:                        # a side that fails is reported
            print("  %s failed: %s" % (name, str(e).splitlines()[0][:200]))
    sides = tuple(ok)
    times = {name: [] for name, _ in sides}
    outs = {}
    for r in range(a.rounds):
        for name, fn in (sides if r % 2 == 0 else sides[::-1]):
            dt, out = fn()
            times[name].append(dt)
            outs[name] = out
    same = outs["lispe-py"] == outs["transformers"] == outs["forward loop"]

    def agree(x, y):
        n = 0
        for p, q in zip(x, y):
            if p != q:
                break
            n += 1
        return n

    tps = {k: a.tokens / statistics.median(v) for k, v in times.items()}
    best = {k: a.tokens / min(v) for k, v in times.items()}
    ratio = tps["lispe-py"] / tps["transformers"]
    device = torch.cuda.get_device_name() if cuda else "cpu"
    print("%s (lispe-py model on %s), torch %s, transformers %s, %d threads, dtype %s, %s, "
          "prompt %d, %d new tokens, %d rounds"
          % (device, where, torch.__version__, transformers.__version__, torch.get_num_threads(),
             str(ref.dtype).replace("torch.", ""), a.arch if not a.model else a.model, a.prompt,
             a.tokens, a.rounds))
    for k, _ in sides:
        print("  %-16s %8.1f tokens/s median, %8.1f best  (%s s)" % (
            k, tps[k], best[k], ", ".join("%.3f" % t for t in times[k])))
    print("  same tokens: %s (lispe-py and transformers agree on the first %d of %d)"
          % ("yes" if same else "NO", agree(outs["lispe-py"], outs["transformers"]), a.tokens))
    if "hf static cache" in tps:
        print("  ratio lispe-py / transformers generate (static cache): %.2f"
              % (tps["lispe-py"] / tps["hf static cache"]))
    if a.json:
        import json
        with open(a.json, "w") as f:
            json.dump({"median": tps, "best": best, "times": times, "device": device,
                       "torch": torch.__version__, "transformers": transformers.__version__,
                       "agree": agree(outs["lispe-py"], outs["transformers"])}, f, indent=1)
    print("  ratio lispe-py / transformers generate: %.2f" % ratio)
    print("  ratio lispe-py / transformers forward loop: %.2f"
          % (tps["lispe-py"] / tps["forward loop"]))
    if tmp is not None:
        tmp.cleanup()
    return 0 if (same or cuda) else 1


if __name__ == "__main__":
    sys.exit(main())
