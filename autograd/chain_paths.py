"""The chain rule made visible: every path of local derivatives from a node up to the output, as factors."""
from __future__ import annotations

import math

from .conventions import argument_checks as check
from .conventions.errors import LimitError
from .explanation import Explanation, Factor, product_text
from .graph import FLOATS, topological_order
from .names import Names
from .ops import sends_nothing
from .value import Value, op_of, operand_data, require_value, require_values


def _consumers(order: list[Value]) -> dict:
    """For every node in ``order``: the (node, input index) edges that use it."""
    consumers: dict = {}
    for node in order:
        constant = node.op.constant_inputs if node.op else ()
        for index, parent in enumerate(node.parents):
            if index not in constant:
                consumers.setdefault(parent, []).append((node, index))
    return consumers


def _path_counts(order: list[Value], consumers: dict) -> dict:
    """How many paths lead from each node up to the output (the last node of ``order``)."""
    counts = {order[-1]: 1}
    for node in reversed(order[:-1]):
        counts[node] = sum(counts[user] for user, _ in consumers.get(node, ()))
    return counts


class _LocalRules(dict):
    """node -> (local derivatives, their texts), each node worked out once per explanation."""

    def __init__(self, names: Names) -> None:
        super().__init__()
        self.names = names

    def __missing__(self, node: Value) -> tuple[tuple, tuple]:
        entry = (op_of(node).local_grads(operand_data(node.parents), node.data, FLOATS), self.names.texts(node))
        self[node] = entry
        return entry

    def is_identity(self, node: Value, index: int) -> bool:
        return self[node][1][index] == "1"


def _is_activation(node: Value) -> bool:
    """An op with one differentiable input (tanh, σ, exp, a power): its result is worth a factor."""
    return len(node.parents) - len(op_of(node).constant_inputs) == 1


def _breaks(path: list[tuple[Value, int]], rules: _LocalRules) -> list[int]:
    """The positions on ``path`` where a factor ends: at labelled nodes, at the output, and between
    two local derivatives that are not 1 (one factor per op, a sum's 1 joining a neighbour).

    Between two such derivatives the factor ends after an activation, else as late as possible,
    so ``w·x + b`` reads as one factor ∂z/∂w = x and ``tanh(z)`` as its own, as in 3Blue1Brown's lesson.
    """
    breaks, pending = [], None  # pending: the last edge that is not 1, since the last break
    for position, (node, index) in enumerate(path):
        if not rules.is_identity(node, index):
            if pending is not None:
                breaks.append(pending if _is_activation(path[pending][0]) else position - 1)
            pending = position
        if node.label or position == len(path) - 1:
            breaks.append(position)
            pending = None
    return breaks


def _factors(path: list[tuple[Value, int]], wrt: Value, rules: _LocalRules) -> tuple[Factor, ...]:
    """Group a path's edges into factors that end at the positions :func:`_breaks` gives."""
    factors, start, lower = [], 0, wrt
    for end in _breaks(path, rules):
        node = path[end][0]
        edges = tuple(path[start:end + 1])
        shown = [rules[n][1][i] for n, i in edges if rules[n][1][i] != "1"]
        blocked = any(sends_nothing(op_of(n), rules[n][0][i]) for n, i in edges)
        value = 0.0 if blocked else math.prod(rules[n][0][i] for n, i in edges)
        factors.append(Factor(node, lower, edges, value, product_text(shown) if shown else "1",
                              rules.names.partial(node, lower), blocked))
        start, lower = end + 1, node
    return tuple(factors)


def _paths(wrt: Value, output: Value, consumers: dict, counts: dict):
    """Every path from ``wrt`` up to ``output`` as a list of (node, input index) edges, depth-first in
    operand order; one shared path grows and shrinks, so the walk is linear in what it yields."""
    if wrt is output:
        yield []
        return
    path, pending = [], [iter(consumers.get(wrt, ()))]
    while pending:
        for user, index in pending[-1]:
            if not counts.get(user):
                continue
            path.append((user, index))
            if user is output:
                yield list(path)
                path.pop()
                continue
            pending.append(iter(consumers.get(user, ())))
            break
        else:
            pending.pop()
            if path:
                path.pop()


def explain(output: Value, wrt: Value, max_paths: int = 10_000, names: Names | None = None) -> Explanation:
    """The gradient of ``output`` with respect to ``wrt`` as a sum over paths of products.

    ``names`` (``autograd.Names(output)``, made here when not given) names the nodes; pass one to
    explain several parameters of one graph. Raises ValueError naming ``max_paths`` when the graph
    has more paths than that.
    """
    require_value(output, "explain: output")
    require_value(wrt, "explain: wrt")
    return explain_each(output, [wrt], max_paths, names)[0]


def explain_each(output: Value, wrts, max_paths: int = 10_000, names: Names | None = None) -> list[Explanation]:
    """``explain(output, wrt)`` for every node of ``wrts``, walking the graph once for all of them.

    The work is linear in the graph's size plus the terms written out; ``max_paths`` bounds the paths
    of all of them together and is checked (ValueError naming it) before any term is built.
    """
    require_value(output, "explain_each: output")
    wrts = require_values(wrts, "explain_each: wrts")
    check.count(max_paths, "explain: max_paths")
    check.instance(names, "explain: names", (Names, type(None)), "None or an autograd.Names")
    order = topological_order(output)
    names = Names(output, order) if names is None else names
    consumers = _consumers(order)
    counts = _path_counts(order, consumers)
    paths = sum(counts.get(wrt, 0) for wrt in wrts)
    if paths > max_paths:
        source = names[wrts[0]] if len(wrts) == 1 else f"the {len(wrts):,} nodes asked for"
        raise LimitError(f"explain: {paths:,} paths lead from {source} to {names[output]}", "max_paths",
                         max_paths, paths, "explain fewer nodes or a smaller graph")
    rules = _LocalRules(names)
    explanations = []
    for wrt in wrts:
        terms = tuple(_factors(path, wrt, rules) for path in _paths(wrt, output, consumers, counts))
        explanations.append(Explanation(output, wrt, terms, names.partial(output, wrt), names))
    return explanations
