"""The lab's images: MNIST from a folder (28x28), else scikit-learn's 8x8 digits; loaded once per server.

Every session reads the same arrays (never writes them), so a second tab costs no second copy.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

import nn

MNIST_HINT = ("for MNIST's 28x28 images, download its four files (published at http://yann.lecun.com/exdb/mnist/) "
              "into a folder and start with --mnist-dir FOLDER")
EIGHT_BY_EIGHT_TEST_FRACTION = 0.2


@dataclass(frozen=True)
class DigitData:
    """Training and test images (rows of side² numbers in [0, 1]) with their digits, and where they came from."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    side: int
    source: str
    hint: str | None = None

    def describe(self) -> dict:
        return {"source": self.source, "side": self.side, "hint": self.hint, "train": len(self.X_train),
                "test": len(self.X_test)}


def load(mnist_dir: str | None) -> DigitData:
    """MNIST's four files from ``mnist_dir``, or (None) the 8x8 digits split 80/20 with seed 0.

    A folder without MNIST's files or with broken ones raises the loader's one-line error."""
    if mnist_dir is not None:
        X_train, y_train, X_test, y_test = nn.datasets.mnist(mnist_dir)
        return DigitData(X_train, y_train, X_test, y_test, 28, f"MNIST ({mnist_dir})")
    X, y = nn.datasets.digits()
    X_train, y_train, X_test, y_test = nn.datasets.split(X, y, EIGHT_BY_EIGHT_TEST_FRACTION, seed=0)
    return DigitData(X_train, np.asarray(y_train), X_test, np.asarray(y_test), 8, "scikit-learn's 8x8 digits",
                     MNIST_HINT)


class SharedData:
    """The server's one copy of the images, loaded on first use (the playground alone never loads them)."""

    def __init__(self, mnist_dir: str | None, data: DigitData | None = None) -> None:
        self.mnist_dir = mnist_dir
        self._data = data
        self._lock = threading.Lock()

    def get(self) -> DigitData:
        with self._lock:
            if self._data is None:
                self._data = load(self.mnist_dir)
            return self._data
