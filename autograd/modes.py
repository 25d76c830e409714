"""The engine's switches: graph recording (``no_grad``) and ``detect_anomaly``.

Both live in one ``contextvars.ContextVar``, so each thread and each asyncio task has its own:
a ``no_grad`` in one thread never stops another thread from recording its graph.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


class AnomalyError(ArithmeticError):
    """A NaN or infinity appeared while ``detect_anomaly()`` was on."""


@dataclass(frozen=True)
class Mode:
    """The switches in force: ``recording`` a graph, ``detecting`` NaN and infinities."""

    recording: bool = True
    detecting: bool = False


# one instance per combination, so the engine's hot path tests ``current() is PLAIN``
_MODES = {(recording, detecting): Mode(recording, detecting) for recording in (True, False)
          for detecting in (True, False)}
PLAIN = _MODES[True, False]  # recording, no anomaly checks: the default of every thread and task
_mode: ContextVar[Mode] = ContextVar("autograd_mode", default=PLAIN)
current = _mode.get  # the Mode of the calling thread or task


@contextmanager
def _switched(recording: bool | None = None, detecting: bool | None = None) -> Iterator[None]:
    before = current()
    token = _mode.set(_MODES[before.recording if recording is None else recording,
                             before.detecting if detecting is None else detecting])
    try:
        yield
    finally:
        _mode.reset(token)


def no_grad():
    """Operations inside record no graph: results are plain leaves (as in PyTorch)."""
    return _switched(recording=False)


def enable_grad():
    """Record the graph again, e.g. inside ``no_grad`` (used by ``grad(create_graph=True)``)."""
    return _switched(recording=True)


def detect_anomaly():
    """Raise ``AnomalyError`` at the first forward op or backward step that makes NaN or ±inf."""
    return _switched(detecting=True)


def check_finite(number: float, where: str) -> None:
    """Raise ``AnomalyError`` with ``where`` in the message when ``number`` is NaN or ±inf."""
    if not math.isfinite(number):
        raise AnomalyError(f"{where} produced {number!r}")
