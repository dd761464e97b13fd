"""Per-call cost of a torch builtin: a LispE loop calling the builtin against a Python loop
calling PyTorch directly, in this process, interleaved, medians.

    python bench/torch_calls.py [--repeat N] [--calls N] [--only NAME] [--wall] [--profile NAME]

Each row runs the same N calls (10^4 by default) two ways: a compiled LispE program
``(loopcount N i (setq c (tensor_add a b)))`` and the Python loop ``for i in range(N): c = a + b``
on the same 4x4 float32 tensors, one after the other in each round, on the same thread (torch
keeps per-thread state). The table shows, per call, the median LispE time, the median Python
time and their difference (the overhead of going through LispE); the ``loop only`` row is the
LispE loop with ``(setq c a)`` in the body, what the loop itself costs per turn. Times are the
CPU time of the thread (``time.thread_time``: PyTorch runs on one thread here), so that other
processes on a busy machine do not count; ``--wall`` uses wall-clock time instead.
``--profile NAME`` runs the LispE side of that row under cProfile and prints the top entries.
"""

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from lispe_py.interpreter import Interpreter  # noqa: E402

torch.set_num_threads(1)

A = torch.rand(4, 4)
B = torch.rand(4, 4)

# name: (LispE body, Python statement run on a, b), one call per loop turn
ROWS = {
    "tensor_add 4x4": ("(tensor_add a b)", lambda a, b: a + b),
    "tensor_relu 4x4": ("(tensor_relu a)", lambda a, b: torch.relu(a)),
    "tensor_softmax 4x4 dim 1": ("(tensor_softmax a 1)", lambda a, b: torch.softmax(a, 1)),
    "tensor_mul_scalar 4x4": ("(tensor_mul_scalar a 2.0)", lambda a, b: a * 2.0),
    "tensor_zeros (2 3)": ("(tensor_zeros shape)",
                           lambda a, b: torch.zeros([2, 3], dtype=torch.float32)),
    "tensor_sum 4x4": ("(tensor_sum a)", lambda a, b: float(a.sum().item())),
    "loop only": ("a", lambda a, b: a),
}


clock = time.thread_time


def python_loop(fn, n):
    a, b = A, B
    t = clock()
    for _ in range(n):
        c = fn(a, b)  # noqa: F841
    return clock() - t


def lispe_loop(interp, compiled):
    t = clock()
    interp.run_compiled(compiled)
    return clock() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--calls", type=int, default=10_000)
    ap.add_argument("--only", action="append", help="run only the rows whose name contains this")
    ap.add_argument("--profile", help="profile the LispE side of the first row matching this")
    ap.add_argument("--wall", action="store_true", help="wall-clock time, not thread CPU time")
    opts = ap.parse_args()
    global clock
    if opts.wall:
        clock = time.perf_counter
    n = opts.calls
    names = [r for r in ROWS if not opts.only or any(o in r for o in opts.only)]
    interp = Interpreter()
    interp.globals["a"] = A
    interp.globals["b"] = B
    interp.eval_source("(setq shape (integers 2 3))")
    programs = {r: interp.compile_program("(loopcount %d i (setq c %s))" % (n, ROWS[r][0]))
                for r in names}
    for r in names:                      # warm up, and check both sides compute the same
        interp.run_compiled(programs[r])
        python_loop(ROWS[r][1], 10)
        got, want = interp.globals["c"], ROWS[r][1](A, B)
        if isinstance(want, torch.Tensor):
            assert torch.equal(got, want), r
        else:
            assert abs(float(got) - float(want)) < 1e-5, r

    if opts.profile:
        import cProfile
        import pstats
        row = next(r for r in ROWS if opts.profile in r)
        prog = interp.compile_program("(loopcount %d i (setq c %s))" % (n, ROWS[row][0]))
        pr = cProfile.Profile()
        pr.enable()
        interp.run_compiled(prog)
        pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(15)
        return

    tl = {r: [] for r in names}
    tp = {r: [] for r in names}
    for _ in range(opts.repeat):
        for r in names:
            tl[r].append(lispe_loop(interp, programs[r]))
            tp[r].append(python_loop(ROWS[r][1], n))
    med = statistics.median
    print("%d calls per loop, %d rounds, torch %s, %d torch thread(s), %s time"
          % (n, opts.repeat, torch.__version__, torch.get_num_threads(),
             "wall-clock" if opts.wall else "thread CPU"))
    print("%-26s %12s %12s %12s" % ("per call (median, µs)", "lispe-py", "python", "overhead"))
    for r in names:
        l, p = med(tl[r]) / n * 1e6, med(tp[r]) / n * 1e6
        print("%-26s %12.2f %12.2f %12.2f" % (r, l, p, l - p))


if __name__ == "__main__":
    main()
