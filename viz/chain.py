"""The four-neuron network of 3Blue1Brown's backpropagation lesson, in the lesson's notation.

An input a⁽⁰⁾ feeds three sigmoid neurons of one unit each::

    z⁽ᴸ⁾ = w⁽ᴸ⁾·a⁽ᴸ⁻¹⁾ + b⁽ᴸ⁾,   a⁽ᴸ⁾ = σ(z⁽ᴸ⁾),   C₀ = (a⁽³⁾ − y)²

Every node carries its label, so ``autograd.explain(net.output, net["w3"])`` prints
∂C₀/∂w⁽³⁾ = a⁽²⁾ · σ'(z⁽³⁾) · 2(a⁽³⁾ − y) with numbers.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import autograd
from autograd import Value, plain_digits, subscript, superscript
from autograd import argument_checks as check

LAYERS = 3
# How a typed name finds a label, here and in the explorer's search box (w2_1_0 finds w⁽²⁾₁,₀): raised and
# lowered digits read as digits, a layer's closing bracket and the comma as "_"; each character is mapped so,
# then "_" is trimmed at the ends.
ALIAS_KEYS = {**{ch: plain_digits(ch) for ch in superscript("0123456789") + subscript(1234567890)},
              "⁽": "", "⁾": "_", ",": "_", " ": ""}
MAX_LISTED = 24  # labels named in a "no such node" error

# Defaults chosen so every value and gradient reads well with four decimals.
DEFAULT_A0 = 0.5
DEFAULT_Y = 1.0
DEFAULT_W = (1.5, -2.0, 2.5)
DEFAULT_B = (0.5, 1.0, -0.5)


def layer_label(letter: str, layer: int) -> str:
    """``w⁽³⁾`` for ``("w", 3)``: the lesson's superscript layer index."""
    check.text(letter, "letter")
    check.integer(layer, "layer", at_least=0)
    return f"{letter}⁽{superscript(layer)}⁾"


def ascii_alias(label: str) -> str:
    """The label as typed on a plain keyboard, for matching (``ALIAS_KEYS``, as the explorer's search box
    reads it): ``w⁽³⁾`` -> ``w3``, ``C₀`` -> ``C0``, ``w⁽²⁾₁,₀`` -> ``w2_1_0``."""
    return "".join(ALIAS_KEYS.get(ch, ch) for ch in check.text(label, "label").strip()).strip("_")


@dataclass
class Network:
    """A built graph: ``output`` (the cost), ``parameters`` in update order, ``nodes`` by label."""

    output: Value
    parameters: list[Value]
    nodes: dict[str, Value] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Value:
        """A node by exact label (``"w⁽³⁾"``) or ASCII alias (``"w3"``)."""
        return find_node(self.nodes.values(), name)


def find_node(nodes: Iterable[Value], name: str) -> Value:
    """The node labelled ``name``, or the one whose ASCII alias matches; ValueError listing the labels."""
    check.text(name, "name")
    nodes = [check.instance(node, f"nodes[{i}]", Value, "a Value")
             for i, node in enumerate(check.items(nodes, "nodes", "a list of Values"))]
    labelled = [node for node in nodes if node.label]
    matches = [node for node in labelled if node.label == name] or \
              [node for node in labelled if ascii_alias(node.label) == ascii_alias(name)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"{name!r} matches {len(matches)} nodes ({', '.join(n.label for n in matches)}); "
                         f"label them differently")
    labels = [node.label for node in labelled]
    shown = ", ".join(labels[:MAX_LISTED]) + (f", … ({len(labels)} in all)" if len(labels) > MAX_LISTED else "")
    raise ValueError(f"no node named {name!r}; the labelled nodes are: {shown or 'none'} "
                     f"(ASCII aliases such as w3 for w⁽³⁾ and w2_1_0 for w⁽²⁾₁,₀ work too)")


def _three(values: Sequence[float], name: str) -> tuple[float, ...]:
    values = tuple(check.numbers(values, name))
    if len(values) != LAYERS:
        raise ValueError(f"{name} needs {LAYERS} numbers, one per neuron, got {len(values)}")
    return values


def four_neuron(a0: float = DEFAULT_A0, y: float = DEFAULT_Y,
                w: Sequence[float] = DEFAULT_W, b: Sequence[float] = DEFAULT_B) -> Network:
    """Build a⁽⁰⁾ → three sigmoid neurons → C₀ = (a⁽³⁾ − y)², forward only (call ``backward()``)."""
    a0, y = check.real(a0, "a0"), check.real(y, "y")
    w, b = _three(w, "w"), _three(b, "b")
    activation = Value(a0, layer_label("a", 0))
    nodes = {activation.label: activation}
    parameters = []
    for layer in range(1, LAYERS + 1):
        weight = Value(w[layer - 1], layer_label("w", layer))
        bias = Value(b[layer - 1], layer_label("b", layer))
        z = autograd.sum([weight * activation, bias], label=layer_label("z", layer))
        activation = z.sigmoid()
        activation.label = layer_label("a", layer)
        parameters += [weight, bias]
        nodes.update({node.label: node for node in (weight, bias, z, activation)})
    target = Value(y, "y")
    cost = (activation - target) ** 2
    cost.label = "C" + subscript(0)
    nodes.update({target.label: target, cost.label: cost})
    return Network(cost, parameters, nodes)
