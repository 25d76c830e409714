"""Datasets: the seed programs' tables, 2-D toy generators, the 8x8 digits; MNIST (nn.mnist) and your CSV (nn.csv_data).

Every loader returns ``(X, y)``: X a float array of shape (samples, features), y an int array
of class labels 0, 1, … (generators take ``n``, ``noise`` from 0 to MAX_NOISE and ``seed``; the same seed
gives the same data).
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from autograd import argument_checks as check
from autograd.conventions.errors import did_you_mean
from autograd.conventions.terminal import echo

from .csv_data import Table, load_csv  # noqa: F401 - your own data is a dataset too: nn.datasets.load_csv
from .data_rows import ScaledRows, take_rows
from .idx import MAX_IDX_BYTES, load_idx  # noqa: F401 - MNIST's file format
from .mnist import MNIST_FILES, MNIST_MIRROR, load_mnist, mnist  # noqa: F401 - and MNIST

MAX_SAMPLES = 1_000_000  # points a generator makes at most
MAX_NOISE = 1.0  # a generator's noise at most: at 1 the noise is as wide as the shapes (about 1 across), so
# more only hides them and scales the inputs up (scikit-learn accepts any; the playground's slider stops at 0.5)


def neuron_table() -> tuple[np.ndarray, np.ndarray]:
    """The single neuron's table ("a neural network in 9 lines"): the output is the first column."""
    X = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=float)
    return X, np.array([0, 1, 1, 0])


def xor_table() -> tuple[np.ndarray, np.ndarray]:
    """The 11-line network's (and James Loy's) table: the output is XOR of the first two columns."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    return X, np.array([0, 1, 1, 0])


def _check(n: int, noise: float, seed: int | None, classes: int = 2) -> None:
    check.count(classes, "classes", at_least=2)
    check.count(n, "n", at_least=classes)  # one point per class at least
    if n > MAX_SAMPLES:
        raise ValueError(f"n = {n:,} points is more than the limit of {MAX_SAMPLES:,} (nn.datasets.MAX_SAMPLES)")
    check.real(noise, "noise", at_least=0, at_most=MAX_NOISE)
    check.seed(seed)


def _shuffled(X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator):
    order = rng.permutation(len(y))
    return X[order] + rng.normal(scale=noise, size=X.shape), y[order]


def _halves(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def _shares(n: int, classes: int) -> list[int]:
    """``n`` points dealt to ``classes`` classes as evenly as possible, the later classes taking the rest."""
    return [n * (k + 1) // classes - n * k // classes for k in range(classes)]


def moons(n: int = 100, noise: float = 0.1, seed: int | None = None):
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower arc shifted right."""
    _check(n, noise, seed)
    first, second = _halves(n)
    upper = np.linspace(0, np.pi, first)
    lower = np.linspace(0, np.pi, second)
    X = np.concatenate([np.column_stack([np.cos(upper), np.sin(upper)]),
                        np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)])])
    y = np.repeat([0, 1], [first, second])
    return _shuffled(X, y, noise, np.random.default_rng(seed))


def circles(n: int = 100, noise: float = 0.05, seed: int | None = None, factor: float = 0.5):
    """A ring (class 0) around a smaller ring of radius ``factor`` (class 1)."""
    _check(n, noise, seed)
    check.real(factor, "factor", above=0, below=1)
    outer, inner = _halves(n)
    angles = [np.linspace(0, 2 * np.pi, count, endpoint=False) for count in (outer, inner)]
    X = np.concatenate([np.column_stack([np.cos(angles[0]), np.sin(angles[0])]),
                        factor * np.column_stack([np.cos(angles[1]), np.sin(angles[1])])])
    y = np.repeat([0, 1], [outer, inner])
    return _shuffled(X, y, noise, np.random.default_rng(seed))


