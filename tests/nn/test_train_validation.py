"""Honest scores: L1 steps by hand, per-epoch validation, early stopping, and the stratified split against
scikit-learn."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

import nn
from nn import datasets
from tests.support.models import linear


@pytest.mark.parametrize("compiled", [True, False])
def test_an_l1_step_is_the_hand_computed_subgradient_step(compiled):
    # z = 0.5·1 − 0.25·1 + 0 = 0.25 against y = 0: d(z − y)²/dw = 2·0.25·x = [0.5, 0.5], d/db = 0.5;
    # L1 adds 0.01·sign(w) = [0.01, −0.01], and 0 for b = 0 (the subgradient at the kink).
    model = linear([0.5, -0.25])
    history = nn.fit(model, ([[1.0, 1.0]], [0.0]), loss="sse", optimizer=nn.SGD(model.parameters(), lr=0.1),
                     steps=1, l1=0.01, progress=False, compiled=compiled)
    assert history.loss == [pytest.approx(0.0625 + 0.01 * 0.75)]
    (weights, biases), = model.get_weights()
    assert weights == [[pytest.approx(0.5 - 0.1 * 0.51), pytest.approx(-0.25 - 0.1 * 0.49)]]
    assert biases == [pytest.approx(-0.05)]


def test_l1_and_l2_add_up():
    model = linear([0.5, -0.25], bias=0.2)
    history = nn.fit(model, ([[1.0, 1.0]], [0.0]), loss="sse", optimizer=nn.SGD(model.parameters(), lr=0.0),
                     steps=1, l1=0.01, l2=0.1, progress=False)
    assert history.loss == [pytest.approx(0.45 ** 2 + 0.01 * 0.95 + 0.1 * (0.25 + 0.0625 + 0.04))]


def numpy_mse(model, X, y):
    (weights, biases), = model.get_weights()
    return float(np.mean((np.asarray(X) @ np.asarray(weights[0]) + biases[0] - np.asarray(y)) ** 2))


def numpy_accuracy(model, X, y):
    """A single output against targets that are not negative: right when both are above 0.5 or neither is."""
    (weights, biases), = model.get_weights()
    outputs = np.asarray(X) @ np.asarray(weights[0]) + biases[0]
    return accuracy_score(np.asarray(y) > 0.5, outputs > 0.5)


def test_every_epoch_is_scored_on_the_validation_data():
    X, y = [[0.0], [1.0], [2.0], [3.0], [4.0], [5.0], [6.0]], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    val = ([[0.5], [7.0]], [0.5, 7.0])
    model = linear([0.1])
    trainer = nn.Trainer(model, (X, y), optimizer=nn.SGD(model.parameters(), lr=0.01), batch_size=3, seed=1,
                         l2=0.01, validation=val)
    for epoch in (1, 2):
        records = trainer.epoch()
        assert len(records) == 3  # batches of 3, 3 and 1
        summary = trainer.history.epochs[-1]
        assert (summary.epoch, summary.step) == (epoch, 3 * epoch)
        assert summary.loss == pytest.approx((3 * records[0].loss + 3 * records[1].loss + records[2].loss) / 7)
        penalty = 0.01 * sum(p.data ** 2 for p in model.parameters())
        assert summary.val_loss == pytest.approx(numpy_mse(model, *val) + penalty, rel=1e-12)
        weighed = (3 * records[0].accuracy + 3 * records[1].accuracy + records[2].accuracy) / 7
        assert summary.accuracy == pytest.approx(weighed, rel=1e-12)
        assert summary.val_accuracy == pytest.approx(numpy_accuracy(model, *val), rel=1e-12)


def test_without_validation_epochs_hold_the_training_means_only():
    history = nn.fit(linear([0.1]), ([[1.0], [2.0]], [1.0, 2.0]), steps=3, progress=False)
    assert [e.epoch for e in history.epochs] == [1, 2, 3]
    assert [e.loss for e in history.epochs] == history.loss
    assert history.epochs[0].val_loss is None
    assert history.best_epoch is None


def test_patience_stops_and_keeps_the_best_epoch():
    # training pulls w towards +1 while the validation data wants −1: every epoch after the first is worse
    train, val = ([[1.0], [2.0]], [1.0, 2.0]), ([[1.0], [2.0]], [-1.0, -2.0])

    def run(steps, **kwargs):
        model = linear([0.0])
        history = nn.fit(model, train, optimizer=nn.SGD(model.parameters(), lr=0.05), steps=steps,
                         progress=False, **kwargs)
        return model, history

    model, history = run(50, validation=val, patience=2)
    assert len(history) == 3
    assert [e.epoch for e in history.epochs] == [1, 2, 3]
    assert history.best_epoch == 1
    first, _ = run(1)
    assert model.get_weights() == first.get_weights()
    vals = [e.val_loss for e in history.epochs]
    assert vals == sorted(vals)


@pytest.mark.parametrize(("kwargs", "message"), [({"l1": -0.1}, "l1 must be a finite number >= 0"),
                                             ({"l2": float("inf")}, "l2 must be a finite number >= 0")])
def test_penalties_must_be_finite_and_not_negative(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.fit(linear([0.0]), ([[1.0]], [1.0]), steps=1, progress=False, **kwargs)


def test_patience_needs_validation():
    with pytest.raises(ValueError, match="patience needs validation= data"):
        nn.fit(linear([0.0]), ([[1.0]], [1.0]), steps=1, patience=2, progress=False)
    with pytest.raises(ValueError, match="validation rows have 2"):
        nn.fit(linear([0.0]), ([[1.0]], [1.0]), steps=1, validation=([[1.0, 2.0]], [1.0]), progress=False)


@pytest.mark.parametrize(("n", "fraction"), [(100, 0.2), (150, 0.25), (37, 0.3), (11, 0.5)])
def test_stratified_split_sizes_match_scikit_learn(n, fraction):
    X, y = datasets.blobs(n, noise=0.1, seed=n, classes=3)
    X_train, y_train, X_held, y_held = datasets.stratified_split(X, y, fraction, seed=4)
    sk = train_test_split(X, y, test_size=fraction, stratify=y, random_state=0)
    assert (len(y_train), len(y_held)) == (len(sk[2]), len(sk[3]))
    assert np.abs(np.bincount(y_held, minlength=3) - np.bincount(sk[3], minlength=3)).max() <= 1
    rows = np.concatenate([X_train, X_held])
    assert sorted(map(tuple, rows)) == sorted(map(tuple, X))  # every row once, with its label:
    train = {tuple(r): c for r, c in zip(X_train, y_train, strict=True)}
    assert train.items() <= {tuple(r): c for r, c in zip(X, y, strict=True)}.items()
    again = datasets.stratified_split(X, y, fraction, seed=4)
    assert np.array_equal(again[3], y_held)
    assert np.array_equal(again[2], X_held)


def test_stratified_split_refuses_too_few_rows():
    with pytest.raises(ValueError, match="fewer rows than the 3 classes"):
        datasets.stratified_split(np.zeros((4, 2)), np.array([0, 1, 2, 2]), 0.25)
    with pytest.raises(ValueError, match=r"fraction \(held out\) must be a finite number > 0 and < 1"):
        datasets.stratified_split(np.zeros((4, 2)), np.array([0, 1, 0, 1]), 1.0)


@pytest.mark.parametrize("cut", [datasets.split, datasets.stratified_split])
def test_both_splits_refuse_rows_and_labels_that_do_not_pair_up(cut):
    with pytest.raises(ValueError, match="10 rows but 3 labels"):
        cut(np.zeros((10, 2)), np.array([0, 1, 0]), 0.2)


def test_a_split_that_leaves_no_training_rows_is_refused():
    with pytest.raises(ValueError, match=r"holding out 0\.2 of 1 rows leaves no rows on one side"):
        datasets.split(np.zeros((1, 2)), np.zeros(1), 0.2)
    X_train, _, X_test, _ = datasets.split(np.zeros((2, 2)), np.zeros(2), 0.2)
    assert len(X_train) == len(X_test) == 1
