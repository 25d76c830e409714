"""Rows of the replay's buffers, and the scatter-add that sends contributions to their slots."""
from __future__ import annotations

from typing import Sequence

import numpy as np

Index = slice | np.ndarray  # rows of a buffer: a slice when they are contiguous, else their numbers


def rows(slots: Sequence[int] | np.ndarray) -> Index:
    """``slots`` as a slice when they are consecutive (a view, no copy), else as an index array."""
    slots = np.asarray(slots, dtype=np.intp)
    if len(slots) and np.array_equal(slots, np.arange(slots[0], slots[0] + len(slots))):
        return slice(int(slots[0]), int(slots[0]) + len(slots))
    return slots


class Scatter:
    """Adds rows of contributions into ``grads[targets]``, summing rows that share a target.

    Rows whose target no other row shares are added directly, read in the order of their targets
    (so that targets forming a run are written through a view); the others are summed per target
    with ``np.bincount``, far faster than ``np.add.at`` or ``np.add.reduceat``.

    The rows come in ``parts`` of equal size (a group's operand positions, ``size`` nodes each).
    When these rows are all a backward sends to their targets (``mark_sole``) and the targets form
    runs, ``view`` (parts × size × rows, when all the targets are one run, part by part or node by
    node) or ``views`` (one per part) give the gradients' rows to compute the contributions into,
    instead of adding them.
    """

    def __init__(self, targets: np.ndarray, parts: int = 1) -> None:
        self.targets, self.parts = targets, parts
        self._block: tuple[slice, bool] | None = None  # the targets' run, node by node?, when written directly
        self._runs: tuple[slice, ...] | None = None  # each part's target rows, when written directly
        unique, position, counts = np.unique(targets, return_inverse=True, return_counts=True)
        alone = counts[position] == 1
        self.alone = alone.any()
        by_target = np.flatnonzero(alone)[np.argsort(targets[alone], kind="stable")]
        self._alone_rows, self._alone_targets = rows(by_target), rows(targets[by_target])
        self._read_in_order = isinstance(self._alone_rows, slice)
        self.shared = not alone.all()
        if self.shared:  # (most scatters have none: a deep graph keeps one per group)
            shared_targets = unique[counts > 1]
            self._bin = np.searchsorted(shared_targets, targets[~alone])  # which shared target, 0, 1, …
            self._shared_rows, self._shared_targets = rows(np.flatnonzero(~alone)), rows(shared_targets)
            self._count = len(shared_targets)
            self._bins = (1, self._bin)  # (batch size, the bincount bin of each shared contribution)

    def add(self, grads: np.ndarray, contributions: np.ndarray) -> None:
        if self.alone:  # a gather of the contributions is faster than one into the gradients
            grads[self._alone_targets] += (contributions[self._alone_rows] if self._read_in_order
                                           else contributions.take(self._alone_rows, axis=0))
        if self.shared:
            batch = contributions.shape[1]
            shared = contributions[self._shared_rows].ravel()
            sums = np.bincount(self._bins_for(batch), shared, self._count * batch)
            grads[self._shared_targets] += sums.reshape(self._count, batch)

    def mark_sole(self, receipts: np.ndarray) -> None:
        """``receipts``: how many contributions each slot receives in a backward (an output's upstream counts).
        Where these rows are the only ones and their targets run, ``view`` or ``views`` opens."""
        if (receipts[self.targets] != 1).any():
            return
        by_part = self.targets.reshape(self.parts, -1)
        for order, transposed in ((by_part, False), (by_part.T, True)):
            run = rows(order.ravel())
            if isinstance(run, slice):
                self._block = (run, transposed)
                break
        runs = tuple(rows(part) for part in by_part)
        if all(isinstance(run, slice) for run in runs):
            self._runs = runs

    @property
    def direct(self) -> bool:
        """Whether ``view`` or ``views`` opens: the contributions are written, not added."""
        return self._block is not None or self._runs is not None

    def view(self, grads: np.ndarray) -> np.ndarray | None:
        """The target rows of ``grads`` (zeroed, receiving nothing else) as parts × size × columns, to
        compute into; or None."""
        if self._block is None:
            return None
        run, transposed = self._block
        block = grads[run]
        if transposed:
            return block.reshape(-1, self.parts, block.shape[1]).transpose(1, 0, 2)
        return block.reshape(self.parts, -1, block.shape[1])

    def views(self, grads: np.ndarray) -> list[np.ndarray] | None:
        """Each part's target rows of ``grads`` (zeroed, receiving nothing else) to compute into, or None."""
        return None if self._runs is None else [grads[run] for run in self._runs]

    def _bins_for(self, batch: int) -> np.ndarray:
        if self._bins[0] != batch:
            self._bins = (batch, (self._bin[:, None] * batch + np.arange(batch)).ravel())
        return self._bins[1]
