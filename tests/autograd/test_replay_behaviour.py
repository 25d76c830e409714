"""What tracing bakes in and what it re-evaluates, the seed programs compiled, and clear errors."""
from __future__ import annotations

import re

import numpy as np
import pytest

import autograd
from autograd import Value
from autograd import compile as compile_tape
from tests.support.eager_reference import eager_rows


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_python_control_flow_on_data_is_baked_in_at_trace_time():
    x, w = Value(2.0), Value(3.0)

    def program(x):
        return x * w if x.data > 0 else -(x * w)  # a branch on the value: not recorded in the graph

    tape = compile_tape(program(x), inputs=[x])
    assert program(Value(-1.0)).data == 3.0  # eager re-runs the Python and takes the other branch
    assert tape.forward([-1.0]) == -3.0  # the replay keeps the branch taken at trace time


def test_relu_step_and_forward_are_evaluated_at_every_replay():
    x, w = Value(1.0), Value(3.0)
    tape = compile_tape((x * w).relu(), inputs=[x])  # traced where the relu passes
    assert tape.forward([-1.0]) == 0.0
    tape.backward()
    assert w.grad == 0.0  # step(−3) = 0 at this replay
    assert tape.forward([2.0]) == 6.0
    assert tape.backward() == pytest.approx([3.0])  # d/dx = w·step(6)
    assert w.grad == 2.0


def test_a_parameter_updated_between_replays_is_picked_up():
    x, w, b = Value(0.0), Value(2.0), Value(1.0)
    tape = compile_tape((x * w + b).tanh(), inputs=[x])
    before = tape.forward([0.5])
    w.data, b.data = -1.0, 0.25
    assert tape.forward([0.5]) == pytest.approx(np.tanh(0.5 * -1.0 + 0.25), rel=1e-12)
    assert before == pytest.approx(np.tanh(2.0), rel=1e-12)


def test_numbers_written_in_an_expression_are_constants_printed_as_numbers():
    """The 1 of a hinge and the 3 and 2 of ``3·w·x / 2`` are literals: read once, printed as numbers, not
    parameters; the hinge's value and gradients are its closed form, max(0, 1 − y·s) with ∂/∂w = −y·x."""
    x, y, w, b = Value(0.0, "x"), Value(0.0, "y"), Value(0.5, "w"), Value(-0.25, "b")
    hinge = (1 - y * (w * x + b)).relu() + 3 * w * x / 2.0
    tape = compile_tape(hinge, inputs=[x, y])
    source = tape.source()
    assert "1.0 - " in source
    assert "3.0 * " in source
    assert set(tape.parameters) == {w, b}
    rows = np.array([[0.5, 1.0], [2.0, -1.0], [-3.0, 1.0]])
    s = 0.5 * rows[:, 0] - 0.25
    margin = 1 - rows[:, 1] * s
    np.testing.assert_allclose(tape.forward(rows), np.maximum(margin, 0) + 1.5 * 0.5 * rows[:, 0], rtol=1e-12)
    tape.backward()
    active = margin > 0
    assert w.grad == pytest.approx(float(np.sum(-rows[:, 1] * rows[:, 0] * active) + 1.5 * rows[:, 0].sum()), rel=1e-12)
    assert b.grad == pytest.approx(float(np.sum(-rows[:, 1] * active)), rel=1e-12)


@pytest.mark.parametrize("batch", [1, 5])
def test_numbers_mixed_with_parameters_in_one_group_replay_like_eager(batch):
    """Products and sums whose operand positions hold numbers for some nodes and parameters or values for
    others (one group reads both from V): values, input and parameter gradients equal the eager engine's."""
    w, v = Value(0.75, "w"), Value(-1.25, "v")

    def terms(x):
        return autograd.sum([x[0] * w, x[0] * 2.0, 3.0 * x[1], w * 0.5, (x[1] + 1.0) * (v - 2.0),
                             (w / 4.0).tanh(), 1.5 / (x[0] * x[0] + 1.0), v ** 2 + 0.25]).tanh()
    x = [Value(0.0, "x0"), Value(0.0, "x1")]
    tape = compile_tape(terms(x), inputs=x)
    assert set(tape.parameters) == {w, v}
    rows = np.random.default_rng(batch).normal(size=(batch, 2))
    expected, expected_inputs, expected_parameters = eager_rows(terms, rows, [w, v])
    np.testing.assert_allclose(tape.forward(rows), expected, rtol=1e-12)
    np.testing.assert_allclose(tape.backward(), expected_inputs, rtol=1e-12)
    np.testing.assert_allclose([w.grad, v.grad], expected_parameters, rtol=1e-12)


