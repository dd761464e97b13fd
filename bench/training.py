"""Training benchmark: the tiny_lm training step (examples/tiny_lm.lsp) driven from LispE
against the identical model and loop written in plain PyTorch, in one process, CPU.

    python bench/training.py [--steps 40] [--no-memory]

Throughput: both sides train the same architecture (embedding + sinusoidal positions, two
causal flash-attention transformer blocks, layer norm, linear head; B=16, T=32, E=64,
H=4, AdamW, gradient clipping) on random windows of the tokenised corpus; the direct side
uses the same nn.Module classes (deep copies of the LispE model's modules), so the
difference is what LispE adds. The two sides alternate in blocks of steps; tokens/s is
B·T·steps / time and the ratio is lispe-py / direct.

Memory: one forward + backward of a single transformer block over 8192 tokens (E=64, H=4),
the LispE flash block (``{"flash":true}``) against the same block's weights with the
attention written out naively (softmax(q kᵀ/√d) v, which builds the H×N×N scores), each in
a fresh subprocess; the figure is the rise of the peak resident set size (VmHWM) during the
step.
"""

import argparse
import copy
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

MODEL = r"""
(setq T 32) (setq B 16) (setq E 64) (setq H 4)
(setq tok (torch_sentencepiece_tokenizer sp_model))
(setq vocab (torch_vocab_size tok))
(setq ids (torch_encode tok (fread corpus)))
(setq n_tokens (size ids))
(defun make_model ()
   (list (torch_embedding vocab E) (torch_positional_encoding E T)
         (torch_transformer_block E H (* 4 E) {"flash":true "causal":true "batch_first":true})
         (torch_transformer_block E H (* 4 E) {"flash":true "causal":true "batch_first":true})
         (torch_layer_norm E) (torch_linear E vocab)))
(defun forward (model x)
   (setq h (torch_embedding_forward (@ model 0) x))
   (setq h (torch_transpose (torch_positional_forward (@ model 1) (torch_transpose h 0 1)) 0 1))
   (setq h (torch_transformer_forward (@ model 2) h))
   (setq h (torch_transformer_forward (@ model 3) h))
   (torch_linear_forward (@ model 5) (torch_layer_norm_forward (@ model 4) h)))
(defun window (start len) (torch_reshape (torch_slice ids 0 start (+ start len)) (integers 1 len)))
(defun batch ()
   (setq rows (list))
   (loop start (torch_to_list (torch_randint 0 (- n_tokens T 1) (integers B)))
      (push rows (window start (+ T 1))))
   (setq all (torch_cat rows 0))
   (list (torch_slice all 1 0 T) (torch_slice all 1 1 (+ T 1))))
(defun train_steps (n)
   (loopcount n
      (torch_optimizer_zero_grad optimizer)
      (setq xy (batch))
      (setq loss (torch_cross_entropy (torch_reshape (forward model (@ xy 0)) (integers -1 vocab))
                                      (torch_reshape (@ xy 1) (integers -1))))
      (torch_backward loss)
      (torch_clip_grad_norm optimizer 1.0)
      (torch_optimizer_step optimizer))
   (at loss 0))
(setq model (make_model))
(setq optimizer (torch_optimizer model 0.003 "adamw"))
"""

MEMORY_CHILD = r"""
import sys
sys.path.insert(0, %(root)r)
import torch
from lispe_py import LispE
flash = sys.argv[1] == "flash"
lisp = LispE()
lisp.eval('(setq blk (torch_transformer_block 64 4 256 {"flash":%%s "batch_first":true}))' %% ("true" if flash else "nil"))
x = torch.randn(1, 8192, 64, requires_grad=True)
lisp.define("x", x)
def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
base = status("VmRSS")
if flash:
    lisp.eval("(torch_backward (torch_mse_loss (torch_transformer_forward blk x) (torch_zeros (integers 1 8192 64))))")
else:
    # the same block's weights with attention written out: softmax(q kT / sqrt(d)) v,
    # which materialises the heads x N x N score matrix
    m = lisp.get("blk", raw=True).module
    a = m.attention
    h = x.transpose(0, 1)                                  # [seq, batch, E]
    q, k, v = torch.nn.functional.linear(h, a.in_proj_weight, a.in_proj_bias).chunk(3, dim=-1)
    def heads(t):
        return t.reshape(t.shape[0], 4, 16).transpose(0, 1)  # [heads, seq, head_dim]
    s = heads(q) @ heads(k).transpose(1, 2) / 4.0
    att = (torch.softmax(s, dim=-1) @ heads(v)).transpose(0, 1).reshape(h.shape)
    y = m.norm1(h + a.out_proj(att))
    y = m.norm2(y + m.ffn2(torch.relu(m.ffn1(y))))
    torch.nn.functional.mse_loss(y, torch.zeros_like(y)).backward()
print(status("VmHWM") - base)
"""