def spiral(n: int = 100, noise: float = 0.05, seed: int | None = None, turns: float = 1.5, classes: int = 2):
    """``classes`` spiral arms winding ``turns`` times around the origin, arm k turned by k/classes of a circle."""
    _check(n, noise, seed, classes)
    check.real(turns, "turns")
    counts = _shares(n, classes)
    arms = []
    for arm, count in enumerate(counts):
        radius = np.linspace(0.05, 1, count)
        angle = 2 * np.pi * turns * radius + 2 * np.pi * arm / classes
        arms.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
    labels = np.repeat(np.arange(classes), counts)
    return _shuffled(np.concatenate(arms), labels, noise, np.random.default_rng(seed))


def spiral3(n: int = 150, noise: float = 0.05, seed: int | None = None):
    """The three-class spiral: three arms a third of a circle apart (``spiral(..., classes=3)``)."""
    return spiral(n, noise, seed, classes=3)


def _cluster_spread(noise: float) -> float:
    """TensorFlow Playground's Gaussian spread: variance 0.5 + 7·noise on its ±6 board, here a fifth of the size."""
    return np.sqrt(0.5 + 7 * noise) / 5


def _clusters(centres: np.ndarray, n: int, noise: float, seed: int | None):
    rng = np.random.default_rng(seed)
    counts = _shares(n, len(centres))
    y = rng.permutation(np.repeat(np.arange(len(centres)), counts))
    return centres[y] + rng.normal(scale=_cluster_spread(noise), size=(n, 2)), y


def gauss(n: int = 100, noise: float = 0.1, seed: int | None = None):
    """TensorFlow Playground's two Gaussian clusters: class 1 around (0.4, 0.4), class 0 around (−0.4, −0.4).

    Each coordinate's standard deviation is √(0.5 + 7·noise)/5 (the Playground's variance scale).
    """
    _check(n, noise, seed)
    return _clusters(np.array([[-0.4, -0.4], [0.4, 0.4]]), n, noise, seed)


def blobs(n: int = 150, noise: float = 0.1, seed: int | None = None, classes: int = 3):
    """``classes`` Gaussian clusters with centres evenly spaced on a circle of radius 0.6, class 0 at the top.

    The spread follows ``gauss``: √(0.5 + 7·noise)/5 per coordinate.
    """
    _check(n, noise, seed, classes)
    angles = np.pi / 2 + 2 * np.pi * np.arange(classes) / classes
    return _clusters(0.6 * np.column_stack([np.cos(angles), np.sin(angles)]), n, noise, seed)


