"""Issue 23: the explorer's layer view shows, at each step, the lines of the generated program that compute it.

The lines come from the compiled program's own structure (``Tape.lines()`` and the slots of the nodes),
and must be the lines ``tape.source()`` / ``python -m viz program`` print: the forward steps, read in
order, give the forward function's body (after the lines that only name the parameters and leaves),
and the backward steps give the backward function's body (before the lines that gather the slotted
parameters' gradients into dP), line for line.
"""
from __future__ import annotations

import pytest

import autograd
import nn
from autograd import Value
from viz.explorer_data import page_data
from viz.program import program
from viz.sources import resolve


def bodies(source: str) -> tuple[list[str], list[str]]:
    """The lines of the program's forward and backward functions (stripped), without ``return`` and the
    backward's unpacking of ``saved``."""
    forward, backward, current = [], [], None
    for line in source.splitlines():
        if line.startswith("def forward"):
            current = forward
        elif line.startswith("def backward"):
            current = backward
        elif current is not None and line.startswith("    "):
            current.append(line.strip())
    assert forward[-1].startswith("return (")
    assert backward[0].endswith(" = saved")
    return forward[:-1], backward[1:]


def shown_lines(data: dict, phase: str) -> list[str]:
    return [line for step in data["network"]["layer_steps"] if step["phase"] == phase for line in step["program"]]


def assert_the_steps_show_the_programs_lines(data: dict, source: str, layers: int) -> None:
    forward, backward = bodies(source)
    shown_forward, shown_backward = shown_lines(data, "forward"), shown_lines(data, "backward")
    assert backward[:len(shown_backward)] == shown_backward
    trailing = backward[len(shown_backward):]  # the slotted parameters' gradients gathered into dP at the end
    assert all(line.startswith("dP[") for line in trailing), trailing
    assert forward[-len(shown_forward):] == shown_forward
    leading = forward[:-len(shown_forward)]  # the parameters and leaves named before the first group's line
    assert all(" = V[" in line or " = F" in line or " = P[" in line for line in leading), leading
    steps = data["network"]["layer_steps"]
    assert [(s["phase"], s.get("layer")) for s in steps if s["program"]] == (
        [("forward", k) for k in range(1, layers + 1)] + [("forward", "cost"), ("backward", "cost")]
        + [("backward", k) for k in range(layers, 0, -1)])


def test_the_four_neuron_steps_show_the_lines_python_m_viz_program_prints():
    source = resolve("four-neuron")
    data = page_data(source.output, parameters=source.parameters, level="layer")
    assert_the_steps_show_the_programs_lines(data, program(source), layers=3)
    steps = {(s["phase"], s.get("layer")): s["program"] for s in data["network"]["layer_steps"]}
    assert steps[("forward", 2)][-1].startswith("a2 = 1.0 / (1.0 + np.exp(-z2))")
    assert "d_z3 = a3 * (1.0 - a3) * d_a3" in steps[("backward", 3)]  # δ⁽³⁾ = σ'(z⁽³⁾) ⊙ ∂C/∂a⁽³⁾


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_a_3_4_1_network_shows_its_matrix_lines_at_each_layer(activation):
    model = nn.MLP(3, [4, 1], activation=activation, output_activation="sigmoid", seed=0)
    inputs = [Value(x, f"x{k}") for k, x in enumerate((0.0, 1.0, 1.0))]
    target = Value(1.0, "y")
    cost = (model(inputs) - target) ** 2  # the sse of one row, with its target a leaf the batch fills
    data = page_data(cost, parameters=model.parameters(), level="layer")
    tape = autograd.compile(cost, inputs=[*inputs, target])
    assert_the_steps_show_the_programs_lines(data, tape.source(), layers=2)
    steps = {(s["phase"], s.get("layer")): s["program"] for s in data["network"]["layer_steps"]}
    assert any("@" in line for line in steps[("forward", 1)])  # the layer's neurons as one matrix product
    assert any("np.matmul(d_z1" in line for line in steps[("backward", 1)])  # its dW, one product too


def test_the_update_and_start_steps_show_no_program_lines():
    source = resolve("four-neuron")
    steps = page_data(source.output, parameters=source.parameters, level="layer")["network"]["layer_steps"]
    assert steps[0]["phase"] == "start"
    assert steps[-1]["phase"] == "update"
    assert not steps[0]["program"]
    assert not steps[-1]["program"]
