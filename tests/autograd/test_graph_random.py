"""Random expression graphs (hypothesis) against a float re-evaluation by the ops' sympy references.

A program is a list of steps over a growing list of nodes: leaves first, then each step applies
a random op of the table to earlier nodes (reuse allowed: shared subexpressions, ``a*a``).
The reference evaluates the same program with ``math`` (the expressions of ``tests/support/op_references``)
and differentiates it by central differences; ``explain``'s paths are counted by enumerating them.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value
from tests.support.op_references import forward

# Keeps each step away from the edge of its op's domain and from kinks, by a margin far larger
# than the central-difference step, so the derivative exists and the reference is smooth there.
SAFE = {
    "div": lambda x: abs(x[1]) > 0.2,
    "log": lambda x: x[0] > 0.2,
    "pow": lambda x: x[0] > 0.2,
    "pow_value": lambda x: x[0] > 0.2 and abs(x[1]) < 3,
    "exp": lambda x: x[0] < 4,
    "relu": lambda x: abs(x[0]) > 0.05,
    "abs": lambda x: abs(x[0]) > 0.05,
}
LARGEST = 1e3
STEP = 1e-6


@dataclass
class Program:
    leaves: list[float]
    steps: list[tuple[str, list[int], float | None]]  # op name, operand nodes, pow's exponent

    def evaluate(self, leaves: list[float]) -> float:
        """The output in plain floats, by the reference forwards."""
        nodes = list(leaves)
        for name, operands, exponent in self.steps:
            args = [nodes[i] for i in operands] + ([exponent] if name == "pow" else [])
            nodes.append(forward(name, args))
        return nodes[-1]

    def build(self) -> tuple[Value, list[Value]]:
        """The same program in the engine; returns (output, leaves)."""
        leaves = [Value(x, label=f"x{i}") for i, x in enumerate(self.leaves)]
        nodes = list(leaves)
        for name, operands, exponent in self.steps:
            args = [nodes[i] for i in operands] + ([exponent] if name == "pow" else [])
            nodes.append(autograd.apply(OPS[name], *args))
        return nodes[-1], leaves

    def central_differences(self) -> list[float]:
        slopes = []
        for i in range(len(self.leaves)):
            above, below = list(self.leaves), list(self.leaves)
            above[i] += STEP
            below[i] -= STEP
            slopes.append((self.evaluate(above) - self.evaluate(below)) / (2 * STEP))
        return slopes

    def count_paths(self, leaf: int) -> int:
        """Paths from a leaf to the output, enumerated one by one (pow's exponent is no edge)."""
        users = {i: [] for i in range(len(self.leaves) + len(self.steps))}
        for position, (_, operands, _) in enumerate(self.steps):
            for operand in operands:
                users[operand].append(len(self.leaves) + position)
        output, paths, stack = len(users) - 1, 0, [leaf]
        while stack:
            node = stack.pop()
            paths += node == output
            stack.extend(users[node])
        return paths


@st.composite
def programs(draw, max_steps: int = 7) -> Program:
    """A random program whose every step is inside its op's safe domain."""
    leaves = draw(st.lists(st.floats(-2, 2), min_size=1, max_size=3))
    values, steps = list(leaves), []
    for _ in range(draw(st.integers(1, max_steps))):
        name = draw(st.sampled_from(sorted(OPS)))
        arity = OPS[name].arity or draw(st.integers(1, 4))
        operand_count = arity - len(OPS[name].constant_inputs)
        newest = len(values) - 1  # always one operand: the output depends on every step
        others = draw(st.lists(st.integers(0, newest), min_size=operand_count - 1, max_size=operand_count - 1))
        operands = [newest, *others]
        exponent = draw(st.sampled_from([-1.0, 0.5, 2.0, 3.0, -1.5])) if name == "pow" else None
        args = [values[i] for i in operands] + ([exponent] if exponent is not None else [])
        if not SAFE.get(name, lambda x: True)(args) or abs(forward(name, args)) > LARGEST:
            name, operands, exponent = "tanh", operands[:1], None  # always defined and smooth
            args = [values[operands[0]]]
        steps.append((name, operands, exponent))
        values.append(forward(name, args))
    return Program(leaves, steps)


def test_programs_give_pow_its_exponent_as_a_constant():
    assert "pow" in OPS, "programs() assumes pow's exponent"
    assert OPS["pow"].constant_inputs == (1,), "programs() assumes pow's exponent"


@settings(max_examples=150, deadline=None)
@given(programs())
def test_random_graphs_match_central_differences(program):
    out, leaves = program.build()
    assert out.data == pytest.approx(program.evaluate(program.leaves), rel=1e-9, abs=1e-12)
    expected = program.central_differences()
    gradients = autograd.grad(out, leaves)
    out.backward()
    for leaf, gradient, numeric in zip(leaves, gradients, expected, strict=True):
        assert gradient == pytest.approx(numeric, rel=1e-4, abs=1e-5)
        assert leaf.grad == gradient


@settings(max_examples=60, deadline=None)
@given(programs())
def test_explain_total_and_paths_on_random_graphs(program):
    out, leaves = program.build()
    gradients = autograd.grad(out, leaves)
    out.backward()
    for index, (leaf, gradient) in enumerate(zip(leaves, gradients, strict=True)):
        explanation = autograd.explain(out, leaf)
        assert len(explanation.terms) == program.count_paths(index)
        assert explanation.total == pytest.approx(leaf.grad, rel=1e-9, abs=1e-12)
        assert explanation.total == pytest.approx(gradient, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(programs())
def test_backward_steps_replay_the_gradients_on_random_graphs(program):
    out, leaves = program.build()
    steps = autograd.backward_steps(out)
    nodes = autograd.topological_order(out)
    expected = dict(zip(nodes, autograd.grad(out, nodes), strict=True))
    last_after = {}
    for step in steps:
        assert step.upstream == pytest.approx(expected[step.node], rel=1e-9, abs=1e-12)
        for contribution in step.contributions:
            assert contribution.added == contribution.local * step.upstream
            last_after[contribution.parent] = contribution.after
    for node, after in last_after.items():
        assert after == pytest.approx(expected[node], rel=1e-9, abs=1e-12)
    for leaf, numeric in zip(leaves, program.central_differences(), strict=True):  # the leaves, independently
        assert last_after.get(leaf, 0.0) == pytest.approx(numeric, rel=1e-4, abs=1e-5)
    assert all(node.grad == 0.0 for node in nodes), "backward_steps leaves .grad untouched"
