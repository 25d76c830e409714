"""Standardized inputs: each raw input column shifted by its mean and divided by its standard deviation.

The statistics come from the training rows only (never the validation or test rows) and are kept with
the model (``nn.Signature``), so prediction, drawings and exports apply the same scaling to raw numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from autograd import argument_checks as check


@dataclass(frozen=True)
class Standardization:
    """``(x − mean) / std`` per column; ``std`` is 1 for a column that does not vary (as scikit-learn's)."""

    mean: tuple[float, ...]
    std: tuple[float, ...]

    def __post_init__(self) -> None:
        mean, std = tuple(self.mean), tuple(self.std)
        if not mean or len(mean) != len(std):
            raise ValueError(f"standardize needs one mean and one std per input, got {len(mean)} and {len(std)}")
        for where, numbers in (("mean", mean), ("std", std)):
            for number in numbers:
                if not check.is_real(number) or not math.isfinite(number):
                    raise ValueError(f"standardize.{where} must hold finite numbers, got {number!r:.40}")
        if min(std) <= 0:
            raise ValueError(f"standardize.std must be positive, got {min(std)!r}")
        object.__setattr__(self, "mean", tuple(float(m) for m in mean))
        object.__setattr__(self, "std", tuple(float(s) for s in std))

    @classmethod
    def fit(cls, X) -> Standardization:
        """The columns' mean and (population) standard deviation over the rows of ``X``."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or not len(X):
            raise ValueError(f"standardizing needs rows of numbers, got an array of shape {X.shape}")
        std = X.std(axis=0)
        return cls(tuple(X.mean(axis=0).tolist()), tuple(np.where(std > 0, std, 1.0).tolist()))

    def apply(self, X) -> np.ndarray:
        """Raw rows (rows, columns) standardized."""
        return (np.asarray(X, dtype=float) - self.mean) / self.std

    def folded(self, weights: np.ndarray, biases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A first layer's (out × in) weights and biases that take raw inputs: W·((x − m)/s) + b as W'·x + b'."""
        scaled = weights / np.asarray(self.std)
        return scaled, biases - scaled @ np.asarray(self.mean)

    def to_dict(self) -> dict:
        return {"mean": list(self.mean), "std": list(self.std)}

    @classmethod
    def from_dict(cls, document: object) -> Standardization:
        if not isinstance(document, dict) or set(document) != {"mean", "std"} \
                or not all(isinstance(document[key], list) for key in document):
            raise ValueError('standardize must be an object with the lists "mean" and "std"')
        return cls(tuple(document["mean"]), tuple(document["std"]))
