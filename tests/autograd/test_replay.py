"""The compiled replay equals the eager engine: values and every gradient, on random graphs
that use every op in the table, on batches, and on MLP-shaped graphs."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value
from autograd import compile as compile_tape
from tests.support.eager_reference import eager_rows

TOLERANCE = {"rtol": 1e-9, "atol": 1e-9}
LEAVES = 4  # the first two are the inputs (placeholders), the other two parameters
EXPONENTS = (-1.0, 0.5, 2.0, 3.0)


def needs_positive_operands(op) -> bool:
    """Ops that raise on some reals (log, div, pow, …) get operands squashed into (0.5, 1.5)."""
    for probe in (-0.7, 0.0):
        try:
            autograd.apply(op, *[probe] * (op.arity or 2))
        except (ValueError, ZeroDivisionError):
            return True
    return False


@st.composite
def programs(draw):
    """A random straight-line program: every op of the table at least once, then a few more."""
    names = draw(st.permutations(sorted(OPS))) + draw(st.lists(st.sampled_from(sorted(OPS)), max_size=6))
    steps = []
    for position, name in enumerate(names):
        op = OPS[name]
        arity = op.arity or draw(st.integers(1, 4))
        operands = [draw(st.integers(0, LEAVES + position - 1)) for _ in range(arity)]
        squash = needs_positive_operands(op) or draw(st.booleans())
        steps.append((name, operands, squash, draw(st.sampled_from(EXPONENTS))))
    return steps


def build(program, leaves: list[Value]) -> Value:
    """Run the program on ``leaves``; the output sums every computed node, so each one matters."""
    pool = list(leaves)
    for name, operands, squash, exponent in program:
        op = OPS[name]
        args = [exponent if i in op.constant_inputs else (pool[k].sigmoid() + 0.5 if squash else pool[k])
                for i, k in enumerate(operands)]
        pool.append(autograd.apply(op, *args))
    return autograd.sum(pool[len(leaves):])


def finite(*numbers: float) -> bool:
    return all(math.isfinite(x) and abs(x) < 1e8 for x in numbers)


@settings(max_examples=60, deadline=None)
@given(programs(), st.lists(st.floats(-2, 2), min_size=LEAVES, max_size=LEAVES))
def test_random_graphs_with_every_op_replay_exactly_like_eager(program, start):
    leaves = [Value(x, f"v{i}") for i, x in enumerate(start)]
    output = build(program, leaves)
    tape = compile_tape(output, inputs=leaves[:2])
    output.backward()
    eager = {p: p.grad for p in tape.parameters}
    eager_inputs = [leaf.grad for leaf in leaves[:2]]
    assume(finite(output.data, *eager.values(), *eager_inputs))
    for p in tape.parameters:
        p.grad = 0.0

    assert tape.forward(start[:2]) == pytest.approx(output.data, rel=1e-9, abs=1e-9)
    input_grads = tape.backward()

    np.testing.assert_allclose([p.grad for p in tape.parameters], list(eager.values()), **TOLERANCE)
    np.testing.assert_allclose(input_grads, eager_inputs, **TOLERANCE)


@settings(max_examples=25, deadline=None)
@given(programs(), st.integers(0, 2**32 - 1))
def test_a_batch_replays_every_row_and_sums_the_parameter_gradients(program, seed):
    rng = np.random.default_rng(seed)
    parameters = [Value(x) for x in rng.uniform(-2, 2, LEAVES - 2)]
    rows = rng.uniform(-2, 2, size=(5, 2))
    outputs, input_grads, totals = eager_rows(lambda inputs: build(program, inputs + parameters), rows, parameters)
    assume(finite(*outputs, *np.ravel(input_grads), *totals))
    placeholders = [Value(0.0), Value(0.0)]
    tape = compile_tape(build(program, placeholders + parameters), inputs=placeholders)

    np.testing.assert_allclose(tape.forward(rows), outputs, **TOLERANCE)
    np.testing.assert_allclose(tape.backward(), input_grads, **TOLERANCE)
    np.testing.assert_allclose([p.grad for p in parameters], totals, **TOLERANCE)


def mlp(sizes, activations, rng):
    """Layers of (weights per neuron, bias) as Values, and a function applying them to a point."""
    layers = [[([Value(w) for w in rng.uniform(-1, 1, n_in)], Value(b)) for b in rng.uniform(-1, 1, n_out)]
              for n_in, n_out in itertools.pairwise(sizes)]

    def forward(point):
        for layer, activation in zip(layers, activations, strict=True):
            sums = [autograd.sum([w * a for w, a in zip(ws, point, strict=True)] + [b]) for ws, b in layer]
            point = [getattr(z, activation)() for z in sums]
        return point
    parameters = [p for layer in layers for ws, b in layer for p in [*ws, b]]
    return forward, parameters


def test_mlp_batch_equals_the_sum_of_eager_passes_over_the_rows():
    rng = np.random.default_rng(3)
    forward, parameters = mlp([3, 5, 4, 2], ["tanh", "relu", "sigmoid"], rng)
    data = np.column_stack([rng.normal(size=(20, 3)), rng.integers(0, 2, size=(20, 2))])

    def loss(row):  # squared error against two targets, as in 3Blue1Brown's cost
        outputs = forward(row[:3])
        return autograd.sum([(a - t) ** 2 for a, t in zip(outputs, row[3:], strict=True)])

    eager_losses, totals = [], np.zeros(len(parameters))
    for row in data.tolist():
        output = loss(row)
        output.backward()
        eager_losses.append(output.data)
        totals += [p.grad for p in parameters]
        for p in parameters:
            p.grad = 0.0
    placeholders = [Value(0.0) for _ in range(5)]
    tape = compile_tape(loss(placeholders), inputs=placeholders)

    np.testing.assert_allclose(tape.forward(data), eager_losses, **TOLERANCE)
    tape.backward()
    np.testing.assert_allclose([p.grad for p in parameters], totals, **TOLERANCE)


def test_whole_batch_graph_with_shared_weights_and_fused_addition_chains():
    rng = np.random.default_rng(4)
    forward, parameters = mlp([2, 6, 1], ["relu", "tanh"], rng)
    points = [[Value(x) for x in row] for row in rng.normal(size=(12, 2))]
    # micrograd's idiom: Python's sum makes a chain of additions, flattened by the compiler
    output = sum((forward(point)[0] for point in points), Value(0.0)) * (1.0 / 12)
    inputs = [x for point in points for x in point]
    tape = compile_tape(output, inputs=inputs)
    output.backward()
    eager = [p.grad for p in parameters] + [x.grad for x in inputs]
    for p in parameters:
        p.grad = 0.0

    assert tape.forward([x.data for x in inputs]) == pytest.approx(output.data, rel=1e-9)
    input_grads = tape.backward()
    np.testing.assert_allclose([p.grad for p in parameters] + list(input_grads), eager, **TOLERANCE)
    assert "add" not in {group.name for group in tape.groups}  # the chain became one sum
