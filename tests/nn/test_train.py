"""nn.fit: the gradient step it takes, its mini-batches, schedules, accuracy and errors."""
from __future__ import annotations

import io
import math
import re
import sys
from itertools import chain

import numpy as np
import pytest

import nn


def linear_model(w: float, b: float) -> nn.MLP:
    model = nn.MLP(1, [1])
    model.set_weights([([[w]], [b])])
    return model


def test_one_full_batch_step_is_gradient_descent_on_the_mean_squared_error():
    X, y, lr = [[1.0], [2.0]], [1.0, 3.0], 0.1
    model = linear_model(0.5, 0.1)
    history = nn.fit(model, (X, y), loss="mse", optimizer=nn.SGD(model.parameters(), lr=lr), steps=1,
                     progress=False)
    errors = [0.5 * x[0] + 0.1 - t for x, t in zip(X, y, strict=True)]  # prediction − target, by hand
    grad_w = sum(2 * e * x[0] for e, x in zip(errors, X, strict=True)) / 2
    grad_b = sum(2 * e for e in errors) / 2
    assert history.loss == pytest.approx([sum(e * e for e in errors) / 2])
    assert [p.data for p in model.parameters()] == pytest.approx([0.5 - lr * grad_w, 0.1 - lr * grad_b], rel=1e-14)


def test_l2_adds_strength_times_sum_of_squared_parameters():
    model = linear_model(0.5, 0.1)
    history = nn.fit(model, ([[1.0]], [0.6]), loss="mse", l2=0.01, optimizer=nn.SGD(model.parameters(), lr=0.0),
                     steps=1, progress=False)
    assert history.loss[0] == pytest.approx(0.0 + 0.01 * (0.25 + 0.01))


def recording_loss(seen):
    def loss(outputs, targets):
        seen.append(list(targets))
        return nn.mse(outputs, targets)
    return loss


def test_mini_batches_cover_every_sample_once_per_epoch_and_reshuffle():
    X, y = [[float(i)] for i in range(10)], list(range(10))
    seen = []
    history = nn.fit(linear_model(0.0, 0.0), (X, y), loss=recording_loss(seen), epochs=3, batch_size=4, seed=0,
                     optimizer=None, progress=False)
    assert len(history) == len(seen) == 9  # ceil(10 / 4) = 3 steps per epoch
    assert [len(b) for b in seen] == [4, 4, 2] * 3
    epochs = [list(chain.from_iterable(seen[3 * e:3 * e + 3])) for e in range(3)]
    assert all(sorted(epoch) == y for epoch in epochs)
    assert epochs[0] != epochs[1]
    assert epochs[0] != y


@pytest.mark.parametrize("compiled", [True, False])
def test_a_custom_loss_gets_each_batchs_targets_as_a_list_paired_with_its_rows(compiled):
    X, y = [[float(i)] for i in range(7)], [float(i) for i in range(7)]
    batches = []

    def loss(outputs, targets):
        batches.append((type(targets), [output.data for output in outputs], targets))
        return nn.mse(outputs, targets)
    model = linear_model(1.0, 0.0)  # output = input = target, kept so by lr 0
    trainer = nn.Trainer(model, (X, y), loss=loss, optimizer=nn.SGD(model.parameters(), lr=0.0), batch_size=3,
                         seed=2, compiled=compiled)
    trainer.epoch()
    assert [kind for kind, _, _ in batches] == [list] * 3
    assert all(outputs == targets for _, outputs, targets in batches)
    assert sorted(chain.from_iterable(targets for _, _, targets in batches)) == y


def test_same_seed_same_batches_and_full_batch_keeps_the_order():
    X, y = [[float(i)] for i in range(6)], list(range(6))
    first, second, full = [], [], []
    for seen in (first, second):
        nn.fit(linear_model(0.0, 0.0), (X, y), loss=recording_loss(seen), steps=4, batch_size=2, seed=5, progress=False)
    nn.fit(linear_model(0.0, 0.0), (X, y), loss=recording_loss(full), steps=2, progress=False)
    assert first == second
    assert full == [y, y]


def test_numpy_arrays_are_accepted():
    X, y = np.array([[0.0], [1.0]]), np.array([0, 1])
    assert len(nn.fit(linear_model(0.0, 0.0), (X, y), steps=2, progress=False)) == 2


