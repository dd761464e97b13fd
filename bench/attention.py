"""Attention benchmark: lispe-py's flash attention builtins vs the same PyTorch code called
directly, on the CPU, B=1, H=8, head_dim=64 (embed_dim 512), float32.

    python bench/attention.py [--sizes 1024,4096,8192,16384] [--repeat 3] [--no-memory]
    python bench/attention.py --device cuda [...]   (GPU sweep: bench/attention_gpu.py)

Time: one process; each call is made through the LispE evaluator (``LispE().eval`` of
``(torch_flash_attention_forward m q k v)`` / ``(torch_scaled_dot_product_attention q k v)``)
and, for the reference, by calling the same PyTorch operations from Python (projections +
``F.scaled_dot_product_attention``). Best of --repeat runs after one warm-up; the ratio is
lispe-py / direct.

Autograd stays in its default mode (enabled) on both sides, as in a LispE program: the
module's parameters require gradients, so both paths record the graph.

Memory: each measurement runs in a fresh subprocess that builds its inputs, resets the
kernel's peak-RSS counter (``/proc/self/clear_refs``; ``ru_maxrss`` growth where that is not
possible) and records how far the peak resident set size (``VmHWM``) rises above the
resident size during one call. This counts every byte
the call makes the process touch (PyTorch's CPU allocator returns big blocks to the system,
so nothing is hidden in a cache), at page granularity; the inputs themselves are excluded.
"Naive" is ``softmax(q kT / sqrt(d)) v`` written out, which materialises the B*H*N*N score
matrix; it is run only where its expected peak fits in half the machine's free memory,
otherwise the table shows its expected size (two N x N float32 buffers per head) in
parentheses.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

H, D = 8, 64
E = H * D

CHILD = r"""
import json, resource, sys
sys.path.insert(0, %(root)r)
import torch
import torch.nn.functional as F
torch.manual_seed(0)
kind, n = sys.argv[1], int(sys.argv[2])
def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
def reset_peak():
    # Linux >= 4.0: writing 5 resets the peak RSS (VmHWM) to the current RSS
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return status("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
def peak():
    try:
        return status("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
if kind in ("lispe_module", "direct_module"):
    x = torch.randn(1, n, %(E)d)
else:
    q, k, v = (torch.randn(1, %(H)d, n, %(D)d) for _ in range(3))
if kind.startswith("lispe"):
    from lispe_py import LispE
    lisp = LispE()
    lisp.eval("(use 'lispe_torch)")
    if kind == "lispe_module":
        lisp.eval("(setq m (torch_flash_attention_create %(E)d %(H)d 0.0 true))")
        lisp.define("x", x)
        code = "(torch_flash_attention_forward m x x x)"
    else:
        lisp.define("q", q); lisp.define("k", k); lisp.define("v", v)
        code = "(torch_scaled_dot_product_attention q k v)"
    before = reset_peak()
    lisp.eval("(setq out " + code + ")")
elif kind == "direct_module":
    lin = [torch.nn.Linear(%(E)d, %(E)d) for _ in range(4)]
    before = reset_peak()
    def heads(t):
        return t.view(1, n, %(H)d, %(D)d).transpose(1, 2)
    o = F.scaled_dot_product_attention(heads(lin[0](x)), heads(lin[1](x)), heads(lin[2](x)))
    out = lin[3](o.transpose(1, 2).contiguous().view(1, n, %(E)d))
elif kind == "direct_sdpa":
    before = reset_peak()
    out = F.scaled_dot_product_attention(q, k, v)
else:  # naive
    before = reset_peak()
    w = torch.softmax(q @ k.transpose(-2, -1) / %(D)d ** 0.5, -1)
    out = w @ v
print(json.dumps({"extra": peak() - before}))
"""


def child_memory(kind, n):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = CHILD % {"root": root, "E": E, "H": H, "D": D}
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    r = subprocess.run([sys.executable, "-c", code, kind, str(n)], capture_output=True,
                       text=True, env=env)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])["extra"]


def free_memory():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 << 30


def best(fn, repeat):
    fn()   # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def mib(b):
    return "%.0f MiB" % (b / 2 ** 20) if b is not None else "n/a"


def main():
    if "--device" in sys.argv:
        # the GPU sweep (bf16, backends forced, TFLOPS) lives in attention_gpu.py
        i = sys.argv.index("--device")
        if sys.argv[i + 1:i + 2] == ["cuda"]:
            import attention_gpu
            return attention_gpu.main(sys.argv[1:i] + sys.argv[i + 2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1024,4096,8192,16384")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-memory", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    import torch
    import torch.nn.functional as F
    from lispe_py import LispE

    torch.manual_seed(0)
    lisp = LispE()
    lisp.eval("(use 'lispe_torch)")
    lisp.eval("(setq m (torch_flash_attention_create %d %d 0.0 true))" % (E, H))
    module = lisp.get("m", raw=True)
    lins = [module.module.q_proj, module.module.k_proj, module.module.v_proj, module.module.out_proj]

    print("CPU, float32, B=1, H=%d, head_dim=%d, torch %s, %d threads"
          % (H, D, torch.__version__, torch.get_num_threads()))
    print()
    print("%6s | %-37s | %-30s" % ("N", "flash module forward", "scaled_dot_product_attention"))
    print("%6s | %9s %9s %6s %4s | %9s %9s %6s" % ("", "lispe-py", "direct", "ratio", "same",
                                                  "lispe-py", "direct", "ratio"))
    for n in sizes:
        x = torch.randn(1, n, E)
        q, k, v = (torch.randn(1, H, n, D) for _ in range(3))
        lisp.define("x", x)
        lisp.define("q", q)
        lisp.define("k", k)
        lisp.define("v", v)
        rep = args.repeat if n <= 4096 else max(1, args.repeat // 2)

        def direct_module():
            def heads(t):
                return t.view(1, n, H, D).transpose(1, 2)
            o = F.scaled_dot_product_attention(heads(lins[0](x)), heads(lins[1](x)), heads(lins[2](x)))
            return lins[3](o.transpose(1, 2).contiguous().view(1, n, E))

        t_lm = best(lambda: lisp.eval("(torch_flash_attention_forward m x x x)", raw=True), rep)
        t_dm = best(direct_module, rep)
        t_ls = best(lambda: lisp.eval("(torch_scaled_dot_product_attention q k v)", raw=True), rep)
        t_ds = best(lambda: F.scaled_dot_product_attention(q, k, v), rep)
        same = torch.allclose(lisp.eval("(torch_flash_attention_forward m x x x)", raw=True),
                              direct_module(), atol=1e-5)
        row = {"n": n, "t_lm": t_lm, "t_dm": t_dm, "t_ls": t_ls, "t_ds": t_ds, "same": same}
        if not args.no_memory:
            row["m_lm"] = child_memory("lispe_module", n)
            row["m_dm"] = child_memory("direct_module", n)
            row["m_ls"] = child_memory("lispe_sdpa", n)
            row["m_ds"] = child_memory("direct_sdpa", n)
            naive_need = 2 * H * n * n * 4
            row["naive_need"] = naive_need
            row["m_naive"] = child_memory("naive", n) if naive_need < free_memory() / 2 else None
        print_row(row, args.no_memory)
        sys.stdout.flush()


def print_row(r, no_memory):
    print("%6d | %8.3fs %8.3fs %6.3f %4s | %8.3fs %8.3fs %6.3f"
          % (r["n"], r["t_lm"], r["t_dm"], r["t_lm"] / r["t_dm"], "yes" if r["same"] else "NO",
             r["t_ls"], r["t_ds"], r["t_ls"] / r["t_ds"]))
    if not no_memory:
        naive = mib(r["m_naive"]) if r["m_naive"] is not None else "(%s)" % mib(r["naive_need"])
        print("%6s | extra peak RSS: module lispe-py %s, direct %s; SDPA lispe-py %s, direct %s;"
              " naive %s" % ("", mib(r["m_lm"]), mib(r["m_dm"]), mib(r["m_ls"]), mib(r["m_ds"]), naive))


if __name__ == "__main__":
    main()
