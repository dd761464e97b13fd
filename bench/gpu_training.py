"""GPU training benchmark: a causal LM built from lispe-py's builtins and trained from a LispE
loop, against the same nn.Modules trained from plain PyTorch, in one process (CUDA).

    python bench/gpu_training.py                   every part, each in its own subprocess
    python bench/gpu_training.py --part gpt        one part: gpt, small or memory
    python bench/gpu_training.py --quick           tiny sizes, a few steps (a smoke test;
                                                   runs on the CPU too)

Parts:

* ``gpt``: GPT-2-small-sized model — token embedding (V=32768, E=768), sinusoidal positions
  (``torch_positional_encoding``), 12 ``torch_transformer_block`` of 768 with 12 heads (flash,
  causal, batch-first), layer norm, linear head to V; B=8, T=1024; AdamW, lr 3e-4. The LispE
  side is a ``defun`` loop of ``torch_optimizer_zero_grad``, the forward builtins,
  ``torch_cross_entropy``, ``torch_backward``, ``torch_optimizer_step``; the PyTorch side is
  the same loop in Python over deep copies of the same modules (one ``nn.Module`` whose forward
  calls them in the same order). Variants: fp32 with exact matrix products ("ieee") and with
  TF32 (lispe-py's default on CUDA); bf16 (``torch_autocast "bfloat16"`` / ``torch.autocast``,
  fused AdamW — lispe-py picks it by itself on CUDA, the PyTorch side passes ``fused=True``);
  the same with the pre-norm GELU block (``{"norm" "pre" "activation" "gelu"}``); and that plus
  ``torch_compile`` of the modules (LispE) / ``torch.compile`` of the whole model (PyTorch,
  the loss outside it, as usual; a last variant compiles the loss into the graph too).
* ``small``: 4 blocks of 256 (4 heads), T=256, B=16, V=32768: per-call overhead.
* ``memory``: one training step of the examples/llama_config.lsp configuration (vocabulary
  128256, E=4096, 32 heads, 8192 tokens) as a model — embedding, N pre-norm GELU blocks
  (default 4) under ``torch_checkpoint_create``/``torch_checkpoint_enable``, layer norm, head —
  in bf16 autocast with fused AdamW; peak CUDA memory (``max_memory_allocated``) with and
  without activation checkpointing.

Timing: after warm-up steps (which compile), the variants take turns over ``--rounds`` rounds
in a rotating order, ``--steps`` steps each per round, CUDA synchronised around each block;
tokens/s = B·T·steps / time; best and median round. MFU = tokens/s · (6·N + 12·L·E·T) / peak,
N counting every parameter (embedding and head included) and 12·L·E·T the attention products,
peak = 989 TFLOPS (H100 SXM dense bf16; the H200 has the same).
"""

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# bench/tokenizers.py would shadow the tokenizers package
sys.path[:] = [ROOT] + [p for p in sys.path if os.path.abspath(p or ".") != HERE]

PEAK = 989e12

SIZES = {
    "gpt": dict(V=32768, E=768, H=12, L=12, T=1024, B=8),
    "small": dict(V=32768, E=256, H=4, L=4, T=256, B=16),
    "quick": dict(V=512, E=64, H=4, L=2, T=64, B=4),
}

BLOCKS = {
    "post": '{"flash":true "causal":true "batch_first":true}',
    "pre": '{"flash":true "causal":true "batch_first":true "norm":"pre" "activation":"gelu"}',
}

MODEL = r"""
(use 'lispe_torch)
(setq emb (torch_embedding V E))
(setq pe (torch_positional_encoding E T))
(setq blocks (list))
(loopcount L (push blocks (torch_transformer_block E H (* 4 E) OPTIONS)))
(setq ln (torch_layer_norm E))
(setq head (torch_linear E V))
(setq model (list emb pe blocks ln head))
(torch_to_device emb dev) (torch_to_device pe dev) (torch_to_device ln dev) (torch_to_device head dev)
(loop b blocks (torch_to_device b dev))
"""