def test_lr_schedule_sets_the_rate_before_each_step_and_linear_decay_is_micrograds():
    schedule = nn.linear_decay(1.0, 100)
    assert [schedule(k) for k in range(100)] == pytest.approx([1.0 - 0.9 * k / 100 for k in range(100)], rel=1e-15)
    history = nn.fit(linear_model(0.0, 0.0), ([[1.0]], [1.0]), steps=3, lr_schedule=lambda k: 0.1 / (k + 1),
                     progress=False)
    assert history.lr == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_accuracy_argmax_threshold_signs_and_regression():
    assert nn.accuracy([[0.1, 0.9], [0.8, 0.2]], [1, 1]) == 0.5
    assert nn.accuracy([[0.1, 0.9], [0.8, 0.2]], [[0, 1], [1, 0]]) == 1.0
    assert nn.accuracy([0.7, 0.2, 0.6], [1, 0, 0]) == pytest.approx(2 / 3)
    assert nn.accuracy([0.3, -0.2], [1, -1], threshold=0.0) == 1.0
    assert nn.accuracy([0.3], [[0.1, 0.2]]) is None


def test_fit_reports_accuracy_for_hinge_labels_by_their_sign():
    model = linear_model(1.0, 0.0)
    history = nn.fit(model, ([[0.3], [-0.2]], [1, -1]), loss="hinge", optimizer=nn.SGD(model.parameters(), lr=0.0),
                     steps=1, progress=False)
    assert history.accuracy == [1.0]  # scores 0.3 and −0.2 sit on the right sides of 0, though below 0.5


def test_fit_learns_a_separable_problem():
    X, y = nn.datasets.neuron_table()
    model = nn.MLP(3, [1], output_activation="sigmoid", seed=0)
    history = nn.fit(model, (X, y), loss="bce", optimizer=nn.Adam(model.parameters(), lr=0.1), steps=150,
                     progress=False)
    assert history.loss[-1] < 0.1 * history.loss[0]
    assert nn.evaluate(model, (X, y)) == 1.0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_loss_and_accuracy_on_a_terminal(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    nn.fit(linear_model(0.0, 0.0), ([[1.0]], [1.0]), steps=2, progress=True)
    assert "loss=" in terminal.getvalue()
    assert "acc=" in terminal.getvalue()


def test_progress_bar_stays_out_of_piped_output(capsys):
    nn.fit(linear_model(0.0, 0.0), ([[1.0]], [1.0]), steps=2, progress=True)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "exactly one of epochs= or steps="), ({"steps": 2, "epochs": 1}, "exactly one"),
    ({"steps": 0}, "steps must be a positive integer"), ({"steps": 1, "batch_size": 0}, "batch_size"),
    ({"steps": 1, "loss": "l1"}, "unknown loss 'l1'"),
])
def test_bad_fit_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.fit(linear_model(0.0, 0.0), ([[1.0]], [1.0]), progress=False, **kwargs)


@pytest.mark.parametrize(("data", "message"), [
    (([[1.0, 2.0]], [1.0]), "takes 1 inputs but the data rows have 2"),
    (([[1.0]], [1.0, 2.0]), "1 rows and 2 targets"), ([[1.0]], "pair"),
    (([], []), "data has no rows"), ((np.zeros((0, 1)), np.zeros(0)), "data has no rows"),
    (([1.0, 2.0], [1.0, 0.0]), r"data: row 0 is 1.0, not a list of numbers"),
    ((np.ones(3), np.ones(3)), r"data: row 0 is 1.0, not a list of numbers"),
    (([[1.0], [2.0, 3.0]], [1.0, 0.0]), "data: row 1 has 2 numbers; row 0 has 1"),
    (([[1.0], [float("nan")]], [1.0, 0.0]), "data: row 1 holds nan; inputs must be finite numbers"),
    (([[1.0], ["a"]], [1.0, 0.0]), "data: row 1 holds 'a'; inputs must be finite numbers"),
    ((np.ones((3, 1, 1)), np.ones(3)), r"data: row 0 is \[\[1.0\]\], not a list of numbers"),
])
def test_bad_data_is_named(data, message):
    with pytest.raises(ValueError, match=message):
        nn.fit(linear_model(0.0, 0.0), data, steps=1, progress=False)


def _moons_run(seed):
    X, y = nn.datasets.moons(40, noise=0.1, seed=seed)
    model = nn.MLP(2, [8, 1], seed=seed)
    return model, (X, 2 * y - 1), nn.SGD(model.parameters(), lr=0.3, momentum=0.9)


def test_a_trainer_stepped_by_hand_equals_fit():
    model, data, optimizer = _moons_run(3)
    history = nn.fit(model, data, loss="hinge", optimizer=optimizer, steps=12, batch_size=16, seed=7, l2=1e-3,
                     lr_schedule=nn.linear_decay(0.3, 12), progress=False)
    again, data, optimizer = _moons_run(3)
    trainer = nn.Trainer(again, data, loss="hinge", optimizer=optimizer, batch_size=16, seed=7, l2=1e-3,
                         lr_schedule=nn.linear_decay(0.3, 12))
    records = [trainer.step() for _ in range(12)]
    assert [r.step for r in records] == list(range(12))
    assert trainer.step_count == 12
    assert [r.loss for r in records] == pytest.approx(history.loss, rel=1e-12, abs=1e-12)
    assert trainer.history.loss == [r.loss for r in records]
    assert trainer.history.lr == history.lr
    assert [p.data for p in again.parameters()] == pytest.approx([p.data for p in model.parameters()], rel=1e-12)