def test_an_input_the_output_does_not_depend_on_still_works():
    x, unused, w = Value(1.0), Value(5.0), Value(3.0)
    tape = compile_tape(x * w, inputs=[x, unused])
    assert tape.forward([2.0, 100.0]) == 6.0
    assert list(tape.backward()) == [3.0, 0.0]
    assert w.grad == 2.0


def test_outputs_that_are_leaves_and_graphs_without_inputs():
    w = Value(4.0)
    tape = compile_tape(w)
    assert tape.forward() == 4.0
    tape.backward()
    assert w.grad == 1.0
    x = Value(0.0)
    assert compile_tape(x, inputs=[x]).forward([7.0]) == 7.0


def test_backward_upstream_weighs_rows_and_accumulates_like_eager():
    x, w = Value(0.0), Value(2.0)
    tape = compile_tape(w * w * x, inputs=[x])
    tape.forward(np.array([[1.0], [3.0]]))
    tape.backward(np.array([0.5, 0.5]))  # a mean over the two rows: d/dw = mean(2·w·x)
    assert w.grad == pytest.approx(2 * 2.0 * 2.0)
    tape.backward()  # a second pass adds again, as leaves do in eager mode
    assert w.grad == pytest.approx(8.0 + 2 * 2.0 * 4.0)
    with pytest.raises(ValueError, match=r"one per row \(2\)"):
        tape.backward(np.ones(3))


def test_a_network_on_plain_leaves_replays_its_hidden_layers_as_matrix_products_like_eager():
    """Without inputs a graph is one row in which every computed node varies, so a layer reading computed
    activations is a matrix product (``W @ a1``); values and every leaf's gradient equal the eager engine's."""
    rng = np.random.default_rng(4)
    leaves = [Value(float(v)) for v in rng.normal(size=3 * 4 + 4 + 4 * 4 + 4 + 4 + 1 + 3)]
    weights, x = leaves[:-3], leaves[-3:]

    def layer(inputs, sizes, offset):
        width, count = sizes
        return [autograd.sum([weights[offset + j * width + i] * inputs[i] for i in range(width)]
                             + [weights[offset + width * count + j]]).tanh() for j in range(count)], \
            offset + width * count + count
    a1, offset = layer(x, (3, 4), 0)
    a2, offset = layer(a1, (4, 4), offset)
    (out,), _ = layer(a2, (4, 1), offset)
    cost = (out - 0.5) ** 2
    tape = compile_tape(cost)
    assert re.search(r"= W_\w+\[:, :4\] @ tanh", tape.source())  # two layers of 4 read as matrices
    assert tape.forward() == pytest.approx(cost.data, rel=1e-12)
    tape.backward()
    compiled = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = 0.0
    cost.backward()
    np.testing.assert_allclose(compiled, [leaf.grad for leaf in leaves], rtol=1e-12, atol=1e-15)


def test_a_long_chain_of_additions_becomes_one_reduction():
    x = Value(0.0)
    weights = [Value(float(i)) for i in range(300)]
    total = x
    for w in weights:
        total = total + w * x
    tape = compile_tape(total, inputs=[x])
    assert [(g.op.name, g.size) for g in tape.groups] == [("mul", 300), ("sum", 1)]
    assert tape.forward([2.0]) == 2.0 + 2.0 * sum(range(300))
    assert tape.backward() == pytest.approx([1.0 + sum(range(300))])


def test_nine_line_neuron_batch_gradient_matches_the_articles_numpy_formula():
    table = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=float)
    targets = np.array([0.0, 1.0, 1.0, 0.0])
    weights = np.random.default_rng(1).uniform(-1, 1, 3)
    w = [Value(v) for v in weights]
    row = [Value(0.0) for _ in range(4)]  # three inputs and the target
    out = autograd.sum([wi * xi for wi, xi in zip(w, row[:3], strict=True)]).sigmoid()
    tape = compile_tape(0.5 * (row[3] - out) ** 2, inputs=row)
    tape.forward(np.column_stack([table, targets]))
    tape.backward()
    predicted = sigmoid(table @ weights)  # the article: w += X.T @ ((y − out)·out·(1 − out))
    step = table.T @ ((targets - predicted) * predicted * (1 - predicted))
    np.testing.assert_allclose([-wi.grad for wi in w], step, rtol=1e-12)


