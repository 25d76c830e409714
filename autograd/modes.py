"""Global switches of the engine: graph recording (``no_grad``) and ``detect_anomaly``."""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator


class AnomalyError(ArithmeticError):
    """A NaN or infinity appeared while ``detect_anomaly()`` was on."""


class _State:
    recording = True
    detecting = False


state = _State()


@contextmanager
def no_grad() -> Iterator[None]:
    """Operations inside record no graph: results are plain leaves (as in PyTorch)."""
    before = state.recording
    state.recording = False
    try:
        yield
    finally:
        state.recording = before


@contextmanager
def enable_grad() -> Iterator[None]:
    """Record the graph again, e.g. inside ``no_grad`` (used by ``grad(create_graph=True)``)."""
    before = state.recording
    state.recording = True
    try:
        yield
    finally:
        state.recording = before


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``AnomalyError`` at the first forward op or backward step that makes NaN or ±inf."""
    before = state.detecting
    state.detecting = True
    try:
        yield
    finally:
        state.detecting = before


def check_finite(number: float, where: str) -> None:
    """Raise ``AnomalyError`` with ``where`` in the message when ``number`` is NaN or ±inf."""
    if not math.isfinite(number):
        raise AnomalyError(f"{where} produced {number!r}")
