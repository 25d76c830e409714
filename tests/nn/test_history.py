"""nn.History: a trainer's history window keeps bounded records and still counts every step (issue 24)."""
from __future__ import annotations

import pytest

import nn


def test_a_trainer_with_a_history_window_keeps_bounded_records_and_counts_every_step():
    X, y = nn.datasets.xor_table()
    model = nn.MLP(3, [2, 1], seed=0)
    trainer = nn.Trainer(model, (X, y), batch_size=2, seed=0, history_window=5)
    records = [record for _ in range(12) for record in trainer.epoch()]
    history = trainer.history
    assert len(history) == 5
    assert history.steps_seen == len(records) == 12 * trainer.steps_per_epoch
    assert list(history.loss) == [record.loss for record in records[-5:]]
    assert [epoch.epoch for epoch in history.epochs] == [8, 9, 10, 11, 12]
    assert history.epochs_seen == 12
    assert history.epochs[-1].step == trainer.step_count
    unbounded = nn.Trainer(nn.MLP(3, [2, 1], seed=0), (X, y), batch_size=2, seed=0)
    for _ in range(12):
        unbounded.epoch()
    assert list(unbounded.history.loss[-5:]) == list(history.loss)
    assert len(unbounded.history) == 12 * 2
    with pytest.raises(ValueError, match=r"window \(None, or a whole number >= 1\) must be a positive integer"):
        nn.Trainer(model, (X, y), history_window=0)
