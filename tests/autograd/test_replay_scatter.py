"""Gradients reach the replay's buffer through slices, index arrays or scatters (as the generated source
shows); a node read by several groups, or also an output, adds every contribution. All equal the eager engine."""
from __future__ import annotations

import re

import numpy as np
import pytest

import autograd
from autograd import Value
from tests.support.eager_reference import eager_rows

TOLERANCE = {"rtol": 1e-9, "atol": 1e-9}


def parameters(seed: int) -> list[Value]:
    return [Value(float(v)) for v in np.random.default_rng(seed).normal(size=12)]


def heads(x: list[Value], p: list[Value]) -> list[Value]:
    """Three outputs over a graph where some nodes have one reader and some several; ``a`` has one
    reader and is an output (its upstream must not be overwritten)."""
    h = (x[0] * p[0]).tanh()  # the product is read by tanh alone; h by two groups and is an output
    a, b = h * p[1], h + x[1]  # each read by one group alone: a by tanh, b by the subtraction
    squashed = [(x[k % 2] * p[2 + k]).sigmoid() for k in range(3)]  # each read by one weighted sum alone
    hidden = [(x[1] * p[5 + k] - x[0]).tanh() for k in range(2)]  # hidden[0] is read by the sum and the output
    z = autograd.sum([w * s for w, s in zip(p[6:9], squashed, strict=True)])
    z2 = autograd.sum([w * t for w, t in zip(p[9:11], hidden, strict=True)])
    constant = p[11] * p[11] + p[0]  # evaluated once, its gradient in the first column
    return [(a.tanh() - b).relu() + z * z2 + constant * x[0] + hidden[0], h, a]


def test_gradients_land_through_slices_indexes_and_scatters_as_the_source_shows():
    x, p = [Value(0.0), Value(0.0)], parameters(0)
    source = autograd.compile(heads(x, p), inputs=x).source()
    assert re.search(r"^    G\[\d+:\d+\] \+= ", source, re.M)  # a run of slots: through a slice
    assert re.search(r"^    G\[\d+:\d+, :1\] \+= ", source, re.M)  # a group evaluated once: its first column


@pytest.mark.parametrize("batch", [1, 6])
@pytest.mark.parametrize("input_grads", [True, False])
def test_direct_writes_and_additions_equal_eager(batch, input_grads):
    rng = np.random.default_rng(batch)
    rows = rng.normal(size=(batch, 2))
    p = parameters(1)
    upstream = np.array([0.7, -1.3, 0.4])
    x = [Value(0.0), Value(0.0)]
    tape = autograd.compile(heads(x, p), inputs=x)

    def weighted(inputs):
        return autograd.sum([head * weight for head, weight in zip(heads(inputs, p), upstream, strict=True)])
    expected, expected_inputs, expected_parameters = eager_rows(weighted, rows, p)
    outputs = tape.forward(rows)
    np.testing.assert_allclose(outputs @ upstream, expected, **TOLERANCE)
    returned = tape.backward(upstream, input_grads=input_grads)
    if input_grads:
        np.testing.assert_allclose(returned, expected_inputs, **TOLERANCE)
    np.testing.assert_allclose([parameter.grad for parameter in p], expected_parameters, **TOLERANCE)
