"""The numpy program the compiled replay runs for a graph: printed by ``python -m viz program SOURCE``, and
line by line beside the explorer's layer view.

The graph's data leaves (the inputs and targets: every leaf that is neither a parameter nor a
constant) become the program's inputs, so the program replays the graph for a whole batch of them.
``autograd.compile(..., slots=)`` says which of the program's groups computes each node, and
``Tape.lines()`` gives each group's lines as ``tape.source()`` prints them: no text is parsed.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

import autograd
from autograd import Names, Value, topological_order

from .explorer_network import NetworkNodes
from .sources import Source


def data_leaves(order: Sequence[Value], parameters: Sequence[Value], names: Names) -> list[Value]:
    """The leaves a batch would change: not parameters, not constants (``2`` in ``x ** 2``)."""
    constants, parameters = names.constants, set(parameters)
    return [node for node in order if node.is_leaf and node not in parameters and node not in constants]


def program(source: Source) -> str:
    """The generated forward and backward of ``source``'s graph, headed by its title as a comment."""
    order = topological_order(source.output)
    names = Names(source.output, order)
    inputs = data_leaves(order, source.parameters, names)
    tape = autograd.compile(source.output, inputs=inputs)
    shown = ", ".join(names[leaf] for leaf in inputs) or "none"
    return tape.source(heading=[source.title, f"inputs (one row of the batch each): {shown}", repr(tape)])


def layer_step_lines(network: NetworkNodes, parameters: Sequence[Value], order: Sequence[Value], names: Names) -> dict:
    """The program's lines for each step of the layer view: ``(phase, layer)`` -> lines, where layer is a
    number or ``"cost"``. A layer's forward step shows the forward lines of the groups that compute its
    products, sums and activations, its backward step their backward lines (last group first, as the
    backward runs); the cost's steps, those of every other group."""
    slots: dict[Value, int] = {}
    tape = autograd.compile(network.output, inputs=data_leaves(order, parameters, names), slots=slots)
    starts = [group.start for group in tape.groups]
    lines = tape.lines()

    def groups_of(nodes) -> set[int]:  # a computed node's slot lies in its group's start:stop
        return {bisect_right(starts, slots[node]) - 1 for node in nodes if node in slots and slots[node] >= starts[0]}

    by_layer = {number: groups_of(value for neuron in layer.neurons for value in (*neuron.products, neuron.z, neuron.a))
                for number, layer in enumerate(network.layers, start=1)}
    in_layers = set().union(*by_layer.values())
    by_layer["cost"] = set(range(len(starts))) - in_layers
    steps = {}
    for layer, groups in by_layer.items():
        steps[("forward", layer)] = [line for number in sorted(groups) for line in lines[number][0]]
        steps[("backward", layer)] = [line for number in sorted(groups, reverse=True) for line in lines[number][1]]
    return steps
