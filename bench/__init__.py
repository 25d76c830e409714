"""Benchmarks: ``python -m bench.NAME`` from the checkout."""
import autograd  # noqa: F401 — first: an early Ctrl-C is one line (autograd.conventions.interrupts)
