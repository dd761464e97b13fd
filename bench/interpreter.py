"""Interpreter benchmark: the same algorithms in lispe-py and in plain CPython, one process.

    python bench/interpreter.py [--repeat N]

Prints the best time of each and the ratio lispe-py/CPython. Start-up is measured
separately (a fresh `lispe-py -e` process, no torch import)."""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lispe_py.interpreter import Interpreter  # noqa: E402
from lispe_py.runner import run_with_big_stack  # noqa: E402

WORDS = ("the quick brown fox jumps over the lazy dog while attention heads "
         "read every token of the sequence and the dog sleeps").split()
TEXT = " ".join(WORDS[(i * 7) % len(WORDS)] for i in range(100_000))

LISPE = {
    "fib(25)": ("(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))", "(fib 25)"),
    "list map/filter/sum 100k": (
        "(defun run_lists () (setq l (list)) (loopcount 100000 i (push l i))"
        " (setq m (map (λ (x) (* x 2)) l)) (setq f (filter (λ (x) (eq (% x 3) 0)) m)) (sum f))",
        "(run_lists)"),
    "dictionary word count": (
        "(defun count_words (text) (setq d {}) (loop w (split text \" \")"
        " (set@ d w (+ 1 (select (key@ d w) 0)))) d)",
        "(size (count_words text))"),
}


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def run_lists():
    l = []
    for i in range(100000):
        l.append(i)
    m = list(map(lambda x: x * 2, l))
    f = list(filter(lambda x: x % 3 == 0, m))
    return sum(f)


def count_words(text):
    d = {}
    for w in text.split(" "):
        d[w] = 1 + d.get(w, 0)
    return d


PYTHON = {
    "fib(25)": lambda: fib(25),
    "list map/filter/sum 100k": run_lists,
    "dictionary word count": lambda: len(count_words(TEXT)),
}


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def startup(repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lispe_py", "-e", "(+ 1 2)"], check=True,
                       capture_output=True)
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    opts = ap.parse_args()
    interp = Interpreter()
    interp.globals["text"] = TEXT
    print("%-28s %12s %12s %10s" % ("benchmark", "lispe-py s", "CPython s", "ratio"))
    for name, (setup, expr) in LISPE.items():
        run_with_big_stack(interp.eval_source, setup)
        check_l = run_with_big_stack(interp.eval_source, expr)
        check_p = PYTHON[name]()
        assert check_l == check_p, (name, check_l, check_p)
        tl = best(lambda: run_with_big_stack(interp.eval_source, expr), opts.repeat)
        tp = best(PYTHON[name], opts.repeat)
        print("%-28s %12.4f %12.4f %10.1f" % (name, tl, tp, tl / tp))
    print("%-28s %12.3f" % ("start-up (lispe-py -e)", startup(opts.repeat)))


if __name__ == "__main__":
    main()
