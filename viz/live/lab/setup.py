"""The digit lab's setup: its fields with their allowed values, checked for every request.

``LabDefaults`` is what the command line chose for the server (the data folder and the first
network); ``LabSetup`` is one tab's network and training settings, changed field by field.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from ..config import FieldError, choice_field, integer_field, number_field

ACTIVATIONS = ("sigmoid", "relu")  # sigmoid as in the lessons
LOSSES = {"sse": "squared error (the lessons' C₀ = Σ (a − y)²)", "cross_entropy": "cross-entropy (softmax)"}
MAX_LAYERS, MAX_NEURONS = 3, 64
MAX_BATCH = 1000


@dataclass(frozen=True)
class LabSetup:
    """One tab's network and training: the hidden layers, activation, loss, learning rate, batch size, seed."""

    hidden: tuple[int, ...] = (16, 16)
    activation: str = "sigmoid"
    loss: str = "sse"
    learning_rate: float = 0.002  # squared error sums over the mini-batch: a small rate per image
    batch_size: int = 100
    seed: int = 0

    def as_dict(self) -> dict:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


@dataclass(frozen=True)
class LabDefaults:
    """What ``python -m viz digits`` chose: where MNIST is (None: the download folder if it holds MNIST, else
    the 8x8 digits; ``eight_by_eight``: the 8x8 digits anyway), the first setup, and the images if they were
    loaded already (a ``DigitData``; else they load on the first session)."""

    mnist_dir: str | None = None
    eight_by_eight: bool = False
    setup: LabSetup = LabSetup()
    data: Any = None


def _hidden(document: dict) -> tuple[int, ...]:
    value = document.get("hidden")
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LAYERS or not all(
            isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_NEURONS for n in value):
        raise FieldError("hidden", f"must be a list of 1 to {MAX_LAYERS} layer sizes, each 1 to {MAX_NEURONS}")
    return tuple(value)


_CHECKS = {
    "hidden": _hidden,
    "activation": lambda document: choice_field(document, "activation", ACTIVATIONS),
    "loss": lambda document: choice_field(document, "loss", tuple(LOSSES)),
    "learning_rate": lambda document: number_field(document, "learning_rate", 1e-5, 10.0),
    "batch_size": lambda document: integer_field(document, "batch_size", 1, MAX_BATCH),
    "seed": lambda document: integer_field(document, "seed", 0, 2**31 - 1),
}


def checked_lab_setup(changes: object, base: LabSetup | None = None) -> LabSetup:
    """``base`` with ``changes`` (a JSON object of some fields) applied and checked, field by field."""
    if not isinstance(changes, dict):
        raise FieldError("setup", "must be a JSON object of fields: " + ", ".join(_CHECKS))
    unknown = sorted(set(changes) - set(_CHECKS))
    if unknown:
        raise FieldError(str(unknown[0])[:40], "is not a setup field; the fields are " + ", ".join(_CHECKS))
    return replace(base or LabSetup(), **{key: _CHECKS[key](changes) for key in changes})
