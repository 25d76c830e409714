"""What the explorer page replays, as plain JSON-ready data built from the engine's own records.

Every number here comes from the engine: values from the forward pass, gradients and local
derivatives from ``autograd.backward_steps``, chains from ``autograd.explain``, the new loss and
the numerical gradients from replaying the graph forward (``autograd.compile``'s tape) with new
parameter values. The page only displays them.
"""
from __future__ import annotations

from collections.abc import Sequence

from autograd import (
    Names,
    Tape,
    Value,
    backward_steps,
    central_differences,
    explain,
    gradients_agree,
    name_of,
    topological_order,
)
from autograd import argument_checks as check
from autograd import compile as compile_graph

from .chain import ALIAS_KEYS
from .dot import DEFAULT_MAX_NODES, drawing_id, numbered
from .explorer_levels import network_data
from .explorer_network import (
    MADE_FROM,
    NETWORK_MAX_NODES,
    check_level,
    default_level,
    read_network,
    scalar_size_problem,
    scalar_view_note,
)
from .explorer_numbers import number
from .explorer_update import update_step
from .program import layer_step_lines

FORMAT_VERSION = 3  # of the page data; viz/assets/explorer.js refuses data of another version
EXPLAIN_MAX_PATHS = 64  # beyond this a parameter's chain is summarised, not listed
CHAIN_BUDGET = 100_000  # parameters × nodes: explain walks the graph once per parameter


def default_parameters(order: Sequence[Value], names: Names) -> list[Value]:
    """The labelled leaves (the Values a user named), or every non-constant leaf if none is labelled."""
    leaves = [node for node in order if node.is_leaf and not names.is_constant(node)]
    return [node for node in leaves if node.label] or leaves


def checked_parameters(order: Sequence[Value], parameters, names: Names) -> list[Value]:
    """``parameters`` as a list of distinct Values of the graph, or a ValueError/TypeError saying which is not."""
    if parameters is None:
        return default_parameters(order, names)
    in_graph, chosen, seen = set(order), [], set()
    for position, item in enumerate(check.items(parameters, "explore: parameters", "None or a list of Values")):
        check.instance(item, f"explore: parameters[{position}]", Value, "a Value (a leaf of the graph)")
        where = f"explore: parameter {position} ({name_of(item)})"
        if item not in in_graph:
            raise ValueError(f"{where} is not in the graph of the output")
        if not item.is_leaf or names.is_constant(item):
            raise ValueError(f"{where} must be a leaf the output is differentiated by; "
                             f"it is {'a constant' if item.is_leaf else 'computed by op ' + item.op.name}")
        if item not in seen:
            seen.add(item)
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


def _update(tape: Tape, output, parameters, gradients, learning_rate, index, optimizer) -> dict:
    update, new_data = update_step(parameters, gradients, learning_rate, output.label or "C", optimizer)
    for row, p in zip(update["rows"], parameters, strict=True):
        row["node"] = index[p]
    return {**update, "loss": number(output.data), "new_loss": number(float(tape.forward(new_data)))}


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


def recorded_gradients(output: Value, records, names: Names) -> dict[Value, float]:
    """Each node's gradient after the backward pass, read from the engine's records (constants left out)."""
    gradients = {output: 1.0}
    for step in records:
        for c in step.contributions:
            if not names.is_constant(c.parent):
                gradients[c.parent] = c.after
    return gradients


