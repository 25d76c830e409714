"""One name per node of a graph, shared by everything that shows it: explain, backward_steps, the
drawing and the explorer.

A labelled node reads as its label and a leaf as its number. An unlabelled computed node reads as
its short expression in its operands' names (``w·x + b``, ``tanh(w·x + b)``), or as ``u₁``, ``u₂``, …
(numbered in ``topological_order``) when that expression would be long. The names are display
only: no node's ``label`` changes.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from .graph import constants_of, topological_order
from .ops import is_atom
from .value import Value, op_of, require_value, require_values

MAX_EXPRESSION = 24  # characters: a longer expression is named u₁, u₂, … instead
MAX_OPERANDS = 4  # an op with more operands (a long Σ) is named u₁, u₂, … too
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def own_name(node: Value) -> str:
    """A labelled node's label, or a leaf's number as written in a formula (``0.5``)."""
    return node.label or _number_name(node.data)


def _number_name(number: float) -> str:
    """A number as a formula shows it: whole numbers exactly (``x¹²³⁴⁵⁶⁷⁸⁹``), others to 4 digits."""
    if math.isfinite(number) and number == int(number) and abs(number) < 1e16:
        return str(int(number))
    return f"{number:.4g}"


def name_of(node: Value) -> str:
    """A node's name without its graph (for messages): its label, its number, or its op (``tanh(…)``)."""
    require_value(node, "name_of: node")
    if node.label or node.is_leaf:
        return own_name(node)
    return f"{op_of(node).symbol}(…)"


def grouped(name: str) -> str:
    """``name`` in parentheses unless it is an atom, for ``∂(w·x + b)/∂w``."""
    return name if is_atom(name) else f"({name})"


def _free_number(number: int, labels: set[str]) -> tuple[int, str]:
    """The first ``uₖ`` from ``number`` on that no label in the graph uses."""
    while (name := f"u{number}".translate(_SUBSCRIPT)) in labels:
        number += 1
    return number, name


class Names(dict):
    """node -> its name, for every node of the graph of ``output`` (built in one pass, linear time).

    A node outside that graph gets its :func:`name_of`.
    """

    def __init__(self, output: Value, order: Iterable[Value] | None = None) -> None:
        super().__init__()
        require_value(output, "Names: output")
        order = topological_order(output) if order is None else require_values(order, "Names: order")
        labels = {node.label for node in order if node.label}
        numbered = 0
        for node in order:
            if node.label or node.is_leaf:
                self[node] = own_name(node)
                continue
            expression = self.expression(node) if len(node.parents) <= MAX_OPERANDS else ""
            if expression and len(expression) <= MAX_EXPRESSION and expression not in labels:
                self[node] = expression
                continue
            numbered, name = _free_number(numbered + 1, labels)
            self[node] = name
        self.constants = constants_of(order)

    def __missing__(self, node: Value) -> str:
        return name_of(node)

    def expression(self, node: Value) -> str:
        """How ``node`` was computed, in its operands' names (``w·x + b``); empty for a leaf."""
        return op_of(node).show([self[p] for p in node.parents]) if node.parents else ""

    def texts(self, node: Value) -> tuple[str, ...]:
        """The right-hand side of ∂node/∂input for each input, in the operands' names (``a⁽²⁾``)."""
        return op_of(node).texts([self[p] for p in node.parents])

    def partial(self, upper: Value, lower: Value) -> str:
        """``∂upper/∂lower`` in the nodes' names."""
        return f"∂{grouped(self[upper])}/∂{grouped(self[lower])}"

    def is_constant(self, node: Value) -> bool:
        """True for a number written in an expression (the 2 of ``x ** 2``) or a leaf used only as a
        constant input: shown as a constant, without a gradient."""
        return node in self.constants
