"""Record which builtin and special-form names the real LispE accepts as variable names.

For every name that lispe-py knows as a builtin or special form, and every name of the real
interpreter's ``(atoms)``, run one small program per context on the real binary:

    setq          (setq NAME 3) (println NAME)
    setq_defun    (defun probe_f () (setq NAME 3) NAME) (println (probe_f))
    setg          (setg NAME 3) (println NAME)
    param         (defun probe_f (NAME) NAME) (println (probe_f 3))
    lambda_param  (println ((λ (NAME) NAME) 3))
    let           (let ((NAME 3)) (println NAME))
    loop          (loop NAME (list 3) (println NAME))

and classify what it prints: ``accepted`` (prints 3), ``refused`` (``Invalid variable name``),
or ``other: <first line>``. The torch names (``torch_*``, ``tensor_*``) are checked with the
torch library loaded (``lispetorch-real``, one batched program) for the setq context.

    python tools/variable_names.py [--real PATH] [--out tests/data/variable_names.json]
    python tools/variable_names.py --module     # rewrite lispe_py/reserved.py from the JSON

The JSON written is what tests/test_language_names.py checks lispe-py against;
lispe_py/reserved.py (the names that setq refuses) is written from it with ``--module``.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

CONTEXTS = {
    "setq": "(setq {n} 3)\n(println {n})\n",
    "setq_defun": "(defun probe_f () (setq {n} 3) {n})\n(println (probe_f))\n",
    "setg": "(setg {n} 3)\n(println {n})\n",
    "param": "(defun probe_f ({n}) {n})\n(println (probe_f 3))\n",
    "lambda_param": "(println ((λ ({n}) {n}) 3))\n",
    "let": "(let (({n} 3)) (println {n}))\n",
    "loop": "(loop {n} (list 3) (println {n}))\n",
}

TORCH_PREFIXES = ("torch_", "tensor_")


def classify(out):
    if "Invalid variable name" in out:
        return "refused"
    first = out.split("\n", 1)[0]
    if first == "3":
        return "accepted"
    return "other: " + first[:120]


def run(real, source, tmpdir, key, timeout=20):
    path = os.path.join(tmpdir, "p%d.lsp" % key)
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    try:
        p = subprocess.run([real, path], capture_output=True, timeout=timeout)
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode < 0:
            out = "killed by signal %d %s" % (-p.returncode, out)
    except subprocess.TimeoutExpired:
        out = "timeout"
    finally:
        os.unlink(path)
    return out.replace(path, "FILE")


def real_atoms(real, tmpdir):
    out = run(real, "(loop a (atoms) (println a))\n", tmpdir, 0)
    return [line for line in out.split("\n") if line]


def lispe_py_names():
    import lispe_py.interpreter  # noqa: F401  (registers every family)
    from lispe_py.builtins.registry import BUILTINS
    from lispe_py.evaluator import SPECIAL_FORMS
    BUILTINS.load_families()
    return set(BUILTINS) | set(SPECIAL_FORMS) | {"true", "nil"}


def torch_batch(torch_real, names, tmpdir):
    """All torch names in one program with the torch library: (setq N 3) (println "N" N),
    name i on lines 2i+2 and 2i+3. A name refused at compile time stops the whole program
    (its line is in the message): it is recorded and the others are run again."""
    import re
    result = {}
    todo = list(names)
    while todo:
        src = "(use 'lispe_torch)\n" + "".join(
            '(setq %s 3)\n(println "%s" %s)\n' % (n, n, n) for n in todo)
        out = run(torch_real, src, tmpdir, 1, timeout=600)
        for line in out.split("\n"):
            parts = line.split(" ")
            if len(parts) == 2 and parts[0] in todo:
                result[parts[0]] = "accepted" if parts[1] == "3" else "other: " + parts[1]
        rest = [n for n in todo if n not in result]
        if rest:
            m = re.search(r"Invalid variable name: .*, line: (\d+) in", out)
            i = (int(m.group(1)) - 2) // 2 if m else -1
            if 0 <= i < len(todo) and todo[i] in rest:
                bad, verdict = todo[i], "refused"
            else:
                bad = rest[0]
                verdict = classify(run(torch_real, "(use 'lispe_torch)\n" + CONTEXTS["setq"].format(n=bad),
                                       tmpdir, 2, timeout=600))
            result[bad] = verdict
            rest.remove(bad)
        todo = rest
    return result


MODULE_HEAD = '''"""The names the real LispE refuses as variable names (``Invalid variable name: 'x'
(keyword)``): its instructions and operators. Library (deflib) functions such as ``padding``,
``fill``, ``round``, ``cos``, the torch builtins and the names LispE does not know are accepted.

