"""The lab's images: MNIST (28x28) from a folder or the download folder, else scikit-learn's 8x8 digits;
loaded once per server. MNIST stays compact (bytes, read as floats a batch at a time: ``nn.mnist``).

Every session reads the same arrays (never writes them), so a second tab costs no second copy.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

import nn
from nn.mnist import GET_IT, default_dir

MNIST_HINT = f"for MNIST's 28x28 images: {GET_IT} (then start the lab again)"
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


def load(mnist_dir: str | None = None, eight_by_eight: bool = False) -> DigitData:
    """MNIST's four files from ``mnist_dir``; without it, from where ``python -m nn download mnist`` puts
    them if they are there, else (or with ``eight_by_eight``) the 8x8 digits split 80/20 with seed 0.

    A folder without MNIST's files or with broken ones raises the loader's one-line error."""
    if mnist_dir is None and not eight_by_eight and default_dir().is_dir():
        mnist_dir = default_dir()
        try:
            return _mnist(mnist_dir)
        except FileNotFoundError:  # the folder is there, not all four files: the 8x8 digits, and the hint
            pass
    elif mnist_dir is not None:
        return _mnist(mnist_dir)
    X, y = nn.datasets.digits()
    X_train, y_train, X_test, y_test = nn.datasets.split(X, y, EIGHT_BY_EIGHT_TEST_FRACTION, seed=0)
    return DigitData(X_train, np.asarray(y_train), X_test, np.asarray(y_test), 8, "scikit-learn's 8x8 digits",
                     MNIST_HINT)


def _mnist(folder) -> DigitData:
    X_train, y_train, X_test, y_test = nn.datasets.mnist(folder)
    return DigitData(X_train, y_train, X_test, y_test, 28, f"MNIST ({folder})")


class SharedData:
    """The server's one copy of the images, loaded on first use (the playground alone never loads them)."""

    def __init__(self, mnist_dir: str | None, eight_by_eight: bool = False, data: DigitData | None = None) -> None:
        self.mnist_dir, self.eight_by_eight = mnist_dir, eight_by_eight
        self._data = data
        self._lock = threading.Lock()

    def get(self) -> DigitData:
        with self._lock:
            if self._data is None:
                self._data = load(self.mnist_dir, self.eight_by_eight)
            return self._data
