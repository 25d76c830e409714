"""SGD and Adam against update steps worked out by hand from PyTorch's documented rules."""
from __future__ import annotations

import math

import pytest

import nn
from autograd import Value


def run(optimizer_class, grads, start=1.0, **options):
    """The parameter after one step per given gradient."""
    p = Value(start)
    optimizer = optimizer_class([p], **options)
    trace = []
    for g in grads:
        optimizer.zero_grad()
        p.grad = g
        optimizer.step()
        trace.append(p.data)
    return trace


def test_plain_sgd_steps_against_the_gradient():
    assert run(nn.SGD, [0.5, -0.25], lr=0.1) == pytest.approx([0.95, 0.975], rel=1e-15)


def test_sgd_weight_decay_adds_decay_times_parameter_to_the_gradient():
    assert run(nn.SGD, [0.5], lr=0.1, weight_decay=0.01) == pytest.approx([1 - 0.1 * (0.5 + 0.01 * 1.0)], rel=1e-15)


def test_sgd_momentum_buffer_starts_at_the_first_gradient():
    # buf: 0.5, 0.9·0.5 + 0.5 = 0.95, 0.9·0.95 + 0.5 = 1.355
    assert run(nn.SGD, [0.5] * 3, lr=0.1, momentum=0.9) == pytest.approx([0.95, 0.855, 0.7195], rel=1e-14)


def test_sgd_dampening_scales_new_gradients_but_not_the_first():
    # buf: 0.5, then 0.9·0.5 + (1 − 0.5)·0.5 = 0.7
    assert run(nn.SGD, [0.5, 0.5], lr=0.1, momentum=0.9, dampening=0.5) == pytest.approx([0.95, 0.88], rel=1e-14)


def test_sgd_nesterov_looks_ahead_along_the_buffer():
    # g + 0.9·buf: 0.5 + 0.45 = 0.95, then 0.5 + 0.9·0.95 = 1.355
    assert run(nn.SGD, [0.5, 0.5], lr=0.1, momentum=0.9, nesterov=True) == pytest.approx([0.905, 0.7695], rel=1e-14)


def test_sgd_on_a_real_backward_pass():
    p = Value(3.0)
    optimizer = nn.SGD([p], lr=0.25)
    for _ in range(2):
        optimizer.zero_grad()
        (p * p).backward()  # d/dp p² = 2p, so p ← p − 0.25·2p = p/2
        optimizer.step()
    assert p.data == 0.75


def test_adam_two_steps_with_bias_correction():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p1 = 1.0 - lr * 0.5 / (0.5 + eps)  # first step: m̂ = g, v̂ = g²
    m = (1 - b1) * 0.5
    v = (1 - b2) * 0.25
    m = b1 * m + (1 - b1) * -0.2
    v = b2 * v + (1 - b2) * 0.04
    p2 = p1 - lr * (m / (1 - b1 ** 2)) / (math.sqrt(v / (1 - b2 ** 2)) + eps)
    assert run(nn.Adam, [0.5, -0.2], lr=lr) == pytest.approx([p1, p2], rel=1e-14)


def test_adam_adds_eps_after_the_square_root():
    # with g = 1e-8: √v̂ = 1e-8, so the step is lr·1e-8/(1e-8 + 1e-8) = lr/2 (eps inside √ would give ~lr·1e-4)
    assert run(nn.Adam, [1e-8], lr=0.1) == pytest.approx([1.0 - 0.05], rel=1e-9)


def test_adam_weight_decay_is_l2_on_the_gradient_not_decoupled():
    g = 0.5 + 0.1 * 2.0
    assert run(nn.Adam, [0.5], start=2.0, lr=0.1, weight_decay=0.1) == pytest.approx([2.0 - 0.1 * g / (g + 1e-8)])


def test_defaults_are_pytorchs():
    p = [Value(0.0)]
    sgd, adam = nn.SGD(p), nn.Adam(p)
    assert (sgd.lr, sgd.momentum, sgd.dampening, sgd.weight_decay, sgd.nesterov) == (1e-3, 0, 0, 0, False)
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0)


def test_learning_rate_can_change_between_steps():
    p = Value(1.0)
    optimizer = nn.SGD([p], lr=0.1)
    p.grad = 1.0
    optimizer.step()
    optimizer.lr = 0.5
    optimizer.step()
    assert p.data == pytest.approx(1.0 - 0.1 - 0.5)


def test_zero_grad_clears_every_parameter():
    params = [Value(1.0), Value(2.0)]
    for p in params:
        p.grad = 3.0
    nn.Adam(params).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: nn.SGD(p, lr=-1), "lr must be a finite number >= 0"),
    (lambda p: nn.SGD(p, momentum=-0.5), "momentum"),
    (lambda p: nn.SGD(p, lr=0.1, nesterov=True), "nesterov needs momentum"),
    (lambda p: nn.Adam(p, betas=(0.9, 1.0)), "betas\\[1\\] must be a finite number >= 0 and < 1"),
    (lambda p: nn.Adam(p, eps=float("nan")), "eps"),
    (lambda p: nn.SGD([], lr=0.1), "at least one parameter"),
])
def test_bad_settings_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make([Value(0.0)])


def test_parameters_must_be_values():
    with pytest.raises(TypeError, match=r"params\[1\] must be a Value .*got float: 1.0"):
        nn.SGD([Value(0.0), 1.0])
