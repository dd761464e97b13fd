"""Runs the shared conformance corpora (../shared/conformance) with the project's runner.

Skipped only when ../shared is absent (a checkout outside the workplace)."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, SHARED

RUNNER = os.path.join(SHARED, "conformance", "run")


def _run(folder):
    if not os.path.exists(RUNNER):
        pytest.skip("../shared/conformance is not present")
    env = dict(os.environ, LISPE_PY=f"{sys.executable} -m lispe_py", PYTHONPATH=ROOT)
    p = subprocess.run(["bash", RUNNER, os.path.join(SHARED, "conformance", folder)],
                       capture_output=True, text=True, env=env, timeout=3000)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    assert p.returncode == 0, p.stdout[-6000:]
    assert last.endswith(" 0 failed"), last


def test_core_corpus():
    _run("core")


def test_language_corpus():
    _run("language")


def test_torch_corpus():
    _run("torch")


def test_tokenizers_corpus():
    _run("tokenizers")
