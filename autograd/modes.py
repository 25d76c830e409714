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
def _switched(name: str, value: bool) -> Iterator[None]:
    before = getattr(state, name)
    setattr(state, name, value)
    try:
        yield
    finally:
        setattr(state, name, before)


def no_grad():
    """Operations inside record no graph: results are plain leaves (as in PyTorch)."""
    return _switched("recording", False)


def enable_grad():
    """Record the graph again, e.g. inside ``no_grad`` (used by ``grad(create_graph=True)``)."""
    return _switched("recording", True)


def detect_anomaly():
    """Raise ``AnomalyError`` at the first forward op or backward step that makes NaN or ±inf."""
    return _switched("detecting", True)


def check_finite(number: float, where: str) -> None:
    """Raise ``AnomalyError`` with ``where`` in the message when ``number`` is NaN or ±inf."""
    if not math.isfinite(number):
        raise AnomalyError(f"{where} produced {number!r}")