def direct_setup(lisp):
    """The plain-PyTorch twin: deep copies of the LispE model's nn.Modules and a Python loop."""
    import torch
    import torch.nn.functional as F
    interp = lisp.interpreter
    wrappers = interp.globals["model"]
    mods = [copy.deepcopy(w.module if hasattr(w, "module") else w) for w in wrappers]
    emb, pe, b1, b2, ln, head = mods
    ids = interp.globals["ids"]
    T, B = 32, 16
    params = [p for m in mods if isinstance(m, torch.nn.Module) for p in m.parameters()]
    opt = torch.optim.AdamW(params, lr=0.003)
    vocab = interp.globals["vocab"]

    def forward(x):
        h = emb(x)
        h = pe(h.transpose(0, 1)).transpose(0, 1)     # the table is sequence-first
        h = b1(h)
        h = b2(h)
        return head(ln(h))

    def steps(n):
        for _ in range(n):
            opt.zero_grad(set_to_none=True)
            starts = torch.randint(0, ids.numel() - T - 1, (B,)).tolist()
            allw = torch.cat([ids[s:s + T + 1].reshape(1, T + 1) for s in starts], 0)
            x, y = allw[:, :T], allw[:, 1:T + 1]
            loss = F.cross_entropy(forward(x).reshape(-1, vocab), y.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
        return loss.item()
    return steps


def throughput(steps_total, block):
    import torch
    from lispe_py import LispE
    torch.manual_seed(0)
    lisp = LispE()
    data = os.path.join(ROOT, "examples", "data")
    prefix = os.path.join(data, "bench_training_sp")
    lisp.eval('(torch_train_sentencepiece %s %s 400 "bpe")' % (_q(os.path.join(data, "corpus.txt")), _q(prefix)))
    lisp.define("sp_model", prefix + ".model")
    lisp.define("corpus", os.path.join(data, "corpus.txt"))
    lisp.eval(MODEL)
    direct = direct_setup(lisp)
    program = lisp.interpreter.compile_program("(train_steps n)", "<bench>")

    def lispe_steps(n):
        lisp.interpreter.globals["n"] = n
        return lisp.interpreter.run_compiled(program)

    lispe_steps(2)
    direct(2)
    t_l = t_d = 0.0
    done = 0
    while done < steps_total:
        t = time.perf_counter()
        lispe_steps(block)
        t_l += time.perf_counter() - t
        t = time.perf_counter()
        direct(block)
        t_d += time.perf_counter() - t
        done += block
    tokens = 16 * 32 * done
    return tokens / t_l, tokens / t_d


def _q(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def memory(kind):
    code = MEMORY_CHILD % {"root": ROOT}
    out = subprocess.run([sys.executable, "-c", code, kind], capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        return None
    return int(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--block", type=int, default=5)
    ap.add_argument("--no-memory", action="store_true")
    opts = ap.parse_args()
    lispe_tps, direct_tps = throughput(opts.steps, opts.block)
    print("training step (B=16, T=32, E=64, 2 flash blocks), %d steps each side" % opts.steps)
    print("%-12s %12.0f tokens/s" % ("lispe-py", lispe_tps))
    print("%-12s %12.0f tokens/s" % ("PyTorch", direct_tps))
    print("%-12s %12.3f" % ("ratio", lispe_tps / direct_tps))
    if not opts.no_memory:
        print("peak memory of one forward+backward, 8192 tokens, E=64, H=4:")
        for kind in ("flash", "naive"):
            m = memory(kind)
            print("  %-6s block %s" % (kind, "failed" if m is None else "%8.1f MiB" % (m / 2 ** 20)))


if __name__ == "__main__":
    main()
