"""Per-dataset training defaults for ``python -m nn train``, and how each loss wants its targets."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import datasets


@dataclass(frozen=True)
class Recipe:
    """Settings that train a dataset well in seconds (``nn.fit`` replays the model with numpy)."""

    hidden: tuple[int, ...] = (16, 16)
    activation: str = "relu"
    loss: str = "hinge"
    optimizer: str = "sgd"
    lr: float = 1.0
    lr_end: float = 0.1  # the learning rate falls linearly to lr·lr_end (micrograd's schedule)
    momentum: float = 0.0
    steps: int | None = 100
    epochs: int | None = None
    batch_size: int | None = None
    l2: float = 1e-4
    samples: int = 100  # points to generate, or training images to keep (digits)
    noise: float = 0.1
    seed: int = 1337
    test_fraction: float = 0.0


_TABLE = Recipe(hidden=(), activation="sigmoid", loss="sse", lr=1.0, lr_end=1.0, steps=1000, l2=0.0, samples=4)
RECIPES = {
    "moons": Recipe(),  # micrograd's demo
    "circles": Recipe(noise=0.05),
    "xor": Recipe(noise=0.05),
    "spiral": Recipe(activation="tanh", optimizer="adam", lr=0.05, lr_end=1.0, steps=100, l2=0.0,
                     noise=0.02, samples=100),
    "digits": Recipe(activation="sigmoid", loss="cross_entropy", lr=1.0, lr_end=1.0, momentum=0.9, steps=None,
                     epochs=20, batch_size=100, l2=0.0, samples=1797, seed=0, test_fraction=0.2),
    "mnist": Recipe(activation="sigmoid", loss="cross_entropy", lr=0.5, lr_end=1.0, momentum=0.9, steps=None,
                    epochs=10, batch_size=100, l2=0.0, samples=60000, seed=0),  # 3Blue1Brown's 784-16-16-10
    "neuron-table": _TABLE,
    "xor-table": Recipe(hidden=(4,), activation="sigmoid", loss="sse", lr=1.0, lr_end=1.0, steps=2000,
                        l2=0.0, samples=4),
}
LOSS_OUTPUT_ACTIVATION = {"hinge": "linear", "cross_entropy": "linear", "bce": "sigmoid",
                          "mse": "sigmoid", "sse": "sigmoid"}


def load(name: str, samples: int, noise: float, seed: int):
    """(X, y) of the dataset ``name``: ``samples`` generated points, a seed table, or all the digits."""
    if name in datasets.GENERATORS:
        return datasets.GENERATORS[name](samples, noise=noise, seed=seed)
    if name in datasets.TABLES:
        return datasets.TABLES[name]()
    return datasets.digits()


def outputs_and_targets(loss: str, y: np.ndarray, classes: int | None = None) -> tuple[int, np.ndarray]:
    """How many outputs the model needs for ``loss`` on labels ``y``, and the targets the loss reads.

    hinge: one score against −1/+1; bce: one probability against 0/1; cross_entropy: one logit
    per class against the index; mse/sse: one output (0/1) for two classes, else one-hot rows.
    ``classes`` fixes the count (MNIST: 10) instead of reading it off the labels.
    """
    classes = classes or int(y.max()) + 1  # MNIST has ten classes whichever images are kept
    if loss in ("hinge", "bce") and classes > 2:
        raise ValueError(f"--loss {loss} needs a two-class dataset; this one has {classes} classes "
                         f"(use cross_entropy or mse)")
    if loss == "hinge":
        return 1, 2 * y - 1
    if loss == "cross_entropy":
        return max(classes, 2), y
    if classes > 2:
        return classes, datasets.one_hot(y, classes)
    return 1, y