def test_epoch_finishes_the_current_pass_over_the_data():
    X, y = [[float(i)] for i in range(10)], list(range(10))
    seen = []
    trainer = nn.Trainer(linear_model(0.0, 0.0), (X, y), loss=recording_loss(seen), batch_size=4, seed=1)
    assert trainer.steps_per_epoch == 3
    assert len(trainer.epoch()) == 3
    assert sorted(chain.from_iterable(seen)) == y
    trainer.step()
    assert len(trainer.epoch()) == 2
    assert sorted(chain.from_iterable(seen[3:])) == y


def test_start_step_continues_the_schedule():
    trainer = nn.Trainer(linear_model(0.0, 0.0), ([[1.0]], [1.0]), lr_schedule=lambda k: 1.0 / (k + 1),
                         start_step=4)
    assert [trainer.step().lr for _ in range(2)] == pytest.approx([1 / 5, 1 / 6])
    with pytest.raises(ValueError, match="start_step must be an integer >= 0"):
        nn.Trainer(linear_model(0.0, 0.0), ([[1.0]], [1.0]), start_step=-1)


@pytest.mark.parametrize(("validation", "message"), [
    ((np.zeros((0, 1)), np.zeros(0)), "validation data has no rows"),
    (([[1.0], [2.0]], [1.0]), "validation data must hold as many targets as input rows, got 2 rows and 1 targets"),
    (([[1.0], [2.0, 1.0]], [1.0, 1.0]), "validation data: row 1 has 2 numbers"),
    (([[1.0], [float("inf")]], [1.0, 1.0]), "validation data: row 1 holds inf"),
])
def test_bad_validation_data_is_named(validation, message):
    with pytest.raises(ValueError, match=message):
        nn.Trainer(linear_model(0.0, 0.0), ([[1.0]], [1.0]), validation=validation)


@pytest.mark.parametrize("rate", [float("nan"), -0.1, float("inf"), "0.1", None])
def test_a_schedule_giving_no_usable_rate_stops_before_the_step(rate):
    model = linear_model(0.5, 0.0)
    trainer = nn.Trainer(model, ([[1.0]], [1.0]), lr_schedule=lambda step: rate)
    expected = rf"lr_schedule\(0\) \(a learning rate\) must be a finite number >= 0.*, got {type(rate).__name__}: "
    with pytest.raises((TypeError, ValueError), match=expected + re.escape(repr(rate))):
        trainer.step()
    assert [p.data for p in model.parameters()] == [0.5, 0.0]
    assert trainer.step_count == 0


def test_numpy_scalars_are_numbers_for_rows_and_rates():
    model = linear_model(0.5, 0.0)
    trainer = nn.Trainer(model, ([[np.float32(1.0)]], [1.0]), lr_schedule=lambda step: np.float32(0.5))
    assert trainer.step().lr == 0.5


def test_training_stops_at_the_first_non_finite_loss_naming_the_step_and_keeping_the_parameters():
    X, y = nn.datasets.moons(100, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    trainer = nn.Trainer(model, (X, 2 * y - 1), loss="hinge", optimizer=nn.SGD(model.parameters(), lr=1e300),
                         l2=1e-4)
    trainer.step()  # finite loss, then weights of about 1e300
    weights = [p.data for p in model.parameters()]
    with pytest.raises(nn.TrainingDiverged, match=r"at step 1: the loss is nan.*smaller learning rate than 1e\+300") \
            as caught:
        trainer.step()
    # inf − inf in the huge weighted sums is NaN, and relu lets NaN through (issue 11: NaN propagates)
    assert isinstance(caught.value, ArithmeticError)
    assert caught.value.step == 1
    assert math.isnan(caught.value.loss)
    assert [p.data for p in model.parameters()] == weights
    assert len(trainer.history) == 1
    with pytest.raises(nn.TrainingDiverged, match="at step 0: the loss is nan"):  # fit runs the same step
        nn.fit(model, (X, 2 * y - 1), loss="hinge", l2=1e-4, steps=5, progress=False)


def test_a_custom_loss_that_returns_a_float_is_a_type_error_naming_what_is_needed():
    model = nn.MLP(2, [1], seed=0)
    for compiled in (True, False):
        with pytest.raises(TypeError, match=r"must return a Value .*got float: 0\.0"):
            nn.fit(model, ([[0.0, 1.0]], [1.0]), loss=lambda outputs, targets: 0.0, steps=1, progress=False,
                   compiled=compiled)
