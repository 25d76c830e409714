"""A tape over several outputs (a model's outputs) against eager backward passes."""
import numpy as np
import pytest

import autograd
from autograd import Value


def two_outputs(row=(0.0, 0.0)):
    """Inputs, parameters and two outputs that share a hidden node, built at ``row``."""
    x1, x2 = Value(row[0], "x1"), Value(row[1], "x2")
    w, b = Value(0.7, "w"), Value(-0.2, "b")
    hidden = autograd.sum([w * x1, x2, b]).tanh()
    return (x1, x2), (w, b), (hidden * w, (hidden + x1).sigmoid())


def eager_gradients(rows, weights):
    """Σ over rows and outputs of weight · d output / d parameter, by eager grad() per row."""
    totals = np.zeros(2)
    for row, row_weights in zip(rows, weights, strict=True):
        _, params, outputs = two_outputs(row)
        for output, weight in zip(outputs, row_weights, strict=True):
            totals += weight * np.array(autograd.grad(output, params))
    return totals


def test_several_outputs_forward_and_weighted_backward_match_eager():
    inputs, params, outputs = two_outputs()
    tape = autograd.compile(list(outputs), inputs=list(inputs))
    rows = np.array([[0.5, -1.0], [2.0, 0.25], [-0.3, 0.0]])
    weights = np.array([[1.0, -2.0], [0.5, 0.5], [0.0, 3.0]])
    expected = [[o.data for o in two_outputs(row)[2]] for row in rows]
    np.testing.assert_allclose(tape.forward(rows), expected, rtol=0, atol=1e-12)
    tape.backward(weights)
    np.testing.assert_allclose([p.grad for p in params], eager_gradients(rows, weights), atol=1e-12)


def test_one_row_and_one_weight_per_output():
    inputs, params, outputs = two_outputs()
    tape = autograd.compile(list(outputs), inputs=list(inputs))
    assert tape.forward([0.5, -1.0]).shape == (2,)
    tape.backward([1.0, 1.0])
    np.testing.assert_allclose([p.grad for p in params], eager_gradients([[0.5, -1.0]], [[1.0, 1.0]]), atol=1e-12)


def test_an_output_that_is_also_summed_elsewhere_keeps_its_own_value():
    x, w = Value(0.0, "x"), Value(1.5, "w")
    first = autograd.sum([w * x, w])  # a sum used once by another sum would be flattened into it
    total = autograd.sum([first, x])
    tape = autograd.compile([first, total], inputs=[x])
    np.testing.assert_allclose(tape.forward([2.0]), [1.5 * 2.0 + 1.5, 1.5 * 2.0 + 1.5 + 2.0])


def test_bad_output_lists_and_upstream_shapes_are_clear_errors():
    inputs, _, outputs = two_outputs()
    with pytest.raises(TypeError, match="non-empty list of Values"):
        autograd.compile([], inputs=list(inputs))
    with pytest.raises(ValueError, match="listed twice"):
        autograd.compile([outputs[0], outputs[0]], inputs=list(inputs))
    tape = autograd.compile(list(outputs), inputs=list(inputs))
    tape.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"one per output \(2\)"):
        tape.backward(np.ones(3))
