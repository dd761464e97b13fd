"""The shared conformance corpora (../shared/conformance/*/), one pytest item per case.

Each item checks what the official runner ``../shared/conformance/run`` checks: the case runs
as ``lispe-py CASE.lsp`` from a writable copy of its folder; with ``CASE.out`` the exit status
is 0 and stdout is that file byte for byte; with ``CASE.err`` the exit status is 1 and every
line of that file appears on stderr. Cases run in children forked from a process that has
imported lispe-py and PyTorch once (``tests/forkserver.py``), so each sees a fresh interpreter
and its own stdout, stderr and exit status without paying the imports. ``-k core/`` picks a
corpus, ``-k NAME`` one case. Skipped only when ../shared is absent.
"""

import difflib
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

from conftest import ROOT, SHARED

CORPORA = os.path.join(SHARED, "conformance")
CASE_TIMEOUT = float(os.environ.get("CASE_TIMEOUT", 120))


def _cases():
    if not os.path.isdir(CORPORA):
        return []
    found = []
    for folder in sorted(os.listdir(CORPORA)):
        top = os.path.join(CORPORA, folder)
        if not os.path.isdir(top):
            continue
        for dirpath, _, files in os.walk(top):
            for f in files:
                if f.endswith(".lsp"):
                    base = os.path.join(dirpath, f[:-4])
                    if os.path.exists(base + ".out") or os.path.exists(base + ".err"):
                        found.append((folder, os.path.relpath(base + ".lsp", top)))
    return sorted(found)


CASES = _cases()


class ForkServer:
    """Client of tests/forkserver.py: ``run(argv, cwd, out, err, timeout)`` -> exit status."""

    def __init__(self):
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "forkserver.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env, bufsize=1)
        ready = self.proc.stdout.readline()
        assert ready.startswith('{"ready"'), "fork server did not start: %r" % ready
        self.lock = threading.Lock()

    def run(self, argv, cwd, out, err, timeout):
        with self.lock:
            self.proc.stdin.write(json.dumps({"argv": argv, "cwd": cwd, "out": out, "err": err,
                                              "timeout": timeout}) + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline()
        assert answer, "fork server died"
        return json.loads(answer)["rc"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def forkserver():
    server = ForkServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory):
    """Writable copy of a corpus folder, made once per test process (../shared is read-only)."""
    copies = {}

    def get(folder):
        if folder not in copies:
            dst = str(tmp_path_factory.mktemp("corpus-" + folder))
            shutil.copytree(os.path.join(CORPORA, folder), dst, dirs_exist_ok=True)
            for dirpath, dirs, files in os.walk(dst):
                for name in dirs + files:
                    p = os.path.join(dirpath, name)
                    os.chmod(p, os.stat(p).st_mode | 0o200)
            copies[folder] = dst
        return copies[folder]
    return get


def _read(path):
    with open(path, "rb") as f:
        return f.read()


@pytest.mark.parametrize("case", CASES, ids=["%s/%s" % c for c in CASES])
def test_case(case, forkserver, corpus_copy, tmp_path):
    folder, rel = case
    source = os.path.join(CORPORA, folder, rel)
    base = source[:-4]
    work = os.path.join(corpus_copy(folder), rel)
    out, err = str(tmp_path / "stdout"), str(tmp_path / "stderr")
    rc = forkserver.run([os.path.basename(rel)], os.path.dirname(work), out, err, CASE_TIMEOUT)
    got_out, got_err = _read(out), _read(err).decode("utf-8", "replace")
    if os.path.exists(base + ".err"):
        wanted = [line for line in _read(base + ".err").decode("utf-8").split("\n") if line]
        missing = [line for line in wanted if line not in got_err]
        assert rc == 1 and not missing, (
            "expected exit 1 and these lines on stderr: %r\ngot exit %d, stderr:\n%s"
            % (missing, rc, got_err[:1500]))
    else:
        expected = _read(base + ".out")
        if rc != 0 or got_out != expected:
            diff = "".join(difflib.unified_diff(
                expected.decode("utf-8", "replace").splitlines(True),
                got_out.decode("utf-8", "replace").splitlines(True), "expected", "got", n=2))
            pytest.fail("exit %d\n%s\nstderr:\n%s" % (rc, diff[:4000], got_err[:1500]),
                        pytrace=False)


GUARD_CASES = ["core/arith_basic.lsp", "language/s02_exec_009.lsp", "language/s02_exec_026.lsp"]


def test_official_runner_agrees(tmp_path):
    """The official runner itself on a few cases (an .out case, an .err case): what the items
    above check is what it checks, a guard against the two drifting apart."""
    runner = os.path.join(CORPORA, "run")
    if not os.path.exists(runner):
        pytest.skip("../shared/conformance is not present")
    picked = [c for c in GUARD_CASES if os.path.exists(os.path.join(CORPORA, c))] or \
        ["%s/%s" % CASES[0]]
    for c in picked:
        base = os.path.join(CORPORA, c)[:-4]
        for ext in (".lsp", ".out", ".err"):
            if os.path.exists(base + ext):
                shutil.copy(base + ext, tmp_path / (os.path.basename(base) + ext))
    env = dict(os.environ, LISPE_PY="%s -m lispe_py" % sys.executable, PYTHONPATH=ROOT)
    p = subprocess.run(["bash", runner, str(tmp_path)], capture_output=True, text=True, env=env,
                       timeout=600)
    assert p.returncode == 0, p.stdout[-3000:]
    assert p.stdout.strip().splitlines()[-1] == "%d passed, 0 failed" % len(picked)
