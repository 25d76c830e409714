"""What the explorer page replays, as plain JSON-ready data built from the engine's own records.

Every number here comes from the engine: values from the forward pass, gradients and local
derivatives from ``autograd.backward_steps``, chains from ``autograd.explain``, the new loss and
the numerical gradients from replaying the graph forward (``autograd.compile``'s tape) with new
parameter values. The page only displays them.
"""
from __future__ import annotations

import math
from typing import Sequence

from autograd import (Names, Tape, Value, backward_steps, central_differences, explain, gradients_agree, name_of,
                      topological_order)
from autograd import argument_checks as check
from autograd import compile as compile_graph

from .dot import drawing_id, numbered

FORMAT_VERSION = 2  # of the page data; viz/assets/explorer.js refuses data of another version
EXPLAIN_MAX_PATHS = 64  # beyond this a parameter's chain is summarised, not listed
CHAIN_BUDGET = 100_000  # parameters × nodes: explain walks the graph once per parameter


def number(x: float) -> float | str:
    """A float for JSON: finite as is, otherwise "inf", "-inf" or "nan" (JSON has no such numbers)."""
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def default_parameters(order: Sequence[Value], names: Names) -> list[Value]:
    """The labelled leaves (the Values a user named), or every non-constant leaf if none is labelled."""
    leaves = [node for node in order if node.is_leaf and not names.is_constant(node)]
    return [node for node in leaves if node.label] or leaves


def checked_parameters(order: Sequence[Value], parameters, names: Names) -> list[Value]:
    """``parameters`` as a list of distinct Values of the graph, or a ValueError/TypeError saying which is not."""
    if parameters is None:
        return default_parameters(order, names)
    in_graph, chosen = set(order), []
    for position, item in enumerate(check.items(parameters, "explore: parameters", "None or a list of Values")):
        check.instance(item, f"explore: parameters[{position}]", Value, "a Value (a leaf of the graph)")
        where = f"explore: parameter {position} ({name_of(item)})"
        if item not in in_graph:
            raise ValueError(f"{where} is not in the graph of the output")
        if not item.is_leaf or names.is_constant(item):
            raise ValueError(f"{where} must be a leaf the output is differentiated by; "
                             f"it is {'a constant' if item.is_leaf else 'computed by op ' + item.op.name}")
        if item not in chosen:
            chosen.append(item)
    return chosen


def checked_learning_rate(learning_rate: object) -> float:
    """``learning_rate`` as a finite float >= 0, or a ValueError naming it."""
    return check.real(learning_rate, "explore: learning_rate", at_least=0)


def _kind(node: Value, parameters: set, names: Names) -> str:
    if not node.is_leaf:
        return "computed"
    if node in parameters:
        return "parameter"
    return "constant" if names.is_constant(node) else "input"


def _nodes(order, index, gradients, parameters, output, names: Names) -> list[dict]:
    return [{
        "id": drawing_id(index[node]),
        "name": names[node],
        "kind": _kind(node, parameters, names),
        "data": number(node.data),
        "grad": number(gradients[node]) if node in gradients else None,
        "gradient_name": names.partial(output, node),
        "op": node.op.name if node.op else None,
        "symbol": node.op.symbol if node.op else None,
        "expression": names.expression(node) or None,
        "parents": [index[p] for p in node.parents],
    } for node in order]


def _backward_step(step, output, index, received: set, names: Names) -> dict:
    contributions = []
    for c in step.contributions:
        if names.is_constant(c.parent):
            continue  # a number written in the expression: shown as a constant, without a gradient
        contributions.append({
            "parent": index[c.parent], "rule": c.rule, "formula": c.formula,
            "gradient_name": names.partial(output, c.parent), "local": number(c.local),
            "added": number(c.added), "before": number(c.before), "after": number(c.after),
            "accumulates": c.parent in received,
        })
        received.add(c.parent)
    return {"phase": "backward", "node": index[step.node], "upstream": number(step.upstream),
            "upstream_name": names.partial(output, step.node), "contributions": contributions}


def _steps(order, index, records, output, names: Names) -> list[dict]:
    forward = [{"phase": "forward", "node": index[node]} for node in order if not node.is_leaf]
    received = {output}
    backward = [_backward_step(step, output, index, received, names) for step in records]
    return [{"phase": "start"}, *forward, *backward, {"phase": "update"}]


def _update(tape: Tape, output, parameters, gradients, learning_rate, index) -> dict:
    rows, new_data = [], []
    for p in parameters:
        g = gradients.get(p, 0.0)
        new_data.append(p.data - learning_rate * g)
        rows.append({"node": index[p], "data": number(p.data), "grad": number(g),
                     "step": number(learning_rate * g), "new": number(new_data[-1])})
    return {"learning_rate": learning_rate, "rows": rows, "loss": number(output.data),
            "new_loss": number(float(tape.forward(new_data)))}


def _chain(tape: Tape, output: Value, position: int, analytic: float, names: Names) -> dict:
    """The chain rule for ``tape.inputs[position]``, checked against central differences of the replay.

    The slopes come from replaying the recorded graph on nudged copies of the parameters' numbers:
    no Value is changed, so a graph another thread reads stays as it is.
    """
    parameter = tape.inputs[position]
    try:
        explanation = explain(output, parameter, max_paths=EXPLAIN_MAX_PATHS, names=names)
        chain = {"text": str(explanation), "head": explanation.head, "rows": explanation.rows(),
                 "total": number(explanation.total),
                 "terms": [[{"formula": f.formula, "value": number(f.value)} for f in term]
                           for term in explanation.terms]}
    except ValueError as error:
        chain = {"text": str(error), "head": None, "rows": [], "total": None, "terms": []}
    point = [p.data for p in tape.inputs]
    numeric = central_differences(tape.forward, point, indices=[position])[0]
    return {**chain, "numerical": number(numeric), "agrees": gradients_agree(analytic, numeric)}


def page_data(output: Value, parameters=None, learning_rate: float = 0.1, title: str | None = None) -> dict:
    """Everything the page shows: nodes (in ``topological_order``), steps, the update and each parameter's chain."""
    if not isinstance(output, Value):
        raise TypeError(f"explore: output must be a Value, got {type(output).__name__}")
    learning_rate = checked_learning_rate(learning_rate)
    order = topological_order(output)
    names = Names(output, order)
    chosen = checked_parameters(order, parameters, names)
    records = backward_steps(output, names)
    gradients = {output: 1.0}
    for step in records:
        for c in step.contributions:
            if not names.is_constant(c.parent):
                gradients[c.parent] = c.after
    index = numbered(order)
    tape = compile_graph(output, inputs=chosen)  # replays the graph with new parameter values
    explained = chosen[:max(1, CHAIN_BUDGET // len(order))]
    return {
        "format": FORMAT_VERSION,
        "title": title if title is not None else f"{names[output]} = {output.data:.4g}",
        "output": index[output],
        "loss_name": output.label or "C",  # short, for the update's ∂C/∂w
        "nodes": _nodes(order, index, gradients, set(chosen), output, names),
        "steps": _steps(order, index, records, output, names),
        "update": _update(tape, output, chosen, gradients, learning_rate, index),
        "chains": {str(index[p]): _chain(tape, output, position, gradients.get(p, 0.0), names)
                   for position, p in enumerate(explained)},
        "chains_left_out": len(chosen) - len(explained),
    }
