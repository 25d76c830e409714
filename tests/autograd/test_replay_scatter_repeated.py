"""Groups whose nodes read one operand at every position (x·x, p·p, x + x) send a gradient from each position,
as the eager engine does: the replay equals it (values and every gradient, 1e-9), and beside groups that do not."""
from __future__ import annotations

import re

import numpy as np
import pytest

import autograd
from autograd import Value
from tests.support.eager_reference import eager_rows

TOLERANCE = {"rtol": 1e-9, "atol": 1e-9}


def squares(x: list[Value], p: list[Value]) -> Value:
    """x·x and p·p (repeated), x + x, and x·p and x·y beside them (not repeated), all read by the output."""
    terms = [x[0] * x[0], x[1] * x[1], p[0] * p[0], p[1] * p[1], x[0] + x[0], x[1] + x[1],
             x[0] * p[0], x[1] * x[0], (x[0] * p[1]).tanh() * (x[0] * p[1]).tanh()]
    return autograd.sum([term * (k + 1) for k, term in enumerate(terms)]) + (x[0] * x[0]) * (x[1] * x[1])


@pytest.mark.parametrize("batch", [1, 7])
def test_repeated_operands_replay_equals_eager(batch):
    rng = np.random.default_rng(batch)
    rows = rng.normal(size=(batch, 2))
    p = [Value(float(v)) for v in rng.normal(size=2)]
    x = [Value(0.0, "x0"), Value(0.0, "x1")]
    tape = autograd.compile(squares(x, p), inputs=x)
    source = tape.source()
    assert re.search(r"\n +(G\[[^]]+\] \+= V[^\n]+ \* U)\n +\1\n", source)  # p·p: b, then a, to the same rows
    assert re.search(r"G\[(I\d+)\] \+= V\.take\((I\d+), axis=0\) \* U\n +G\[\2\] \+= V\.take\(\1, axis=0\) \* U",
                     source)  # products of two values beside it (x·p, x·x times a number): one line per operand
    expected, expected_inputs, expected_parameters = eager_rows(lambda x: squares(x, p), rows, p)
    for parameter in p:
        parameter.grad = 0.0
    np.testing.assert_allclose(tape.forward(rows), expected, **TOLERANCE)
    np.testing.assert_allclose(tape.backward(), expected_inputs, **TOLERANCE)
    np.testing.assert_allclose([parameter.grad for parameter in p], expected_parameters, **TOLERANCE)


def test_training_backward_skips_inputs_with_repeated_operands():
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(5, 2))
    p = [Value(float(v)) for v in rng.normal(size=2)]
    x = [Value(0.0), Value(0.0)]
    tape = autograd.compile(squares(x, p), inputs=x)
    _, _, expected_parameters = eager_rows(lambda x: squares(x, p), rows, p)
    for parameter in p:
        parameter.grad = 0.0
    tape.forward(rows)
    assert tape.backward(input_grads=False) is None
    np.testing.assert_allclose([parameter.grad for parameter in p], expected_parameters, **TOLERANCE)
