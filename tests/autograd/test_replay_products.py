"""Sums of products lowered to matrix products: the replay still equals the eager engine (values and
every gradient, 1e-9) on graphs where only some sums qualify, products share operands, and on batches;
the graph that explain and the explorer read is untouched."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value
from examples import digits, moons_demo
from tests.support.eager_reference import eager_rows

TOLERANCE = {"rtol": 1e-9, "atol": 1e-9}
INPUTS, PARAMETERS = 3, 6


@st.composite
def sum_of_products_programs(draw):
    """Steps over a pool that starts with the inputs: weighted sums (qualifying or not) and others."""
    steps = []
    for position in range(draw(st.integers(2, 7))):
        pool = INPUTS + position
        kind = draw(st.sampled_from(["weighted", "weighted", "weighted+extra", "varying product", "tanh"]))
        terms = draw(st.lists(st.tuples(st.integers(0, PARAMETERS - 1), st.integers(0, pool - 1)),
                              min_size=1, max_size=5))
        extra = draw(st.integers(0, pool - 1))
        steps.append((kind, terms, extra, draw(st.booleans())))
    return steps


def run(program, inputs: list, weights: list[Value]) -> Value:
    """The program on ``inputs`` (Values or floats); the output reads every computed node."""
    pool = list(inputs)
    for kind, terms, extra, bias in program:
        if kind == "tanh":
            pool.append((pool[extra] * 0.5).tanh())
            continue
        if kind == "varying product":  # both factors vary: not a weight times a value
            products = [pool[j] * pool[extra] for _, j in terms]
        else:
            products = [weights[i] * pool[j] for i, j in terms]
        operands = products + ([weights[-1]] if bias else []) + ([pool[extra]] if kind == "weighted+extra" else [])
        pool.append(autograd.sum(operands).tanh())
    return autograd.sum(pool[len(inputs):]) + pool[-1] * pool[0]


def assert_replay_equals_eager(output_of, parameters: list[Value], inputs: int, rows: np.ndarray, check=None):
    """The tape of ``output_of`` on placeholders, checked against the eager rows (``check`` sees finiteness)."""
    expected, input_grads, totals = eager_rows(output_of, rows, parameters)
    (check or (lambda ok: None))(bool(np.isfinite(expected).all() and np.isfinite(input_grads).all()))
    placeholders = [Value(0.0) for _ in range(inputs)]
    tape = autograd.compile(output_of(placeholders), inputs=placeholders)
    np.testing.assert_allclose(tape.forward(rows), expected, **TOLERANCE)
    np.testing.assert_allclose(tape.backward(), input_grads, **TOLERANCE)
    np.testing.assert_allclose([p.grad for p in parameters], totals, **TOLERANCE)
    return tape


@settings(max_examples=60, deadline=None)
@given(sum_of_products_programs(), st.integers(0, 2**32 - 1))
def test_random_graphs_mixing_qualifying_and_other_sums_replay_like_eager(program, seed):
    rng = np.random.default_rng(seed)
    weights = [Value(w) for w in rng.uniform(-1.5, 1.5, PARAMETERS)]
    rows = rng.uniform(-2, 2, size=(4, INPUTS))
    assert_replay_equals_eager(lambda xs: run(program, xs, weights), weights, INPUTS, rows, check=assume)


def test_products_sharing_weights_and_values_and_a_shared_product():
    w = [Value(v, f"w{i}") for i, v in enumerate([0.3, -0.7, 1.1, 0.5, -0.2])]

    def output_of(x):
        shared = w[4] * x[1]  # used by two sums: computed once, not folded into either
        first = autograd.sum([w[0] * x[0], w[0] * x[1], w[1] * x[0], w[2] * x[2], shared])  # x[0] twice
        second = autograd.sum([w[1] * x[2], w[0] * x[1], w[3] * x[0], shared]) + w[3]  # the same x as first
        third = autograd.sum([w[2] * first.tanh(), w[1] * second.sigmoid()])  # next level reads the sums
        biased = [autograd.sum([w[0] * x[0], w[1] * x[1], w[4]]), autograd.sum([w[2] * x[0], w[3] * x[1], w[4]]),
                  autograd.sum([w[1] * x[0], w[0] * x[1]]),  # a bias shared by two sums, one sum without
                  autograd.sum([w[2] * x[1], w[0] * x[0], w[3] * x[1], w[1]])]  # x[1] twice, and a bias
        return third * x[2] + first - second + autograd.sum([b.tanh() for b in biased])

    rows = np.random.default_rng(5).normal(size=(6, 3))
    tape = assert_replay_equals_eager(output_of, w, 3, rows)
    assert {group.name for group in tape.groups} >= {"Σa·b", "mul"}
    single = tape.forward(rows[0])
    assert math.isclose(single, output_of([Value(v) for v in rows[0]]).data, rel_tol=1e-12)  # one row


def test_a_layer_of_neurons_becomes_one_matrix_per_layer():
    model_inputs = [Value(0.0) for _ in range(7)]
    model = nn.MLP(7, [5, 4, 3], activation="sigmoid", seed=2)
    tape = autograd.compile(model(model_inputs), inputs=model_inputs)
    products = [group for group in tape.groups if group.name == "Σa·b"]
    assert [group.shape for group in products] == [(1, 5, 7), (1, 4, 5), (1, 3, 4)]
    assert "mul" not in {group.name for group in tape.groups}
    rows = np.random.default_rng(0).normal(size=(8, 7))
    expected = [[o.data for o in model([Value(v) for v in row])] for row in rows]
    np.testing.assert_allclose(tape.forward(rows), expected, **TOLERANCE)


def test_a_whole_batch_graph_stacks_the_per_row_matrices():
    rng = np.random.default_rng(1)
    weights = [[Value(v) for v in row] for row in rng.uniform(-1, 1, size=(4, 2))]
    points = [[Value(x) for x in row] for row in rng.normal(size=(10, 2))]
    output = autograd.sum([autograd.sum([w * x for w, x in zip(ws, point, strict=True)]).tanh()
                           for point in points for ws in weights])
    inputs = [x for point in points for x in point]
    tape = autograd.compile(output, inputs=inputs)
    assert [g.shape for g in tape.groups if g.name == "Σa·b"] == [(10, 4, 2)]
    output.backward()
    eager = [w.grad for ws in weights for w in ws] + [x.grad for x in inputs]
    for ws in weights:
        for w in ws:
            w.grad = 0.0
    assert math.isclose(tape.forward([x.data for x in inputs]), output.data, rel_tol=1e-9)
    input_grads = tape.backward()
    np.testing.assert_allclose([w.grad for ws in weights for w in ws] + list(input_grads), eager, **TOLERANCE)


def test_a_deep_chain_of_weighted_sums_still_replays():
    rng = np.random.default_rng(2)
    depth = 1500
    pairs = [(Value(a), Value(b)) for a, b in rng.uniform(0.3, 0.6, size=(depth, 2))]
    parameters = [p for pair in pairs for p in pair]

    def output_of(x):
        acc = x[0]
        for a, b in pairs:  # a sum of two products at every level: one small matrix per level
            acc = a * acc + b * x[1]
        return acc

    tape = assert_replay_equals_eager(output_of, parameters, 2, rng.normal(size=(3, 2)))
    assert sum(group.name == "Σa·b" for group in tape.groups) == depth


def test_compiling_leaves_the_graph_that_explain_and_the_explorer_read_untouched():
    w = [Value(v, f"w{i}") for i, v in enumerate([0.4, -0.3, 0.8])]
    x = [Value(v, f"x{i}") for i, v in enumerate([1.0, 2.0, -1.0])]
    output = autograd.sum([wi * xi for wi, xi in zip(w, x, strict=True)] + [w[0]]).tanh()

    def snapshot():
        return [(id(node), node.op, tuple(map(id, node.parents)), node.label)
                for node in autograd.topological_order(output)]
    before, explained = snapshot(), str(autograd.explain(output, w[1]))
    tape = autograd.compile(output, inputs=x)
    assert "Σa·b" in {group.name for group in tape.groups}
    assert snapshot() == before
    assert str(autograd.explain(output, w[1])) == explained


def assert_same_training(train) -> None:
    """``train(compiled)`` -> (model, History): the lowered replay trains exactly as the eager engine."""
    (eager_model, eager), (fast_model, fast) = train(False), train(True)
    np.testing.assert_allclose(fast.loss, eager.loss, rtol=1e-9)
    np.testing.assert_allclose([p.data for p in fast_model.parameters()], [p.data for p in eager_model.parameters()],
                               **TOLERANCE)


def test_micrograds_moons_demo_trains_the_same_lowered_and_eager():
    assert_same_training(lambda compiled: moons_demo.train(steps=4, compiled=compiled)[:2])


def test_the_digits_example_trains_the_same_lowered_and_eager():
    pytest.importorskip("sklearn")
    assert_same_training(lambda compiled: digits.train(epochs=1, samples=100, compiled=compiled)[:2])


def test_a_feed_given_as_column_blocks_is_read_side_by_side_and_copied():
    w = [Value(v) for v in (0.5, -1.5, 2.0)]
    x = [Value(0.0) for _ in range(3)]
    tape = autograd.compile(autograd.sum([wi * xi for wi, xi in zip(w, x, strict=True)]).tanh(), inputs=x)
    rng = np.random.default_rng(6)
    first, last = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    whole = np.hstack([first, last])
    expected = np.tanh(whole @ [0.5, -1.5, 2.0])  # numpy on the whole matrix: tanh(x·w) and its slope times w
    expected_grads = (1 - expected ** 2)[:, None] * [0.5, -1.5, 2.0]
    np.testing.assert_allclose(tape.forward(whole), expected, rtol=1e-12)
    np.testing.assert_allclose(tape.backward(np.ones(4)), expected_grads, rtol=1e-12)
    expected, expected_grads = tape.forward(whole), tape.backward(np.ones(4))  # blocks give the very same bits
    np.testing.assert_array_equal(tape.forward((first, last)), expected)
    first[:] = 0.0  # the tape copied the feed: changing it before backward changes nothing
    np.testing.assert_array_equal(tape.backward(np.ones(4)), expected_grads)


@pytest.mark.parametrize("split", [1, 2, 3])  # where the two blocks divide the matrix's columns
def test_a_lent_feed_is_read_in_place_and_gives_what_a_copied_one_does(split):
    rng = np.random.default_rng(8)
    w = [[Value(v) for v in row] for row in rng.normal(size=(2, 4))]
    x = [Value(0.0) for _ in range(4)]
    outputs = [autograd.sum([wi * xi for wi, xi in zip(row, x, strict=True)]).tanh() for row in w]
    tape = autograd.compile(outputs, inputs=x)
    rows = rng.normal(size=(5, 4))
    W = np.array([[wi.data for wi in row] for row in w])
    expected = np.tanh(rows @ W.T)  # numpy: each row's two outputs, and their gradients for an upstream of ones
    slopes = 1 - expected ** 2
    expected_grads = slopes @ W
    expected_weights = dict(zip([wi for row in w for wi in row], (slopes.T @ rows).ravel(), strict=True))
    expected_weights = [expected_weights[p] for p in tape.parameters]
    blocks = (rows[:, :split].copy(), rows[:, split:].copy())
    for feed, lend in ((rows, False), (blocks, True)):  # copied, then lent: both give numpy's numbers
        for p in tape.parameters:
            p.grad = 0.0
        np.testing.assert_allclose(tape.forward(feed, lend=lend), expected, rtol=1e-12)
        np.testing.assert_allclose(tape.backward(np.ones((5, 2))), expected_grads, rtol=1e-12)
        np.testing.assert_allclose([p.grad for p in tape.parameters], expected_weights, rtol=1e-12)


class HashCountingLeaf(Value):
    """A parameter that counts how often it is hashed (each set or dict it enters, each lookup)."""

    __slots__ = ()
    hashes = 0  # counted over every instance: the test reads it before and after one compile

    def __hash__(self) -> int:
        HashCountingLeaf.hashes += 1
        return id(self)


def hashes_per_parameter_to_compile(width: int) -> float:
    """Compile a two-layer net of ``width`` units with an L2 head (as nn traces a loss with a penalty)."""
    rng = np.random.default_rng(0)
    inputs = [Value(0.0, f"x{i}") for i in range(3)]
    first = [[HashCountingLeaf(w) for w in rng.normal(size=4)] for _ in range(width)]
    second = [HashCountingLeaf(w) for w in rng.normal(size=width + 1)]
    hidden = [autograd.sum([w * x for w, x in zip(row[:-1], inputs, strict=True)] + [row[-1]]).tanh() for row in first]
    output = autograd.sum([w * h for w, h in zip(second[:-1], hidden, strict=True)] + [second[-1]])
    parameters = [w for row in first for w in row] + second
    HashCountingLeaf.hashes = 0
    autograd.compile([output, autograd.sum([p * p for p in parameters])], inputs=inputs)
    return HashCountingLeaf.hashes / len(parameters)


def test_compiling_with_a_penalty_hashes_each_parameter_a_bounded_number_of_times():
    """Issue 24: every matrix weight rebuilt a set of all the buffered parameters (quadratic compile)."""
    small, large = hashes_per_parameter_to_compile(40), hashes_per_parameter_to_compile(320)
    assert large < 1.2 * small, (small, large)
