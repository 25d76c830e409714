"""What the page offers, as data: its controls are built from this, so it offers what ``config`` accepts.

The page receives :func:`vocabulary` embedded in its HTML (a JSON script element) and builds its
dataset, feature, loss, optimiser and rate controls and its layer limits from it; nothing of it is
written a second time in the page's scripts.
"""
from __future__ import annotations

import json
import re

from autograd import subscript, superscript
from nn import ACTIVATIONS, datasets

from . import config


def feature_text(name: str) -> str:
    """A feature as the Playground writes it: ``x1^2`` -> ``X₁²``, ``x1*x2`` -> ``X₁X₂``, ``sin(x1)`` -> ``sin(X₁)``."""
    text = re.sub(r"x(\d)", lambda match: "X" + subscript(int(match[1])), name)
    return re.sub(r"\^(\d)", lambda match: superscript(match[1]), text).replace("*", "")


def dataset_text(name: str) -> str:
    classes = config.DATASETS[name]
    return name if classes == 2 else f"{name}, {classes} classes"


def _decimal(number: float) -> str:
    """``0.00001`` rather than ``1e-05``: a rate as a person types it."""
    return f"{number:f}".rstrip("0").rstrip(".") or "0"


def vocabulary() -> dict:
    """Every name, choice and limit the page shows, with the text it shows for each."""
    return {
        "choices": {
            "dataset": [[name, dataset_text(name)] for name in config.DATASETS],
            "activation": [[name, name] for name in ACTIVATIONS],
            "loss": [[name, text] for name, text in config.LOSSES.items()],
            "optimizer": [[name, text] for name, text in config.OPTIMIZERS.items()],
            "regularization": [[name, name] for name in config.REGULARIZATIONS],
            "learning_rate": [[rate, _decimal(rate)] for rate in config.LEARNING_RATES],
            "regularization_rate": [[rate, _decimal(rate)] for rate in config.REGULARIZATION_RATES],
        },
        "sliders": {field: list(bounds) for field, bounds in config.SLIDERS.items()},
        "features": [[name, feature_text(name)] for name in config.FEATURES],
        "classes": config.DATASETS,
        "aliases": datasets.ALIASES,
        "losses_by_classes": {str(classes): list(losses) for classes, losses in config.LOSSES_BY_CLASSES.items()},
        "max_layers": config.MAX_LAYERS,
        "max_neurons": config.MAX_NEURONS,
    }


def embedded() -> str:
    """:func:`vocabulary` as JSON safe inside a ``<script type="application/json">`` element."""
    return json.dumps(vocabulary(), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
