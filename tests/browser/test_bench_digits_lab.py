"""bench.digits_lab's browser part opens the lab in chromium and measures the paused server (no timing is asserted)."""
from __future__ import annotations

import math

import pytest

from bench import digits_lab
from viz.live.lab.data import load

pytestmark = pytest.mark.browser


def test_the_lab_benchmark_opens_the_page_and_watches_it_paused():
    opened, busy = digits_lab.page_open_and_paused_cpu(load(eight_by_eight=True), opens=1, idle_seconds=0.3)
    assert math.isfinite(opened)
    assert opened > 0
    assert math.isfinite(busy)
    assert busy >= 0
