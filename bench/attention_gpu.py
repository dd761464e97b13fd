"""GPU attention benchmark: lispe-py's SDPA builtin against PyTorch's own SDPA, default
and with each backend forced, in TFLOPS (bf16, B=1, H=16, d=64 and 128, causal off).

    python bench/attention_gpu.py [--sizes 1024,...,131072] [--dims 64,128] [--iters N]
    python bench/attention.py --device cuda      (the same)

Each figure is measured in one process, back to back: a LispE loop
``(loopcount n (torch_scaled_dot_product_attention q k v))`` compiled once and run
through the evaluator, and the same loop written in Python. CUDA is synchronised before
and after each loop; the variants take turns over ten rounds, in a rotating order, (loops of ~20 TFLOP
each, after a warm-up) and the best round of each counts. FLOPs = 4·B·H·N²·d.
A backend that refuses the inputs (or would not fit in memory) shows "-".
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

B, H = 1, 16


def tflops(n, d, seconds):
    return 4.0 * B * H * n * n * d / seconds / 1e12


def interleaved(variants, iters, torch, rounds=10):
    """Best seconds per call of each variant, the variants taking turns in every round so
    that clock and temperature drifts of the GPU hit them all alike. None: refused."""
    best = {}
    for name, fn in variants.items():        # warm-up; drop the backends that refuse
        try:
            fn(1)
            torch.cuda.synchronize()
            best[name] = float("inf")
        except RuntimeError:
            best[name] = None
    names = [n for n in variants if best[n] is not None]
    for r in range(rounds):
        # rotate the order each round: the first loop after a slow backend runs on a cooler,
        # faster-clocked GPU, and no variant should always get that advantage
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn = variants[name]
            torch.cuda.synchronize()
            t = time.perf_counter()
            fn(iters)
            torch.cuda.synchronize()
            best[name] = min(best[name], (time.perf_counter() - t) / iters)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1024,2048,4096,8192,16384,32768,65536,131072")
    ap.add_argument("--dims", default="64,128")
    ap.add_argument("--iters", type=int, default=0, help="calls per timed loop (0: adaptive)")
    ap.add_argument("--json", default=None, help="also write the rows to this file")
    opts = ap.parse_args(argv)

    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from lispe_py.api import LispE

    assert torch.cuda.is_available(), "this benchmark needs a CUDA device"
    lisp = LispE()
    interp = lisp.interpreter
    backends = [("cudnn", SDPBackend.CUDNN_ATTENTION), ("flash", SDPBackend.FLASH_ATTENTION),
                ("efficient", SDPBackend.EFFICIENT_ATTENTION)]
    print("device: %s, torch %s, bf16, B=%d, H=%d" % (torch.cuda.get_device_name(), torch.__version__, B, H))
    head = "%6s %7s %10s %10s %10s %10s %10s %12s" % ("d", "N", "lispe-py", "default", "cudnn", "flash",
                                                     "efficient", "lispe/best")
    print(head + "   (TFLOPS)")
    rows = []
    for d in [int(x) for x in opts.dims.split(",")]:
        for n in [int(x) for x in opts.sizes.split(",")]:
            q, k, v = (torch.randn(B, H, n, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))
            iters = opts.iters or max(3, min(5000, int(2e13 / (4.0 * B * H * n * n * d))))
            lisp.define("q", q)
            lisp.define("k", k)
            lisp.define("v", v)
            program = interp.compile_program("(loopcount iters (torch_scaled_dot_product_attention q k v))",
                                             "<bench>")

            def lispe_loop(count):
                interp.globals["iters"] = count
                interp.run_compiled(program)

            def direct_loop(count, backend=None):
                if backend is None:
                    for _ in range(count):
                        F.scaled_dot_product_attention(q, k, v)
                else:
                    with sdpa_kernel([backend]):
                        for _ in range(count):
                            F.scaled_dot_product_attention(q, k, v)

            with torch.no_grad():
                ref = F.scaled_dot_product_attention(q, k, v)
                mine = interp.eval_source("(torch_scaled_dot_product_attention q k v)")
                err = (mine.float() - ref.float()).abs().max().item()
                row = {"d": d, "n": n, "max_abs_diff_vs_default": err}
                variants = {"lispe-py": lispe_loop, "default": direct_loop}
                for name, backend in backends:
                    variants[name] = (lambda b: (lambda c: direct_loop(c, b)))(backend)
                best = interleaved(variants, iters, torch)
                for name in variants:
                    row[name] = tflops(n, d, best[name]) if best[name] else None
            forced = [row[name] for name, _ in backends if row[name]]
            row["ratio_vs_best"] = row["lispe-py"] / max(forced + [row["default"]])
            rows.append(row)
            fmt = lambda x: "%10.1f" % x if x else "%10s" % "-"  # noqa: E731
            print("%6d %7d %s %s %s %s %s %12.3f" % (d, n, fmt(row["lispe-py"]), fmt(row["default"]),
                                                     fmt(row["cudnn"]), fmt(row["flash"]),
                                                     fmt(row["efficient"]), row["ratio_vs_best"]))
            sys.stdout.flush()
            del q, k, v
            torch.cuda.empty_cache()
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(rows, f, indent=1)
    return rows


if __name__ == "__main__":
    main()
