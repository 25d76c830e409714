"""Rows of the replay's buffers, and the scatter-add that sends contributions to their slots."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Index = slice | np.ndarray  # rows of a buffer: a slice when they are contiguous, else their numbers


def rows(slots: Sequence[int] | np.ndarray) -> Index:
    """``slots`` as a slice when they are consecutive (a view, no copy), else as an index array."""
    slots = np.asarray(slots, dtype=np.intp)
    count = len(slots)
    if count and int(slots[-1]) - int(slots[0]) == count - 1 and (count < 3 or (np.diff(slots) == 1).all()):
        return slice(int(slots[0]), int(slots[0]) + count)
    return slots


class Scatter:
    """Adds rows of contributions into ``grads[targets]``, summing rows that share a target.

    Rows whose target no other row shares are added directly, read in the order of their targets
    (so that targets forming a run are written through a view); the others are summed per target
    with ``np.bincount``, far faster than ``np.add.at`` or ``np.add.reduceat``. The generated
    program calls ``add`` where a group's gradients go to targets that repeat.
    """

    def __init__(self, targets: np.ndarray) -> None:
        self.targets = targets
        unique, position, counts = np.unique(targets, return_inverse=True, return_counts=True)
        alone = counts[position] == 1
        self.alone = alone.any()
        by_target = np.flatnonzero(alone)[np.argsort(targets[alone], kind="stable")]
        self._alone_rows, self._alone_targets = rows(by_target), rows(targets[by_target])
        self.shared = not alone.all()
        if self.shared:  # (most scatters have none: a deep graph keeps one per group)
            shared_targets = unique[counts > 1]
            self._bin = np.searchsorted(shared_targets, targets[~alone])  # which shared target, 0, 1, …
            self._shared_rows, self._shared_targets = rows(np.flatnonzero(~alone)), rows(shared_targets)
            self._count = len(shared_targets)
            self._bins = (1, self._bin)  # (batch size, the bincount bin of each shared contribution)

    def add(self, grads: np.ndarray, contributions: np.ndarray) -> None:
        if self.alone:  # a gather of the contributions is faster than one into the gradients
            alone_rows = self._alone_rows
            grads[self._alone_targets] += (contributions[alone_rows] if isinstance(alone_rows, slice)
                                           else contributions.take(alone_rows, axis=0))
        if self.shared:
            batch = contributions.shape[1]
            shared = contributions[self._shared_rows].ravel()
            sums = np.bincount(self._bins_for(batch), shared, self._count * batch)
            grads[self._shared_targets] += sums.reshape(self._count, batch)

    def _bins_for(self, batch: int) -> np.ndarray:
        bins = self._bins  # read once: a tape may be replayed from several threads
        if bins[0] != batch:
            bins = (batch, (self._bin[:, None] * batch + np.arange(batch)).ravel())
            self._bins = bins
        return bins[1]
