"""The collapsed view of an ``nn`` model: one box per neuron (``Σ w·a + b → σ``), one edge per weight.

A 2-16-16-1 network becomes 35 boxes instead of ~700 scalar nodes. Node ids: ``in{k}`` for
input k, ``L{layer}n{j}`` for neuron j of a layer (layers counted from 1, as in the labels), and
``cost`` for the cost C₀ when a target is given (``viz.costs``: a classifier's own training loss
for the class given, else C₀ = Σ (a − y)²).
Edges are coloured by the weight's sign (blue positive, orange negative) and thickened by |w|.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence

import graphviz

import autograd
from autograd import OPS, subscript
from autograd import argument_checks as check
from nn import MLP

from .costs import checked_target, model_cost
from .dot import DEFAULT_MAX_NODES, FONT, checked_limits, format_number, html_text, within_limit
from .sources import model_inputs

POSITIVE, NEGATIVE = "#2166acb0", "#e08214b0"  # translucent, so crossing edges stay legible
MAX_PEN_WIDTH = 2.5


def activation_symbol(activation: str) -> str:
    """The ops table's symbol for a layer's activation (σ, tanh, ReLU); empty for linear."""
    return OPS[activation].symbol if activation in OPS else ""


def _activations(model, inputs: Sequence[float] | None) -> list[list[float]] | None:
    """Every layer's outputs for ``inputs`` (layer 0 is the input), computed without recording."""
    if inputs is None:
        return None
    with autograd.no_grad():
        layers = [[autograd.Value(x) for x in inputs]]
        for layer in model.layers:
            layers.append(layer(layers[-1]))
    return [[value.data for value in layer] for layer in layers]


def _box(title: str, lines: list[str]) -> str:
    rows = "".join(f"<tr><td>{line}</td></tr>" for line in lines)
    return (f'<<table border="0" cellspacing="0" cellpadding="2"><tr><td><b>{html_text(title)}</b></td></tr>'
            f"{rows}</table>>")


def _weight_style(weight, largest: float) -> dict[str, str]:
    share = abs(weight.data) / largest if largest else 0.0
    return {"color": POSITIVE if weight.data >= 0 else NEGATIVE,
            "penwidth": f"{0.3 + share * (MAX_PEN_WIDTH - 0.3):.2f}",
            "tooltip": f"{weight.label} = {format_number(weight.data)}, grad {format_number(weight.grad)}"}


def check_model_size(model, max_nodes: int = DEFAULT_MAX_NODES, max_edges: int | None = None) -> None:
    """ValueError naming the limit when the collapsed view of ``model`` has more boxes (inputs and
    neurons) than ``max_nodes`` or more edges (weights) than ``max_edges`` (default: twice ``max_nodes``)."""
    max_nodes, max_edges = checked_limits(max_nodes, max_edges)
    sizes = [model.nin, *model.nouts]
    boxes, weights = sum(sizes), sum(a * b for a, b in itertools.pairwise(sizes))
    within_limit("collapsed model", f"{boxes:,} boxes (inputs and neurons)", boxes, "max_nodes", max_nodes)
    within_limit("collapsed model", f"{weights:,} edges (one per weight)", weights, "max_edges", max_edges)


