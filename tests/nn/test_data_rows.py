"""The Trainer's batch helpers: rows gathered by position, and targets listed only when read."""
from __future__ import annotations

import numpy as np

from nn.data_rows import Picked, ScaledRows, gathered


def test_gathered_rows_are_numpys_indexing_and_a_slice_is_a_view():
    rng = np.random.default_rng(3)
    X, labels, positions = rng.normal(size=(20, 4)), rng.integers(0, 5, 20), rng.permutation(20)[:7]
    for rows in (X, labels):
        assert np.array_equal(gathered(rows, positions), rows[positions])
    assert np.shares_memory(gathered(X, slice(2, 9)), X)
    compact = ScaledRows(rng.integers(0, 256, (20, 4), dtype=np.uint8), 255)
    assert np.array_equal(gathered(compact, positions), compact.values[positions] / 255)


def test_picked_items_are_listed_in_the_order_of_the_positions_each_time_they_are_read():
    items = [[float(i), -float(i)] for i in range(10)]
    picked = Picked(items, np.array([7, 2, 2, 9]))
    assert list(picked) == list(picked) == [items[7], items[2], items[2], items[9]]
    assert list(Picked(items, slice(3, 6))) == items[3:6]
