"""Training data as the Trainer takes it: finite input rows of one width paired with their targets, compact
rows (MNIST's bytes) converted to floats a batch at a time, and a batch's rows and targets picked out."""
from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from autograd import argument_checks as check


def plain_data(data, what: str = "data") -> tuple[np.ndarray, list]:
    """(X, y) as a float array of finite input rows (all of one width) and a list of numbers/rows, checked to
    pair up; errors name ``what`` the data is and the first bad row."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"{what} must be a pair (X, y): a list of input rows and a list of targets")
    X, y = data
    if not isinstance(X, ScaledRows):
        check.sequence(X, f"{what}: X", "a list of input rows")
    X = _rows(X, what)
    y = _targets(check.sequence(y, f"{what}: y", "a list of targets"), what)
    if len(X) != len(y):
        raise ValueError(f"{what} must hold as many targets as input rows, got {len(X)} rows and {len(y)} targets")
    return X, y


def _targets(y: list, what: str) -> list:
    """The targets as plain numbers or rows of them, all finite (checked at numpy's speed when they are)."""
    targets = y.tolist() if isinstance(y, np.ndarray) else [t.tolist() if isinstance(t, np.ndarray) else t for t in y]
    if not _finite_numbers(targets):
        for number, target in enumerate(targets):
            if isinstance(target, (str, bytes)) or not _finite_numbers(target):
                raise ValueError(f"{what}: target {number} is {target!r:.40}; targets must be finite numbers "
                                 f"(or rows of them)")
    return targets


def _finite_numbers(items: object) -> bool:
    try:
        array = np.asarray(items)
    except (TypeError, ValueError):  # ragged rows
        return False
    return array.dtype.kind in "biuf" and bool(np.isfinite(array.astype(float)).all())  # no text, no objects


def _rows(X, what: str) -> np.ndarray:
    """The input rows as a float array (ScaledRows as they are): checked at numpy's speed, or row by row to
    name the first bad one."""
    if isinstance(X, ScaledRows):
        if not len(X):
            raise ValueError(f"{what} has no rows")
        return X
    try:
        array = np.asarray(X)
    except ValueError:  # ragged rows
        array = None
    if array is not None and array.ndim == 2 and array.size and array.dtype.kind in "iuf" and np.isfinite(array).all():
        return array.astype(float)
    rows = X.tolist() if isinstance(X, np.ndarray) else list(X)
    if not rows:
        raise ValueError(f"{what} has no rows")
    width = len(rows[0]) if isinstance(rows[0], (list, tuple)) else 0
    return np.array([_row(row, number, width, what) for number, row in enumerate(rows)], dtype=float)


def _row(row, number: int, width: int, what: str) -> list[float]:
    """One input row as floats: a list of ``width`` finite numbers."""
    if not isinstance(row, (list, tuple)) or any(isinstance(v, (list, tuple)) for v in row):
        raise ValueError(f"{what}: row {number} is {row!r:.40}, not a list of numbers")
    if len(row) != width:
        raise ValueError(f"{what}: row {number} has {len(row)} numbers; row 0 has {width}")
    for v in row:
        if not check.is_real(v) or not math.isfinite(v):
            raise ValueError(f"{what}: row {number} holds {v!r:.40}; inputs must be finite numbers")
    return [float(v) for v in row]


CHUNK_ROWS = 1000  # rows converted to floats at once when a whole set is replayed (MNIST's: 6 MB)


class ScaledRows:
    """Input rows kept compact and read as floats ``values / divisor`` a batch at a time: MNIST's
    60,000 images are 47 MB of bytes here instead of 376 MB of float64.

    ``rows[indices]`` (a list or array of row numbers, or one number) is a float array, ``rows[a:b]``
    and ``rows.take(indices)`` are ScaledRows again (no conversion), ``np.asarray(rows)`` is all of them
    as floats. The Trainer, ``nn.evaluate`` and ``nn.metrics`` take them without converting the whole set.
    """

    ndim = 2

    def __init__(self, values: np.ndarray, divisor: float) -> None:
        values = np.asarray(values)
        if values.ndim != 2 or values.dtype.kind not in "iu":
            raise ValueError(f"ScaledRows needs a 2-D array of integers, got {values.dtype} of shape {values.shape}")
        self.values, self.divisor = values, check.real(divisor, "divisor", above=0)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ScaledRows(self.values[index], self.divisor)
        return self.values[index] / self.divisor

    def take(self, indices) -> ScaledRows:
        """The rows ``indices`` (in that order), still compact."""
        return ScaledRows(self.values[np.asarray(indices, dtype=int)], self.divisor)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return (self.values / self.divisor).astype(dtype or float, copy=False)

    def __repr__(self) -> str:
        return f"ScaledRows({len(self):,} rows of {self.shape[1]} {self.values.dtype} values / {self.divisor:g})"


def in_chunks(X, rows: int = CHUNK_ROWS) -> Iterator[np.ndarray]:
    """The rows of ``X`` as float arrays of at most ``rows`` rows (at least one array, maybe empty):
    ScaledRows are converted one chunk at a time."""
    for start in range(0, max(len(X), 1), rows):
        yield np.asarray(X[start:start + rows], dtype=float)


class Picked:
    """The items of a list at ``indices`` (an array of positions or a slice), looked up only when iterated:
    a batch's targets, which a traced loss never reads (it reads their encoded rows instead)."""

    def __init__(self, items: list, indices: np.ndarray | slice) -> None:
        self.items, self.indices = items, indices

    def __iter__(self) -> Iterator:
        if isinstance(self.indices, slice):
            return iter(self.items[self.indices])
        return map(self.items.__getitem__, self.indices.tolist())


def gathered(rows, indices: np.ndarray | slice):
    """``rows[indices]``: a view for a slice; for an index array, numpy's ``take`` (faster than indexing)."""
    if isinstance(indices, slice) or not isinstance(rows, np.ndarray):  # ScaledRows convert the rows they give
        return rows[indices]
    return rows.take(indices, axis=0)


def take_rows(X, indices):
    """The rows ``indices`` of ``X``: ScaledRows stay compact, anything else becomes an array."""
    return X.take(indices) if isinstance(X, ScaledRows) else np.asarray(X)[indices]
