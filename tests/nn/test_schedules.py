"""nn.schedules against their closed forms, written out here, and the trainer recording each step's rate."""
from __future__ import annotations

import math

import pytest

import nn
from nn import schedules


def test_constant_and_warm_up():
    assert [schedules.Constant(0.3)(k) for k in (0, 5, 10_000)] == [0.3, 0.3, 0.3]
    warm = schedules.Constant(0.4, warmup=3)
    assert [warm(k) for k in range(6)] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.4, 0.4], rel=1e-15)


def test_linear_is_micrograds_line_and_stays_at_its_end():
    line = schedules.Linear(1.0, 100)
    assert [line(k) for k in range(101)] == [1.0 - 0.9 * k / 100 for k in range(101)]
    assert line(250) == pytest.approx(0.1)
    assert nn.linear_decay(2.0, 10, 0.5)(4) == pytest.approx(2.0 * (1 - 0.5 * 0.4))


def test_linear_with_warm_up_decays_over_the_rest():
    line = schedules.Linear(0.5, steps=12, end_fraction=0.2, warmup=2)
    expected = [0.5 / 3, 1.0 / 3] + [0.5 * (1 - 0.8 * k / 10) for k in range(11)]
    assert [line(k) for k in range(13)] == pytest.approx(expected, rel=1e-14)


def test_step_multiplies_every_few_steps():
    step = schedules.Step(0.8, every=3, factor=0.5)
    assert [step(k) for k in range(8)] == pytest.approx([0.8] * 3 + [0.4] * 3 + [0.2] * 2, rel=1e-15)
    warm = schedules.Step(1.0, every=2, factor=0.1, warmup=1)
    assert [warm(k) for k in range(6)] == pytest.approx([0.5, 1.0, 1.0, 0.1, 0.1, 0.01], rel=1e-14)


def test_cosine_is_half_a_cosine_from_lr_to_its_end():
    cosine = schedules.Cosine(0.1, steps=8)
    assert [cosine(k) for k in range(9)] == pytest.approx(
        [0.05 * (1 + math.cos(math.pi * k / 8)) for k in range(9)], rel=1e-13, abs=1e-17)
    assert cosine(4) == pytest.approx(0.05)
    assert cosine(8) == pytest.approx(0.0, abs=1e-18)
    assert cosine(20) == cosine(8)
    floor = schedules.Cosine(1.0, steps=5, end_fraction=0.1, warmup=1)
    assert floor(0) == 0.5
    assert floor(1) == 1.0
    assert floor(3) == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi * 2 / 4)) / 2)
    assert floor(5) == pytest.approx(0.1)


def test_build_picks_by_name_and_names_the_choices():
    assert isinstance(schedules.build("cosine", 0.1, 100, warmup=5), schedules.Cosine)
    assert schedules.build("step", 1.0, 90).every == 30
    assert repr(schedules.build("linear", 1.0, 50, end_fraction=0.5)) == "Linear(lr=1.0, steps=50, end_fraction=0.5)"
    with pytest.raises(ValueError, match=r"name \(of a schedule\) must be one of constant, linear, step, cosine"):
        schedules.build("exp", 0.1, 10)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: schedules.Constant(0.0), "lr must be a finite number > 0"),
    (lambda: schedules.Constant(float("nan")), "lr must be a finite number"),
    (lambda: schedules.Constant(0.1, warmup=-1), "warmup must be an integer >= 0"),
    (lambda: schedules.Linear(0.1, steps=0), "steps must be a positive integer"),
    (lambda: schedules.Cosine(0.1, steps=5, warmup=5), r"warmup \(5\) must be shorter than steps \(5\)"),
    (lambda: schedules.Step(0.1, every=0), "every must be a positive integer"),
    (lambda: schedules.Linear(0.1, 5, end_fraction=-0.5), "end_fraction must be a finite number >= 0"),
    (lambda: schedules.Constant(0.1)(-1), "step must be an integer >= 0"),
])
def test_bad_schedules_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_the_history_records_the_rate_of_each_step():
    model = nn.MLP(1, [1], seed=0)
    cosine = schedules.Cosine(0.2, steps=6, warmup=2)
    history = nn.fit(model, ([[1.0], [2.0]], [1.0, 0.0]), steps=6, lr_schedule=cosine, progress=False)
    assert history.lr == [cosine(k) for k in range(6)]
