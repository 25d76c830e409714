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
    val_fraction: float = 0.0  # of the training rows, held out to score every epoch
    standardize: bool = False  # scale the inputs by the training rows' mean and standard deviation




_TABLE = Recipe(hidden=(), activation="sigmoid", loss="sse", lr=1.0, lr_end=1.0, steps=1000, l2=0.0, samples=4)
RECIPES = {
    "moons": Recipe(),  # micrograd's demo
    "circles": Recipe(noise=0.05),
    "xor": Recipe(noise=0.05),
    "spiral": Recipe(activation="tanh", optimizer="adam", lr=0.05, lr_end=1.0, steps=100, l2=0.0,
                     noise=0.02, samples=100),
    "gauss": Recipe(),
    "spiral3": Recipe(activation="tanh", loss="cross_entropy", optimizer="adam", lr=0.05, lr_end=1.0, steps=300,
                      l2=0.0, noise=0.02, samples=300),
    "blobs": Recipe(loss="cross_entropy", optimizer="adam", lr=0.05, lr_end=1.0, l2=0.0, samples=150),
    "digits": Recipe(activation="sigmoid", loss="cross_entropy", lr=1.0, lr_end=1.0, momentum=0.9, steps=None,
                     epochs=20, batch_size=100, l2=0.0, samples=1797, seed=0, test_fraction=0.2),
    "mnist": Recipe(activation="sigmoid", loss="cross_entropy", lr=0.5, lr_end=1.0, momentum=0.9, steps=None,
                    epochs=10, batch_size=100, l2=0.0, samples=60000, seed=0),  # 3Blue1Brown's 784-16-16-10
    "neuron-table": _TABLE,
    "xor-table": Recipe(hidden=(4,), activation="sigmoid", loss="sse", lr=1.0, lr_end=1.0, steps=2000,
                        l2=0.0, samples=4),
}
CSV = Recipe(loss="cross_entropy", optimizer="adam", lr=0.01, lr_end=1.0, steps=None, epochs=100, batch_size=32,
             l2=0.0, val_fraction=0.2, standardize=True)  # your own data (a regression trains with mse)
LOSS_OUTPUT_ACTIVATION = {"hinge": "linear", "cross_entropy": "linear", "bce": "sigmoid",
                          "mse": "sigmoid", "sse": "sigmoid"}


def load(name: str, samples: int, noise: float, seed: int):
    """(X, y) of the dataset ``name``: ``samples`` generated points, a seed table, or all the digits."""
    name = datasets.canonical(name)
    if name in datasets.GENERATORS:
        return datasets.GENERATORS[name](samples, noise=noise, seed=seed)
    if name in datasets.TABLES:
        return datasets.TABLES[name]()
    return datasets.digits()


def loss_for(recipe_loss: str, asked: str | None, classes: int) -> str:
    """The loss to train with: the one ``asked`` for, else the recipe's, but softmax cross-entropy when
    the recipe's is two-class only and there are more classes, and mse for a regression (``classes`` 0)."""
    if not classes:
        if asked not in (None, "mse", "sse"):
            raise ValueError(f"a regression trains with --loss mse or sse, not {asked}")
        return asked or "mse"
    if asked:
        return asked
    return "cross_entropy" if classes > 2 and recipe_loss in ("hinge", "bce") else recipe_loss


def outputs_and_targets(loss: str, y: np.ndarray, classes: int | None = None) -> tuple[int, np.ndarray]:
    """How many outputs the model needs for ``loss`` on labels ``y`` of ``classes`` classes (default:
    the largest label + 1; 0 for a regression: one output against the numbers), and the targets the loss reads.

    hinge: one score against −1/+1; bce: one probability against 0/1; cross_entropy: one logit
    per class against the index; mse/sse: one output (0/1) for two classes, else one-hot rows.
    """
    if classes == 0:
        return 1, y
    classes = classes or int(y.max()) + 1
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
