"""Losses and their gradients against closed forms, sympy and central differences (no PyTorch)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

finite = st.floats(-5, 5, allow_nan=False)


def values(numbers):
    return [Value(x) for x in numbers]


def central_difference(f, numbers, i, eps=1e-6):
    up, down = list(numbers), list(numbers)
    up[i] += eps
    down[i] -= eps
    return (f(up) - f(down)) / (2 * eps)


def test_sse_and_mse_match_their_closed_forms_and_gradients():
    p, t = [0.2, 0.9, -0.4], [0.0, 1.0, 1.0]
    xs = values(p)
    sse = nn.sse(xs, t)
    sse.backward()
    assert sse.data == pytest.approx(sum((a - b) ** 2 for a, b in zip(p, t, strict=True)), rel=1e-14)
    assert [x.grad for x in xs] == pytest.approx([2 * (a - b) for a, b in zip(p, t, strict=True)], rel=1e-12)
    ys = values(p)
    mse = nn.mse(ys, t)
    mse.backward()
    assert mse.data == pytest.approx(sse.data / 3, rel=1e-14)
    assert [y.grad for y in ys] == pytest.approx([2 * (a - b) / 3 for a, b in zip(p, t, strict=True)], rel=1e-12)


def test_mse_averages_over_every_output_of_every_sample():
    rows, targets = [values([1.0, 2.0]), values([3.0, 5.0])], [[0.0, 2.0], [1.0, 1.0]]
    assert nn.mse(rows, targets).data == pytest.approx((1 + 0 + 4 + 16) / 4)


def test_hinge_is_micrograds_max_margin_with_gradient():
    scores, labels = [0.5, -2.0, 3.0, 0.2], [1, -1, -1, 1]
    xs = values(scores)
    loss = nn.hinge(xs, labels)
    loss.backward()
    assert loss.data == pytest.approx(sum(max(0.0, 1 - y * s) for s, y in zip(scores, labels, strict=True)) / 4)
    wanted = [-y / 4 if 1 - y * s > 0 else 0.0 for s, y in zip(scores, labels, strict=True)]
    assert [x.grad for x in xs] == pytest.approx(wanted)


def test_hinge_rejects_zero_one_labels_and_says_how_to_map_them():
    with pytest.raises(ValueError, match="2\\*y - 1"):
        nn.hinge(values([0.5]), [0])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 0.99), st.sampled_from([0.0, 1.0, 0.3])), min_size=1, max_size=4))
def test_binary_cross_entropy_against_closed_form_and_its_derivative(pairs):
    probs, targets = [p for p, _ in pairs], [t for _, t in pairs]
    xs = values(probs)
    loss = nn.binary_cross_entropy(xs, targets)
    loss.backward()
    n = len(pairs)
    expected = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in pairs) / n
    assert loss.data == pytest.approx(expected, rel=1e-12)
    assert [x.grad for x in xs] == pytest.approx([(p - t) / (p * (1 - p)) / n for p, t in pairs], rel=1e-9)


def test_binary_cross_entropy_clamps_log_at_minus_100_like_pytorch():
    assert nn.binary_cross_entropy(values([0.0, 1.0]), [1.0, 0.0]).data == pytest.approx(100.0)
    assert nn.binary_cross_entropy([Value(1.0)], [1.0]).data == 0.0


def test_binary_cross_entropy_rejects_values_outside_zero_one():
    with pytest.raises(ValueError, match="sigmoid"):
        nn.binary_cross_entropy(values([1.5]), [1.0])


def test_softmax_sums_to_one_and_is_stable():
    probs = nn.softmax(values([1000.0, 1000.0, -1000.0]))
    assert [p.data for p in probs] == pytest.approx([0.5, 0.5, 0.0])
    logits = [0.1, -1.3, 2.2]
    expected = np.exp(logits) / np.exp(logits).sum()
    assert [p.data for p in nn.softmax(values(logits))] == pytest.approx(expected.tolist(), rel=1e-12)


def test_softmax_jacobian_matches_sympy():
    symbols = sympy.symbols("a b c")
    logits = [0.3, -0.5, 1.1]
    denominator = sum(sympy.exp(s) for s in symbols)
    for i in range(3):
        xs = values(logits)
        nn.softmax(xs)[i].backward()
        for j, s in enumerate(symbols):
            exact = sympy.diff(sympy.exp(symbols[i]) / denominator, s).subs(dict(zip(symbols, logits, strict=True)))
            assert xs[j].grad == pytest.approx(float(exact), rel=1e-10)


def test_cross_entropy_matches_sympy_value_and_gradient():
    symbols = sympy.symbols("l0:3")
    batch, labels = [[0.2, -1.0, 0.7], [1.5, 0.1, -0.3]], [2, 0]
    rows = [values(row) for row in batch]
    loss = nn.cross_entropy(rows, labels)
    loss.backward()
    for row, numbers, label in zip(rows, batch, labels, strict=True):
        expression = sympy.log(sum(sympy.exp(s) for s in symbols)) - symbols[label]
        at = dict(zip(symbols, numbers, strict=True))
        for x, s in zip(row, symbols, strict=True):
            assert x.grad == pytest.approx(float(sympy.diff(expression, s).subs(at)) / 2, rel=1e-10)
    exact = sum(float((sympy.log(sum(sympy.exp(s) for s in symbols)) - symbols[label])
                      .subs(dict(zip(symbols, n, strict=True))))
                for n, label in zip(batch, labels, strict=True)) / 2
    assert loss.data == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize(("row", "label", "expected"), [
    ([1000.0, -1000.0], 1, 2000.0), ([1000.0, -1000.0], 0, 0.0), ([-1000.0, -1000.0], 0, math.log(2)),
    ([1000.0, 1000.0, 1000.0], 2, math.log(3)),
])
def test_cross_entropy_is_exact_and_finite_for_logits_of_1000(row, label, expected):
    xs = values(row)
    loss = nn.cross_entropy([xs], [label])
    loss.backward()
    assert loss.data == pytest.approx(expected, rel=1e-15, abs=1e-15)
    probs = np.exp(np.array(row) - max(row)) / np.exp(np.array(row) - max(row)).sum()
    assert [x.grad for x in xs] == pytest.approx((probs - np.eye(len(row))[label]).tolist(), abs=1e-15)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(finite, min_size=3, max_size=3), min_size=1, max_size=3), st.data())
def test_cross_entropy_against_numpy_log_sum_exp_and_central_differences(batch, data):
    labels = [data.draw(st.integers(0, 2)) for _ in batch]
    flat = [x for row in batch for x in row]

    def loss_of(numbers):
        rows = [numbers[3 * i:3 * i + 3] for i in range(len(batch))]
        return float(np.mean([np.log(np.sum(np.exp(r))) - r[k] for r, k in zip(rows, labels, strict=True)]))

    rows = [values(row) for row in batch]
    loss = nn.cross_entropy(rows, labels)
    loss.backward()
    assert loss.data == pytest.approx(loss_of(flat), rel=1e-9, abs=1e-12)
    grads = [x.grad for row in rows for x in row]
    assert grads == pytest.approx([central_difference(loss_of, flat, i) for i in range(len(flat))], abs=1e-6)


@pytest.mark.parametrize(("logits", "labels", "message"), [
    ([Value(1.0), Value(2.0)], [0], "must be a batch"), ([[1.0, 2.0]], [2], ">= 0 and <= 1"),
    ([[1.0, 2.0]], [True], "class index"),
    ([[1.0, 2.0]], [0, 1], "1 rows of logits but 2 labels"), ([], [], "non-empty"),
])
def test_cross_entropy_bad_input_is_named(logits, labels, message):
    with pytest.raises((TypeError, ValueError), match=message):
        nn.cross_entropy(logits, labels)


def test_prediction_and_target_counts_must_match():
    with pytest.raises(ValueError, match="mse: 2 predictions but 1 targets"):
        nn.mse(values([1.0, 2.0]), [1.0])
    with pytest.raises(ValueError, match="a prediction of 2 outputs against a target of 3"):
        nn.sse([values([1.0, 2.0])], [[1.0, 2.0, 3.0]])


def test_every_named_loss_passes_gradcheck():
    probabilities, scores = values([0.3, 0.8]), values([0.4, -0.6])
    assert autograd.gradcheck(lambda a, b: nn.binary_cross_entropy([a, b], [1.0, 0.0]), probabilities)
    assert autograd.gradcheck(lambda a, b: nn.mse([a, b], [1.0, 0.0]), scores)
    assert autograd.gradcheck(lambda a, b: nn.hinge([a, b], [1, 1]), scores)
    assert autograd.gradcheck(lambda a, b: nn.cross_entropy([[a, b]], [1]), scores)


def test_hinge_takes_plain_numbers_as_the_other_losses_do():
    assert nn.hinge([0.5], [1]).data == max(0.0, 1 - 1 * 0.5)
    assert nn.hinge([0.5, -2.0], [1, -1]).data == (0.5 + 0.0) / 2
