"""MNIST-shaped IDX files written by the tests: 28x28 stripes of three classes, raw or gzipped."""
from __future__ import annotations

import gzip
import struct

import numpy as np

from nn import datasets


def idx(array: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def stripes(count: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """28x28 images of three classes: a bright row band, a column band, or the two diagonals."""
    labels = rng.integers(0, 3, count).astype(np.uint8)
    images = rng.integers(0, 60, size=(count, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels, strict=True):
        if label == 0:
            image[10:18, :] = 250
        elif label == 1:
            image[:, 10:18] = 250
        else:
            image[np.arange(28), np.arange(28)] = image[np.arange(28), 27 - np.arange(28)] = 250
    return images, labels


def write_mnist(folder, train: int = 300, test: int = 120, gzipped=(True, False, False, True)):
    rng = np.random.default_rng(0)
    arrays = [*stripes(train, rng), *stripes(test, rng)]
    for name, array, packed in zip(datasets.MNIST_FILES, arrays, gzipped, strict=True):
        raw = idx(array)
        (folder / (name + ".gz" * packed)).write_bytes(gzip.compress(raw) if packed else raw)
    return arrays