Written by ``python tools/variable_names.py --module`` from tests/data/variable_names.json
(the real binary's answers, checked by tests/test_language_names.py); do not edit by hand."""

RESERVED_NAMES = frozenset(r"""
'''


LET_HEAD = '''
# the names that let refuses as well (its other bindings are not checked by LispE)
LET_RESERVED_NAMES = frozenset(r"""
'''


def write_module(data_path, module_path):
    with open(data_path, encoding="utf-8") as f:
        names = json.load(f)["names"]
    refused = sorted(n for n, r in names.items() if r["setq"] != "accepted")
    lines, line = [], ""
    for n in refused:
        if line and len(line) + 1 + len(n) > 92:
            lines.append(line)
            line = ""
        line = (line + " " + n) if line else "    " + n
    if line:
        lines.append(line)
    let_refused = sorted(n for n, r in names.items() if r.get("let") == "refused")
    with open(module_path, "w", encoding="utf-8") as f:
        f.write(MODULE_HEAD + "\n".join(lines) + '\n""".split())\n')
        f.write(LET_HEAD + " ".join(let_refused) + '\n""".split())\n')
    print("%s: %d names, %d refused by let" % (module_path, len(refused), len(let_refused)))


def main():
    here = os.path.dirname(ROOT)
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", default=os.path.join(here, "shared", "tools", "lispe-real"))
    ap.add_argument("--torch-real", default=os.path.join(here, "shared", "tools", "lispetorch-real"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "variable_names.json"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--module", action="store_true",
                    help="only rewrite lispe_py/reserved.py from the JSON given by --out")
    args = ap.parse_args()
    if args.module:
        write_module(args.out, os.path.join(ROOT, "lispe_py", "reserved.py"))
        return

    with tempfile.TemporaryDirectory() as tmpdir:
        atoms = real_atoms(args.real, tmpdir)
        ours = lispe_py_names()
        names = sorted(set(atoms) | ours)
        plain = [n for n in names if not n.startswith(TORCH_PREFIXES)]
        torch_names = [n for n in names if n.startswith(TORCH_PREFIXES)]
        jobs = [(n, c) for n in plain for c in CONTEXTS]

        def one(i):
            n, c = jobs[i]
            return classify(run(args.real, CONTEXTS[c].format(n=n), tmpdir, i + 10))
        with ThreadPoolExecutor(args.jobs) as ex:
            outs = list(ex.map(one, range(len(jobs))))
        table = {}
        for (n, c), r in zip(jobs, outs):
            table.setdefault(n, {})[c] = r
        torch = torch_batch(args.torch_real, torch_names, tmpdir) if torch_names else {}
        for n in torch_names:
            table[n] = {"setq": torch.get(n, "other: not run")}

    data = {
        "about": "What the real LispE (shared/tools/lispe-real; torch names: lispetorch-real with "
                 "(use 'lispe_torch)) does with each name used as a variable; written by "
                 "tools/variable_names.py, checked by tests/test_language_names.py.",
        "contexts": CONTEXTS,
        "real_atoms": sorted(atoms),
        "names": table,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=0, sort_keys=True)
        f.write("\n")
    acc = sum(1 for n in table if table[n]["setq"] == "accepted")
    ref = sum(1 for n in table if table[n]["setq"] == "refused")
    print("%d names: %d accepted, %d refused, %d other (setq)" % (len(table), acc, ref,
                                                                 len(table) - acc - ref))


if __name__ == "__main__":
    main()
