"""Differential fuzzing against the real LispE interpreter (fixed seed, 200 programs).

Longer runs: ``python tools/fuzz_diff.py --minutes N``."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import fuzz_diff  # noqa: E402

pytestmark = pytest.mark.skipif(not os.path.exists(fuzz_diff.REAL), reason="real LispE binary not present")


def test_200_random_programs_agree_with_real_lispe():
    from hypothesis import HealthCheck, given, settings

    seen = []

    @settings(max_examples=200, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(fuzz_diff.program())
    def check(src):
        seen.append(src)
        diff = fuzz_diff.compare(src)
        assert diff is None, diff

    check()
    assert len(seen) >= 200
