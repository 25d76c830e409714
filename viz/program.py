"""``python -m viz program SOURCE``: the numpy program the compiled replay runs for a graph.

The graph's data leaves (the inputs and targets: every leaf that is neither a parameter nor a
constant) become the program's inputs, so the program replays the graph for a whole batch of them.
"""
from __future__ import annotations

import autograd
from autograd import Names, topological_order

from .sources import Source


def data_leaves(source: Source) -> list[autograd.Value]:
    """The leaves a batch would change: not parameters, not constants (``2`` in ``x ** 2``)."""
    order = topological_order(source.output)
    constants = Names(source.output, order).constants
    parameters = set(source.parameters)
    return [node for node in order if node.is_leaf and node not in parameters and node not in constants]


def program(source: Source) -> str:
    """The generated forward and backward of ``source``'s graph, headed by its title as a comment."""
    inputs = data_leaves(source)
    tape = autograd.compile(source.output, inputs=inputs)
    names = ", ".join(Names(source.output)[leaf] for leaf in inputs) or "none"
    return tape.source(heading=[source.title, f"inputs (one row of the batch each): {names}", repr(tape)])
