"""Interpreter benchmark: the same algorithms in lispe-py, in plain CPython and in the real
LispE interpreter (../shared/tools/lispe-real), one table.

    python bench/interpreter.py [--repeat N] [--only NAME] [--no-real]

Each round runs every benchmark once in lispe-py and once in CPython (interleaved, in
this process), then the real LispE once (one subprocess timing every row with
``elapse``); the table shows the medians over the rounds and the ratio lispe-py/CPython.
Both LispE columns time the expression itself with ``elapse`` (lispe-py's thread start
and the reading of the expression are start-up, measured apart).
Start-up is measured apart: a fresh ``python -m lispe_py -e`` process against a bare
``python -c pass`` (no torch is imported), interleaved as well."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from lispe_py.interpreter import Interpreter  # noqa: E402
from lispe_py.runner import run_with_big_stack  # noqa: E402

REAL = os.path.join(os.path.dirname(ROOT), "shared", "tools", "lispe-real")

WORDS = ("the quick brown fox jumps over the lazy dog while attention heads "
         "read every token of the sequence and the dog sleeps").split()
TEXT = " ".join(WORDS[(i * 7) % len(WORDS)] for i in range(100_000))

# name: (definitions, timed expression); `text` holds TEXT, `big` the integers 0..10^6-1
SETUP = "(setq big (iota0 1000000))"
LISPE = {
    "fib(25)": ("(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))", "(fib 25)"),
    "while/setq loop 10^6": (
        "(defun wloop (n) (setq i 0) (setq s 0)"
        " (while (< i n) (setq s (+ s i)) (setq i (+ i 1))) s)",
        "(wloop 1000000)"),
    "tail recursion 10^6": (
        "(defun tsum (n acc) (if (eq n 0) acc (tsum (- n 1) (+ acc n))))",
        "(tsum 1000000 0)"),
    "map with a λ 10^6": ("", "(size (map (λ (x) (* x 2)) big))"),
    "list build/map/filter 10^5": (
        "(defun run_lists () (setq l (list)) (loopcount 100000 i (push l i))"
        " (setq m (map (λ (x) (* x 2)) l)) (setq f (filter (λ (x) (eq (% x 3) 0)) m)) (sum f))",
        "(run_lists)"),
    "dictionary word count 10^5": (
        "(defun count_words (text) (setq d {}) (loop w (split text \" \")"
        " (set@ d w (+ 1 (select (key@ d w) 0)))) d)",
        "(size (count_words text))"),
}


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def wloop(n):
    i = 0
    s = 0
    while i < n:
        s = s + i
        i = i + 1
    return s


def tsum(n, acc):
    while n != 0:           # the loop a self tail call is
        n, acc = n - 1, acc + n
    return acc


BIG = list(range(1_000_000))


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
    "while/setq loop 10^6": lambda: wloop(1000000),
    "tail recursion 10^6": lambda: tsum(1000000, 0),
    "map with a λ 10^6": lambda: len(list(map(lambda x: x * 2, BIG))),
    "list build/map/filter 10^5": run_lists,
    "dictionary word count 10^5": lambda: len(count_words(TEXT)),
}


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def real_program(names):
    """One LispE program printing 'row<TAB>milliseconds' for each benchmark."""
    lines = ['(setq text "%s")' % TEXT, SETUP]
    for i, name in enumerate(names):
        setup, expr = LISPE[name]
        if setup:
            lines.append(setup)
        lines.append('(println %d (elapse %s))' % (i, expr))
    return "\n".join(lines) + "\n"


def run_real(path, names):
    r = subprocess.run([REAL, path], capture_output=True, text=True, timeout=600)
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit() and int(parts[0]) < len(names):
            out[names[int(parts[0])]] = float(parts[1]) / 1000.0
    return out


def startup(repeat, cached=True):
    """Median wall time of `python -m lispe_py -e (+ 1 2)` and of a bare `python -c pass`.
    ``cached``: with compiled bytecode kept (in a cache folder under /tmp, as an installed
    package has it); otherwise every module is compiled again (PYTHONDONTWRITEBYTECODE)."""
    env = dict(os.environ)
    if cached:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "lispe_py_bench_pycache")
        subprocess.run([sys.executable, "-m", "lispe_py", "-e", "1"], check=True, capture_output=True,
                       cwd=ROOT, env=env)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    lisp, bare = [], []
    for _ in range(repeat):
        bare.append(timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)))
        lisp.append(timed(lambda: subprocess.run([sys.executable, "-m", "lispe_py", "-e", "(+ 1 2)"],
                                                 check=True, capture_output=True, cwd=ROOT, env=env)))
    return statistics.median(lisp), statistics.median(bare)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", action="append", help="run only the rows whose name contains this")
    ap.add_argument("--no-real", action="store_true", help="leave out the real LispE column")
    opts = ap.parse_args()
    names = [n for n in LISPE if not opts.only or any(o in n for o in opts.only)]
    interp = Interpreter()
    interp.globals["text"] = TEXT
    run_with_big_stack(interp.eval_source, SETUP)
    for name in names:
        setup, expr = LISPE[name]
        if setup:
            run_with_big_stack(interp.eval_source, setup)
        check_l = run_with_big_stack(interp.eval_source, expr)
        check_p = PYTHON[name]()
        assert check_l == check_p, (name, check_l, check_p)
    real = os.access(REAL, os.X_OK) and not opts.no_real
    if real:
        fd, path = tempfile.mkstemp(suffix=".lsp")
        with os.fdopen(fd, "w") as f:
            f.write(real_program(names))
    tl = {n: [] for n in names}
    tp = {n: [] for n in names}
    tr = {n: [] for n in names}
    try:
        for _ in range(opts.repeat):
            for name in names:
                expr = LISPE[name][1]
                ms = run_with_big_stack(interp.eval_source, "(elapse %s)" % expr)
                tl[name].append(ms / 1000.0)
                tp[name].append(timed(PYTHON[name]))
            if real:
                for name, t in run_real(path, names).items():
                    tr[name].append(t)
    finally:
        if real:
            os.unlink(path)
    med = statistics.median
    print("%-28s %11s %11s %11s %9s %9s" % ("benchmark (median s)", "lispe-py", "CPython",
                                           "lispe-real", "py ratio", "real/py"))
    for name in names:
        l, p = med(tl[name]), med(tp[name])
        r = med(tr[name]) if tr[name] else None
        print("%-28s %11.4f %11.4f %11s %9.1f %9s" % (
            name, l, p, "%.4f" % r if r is not None else "-", l / p,
            "%.1f" % (r / p) if r is not None else "-"))
    for cached, label in ((True, "start-up (-e, no torch)"), (False, "start-up, no .pyc")):
        sl, sb = startup(opts.repeat, cached)
        print("%-28s %11.3f %11.3f %11s %9s   (+%.3f s over bare python)"
              % (label, sl, sb, "-", "-", sl - sb))


if __name__ == "__main__":
    main()
