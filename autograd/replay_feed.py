"""The feed of a replay: the data a forward reads (and its matrix products read again in backward).

A feed is one row of input values, a ``(batch, inputs)`` array, or a tuple of such arrays of the
same rows read as their columns side by side (say inputs and targets). The replay reads it as an
input × row matrix, ``Feed.rows``. It is copied into a buffer kept for the next feed of the same
shape, so that changing the caller's arrays before ``backward`` changes nothing; a caller that runs
``backward`` right after (a training step) may lend its arrays instead, which saves reading and
writing the whole batch once.
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import accumulate, pairwise

import numpy as np

from .replay_scatter import Index


class Feed:
    """The feed as input × row blocks side by side (transposed views of the arrays, copied or lent)."""

    def __init__(self, blocks: list[np.ndarray]) -> None:
        self.blocks = blocks
        self.starts = list(accumulate((len(block) for block in blocks), initial=0))

    @property
    def batch(self) -> int:
        return self.blocks[0].shape[1]

    def rows(self, index: Index) -> np.ndarray:
        """The inputs ``index`` (a slice or slot numbers) × rows: a view when they lie in one block."""
        if isinstance(index, slice):
            for block, (start, stop) in zip(self.blocks, pairwise(self.starts), strict=True):
                if start <= index.start and index.stop <= stop:
                    return block[index.start - start:index.stop - start]
        whole = self.blocks[0] if len(self.blocks) == 1 else np.concatenate(self.blocks)
        return whole[index] if isinstance(index, slice) else whole.take(index, axis=0)


def read_feed(feed, expected: int, names: Callable[[], str], buffer: np.ndarray | None, lend: bool
              ) -> tuple[Feed, bool, np.ndarray | None]:
    """(the feed checked, whether it is a batch, the copy buffer to keep); ``lend``: no copy (see the module).
    ``names`` gives the inputs' names for an error message."""
    try:
        blocks = _blocks(feed)
    except (TypeError, ValueError):
        raise TypeError(f"Tape.forward: the feed must be numbers, got {feed!r:.60}") from None
    shape = blocks[0].shape if len(blocks) == 1 else (len(blocks[0]), sum(b.shape[1] for b in blocks))
    if len(shape) == 1 and shape[0] != expected:
        raise ValueError(f"Tape.forward: expected {expected} input values ({names()}), got {shape[0]}")
    if len(shape) == 2 and (shape[1] != expected or shape[0] == 0):
        raise ValueError(f"Tape.forward: expected a batch of rows of {expected} input values "
                         f"({names()}), got an array of shape {shape}")
    if len(shape) not in (1, 2):
        raise ValueError(f"Tape.forward: expected {expected} input values or a (batch, {expected}) "
                         f"array, got an array of shape {shape}")
    batched = len(shape) == 2
    if not lend:
        if buffer is None or buffer.shape != shape:
            buffer = np.empty(shape)
        if len(blocks) == 1:
            np.copyto(buffer, blocks[0])
        else:
            np.concatenate(blocks, axis=1, out=buffer)
        blocks = [buffer]
    return Feed([block.T if batched else block[:, None] for block in blocks]), batched, buffer


def _blocks(feed) -> list[np.ndarray]:
    """The feed as float arrays: the tuple's blocks when they are batches of the same rows, else one."""
    blocks = [np.asarray(block, dtype=float) for block in feed] if isinstance(feed, tuple) else []
    if not (blocks and all(block.ndim == 2 and len(block) == len(blocks[0]) for block in blocks)):
        blocks = [np.asarray(feed, dtype=float)]
    return blocks
