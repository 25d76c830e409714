"""The playground's setup: one table of fields with their allowed ranges, checked for every request.

A setup is what the URL fragment holds (dataset, features, layers, hyperparameters, seed). Every
field a request sends is checked against this table; a bad one is a :class:`FieldError` naming the
field and what it accepts, which the app turns into a 400 JSON answer.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from nn import ACTIVATIONS

DATASETS = {"circle": 2, "xor": 2, "gauss": 2, "spiral": 2, "moons": 2, "spiral3": 3, "blobs3": 3}  # classes
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")  # nn.features.NAMES
LOSSES_BY_CLASSES = {2: ("mse", "bce", "hinge"), 3: ("cross_entropy",)}
OPTIMIZERS = ("sgd", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
MAX_LAYERS, MAX_NEURONS = 6, 8
MAX_POINTS = 2000  # generated, clicked or uploaded


class FieldError(ValueError):
    """A request field outside what it accepts: ``field`` is its name, the message says what is valid."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class Setup:
    """Everything that defines a run; the page keeps it in the URL fragment."""

    dataset: str = "circle"
    noise: float = 0.0
    train_ratio: float = 0.5
    points: int = 500
    seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    loss: str = "mse"
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    momentum: float = 0.9
    batch_size: int = 10
    regularization: str = "none"
    regularization_rate: float = 0.0

    @property
    def classes(self) -> int:
        return DATASETS[self.dataset]

    def as_dict(self) -> dict:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def _number(field: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise FieldError(field, f"must be a number from {low:g} to {high:g}, got {value!r:.40}")
    return float(value)


def _integer(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FieldError(field, f"must be a whole number from {low} to {high}, got {value!r:.40}")
    return value


def _choice(field: str, value: object, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise FieldError(field, f"must be one of {', '.join(choices)}, got {value!r:.40}")
    return value


def _features(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or len(set(map(str, value))) != len(value) \
            or not all(isinstance(name, str) and name in FEATURES for name in value):
        raise FieldError("features", f"must be a non-empty list of distinct names from {', '.join(FEATURES)}")
    return tuple(name for name in FEATURES if name in value)  # the canonical order


def _hidden(value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > MAX_LAYERS or not all(
            isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_NEURONS for n in value):
        raise FieldError("hidden", f"must be a list of 0 to {MAX_LAYERS} layer sizes, each 1 to {MAX_NEURONS}")
    return tuple(value)


_CHECKS = {
    "dataset": lambda v: _choice("dataset", v, tuple(DATASETS)),
    "noise": lambda v: _number("noise", v, 0.0, 0.5),
    "train_ratio": lambda v: _number("train_ratio", v, 0.1, 0.9),
    "points": lambda v: _integer("points", v, 10, MAX_POINTS),
    "seed": lambda v: _integer("seed", v, 0, 2**31 - 1),
    "features": _features,
    "hidden": _hidden,
    "activation": lambda v: _choice("activation", v, ACTIVATIONS),
    "loss": lambda v: _choice("loss", v, ("mse", "bce", "hinge", "cross_entropy")),
    "optimizer": lambda v: _choice("optimizer", v, OPTIMIZERS),
    "learning_rate": lambda v: _number("learning_rate", v, 1e-5, 10.0),
    "momentum": lambda v: _number("momentum", v, 0.0, 0.999),
    "batch_size": lambda v: _integer("batch_size", v, 1, MAX_POINTS),
    "regularization": lambda v: _choice("regularization", v, REGULARIZATIONS),
    "regularization_rate": lambda v: _number("regularization_rate", v, 0.0, 1.0),
}


def checked_setup(changes: object, base: Setup | None = None) -> Setup:
    """``base`` (default: the defaults) with ``changes`` (a JSON object of some fields) applied and checked."""
    if not isinstance(changes, dict):
        raise FieldError("setup", "must be a JSON object of fields: " + ", ".join(_CHECKS))
    unknown = sorted(set(changes) - set(_CHECKS))
    if unknown:
        raise FieldError(str(unknown[0])[:40], "is not a setup field; the fields are " + ", ".join(_CHECKS))
    setup = replace(base or Setup(), **{key: _CHECKS[key](value) for key, value in changes.items()})
    if setup.loss not in LOSSES_BY_CLASSES[setup.classes]:
        raise FieldError("loss", f"the {setup.dataset} data has {setup.classes} classes: choose one of "
                                 + ", ".join(LOSSES_BY_CLASSES[setup.classes]))
    return setup


def integer_field(document: dict, field: str, low: int, high: int) -> int:
    """``document[field]`` as a whole number in [low, high], or a FieldError (a missing field too)."""
    return _integer(field, document.get(field), low, high)


def number_field(document: dict, field: str, low: float, high: float) -> float:
    """``document[field]`` as a finite number in [low, high], or a FieldError."""
    return _number(field, document.get(field), low, high)


def choice_field(document: dict, field: str, choices) -> str:
    """``document[field]`` as one of ``choices``, or a FieldError listing them."""
    return _choice(field, document.get(field), choices)
