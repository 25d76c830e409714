"""Input features: TensorFlow Playground's transforms of a 2-D point, chosen by name.

The same names turn a point into a model's inputs at training and at prediction time
(the model file keeps them), e.g. ``transform(X, ["x1", "x2", "x1^2"])``.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import argument_checks as arguments
from autograd.conventions.errors import did_you_mean

_TRANSFORMS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
NAMES = tuple(_TRANSFORMS)
_WRITTEN = str.maketrans({"²": "^2", "·": "*", "₁": "1", "₂": "2"})  # the playground's and the README's spellings


def check(names: Sequence[str]) -> list[str]:
    """``names`` as a list, if it is a non-empty list of distinct names from ``NAMES``."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise ValueError(f"features must be a list of names from {', '.join(NAMES)}, got {names!r:.60}")
    names = list(names)
    if not names:
        raise ValueError(f"at least one feature is needed; choose from {', '.join(NAMES)}")
    seen = set()
    for name in names:
        if not isinstance(name, str) or name not in _TRANSFORMS:
            near = did_you_mean(name, NAMES) if isinstance(name, str) else ""
            raise ValueError(f"unknown feature {name!r:.40}; choose from {', '.join(NAMES)}{near}")
        if name in seen:
            raise ValueError(f"feature {name} is listed twice")
        seen.add(name)
    return names


def parse(text: str) -> list[str]:
    """``"x1,x2,X1^2"`` -> ["x1", "x2", "x1^2"] (in any case, spaces around the commas allowed, and as the
    playground writes them: ``X₁²``, ``x1·x2``), checked."""
    arguments.text(text, "text")
    return check([part.strip().lower().translate(_WRITTEN) for part in text.split(",")] if text.strip() else [])


def transform(X, names: Sequence[str]) -> np.ndarray:
    """The features ``names`` of each 2-D point in ``X`` (rows, 2): an array (rows, len(names))."""
    names = check(names)
    try:
        X = np.asarray(arguments.sequence(X, "X", "2-D points: an array of shape (rows, 2)"), dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise arguments.wrong_value("X", "2-D points: an array of shape (rows, 2) of numbers", X) from None
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"features transform 2-D points: X must have shape (rows, 2), got {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, in one line of ours
        columns = [_TRANSFORMS[name](x1, x2) for name in names]
    for name, column in zip(names, columns, strict=True):
        if not np.isfinite(column).all():
            row = int(np.flatnonzero(~np.isfinite(column))[0])
            point = f"({x1[row]:g}, {x2[row]:g})"
            raise ValueError(f"feature {name} of row {row} overflows to {column[row]} for the point {point}: "
                             f"the point must be finite and small enough for the feature to be a finite number")
    return np.column_stack(columns).reshape(len(X), len(names))