def page_data(output: Value, parameters=None, learning_rate: float = 0.1, title: str | None = None,
              level: str | None = None, max_nodes: int = DEFAULT_MAX_NODES, max_edges: int | None = None,
              optimizer=None, made_from: str = "python") -> dict:
    """Everything the page shows: the scalar view's nodes (in ``topological_order``), steps, the update and
    each parameter's chain, and for a network (``viz.explorer_network``) the neuron and layer views.

    ``level`` is the view the page opens on (``scalar``, ``neuron`` or ``layer``; default: the most
    detailed one that is readable on a screen, ``viz.explorer_network.default_level``). The scalar view
    is left out (and cannot be chosen) for a graph of more than ``max_nodes`` values or ``max_edges`` edges.
    ``optimizer`` (an ``nn.SGD`` or ``nn.Adam`` over the parameters) makes the update step its rule
    (``viz.explorer_update``); without it the step is plain gradient descent with ``learning_rate``.
    ``made_from`` (one of ``MADE_FROM``) words the note on a left-out scalar view for where the page is made.
    """
    if not isinstance(output, Value):
        raise TypeError(f"explore: output must be a Value, got {type(output).__name__}")
    learning_rate = checked_learning_rate(learning_rate)
    check_level(level)
    check.choice(made_from, "explore: made_from", MADE_FROM)
    scalar_refused = scalar_size_problem(output, max_nodes, max_edges)
    if scalar_refused and (level == "scalar" or scalar_size_problem(output, NETWORK_MAX_NODES, 2 * NETWORK_MAX_NODES)):
        raise scalar_refused  # too large for any view
    order = topological_order(output)
    names = Names(output, order)
    chosen = checked_parameters(order, parameters, names)
    network = read_network(output, order, names)
    if scalar_refused and network is None and level is None:
        raise scalar_refused  # no network: the scalar view is the only one
    level = level or default_level(order, network, not scalar_refused)
    if level != "scalar" and network is None:
        raise ValueError(f"explore: level={level!r} needs a network: the output or loss of an nn.MLP on one example "
                         f"(neurons written as Σ w·a + b, each weight used once; an L2 term or a sum over several "
                         f"examples uses the weights again). This graph has none: use the scalar view "
                         f"(level='scalar'; --level scalar from the shell), or explore one example's loss without "
                         f"the penalty")
    records = backward_steps(output, names)
    gradients = recorded_gradients(output, records, names)
    index = numbered(order)
    tape = compile_graph(output, inputs=chosen)  # replays the graph with new parameter values
    update = _update(tape, output, chosen, gradients, learning_rate, index, optimizer)
    forward_at = {node: k for k, node in enumerate((n for n in order if not n.is_leaf), start=1)}
    data = {
        "format": FORMAT_VERSION,
        "title": title if title is not None else f"{names[output]} = {output.data:.4g}",
        "level": level,
        "scalar_refused": scalar_refused and scalar_view_note(scalar_refused, made_from),
        "output": index[output],
        "loss_name": output.label or "C",  # short, for the update's ∂C/∂w
        "update": update,
        "network": None,
        "search_keys": ALIAS_KEYS,
    }
    steps = [None] * (len(records) + len(forward_at) + 2)  # start, forward, backward, update
    if not scalar_refused:
        steps = _steps(order, index, records, output, names)
        explained = chosen[:max(1, CHAIN_BUDGET // len(order))]
        data.update(nodes=_nodes(order, index, gradients, set(chosen), output, names), steps=steps,
                    chains={str(index[p]): _chain(tape, output, position, gradients.get(p, 0.0), names)
                            for position, p in enumerate(explained)},
                    chains_left_out=len(chosen) - len(explained))
    if network is not None:
        new_data = {p: row["new"] for p, row in zip(chosen, update["rows"], strict=True)}
        data["network"] = network_data(network, records, gradients, names, forward_at, new_data, len(steps),
                                       layer_step_lines(network, chosen, order, names))
        if not scalar_refused:
            data["scalar_layers"] = _layer_of_each(order, network)
    if scalar_refused:
        update["rows"] = []  # the layer views show the new weights as matrices
    return data


def _layer_of_each(order, network) -> list[int | str | None]:
    """For the scalar view's jump list: each node's layer (0 for an input), "cost" after the network."""
    owner = network.neuron_of()
    return [owner[node][0] if node in owner else (None if node.is_leaf else "cost") for node in order]