def draw_model(model, inputs: Sequence[float] | None = None, *, target: Sequence[float] | str | None = None,
               rankdir: str = "LR", max_nodes: int = DEFAULT_MAX_NODES,
               max_edges: int | None = None) -> graphviz.Digraph:
    """An ``nn.MLP`` as columns of neuron boxes; with ``inputs`` (for a model with a signature, the raw
    inputs it names, as ``nn predict`` takes them) each box shows its activation, and with a ``target``
    (for a classifier, its class index k or name) a last box shows the cost C₀: a classifier's own training loss,
    else Σ (a − y)² (``viz.costs``). A model of more than ``max_nodes`` boxes or ``max_edges``
    weights is refused first (``check_model_size``)."""
    check.instance(model, "model", MLP, "an nn.MLP")
    inputs = None if inputs is None else check.numbers(inputs, "inputs")
    target = checked_target(target)
    check_model_size(model, max_nodes, max_edges)
    raw, inputs = inputs, model_inputs(model, inputs, "this model")  # the raw inputs: standardized, features
    if target is not None and inputs is None:
        raise ValueError("a target needs the inputs too: the cost C₀ is computed from the model's outputs")
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' (left to right) or 'TB' (top down), got {rankdir!r}")
    values = _activations(model, inputs)
    largest = max((abs(w.data) for w in model.parameters()), default=0.0)
    graph = graphviz.Digraph("model", graph_attr={"rankdir": rankdir, "fontname": FONT, "ranksep": "2.5",
                                                  "splines": "line", "outputorder": "edgesfirst"},
                             node_attr={"fontname": FONT, "fontsize": "11", "shape": "box",
                                        "style": "rounded,filled", "fillcolor": "white"},
                             edge_attr={"arrowsize": "0.5"})
    boxes = [_box(f"a⁽⁰⁾{subscript(k)}", _input_lines(model.signature, k, raw, values[0]) if values else [])
             for k in range(model.nin)]
    previous = _column(graph, 0, "inputs", [f"in{k}" for k in range(model.nin)], boxes)
    for number, layer in enumerate(model.layers, start=1):
        names = _column(graph, number, f"layer {number}: {len(layer.neurons)} × {layer.neurons[0].activation}",
                        [f"L{number}n{j}" for j in range(len(layer.neurons))],
                        _neuron_boxes(layer, values[number] if values else None))
        for name, neuron in zip(names, layer.neurons, strict=True):
            for source, weight in zip(previous, neuron.w, strict=True):
                graph.edge(source, name, **_weight_style(weight, largest))
        previous = names
    if target is not None:
        _cost(graph, len(model.layers) + 1, model, previous, values[-1], target)
    return graph


def _cost(graph: graphviz.Digraph, number: int, model, outputs: list[str], activations: list[float],
          target: Sequence[float]) -> None:
    """The cost box after the output layer: its formula, the target it reads and its value."""
    with autograd.no_grad():
        cost = model_cost(model, [autograd.Value(a) for a in activations], target, "this model")
    _column(graph, number, "cost", ["cost"],
            [_box(cost.formula, [*map(html_text, cost.target), f"C₀ = {format_number(cost.value.data)}"])])
    for source in outputs:
        graph.edge(source, "cost", color="#888888")


def _column(graph: graphviz.Digraph, number: int, header: str, names: list[str], labels: list[str]) -> list[str]:
    """One layer as a rank of nodes under a header, kept in index order by invisible edges."""
    with graph.subgraph(name=f"layer{number}") as column:
        column.attr(rank="same")
        column.node(f"layer{number}", header, shape="plaintext", style="")
        for name, label in zip(names, labels, strict=True):
            column.node(name, label, id=name)
        chain = [f"layer{number}", *names]
        for upper, lower in itertools.pairwise(chain):
            column.edge(upper, lower, style="invis")
    return names


def _input_lines(signature, k: int, raw: Sequence[float], inputs: list[float]) -> list[str]:
    """What input k of the model is: a feature, a standardized column (its raw number first), or a number."""
    value = format_number(inputs[k])
    if signature is None:
        return [f"a = {value}"]
    if signature.features is not None:
        return [f"{html_text(signature.features[k])} = {value}"]
    if signature.standardize is not None:
        return [f"{html_text(signature.inputs[k])} = {format_number(raw[k])}", f"standardized: {value}"]
    return [f"{html_text(signature.inputs[k])} = {value}"]


def _neuron_boxes(layer, outputs: list[float] | None) -> list[str]:
    symbol = activation_symbol(layer.neurons[0].activation)
    rule = html_text("Σ w·a + b" + (f" → {symbol}" if symbol else ""))
    boxes = []
    for j, neuron in enumerate(layer.neurons):
        lines = [rule] + ([f"b = {format_number(neuron.b.data)}"] if neuron.b is not None else [])
        if outputs is not None:
            lines.append(f"a = {format_number(outputs[j])}")
        boxes.append(_box(neuron.a_label, lines))
    return boxes
