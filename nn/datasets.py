"""Datasets: the seed programs' tables, 2-D toy generators, the 8x8 digits, MNIST IDX files and your CSV.

Every loader returns ``(X, y)``: X a float array of shape (samples, features), y an int array
of class labels 0, 1, … (generators take ``n``, ``noise`` and ``seed``; the same seed gives the same data).
"""
from __future__ import annotations

import gzip
import io
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from .csv_data import Table, load_csv  # noqa: F401 - your own data is a dataset too: nn.datasets.load_csv

MAX_SAMPLES = 1_000_000  # points a generator makes at most


def neuron_table() -> tuple[np.ndarray, np.ndarray]:
    """The single neuron's table ("a neural network in 9 lines"): the output is the first column."""
    X = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=float)
    return X, np.array([0, 1, 1, 0])


def xor_table() -> tuple[np.ndarray, np.ndarray]:
    """The 11-line network's (and James Loy's) table: the output is XOR of the first two columns."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    return X, np.array([0, 1, 1, 0])


def _check(n: int, noise: float, classes: int = 2) -> None:
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < classes:
        raise ValueError(f"n must be an integer >= {classes} (one point per class), got {n!r}")
    if n > MAX_SAMPLES:
        raise ValueError(f"n = {n:,} points is more than the limit of {MAX_SAMPLES:,} (nn.datasets.MAX_SAMPLES)")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")


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
    _check(n, noise)
    first, second = _halves(n)
    upper = np.linspace(0, np.pi, first)
    lower = np.linspace(0, np.pi, second)
    X = np.concatenate([np.column_stack([np.cos(upper), np.sin(upper)]),
                        np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)])])
    y = np.repeat([0, 1], [first, second])
    return _shuffled(X, y, noise, np.random.default_rng(seed))


def circles(n: int = 100, noise: float = 0.05, seed: int | None = None, factor: float = 0.5):
    """A ring (class 0) around a smaller ring of radius ``factor`` (class 1)."""
    _check(n, noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1, got {factor!r}")
    outer, inner = _halves(n)
    angles = [np.linspace(0, 2 * np.pi, count, endpoint=False) for count in (outer, inner)]
    X = np.concatenate([np.column_stack([np.cos(angles[0]), np.sin(angles[0])]),
                        factor * np.column_stack([np.cos(angles[1]), np.sin(angles[1])])])
    y = np.repeat([0, 1], [outer, inner])
    return _shuffled(X, y, noise, np.random.default_rng(seed))


def spiral(n: int = 100, noise: float = 0.05, seed: int | None = None, turns: float = 1.5, classes: int = 2):
    """``classes`` spiral arms winding ``turns`` times around the origin, arm k turned by k/classes of a circle."""
    _check(n, noise, classes)
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
    _check(n, noise)
    return _clusters(np.array([[-0.4, -0.4], [0.4, 0.4]]), n, noise, seed)


def blobs(n: int = 150, noise: float = 0.1, seed: int | None = None, classes: int = 3):
    """``classes`` Gaussian clusters with centres evenly spaced on a circle of radius 0.6, class 0 at the top.

    The spread follows ``gauss``: √(0.5 + 7·noise)/5 per coordinate.
    """
    _check(n, noise, classes)
    angles = np.pi / 2 + 2 * np.pi * np.arange(classes) / classes
    return _clusters(0.6 * np.column_stack([np.cos(angles), np.sin(angles)]), n, noise, seed)


def xor(n: int = 200, noise: float = 0.05, seed: int | None = None):
    """Points uniform in [−1, 1]²; class 1 where x and y have the same sign (TensorFlow Playground)."""
    _check(n, noise)
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
    """Shuffle and split into ``(X_train, y_train, X_test, y_test)``."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}")
    _check_pairs(X, y)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = len(y) - max(1, round(len(y) * test_fraction))
    if cut < 1:
        raise ValueError(f"holding out {test_fraction:g} of {len(y)} rows leaves no rows on one side; "
                         f"use more data or another fraction")
    train, test = order[:cut], order[cut:]
    return X[train], y[train], X[test], y[test]


