"""The playground's setup: one table of fields with their allowed ranges, checked for every request.

A setup is what the URL fragment holds (dataset, features, layers, hyperparameters, seed). Every
field a request sends is checked against this table; a bad one is a :class:`FieldError` naming the
field and what it accepts, which the app turns into a 400 JSON answer.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from autograd import argument_checks as check
from nn import ACTIVATIONS, datasets, features

DATASETS = dict(datasets.CLASSES)  # name -> classes; nn.datasets' names, its aliases accepted
FEATURES = features.NAMES
LOSSES = {"mse": "mean squared error", "bce": "binary cross-entropy", "hinge": "hinge",
          "cross_entropy": "cross-entropy (softmax)"}
LOSSES_BY_CLASSES = {2: ("mse", "bce", "hinge"), 3: ("cross_entropy",)}
OPTIMIZERS = {"sgd": "SGD + momentum", "adam": "Adam"}
REGULARIZATIONS = ("none", "l1", "l2")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)  # what the page offers
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1)
SLIDERS = {"train_ratio": (0.1, 0.9, 0.1), "noise": (0.0, 0.5, 0.05), "batch_size": (1, 30, 1)}  # low, high, step
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

    dataset: str = "circles"
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
    if not check.is_real(value) or not low <= value <= high:  # NaN too
        raise FieldError(field, f"must be a number from {low:g} to {high:g}, got {value!r:.40}")
    return float(value)


def _integer(field: str, value: object, low: int, high: int) -> int:
    if not check.is_integer(value) or not low <= value <= high:
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
            check.is_integer(n) and 1 <= n <= MAX_NEURONS for n in value):
        raise FieldError("hidden", f"must be a list of 0 to {MAX_LAYERS} layer sizes, each 1 to {MAX_NEURONS}")
    return tuple(value)


def dataset_name(value: object) -> str:
    """The one name of the dataset ``value`` names (an alias too), or a FieldError listing the names."""
    if isinstance(value, str) and datasets.canonical(value) in DATASETS:
        return datasets.canonical(value)
    raise FieldError("dataset", f"must be one of {datasets.refusal(DATASETS, value)}")


_CHECKS = {
    "dataset": dataset_name,
    "noise": lambda v: _number("noise", v, *SLIDERS["noise"][:2]),
    "train_ratio": lambda v: _number("train_ratio", v, *SLIDERS["train_ratio"][:2]),
    "points": lambda v: _integer("points", v, 10, MAX_POINTS),
    "seed": lambda v: _integer("seed", v, 0, 2**31 - 1),
    "features": _features,
    "hidden": _hidden,
    "activation": lambda v: _choice("activation", v, ACTIVATIONS),
    "loss": lambda v: _choice("loss", v, tuple(LOSSES)),
    "optimizer": lambda v: _choice("optimizer", v, tuple(OPTIMIZERS)),
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
        raise FieldError(unknown[0][:40] or "setup", "is not a setup field; the fields are " + ", ".join(_CHECKS))
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