LOOP = r"""
(setq opt (torch_optimizer model 0.0003 "adamw"))
(defun forward (x)
   (setq h (torch_embedding_forward emb x))
   (setq h (torch_transpose (torch_positional_forward pe (torch_transpose h 0 1)) 0 1))
   (loop b blocks (setq h (torch_transformer_forward b h)))
   (torch_linear_forward head (torch_layer_norm_forward ln h)))
(setq i 0)
(defun train_steps (n)
   (loopcount n
      (torch_optimizer_zero_grad opt)
      (setq loss (torch_cross_entropy (torch_reshape (forward (@ xs i)) (integers -1 V)) (@ ys i)))
      (torch_backward loss)
      (torch_optimizer_step opt)
      (setq i (% (+ i 1) nb)))
   loss)
"""


def _sync(torch):
    if torch.cuda.is_available():
        torch.cuda.synchronize()


class Variant:
    """One side of one configuration: ``steps(n)`` trains n steps."""

    def __init__(self, name, steps, tf32=True):
        self.name, self.steps, self.tf32 = name, steps, tf32


def build(size, block, bf16, compile_mode, dev, data, loss_in_graph=False):
    """(LispE variant, PyTorch variant) over the same initial weights."""
    import torch
    import torch.nn.functional as F
    from lispe_py import LispE
    s = SIZES[size]
    lisp = LispE()
    for k, v in s.items():
        lisp.define(k, v)
    lisp.define("dev", dev)
    xs, ys = data
    lisp.define("xs", xs)
    lisp.define("ys", [y.reshape(-1) for y in ys])
    lisp.define("nb", len(xs))
    lisp.eval(MODEL.replace("OPTIONS", BLOCKS[block]))
    g = lisp.interpreter.globals

    def mod(name):
        return g[name].module

    # the PyTorch twin: deep copies of the same modules, before anything is compiled
    emb, pe, ln, head = (copy.deepcopy(mod(n)) for n in ("emb", "pe", "ln", "head"))
    blocks = [copy.deepcopy(b.module) for b in g["blocks"]]

    class GPT(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.pe, self.ln, self.head = emb, pe, ln, head
            self.blocks = torch.nn.ModuleList(blocks)

        def forward(self, x, y=None):
            h = self.emb(x)
            h = self.pe(h.transpose(0, 1)).transpose(0, 1)
            for b in self.blocks:
                h = b(h)
            logits = self.head(self.ln(h))
            if y is None:
                return logits
            return F.cross_entropy(logits.reshape(-1, s["V"]), y)

    model = GPT()
    if bf16:
        lisp.eval('(torch_autocast "bfloat16")')
    if compile_mode:
        lisp.eval('(torch_compile model %s)' % ('"%s"' % compile_mode))
    lisp.eval(LOOP)
    program = "(train_steps %d)"

    def lispe_steps(n):
        return lisp.eval(program % n)

    fused = bf16 and dev == "cuda"
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, fused=True if fused else None)
    fwd = model
    if compile_mode:
        kw = {} if compile_mode == "default" else {"mode": compile_mode}
        fwd = torch.compile(model, **kw)
    state = {"i": 0}
    ys_flat = [y.reshape(-1) for y in ys]

    def torch_steps(n):
        loss = None
        for _ in range(n):
            i = state["i"]
            opt.zero_grad(set_to_none=True)
            with torch.autocast(dev, dtype=torch.bfloat16, enabled=bf16):
                if loss_in_graph:
                    loss = fwd(xs[i], ys_flat[i])
                else:
                    loss = F.cross_entropy(fwd(xs[i]).reshape(-1, s["V"]), ys_flat[i])
            loss.backward()
            opt.step()
            state["i"] = (i + 1) % len(xs)
        return loss

    n_params = sum(p.numel() for p in model.parameters())
    return lispe_steps, torch_steps, n_params