def xor(n: int = 200, noise: float = 0.05, seed: int | None = None):
    """Points uniform in [−1, 1]²; class 1 where x and y have the same sign (TensorFlow Playground)."""
    _check(n, noise, seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X + rng.normal(scale=noise, size=X.shape), y


def digits():
    """scikit-learn's 1,797 handwritten digits, 8x8 pixels scaled to [0, 1], labels 0–9."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("the digits dataset needs scikit-learn: in the checkout, run "
                          ".venv/bin/pip install -e '.[digits]'") from None
    bunch = load_digits()
    return bunch.data / 16.0, bunch.target.astype(int)


def split(X, y, test_fraction: float = 0.2, seed: int | None = None):
    """Shuffle and split into ``(X_train, y_train, X_test, y_test)`` (ScaledRows stay ScaledRows)."""
    check.real(test_fraction, "test_fraction", above=0, below=1)
    check.seed(seed)
    y = _pairs(X, y)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = len(y) - max(1, round(len(y) * test_fraction))
    if cut < 1:
        raise ValueError(f"holding out {test_fraction:g} of {len(y)} rows leaves no rows on one side; "
                         f"use more data or another fraction")
    train, test = order[:cut], order[cut:]
    return take_rows(X, train), y[train], take_rows(X, test), y[test]


def stratified_split(X, y, fraction: float = 0.2, seed: int | None = None):
    """Shuffle and split into ``(X_train, y_train, X_held, y_held)``, each class keeping its share.

    ⌈fraction·n⌉ rows are held out, as scikit-learn's ``train_test_split`` holds them; the classes
    receive them in proportion to their sizes (the largest remainders take the rows left over).
    """
    check.real(fraction, "fraction (held out)", above=0, below=1)
    check.seed(seed)
    y = _pairs(X, y)
    classes, counts = np.unique(y, return_counts=True)
    held = math.ceil(fraction * len(y))
    if min(held, len(y) - held) < len(classes):
        raise ValueError(f"holding out {fraction:g} of {len(y)} rows leaves fewer rows than the {len(classes)} "
                         f"classes on one side; use more data or another fraction")
    quotas = counts * held / len(y)
    taken = np.floor(quotas).astype(int)
    leftover = np.lexsort((np.arange(len(classes)), -(quotas - taken)))[:held - taken.sum()]
    taken[leftover] += 1
    rng = np.random.default_rng(seed)
    picks = [rng.permutation(np.flatnonzero(y == label)) for label in classes]
    held_rows = rng.permutation(np.concatenate([rows[:take] for rows, take in zip(picks, taken, strict=True)]))
    train_rows = rng.permutation(np.concatenate([rows[take:] for rows, take in zip(picks, taken, strict=True)]))
    return take_rows(X, train_rows), y[train_rows], take_rows(X, held_rows), y[held_rows]


def _pairs(X, y) -> np.ndarray:
    """y as an array, once X (rows, or ScaledRows) and y pair up, one label per row."""
    if not isinstance(X, ScaledRows):
        check.sequence(X, "X", "rows of numbers (a list, an array or ScaledRows)")
    y = np.asarray(check.sequence(y, "y", "one label per row (a list or an array)"))
    if len(X) != len(y):
        raise ValueError(f"X and y must pair up, one label per row: got {len(X)} rows but {len(y)} labels")
    return y


def one_hot(labels, classes: int) -> np.ndarray:
    """Rows of zeros with a 1 at each label (targets for squared error on several outputs)."""
    check.count(classes, "classes")
    labels = np.asarray(check.sequence(labels, "labels", "a list of class indices"))
    if labels.size and not (labels.dtype.kind in "iuf" and np.all(labels == np.round(labels))):
        raise ValueError(f"labels must be whole class indices in 0..{classes - 1}, got {_cut(labels)}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must be class indices in 0..{classes - 1}")
    return np.eye(classes)[labels.astype(int)]


def _cut(items: np.ndarray) -> str:
    text = np.array2string(items, threshold=6)
    return text if len(text) <= 60 else text[:60] + "…"


GENERATORS = {"xor": xor, "moons": moons, "circles": circles, "spiral": spiral, "gauss": gauss,
              "spiral3": spiral3, "blobs": blobs}
CLASSES = {"xor": 2, "moons": 2, "circles": 2, "spiral": 2, "gauss": 2, "spiral3": 3, "blobs": 3}  # by default
ALIASES = {"circle": "circles", "blobs3": "blobs"}  # the other spellings, accepted wherever a name is


def canonical(name: str) -> str:
    """The dataset's one name, in any case: ``Moons`` -> ``moons``, ``circle`` -> ``circles``, ``blobs3`` ->
    ``blobs``; any other name lowercased (a name is never told apart by its case)."""
    key = name.lower()
    return ALIASES.get(key, key)


def refusal(names: Iterable[str], given: object) -> str:
    """The names a refusal of ``given`` lists, with the aliases, and the near miss, if any: ``moons, circles
    (circle for circles, blobs3 for blobs), got 'moon'; did you mean moons?``."""
    names = list(names)
    aliases = ", ".join(f"{alias} for {name}" for alias, name in ALIASES.items())
    near = did_you_mean(given, [*names, *ALIASES]) if isinstance(given, str) else ""
    return f"{', '.join(names)} ({aliases}), got {echo(given)}{near}"


TABLES = {"neuron-table": neuron_table, "xor-table": xor_table}