def stratified_split(X, y, fraction: float = 0.2, seed: int | None = None):
    """Shuffle and split into ``(X_train, y_train, X_held, y_held)``, each class keeping its share.

    ⌈fraction·n⌉ rows are held out, as scikit-learn's ``train_test_split`` holds them; the classes
    receive them in proportion to their sizes (the largest remainders take the rows left over).
    """
    if not 0 < fraction < 1:
        raise ValueError(f"the held-out fraction must be between 0 and 1, got {fraction!r}")
    X, y = np.asarray(X), np.asarray(y)
    _check_pairs(X, y)
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
    held_rows = rng.permutation(np.concatenate([rows[:take] for rows, take in zip(picks, taken)]))
    train_rows = rng.permutation(np.concatenate([rows[take:] for rows, take in zip(picks, taken)]))
    return X[train_rows], y[train_rows], X[held_rows], y[held_rows]


def _check_pairs(X, y) -> None:
    if len(X) != len(y):
        raise ValueError(f"X and y must pair up, one label per row: got {len(X)} rows but {len(y)} labels")


def one_hot(labels, classes: int) -> np.ndarray:
    """Rows of zeros with a 1 at each label (targets for squared error on several outputs)."""
    labels = np.asarray(labels)
    if labels.size and not (labels.dtype.kind in "iuf" and np.all(labels == np.round(labels))):
        raise ValueError(f"labels must be whole class indices in 0..{classes - 1}, got {_cut(labels)}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must be class indices in 0..{classes - 1}")
    return np.eye(classes)[labels.astype(int)]


def _cut(items: np.ndarray) -> str:
    text = np.array2string(items, threshold=6)
    return text if len(text) <= 60 else text[:60] + "…"


_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


MAX_IDX_BYTES = 256 * 2**20  # MNIST's largest file is 47 MB; anything past this is refused unread


def load_idx(path: str | Path, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read an IDX file (MNIST's format, optionally gzipped) into an array of its shape."""
    raw = _bounded_read(Path(path), max_bytes)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise ValueError(f"{path}: not an IDX file (expected 0x00 0x00, a type code in "
                         f"{sorted(_IDX_TYPES)} and at least one dimension in the first 4 bytes)")
    rank, dtype = raw[3], np.dtype(_IDX_TYPES[raw[2]])
    header = 4 + 4 * rank
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({rank} dimensions need {header} bytes)")
    shape = struct.unpack(f">{rank}I", raw[4:header])
    expected = header + int(np.prod(shape, dtype=object)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"{path}: IDX shape {shape} needs {expected} bytes, the file has {len(raw)}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def _bounded_read(path: Path, max_bytes: int) -> bytes:
    """The file's bytes (gunzipped if it is gzip), refusing more than ``max_bytes`` before reading it all."""
    with path.open("rb") as file:
        raw = file.read(max_bytes + 1)
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
                raw = unzipped.read(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"{path}: a damaged gzip file ({error})") from None
    if len(raw) > max_bytes:
        raise ValueError(f"{path}: larger than {max_bytes:,} bytes; not reading it")
    return raw


def load_mnist(images_path: str | Path, labels_path: str | Path):
    """MNIST from the IDX files a user already has: pixels flattened and scaled to [0, 1], labels 0–9."""
    images, labels = load_idx(images_path), load_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1:
        raise ValueError(f"expected images of shape (n, rows, columns) and labels of shape (n,), "
                         f"got {images.shape} and {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{labels_path}: labels must be digits 0-9")
    return images.reshape(len(images), -1) / 255.0, labels.astype(int)


MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
MNIST_SOURCE = "http://yann.lecun.com/exdb/mnist/"


def mnist(directory: str | Path):
    """``(X_train, y_train, X_test, y_test)`` from the folder holding MNIST's four IDX files.

    The standard names (``MNIST_FILES``), each raw or gzipped (``.gz``); the first one missing is
    named in a FileNotFoundError together with where MNIST is published.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder; it should hold MNIST's four IDX files "
                                f"({', '.join(MNIST_FILES)}, raw or .gz), published at {MNIST_SOURCE}")
    paths = []
    for name in MNIST_FILES:
        found = [folder / candidate for candidate in (name, name + ".gz") if (folder / candidate).is_file()]
        if not found:
            raise FileNotFoundError(f"{folder} has no {name} (or {name}.gz): MNIST's four IDX files "
                                    f"are published at {MNIST_SOURCE}")
        paths.append(found[0])
    return (*load_mnist(paths[0], paths[1]), *load_mnist(paths[2], paths[3]))


GENERATORS = {"xor": xor, "moons": moons, "circles": circles, "spiral": spiral, "gauss": gauss,
              "spiral3": spiral3, "blobs": blobs}
TABLES = {"neuron-table": neuron_table, "xor-table": xor_table}