def run_train(size, variants, rounds, steps, warmup, dev, deadline):
    """variants: [(label, side, block, bf16, compile, tf32, loss_in_graph)]."""
    import torch
    s = SIZES[size]
    torch.manual_seed(0)
    nb = 4
    data = ([torch.randint(0, s["V"], (s["B"], s["T"]), device=dev) for _ in range(nb)],
            [torch.randint(0, s["V"], (s["B"], s["T"]), device=dev) for _ in range(nb)])
    built, results, n_params = {}, {}, None
    # build each (block, bf16, compile) pair once: the LispE side and its twin
    for label, side, block, bf16, comp, tf32, lig in variants:
        key = (block, bf16, comp, lig)
        if key not in built:
            torch.manual_seed(0)
            built[key] = build(size, block, bf16, comp, dev, data, lig)
            n_params = built[key][2]
    live = []
    for label, side, block, bf16, comp, tf32, lig in variants:
        fn = built[(block, bf16, comp, lig)][0 if side == "lispe" else 1]
        if time.time() > deadline - (120 if comp else 30):
            results[label] = {"error": "skipped: out of time"}
            continue
        torch.backends.cuda.matmul.allow_tf32 = tf32
        t = time.perf_counter()
        try:
            fn(warmup)
            _sync(torch)
            if comp:
                fn(1)          # a recompilation after the first steps would show here
                _sync(torch)
        except Exception as e:             # a variant that fails is reported, not fatal
            results[label] = {"error": "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:300])}
            print("  %s failed: %s" % (label, results[label]["error"]), flush=True)
            continue
        print("  warm-up %-28s %.1f s" % (label, time.perf_counter() - t), flush=True)
        results[label] = {"times": []}
        live.append((label, fn, tf32))
    tokens = s["B"] * s["T"] * steps
    for r in range(rounds):
        if time.time() > deadline:
            print("  (deadline: %d rounds)" % r, flush=True)
            break
        order = live[r % len(live):] + live[:r % len(live)] if live else []
        for label, fn, tf32 in order:
            torch.backends.cuda.matmul.allow_tf32 = tf32
            _sync(torch)
            t = time.perf_counter()
            loss = fn(steps)
            _sync(torch)
            results[label]["times"].append(time.perf_counter() - t)
        torch.backends.cuda.matmul.allow_tf32 = True
        print("PARTIAL " + json.dumps(_summary(size, s, n_params, tokens, results, variants)),
              flush=True)
    torch.backends.cuda.matmul.allow_tf32 = True
    return _summary(size, s, n_params, tokens, results, variants)


def _summary(size, s, n_params, tokens, results, variants):
    flops = 6 * n_params + 12 * s["L"] * s["E"] * s["T"]
    for label, res in results.items():
        if "times" in res and res["times"]:
            best = tokens / min(res["times"])
            med = tokens / statistics.median(res["times"])
            res.update(best=best, median=med, mfu=best * flops / PEAK)
    import torch
    return {"size": size, "params": n_params, "flops_per_token": flops, "results": results,
            "order": [v[0] for v in variants], "torch": torch.__version__,
            "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"}


GPT_VARIANTS = [
    # label, side, block, bf16, compile, tf32, loss in graph
    ("lispe fp32 ieee (post)", "lispe", "post", False, None, False, False),
    ("torch fp32 ieee (post)", "torch", "post", False, None, False, False),
    ("lispe fp32 tf32 (post)", "lispe", "post", False, None, True, False),
    ("torch fp32 tf32 (post)", "torch", "post", False, None, True, False),
    ("lispe bf16 (post)", "lispe", "post", True, None, True, False),
    ("torch bf16 (post)", "torch", "post", True, None, True, False),
    ("lispe bf16 (pre-gelu)", "lispe", "pre", True, None, True, False),
    ("torch bf16 (pre-gelu)", "torch", "pre", True, None, True, False),
    ("lispe bf16+compile (pre-gelu)", "lispe", "pre", True, "default", True, False),
    ("torch bf16+compile (pre-gelu)", "torch", "pre", True, "default", True, False),
    ("torch bf16+compile+loss (pre)", "torch", "pre", True, "default", True, True),
]

SMALL_VARIANTS = [
    ("lispe fp32 tf32 (post)", "lispe", "post", False, None, True, False),
    ("torch fp32 tf32 (post)", "torch", "post", False, None, True, False),
    ("lispe bf16 (pre-gelu)", "lispe", "pre", True, None, True, False),
    ("torch bf16 (pre-gelu)", "torch", "pre", True, None, True, False),
    ("lispe bf16+compile (pre-gelu)", "lispe", "pre", True, "default", True, False),
    ("torch bf16+compile (pre-gelu)", "torch", "pre", True, "default", True, False),
]

PAIRS = [("lispe fp32 ieee (post)", "torch fp32 ieee (post)"),
         ("lispe fp32 tf32 (post)", "torch fp32 tf32 (post)"),
         ("lispe bf16 (post)", "torch bf16 (post)"),
         ("lispe bf16 (pre-gelu)", "torch bf16 (pre-gelu)"),
         ("lispe bf16+compile (pre-gelu)", "torch bf16+compile (pre-gelu)"),
         ("lispe bf16+compile (pre-gelu)", "torch bf16+compile+loss (pre)")]


MEMORY = r"""
(use 'lispe_torch)
(setq blocks (list))
(loopcount NB (push blocks (torch_transformer_block E H (* 4 E) {"flash":true "causal":true "batch_first":true "norm":"pre" "activation":"gelu"})))
(setq emb (torch_embedding V E)) (setq ln (torch_layer_norm E)) (setq head (torch_linear E V))
(torch_to_device emb "cuda") (torch_to_device ln "cuda") (torch_to_device head "cuda")
(loop b blocks (torch_to_device b "cuda"))
(setq ckpt (map (lambda (b) (torch_checkpoint_create b)) blocks))
(if CKPT (loop c ckpt (torch_checkpoint_enable c)))
(setq opt (torch_optimizer (list emb blocks ln head) 0.0001 "adamw"))
(torch_autocast "bfloat16")
(defun step (x y)
   (torch_optimizer_zero_grad opt)
   (setq h (torch_embedding_forward emb x))
   (loop c ckpt (setq h (torch_checkpoint_forward c h)))
   (setq loss (torch_cross_entropy (torch_reshape (torch_linear_forward head (torch_layer_norm_forward ln h)) (integers -1 V)) (torch_reshape y (integers -1))))
   (torch_backward loss)
   (torch_optimizer_step opt)
   (at loss 0))
"""


def run_memory(blocks, ckpt, seq):
    import torch
    from lispe_py import LispE
    V, E, H = 128256, 4096, 32
    lisp = LispE()
    for k, v in dict(V=V, E=E, H=H, NB=blocks).items():
        lisp.define(k, v)
    lisp.define("CKPT", True if ckpt else None)
    torch.manual_seed(0)
    t = time.perf_counter()
    lisp.eval(MEMORY)
    build_s = time.perf_counter() - t
    x = torch.randint(0, V, (1, seq), device="cuda")
    y = torch.randint(0, V, (1, seq), device="cuda")
    lisp.define("x", x)
    lisp.define("y", y)
    params = sum(p.numel() for p in torch.nn.Module.parameters(torch.nn.ModuleList(
        [lisp.interpreter.globals[n].module for n in ("emb", "ln", "head")]
        + [b.module for b in lisp.interpreter.globals["blocks"]])))
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t = time.perf_counter()
    loss = lisp.eval("(step x y)")
    torch.cuda.synchronize()
    first = time.perf_counter() - t
    peak1 = torch.cuda.max_memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    t = time.perf_counter()
    loss2 = lisp.eval("(step x y)")
    torch.cuda.synchronize()
    second = time.perf_counter() - t
    return {"blocks": blocks, "checkpointing": bool(ckpt), "tokens": seq, "params": params,
            "peak_first_step_GiB": peak1 / 2 ** 30,
            "peak_second_step_GiB": torch.cuda.max_memory_allocated() / 2 ** 30,
            "first_step_s": first, "second_step_s": second, "build_s": build_s,
            "loss": [loss, loss2], "total_GiB": torch.cuda.get_device_properties(0).total_memory / 2 ** 30}


def child(opts):
    import torch
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    deadline = time.time() + opts.budget
    if opts.part == "memory":
        out = run_memory(opts.blocks, opts.ckpt, opts.seq)
    elif opts.part in ("gpt", "small", "quick"):
        variants = SMALL_VARIANTS if opts.part in ("small", "quick") else GPT_VARIANTS
        if opts.only:
            variants = [v for v in variants if any(o in v[0] for o in opts.only.split(","))]
        out = run_train(opts.part, variants, opts.rounds, opts.steps, opts.warmup, dev, deadline)
    else:
        raise SystemExit("unknown part " + opts.part)
    out["device"] = torch.cuda.get_device_name() if dev == "cuda" else "cpu"
    out["torch"] = torch.__version__
    print("RESULT " + json.dumps(out), flush=True)



def table(res):
    r = res["results"]
    lines = ["%s: %s params, %.0f MFLOP/token, %s, torch %s" % (
        res["size"], "{:,}".format(res["params"]), res["flops_per_token"] / 1e6, res["device"],
        res["torch"])]
    lines.append("  %-32s %12s %12s %7s" % ("variant", "best tok/s", "median", "MFU"))
    for label in res["order"]:
        v = r.get(label)
        if v is None:
            continue
        if "best" not in v:
            lines.append("  %-32s %s" % (label, v.get("error", "no rounds")))
            continue
        lines.append("  %-32s %12s %12s %6.1f%%" % (label, "{:,.0f}".format(v["best"]),
                                                    "{:,.0f}".format(v["median"]), 100 * v["mfu"]))
    for a, b in PAIRS:
        if a in r and b in r and "best" in r[a] and "best" in r[b]:
            lines.append("  ratio %-30s / %-30s best %.3f  median %.3f" % (
                a, b, r[a]["best"] / r[b]["best"], r[a]["median"] / r[b]["median"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default=None, help="gpt, small, memory (default: all, each in a subprocess)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--budget", type=float, default=480, help="seconds for the timed rounds of a part")
    ap.add_argument("--timeout", type=float, default=560, help="seconds before a part is killed")
    ap.add_argument("--only", default=None, help="comma-separated substrings of variant names")
    ap.add_argument("--blocks", type=int, default=4, help="memory part: transformer blocks")
    ap.add_argument("--seq", type=int, default=8192, help="memory part: tokens")
    ap.add_argument("--ckpt", type=int, default=1, help="memory part: activation checkpointing")
    ap.add_argument("--parts", default="gpt,small,memory")
    ap.add_argument("--json", default=None, help="write every part's results to this file")
    ap.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    opts = ap.parse_args()
    if opts.part:
        return child(opts)
    parts = ["quick"] if opts.quick else opts.parts.split(",")
    all_results = []
    for part in parts:
        jobs = [[]]
        if part == "memory":
            jobs = [["--ckpt", "1"], ["--ckpt", "0"]]
        for extra in jobs:
            cmd = [sys.executable, os.path.abspath(__file__), "--part", part,
                   "--rounds", str(opts.rounds), "--steps", str(opts.steps if not opts.quick else 2),
                   "--warmup", str(opts.warmup if not opts.quick else 1),
                   "--budget", str(opts.budget), "--blocks", str(opts.blocks),
                   "--seq", str(opts.seq)] + extra + (["--only", opts.only] if opts.only else [])
            print("== %s %s" % (part, " ".join(extra)), flush=True)
            t = time.perf_counter()
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=opts.timeout)
                out = p.stdout
                if p.returncode:
                    print("  exit %d: %s" % (p.returncode, p.stderr.strip()[-1500:]), flush=True)
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
                print("  timed out after %.0f s" % opts.timeout, flush=True)
            lines = out.splitlines()
            if not any(x.startswith("RESULT ") for x in lines):
                partial = [x for x in lines if x.startswith("PARTIAL ")]
                if partial:                         # killed: the rounds done so far
                    lines.append("RESULT " + partial[-1][8:])
            for line in lines:
                if line.startswith("PARTIAL "):
                    continue
                if line.startswith("RESULT "):
                    res = json.loads(line[7:])
                    all_results.append(res)
                    print(table(res) if "results" in res else json.dumps(res, indent=1), flush=True)
                else:
                    print(line, flush=True)
            print("  (%.0f s)" % (time.perf_counter() - t), flush=True)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(all_results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