def test_three_blue_one_brown_chain_matches_the_closed_form():
    a0, y = Value(0.0), Value(0.0)
    w = [Value(v) for v in (0.5, -1.2, 0.8)]
    b = [Value(v) for v in (0.1, 0.2, -0.3)]
    activation = a0
    for wl, bl in zip(w, b, strict=True):
        activation = (wl * activation + bl).sigmoid()
    tape = compile_tape((activation - y) ** 2, inputs=[a0, y])
    tape.forward([0.7, 1.0])
    tape.backward()
    a = [0.7]
    for wl, bl in zip((0.5, -1.2, 0.8), (0.1, 0.2, -0.3), strict=True):
        a.append(sigmoid(wl * a[-1] + bl))
    # ∂C₀/∂w⁽³⁾ = a⁽²⁾ · σ'(z⁽³⁾) · 2(a⁽³⁾ − y), and for the bias the first factor is 1
    assert w[2].grad == pytest.approx(a[2] * a[3] * (1 - a[3]) * 2 * (a[3] - 1.0), rel=1e-12)
    assert b[2].grad == pytest.approx(a[3] * (1 - a[3]) * 2 * (a[3] - 1.0), rel=1e-12)


def test_feeding_the_wrong_number_of_inputs_names_expected_and_given():
    x, y = Value(0.0, "x"), Value(0.0, "y")
    tape = compile_tape(x * y, inputs=[x, y])
    with pytest.raises(ValueError, match=r"expected 2 input values \(x, y\), got 3"):
        tape.forward([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"rows of 2 input values.*shape \(4, 1\)"):
        tape.forward(np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"shape \(1, 1, 2\)"):
        tape.forward(np.zeros((1, 1, 2)))
    with pytest.raises(TypeError, match="must be numbers"):
        tape.forward(["a", "b"])


def test_bad_inputs_to_compile_are_named():
    x, w = Value(1.0, "x"), Value(2.0, "w")
    product = x * w
    with pytest.raises(ValueError, match=r"input 0 \(unlabelled\) was computed by op 'mul'"):
        compile_tape(product * 2, inputs=[product])
    with pytest.raises(ValueError, match=r"input 1 \(x\) is listed twice"):
        compile_tape(product, inputs=[x, x])
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a Value .*got float: 1.0"):
        compile_tape(product, inputs=[1.0])
    with pytest.raises(TypeError, match="output must be a Value"):
        compile_tape(3.0, inputs=[x])
    with pytest.raises(RuntimeError, match="forward"):
        compile_tape(product, inputs=[x]).backward()


def test_training_backwards_after_other_batches_match_eager_with_inputs_skipped():
    """Repeated ``backward(input_grads=False)`` (which skips operands that are only inputs and zeroes a
    once-evaluated penalty's gradients in the first column only) gives eager's parameter gradients."""
    rng = np.random.default_rng(3)
    weights = [Value(float(w)) for w in rng.normal(size=4)]
    x, y, t = Value(0.0, "x"), Value(0.0, "y"), Value(0.0, "t")

    def row_loss(a, b, target):
        hidden = (weights[0] * a + weights[1] * b).tanh()
        return (target * hidden - weights[2]) ** 2 + (1 - target) * weights[3]
    penalty = lambda: autograd.sum([w * w for w in weights])  # noqa: E731
    tape = compile_tape([row_loss(x, y, t), penalty()], inputs=[x, y, t])
    position = {p: i for i, p in enumerate(tape.parameters)}
    for batch in (5, 5, 3, 3):  # the same size again reuses the buffers
        rows = rng.normal(size=(batch, 3))
        tape.forward(rows)
        replayed = np.zeros(len(tape.parameters))
        tape.backward([0.5, 0.1], input_grads=False, parameter_grads=replayed)
        for w in weights:
            w.grad = 0.0
        for a, b, target in rows:
            (0.5 * row_loss(Value(a), Value(b), Value(target)) + 0.1 * penalty()).backward()
        assert np.allclose([replayed[position[w]] for w in weights], [w.grad for w in weights], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("upstream", [None, [None], "1", True, [[1.0], [1.0, 2.0]]])
def test_tape_backward_refuses_what_is_not_numbers_instead_of_adding_nan(upstream):
    x, w = Value(1.0, "x"), Value(2.0, "w")
    tape = autograd.compile(x * w, inputs=[x])
    tape.forward([3.0])
    with pytest.raises(TypeError, match="upstream must be a number or an array of numbers"):
        tape.backward(upstream)
    assert w.grad == 0.0
    tape.backward(2)
    assert w.grad == 6.0
