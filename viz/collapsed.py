"""The collapsed view of an ``nn`` model: one box per neuron (``Σ w·a + b → σ``), one edge per weight.

A 2-16-16-1 network becomes 35 boxes instead of ~700 scalar nodes. Node ids: ``in{k}`` for
input k, ``L{layer}n{j}`` for neuron j of a layer (layers counted from 1, as in the labels).
Edges are coloured by the weight's sign (blue positive, orange negative) and thickened by |w|.
"""
from __future__ import annotations

from typing import Sequence

import graphviz

import autograd
from autograd import OPS, subscript

from .dot import FONT, format_number, html_text

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


def draw_model(model, inputs: Sequence[float] | None = None, *, rankdir: str = "LR") -> graphviz.Digraph:
    """An ``nn.MLP`` as columns of neuron boxes; with ``inputs`` each box shows its activation."""
    if not hasattr(model, "layers") or not hasattr(model, "nin"):
        raise TypeError(f"draw_model needs an nn.MLP, got {type(model).__name__}")
    if inputs is not None and len(inputs) != model.nin:
        raise ValueError(f"this model takes {model.nin} inputs, got {len(inputs)}")
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' (left to right) or 'TB' (top down), got {rankdir!r}")
    values = _activations(model, inputs)
    largest = max((abs(w.data) for w in model.parameters()), default=0.0)
    graph = graphviz.Digraph("model", graph_attr={"rankdir": rankdir, "fontname": FONT, "ranksep": "2.5",
                                                  "splines": "line", "outputorder": "edgesfirst"},
                             node_attr={"fontname": FONT, "fontsize": "11", "shape": "box",
                                        "style": "rounded,filled", "fillcolor": "white"},
                             edge_attr={"arrowsize": "0.5"})
    boxes = [_box(f"a⁽⁰⁾{subscript(k)}", [f"a = {format_number(values[0][k])}"] if values else [])
             for k in range(model.nin)]
    previous = _column(graph, 0, "inputs", [f"in{k}" for k in range(model.nin)], boxes)
    for number, layer in enumerate(model.layers, start=1):
        names = _column(graph, number, f"layer {number}: {len(layer.neurons)} × {layer.neurons[0].activation}",
                        [f"L{number}n{j}" for j in range(len(layer.neurons))],
                        _neuron_boxes(layer, values[number] if values else None))
        for name, neuron in zip(names, layer.neurons):
            for source, weight in zip(previous, neuron.w):
                graph.edge(source, name, **_weight_style(weight, largest))
        previous = names
    return graph


def _column(graph: graphviz.Digraph, number: int, header: str, names: list[str], labels: list[str]) -> list[str]:
    """One layer as a rank of nodes under a header, kept in index order by invisible edges."""
    with graph.subgraph(name=f"layer{number}") as column:
        column.attr(rank="same")
        column.node(f"layer{number}", header, shape="plaintext", style="")
        for name, label in zip(names, labels):
            column.node(name, label, id=name)
        chain = [f"layer{number}"] + names
        for upper, lower in zip(chain, chain[1:]):
            column.edge(upper, lower, style="invis")
    return names


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
