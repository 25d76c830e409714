"""Shared benchmark helpers: interleaved timing with medians, ratio tables, micrograd's moons.

Every candidate runs in the same process; repeats are interleaved (A B C, A B C, …) so that a
slow phase of the machine hits all candidates alike, and the median of the repeats is reported.
"""
from __future__ import annotations

import contextlib
import gc
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

# numpy loads numpy.random on first use; a Ctrl-C that lands in that import (its Cython modules'
# registration with collections.abc) is swallowed, so it is loaded here, before any output
import numpy.random

CHROMIUM = "/usr/bin/chromium"  # Debian's, driven by Playwright; never a downloaded browser
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def progress(message: str) -> None:
    """One line on stderr while a benchmark runs (the tables on stdout stay clean to paste)."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def calls_per_sample(fn: Callable[[], object], min_seconds: float) -> int:
    """How many calls of ``fn`` make one timing sample of at least ``min_seconds`` (after one warm-up)."""
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    return max(1, int(min_seconds / max(once, 1e-9)) + 1)


def interleaved_medians(candidates: dict[str, Callable[[], object]], repeats: int = 7,
                        min_seconds: float = 0.05, label: str = "") -> dict[str, float]:
    """Median seconds per call of each candidate, over ``repeats`` interleaved samples; a line on stderr
    as each candidate is measured (``label`` says of what)."""
    context = f"{label}: " if label else ""
    numbers = {}
    for name, fn in candidates.items():
        progress(f"{context}{name}: measuring")
        numbers[name] = calls_per_sample(fn, min_seconds)
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            gc.collect()
            start = time.perf_counter()
            for _ in range(numbers[name]):
                fn()
            samples[name].append((time.perf_counter() - start) / numbers[name])
    medians = {name: statistics.median(times) for name, times in samples.items()}
    for name, seconds in medians.items():
        progress(f"{context}{name}: {format_duration(seconds)} per call (median of {repeats})")
    return medians


def format_duration(seconds: float) -> str:
    """``seconds`` in the unit that keeps three significant digits readable (s, ms, µs)."""
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table, ready to paste into the README."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, labels ±1 as in micrograd's demo (``make_moons``, ``y*2 - 1``)."""
    rng = np.random.default_rng(seed)
    upper, lower = np.linspace(0, np.pi, n // 2), np.linspace(0, np.pi, n - n // 2)
    points = np.concatenate([np.column_stack([np.cos(upper), np.sin(upper)]),
                             np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)])])
    labels = np.repeat([-1.0, 1.0], [n // 2, n - n // 2])
    order = rng.permutation(n)
    return points[order] + rng.normal(scale=noise, size=points.shape), labels[order]


@contextlib.contextmanager
def threads(count: int | None):
    """numpy's BLAS and PyTorch (if installed) limited to ``count`` threads; None leaves their defaults."""
    try:
        import torch
    except ImportError:
        torch = None
    default = torch.get_num_threads() if torch else None
    limits = contextlib.nullcontext()
    if count is not None:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(limits=count, user_api="blas")
        if torch:
            torch.set_num_threads(count)
    try:
        with limits:
            yield
    finally:
        if torch:
            torch.set_num_threads(default)


THREAD_SETTINGS = {"one BLAS thread": 1, "default threads": None}


def blas_description() -> str:
    """numpy's BLAS library, kernel and thread count, as threadpoolctl reports them."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS: unknown (threadpoolctl not installed)"
    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return "; ".join(f"{pool['internal_api']} {pool['version']} ({pool.get('architecture', '?')}, "
                     f"{pool['num_threads']} threads by default)" for pool in pools) or "BLAS: none found"


def torch_sgd_step(params: list, loss, learning_rate: float) -> float:
    """PyTorch's plain SGD step on a loss tensor: clear the gradients, backward, p -= lr·grad; the loss."""
    import torch  # only when PyTorch is installed: it is never a dependency

    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= learning_rate * p.grad
    return loss.item()
