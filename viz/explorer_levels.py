"""The neuron and layer views' data: the scalar engine's recorded numbers, gathered per neuron and per layer.

Nothing here differentiates anything. Every gradient is one the engine recorded in its backward pass
(``autograd.backward_steps``): ∂C/∂a⁽ᴸ⁾ⱼ, δ⁽ᴸ⁾ⱼ = ∂C/∂z⁽ᴸ⁾ⱼ and ∂C/∂w⁽ᴸ⁾ⱼ,ₖ are the final gradients of those
Values, σ'(z⁽ᴸ⁾ⱼ) is the local derivative recorded at the activation's step, and each term
w⁽ᴸ⁾ⱼ,ₖ · σ'(z⁽ᴸ⁾ⱼ) · ∂C/∂a⁽ᴸ⁾ⱼ of ∂C/∂a⁽ᴸ⁻¹⁾ₖ is the contribution the product ``w·a`` sent to aₖ.
The layer view shows the same numbers as vectors and matrices; the steps of both views point to the
matching step of the level below (``down``) and above (``up``).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from autograd import OPS, Names, Step, Value, superscript

from .explorer_network import NetworkNodes
from .explorer_numbers import number, numbers

IMAGE_SIDES = range(7, 65)  # an input layer of side² values (49 … 4096) is shown as a side × side image
# Each activation in numpy, as the tutorials write it: (a from z, σ'(z) from a and z).
NUMPY_ACTIVATIONS = {"sigmoid": ("1 / (1 + np.exp(-{z}))", "{a} * (1 - {a})"), "tanh": ("np.tanh({z})", "(1 - {a}**2)"),
                     "relu": ("np.maximum({z}, 0)", "({z} > 0)"), "linear": ("{z}", "1")}


def layer_formulas(number_: int, activation: str, loss: str) -> dict:
    """Layer ``number_``'s formulas in 3Blue1Brown's notation, each beside its numpy line (Trask's style),
    and the neuron view's formulas; ``symbol`` is the activation's symbol in the ops table ("" for linear)."""
    up, down = f"⁽{superscript(number_)}⁾", f"⁽{superscript(number_ - 1)}⁾"
    z, a, a_in, w, b, d = f"z{number_}", f"a{number_}", f"a{number_ - 1}", f"W{number_}", f"b{number_}", f"d{number_}"
    symbol = OPS[activation].symbol if activation in OPS else ""
    forward_a, slope = (rule.format(z=z, a=a) for rule in NUMPY_ACTIVATIONS[activation])
    applied = f"{symbol}(z{up})" if symbol else f"z{up} (linear)"
    times, each = (f"{symbol}'(z{up}) ⊙ ", f"{symbol}'(z{up}ⱼ) · ") if symbol else ("", "")
    grad_a = f"∂{loss}/∂a{up}"
    return {
        "forward": [[f"z{up} = W{up} a{down} + b{up}", f"{z} = {w} @ {a_in} + {b}"],
                    [f"a{up} = {applied}", f"{a} = {forward_a}"]],
        "backward": [[f"δ{up} = {times}{grad_a}", f"{d} = {slope} * dC_d{a}" if symbol else f"{d} = dC_d{a}"],
                     [f"∂{loss}/∂W{up} = δ{up} a{down}ᵀ", f"dC_d{w} = np.outer({d}, {a_in})"],
                     [f"∂{loss}/∂b{up} = δ{up}", f"dC_d{b} = {d}"],
                     [f"∂{loss}/∂a{down} = W{up}ᵀ δ{up}", f"dC_d{a_in} = {w}.T @ {d}"]],
        "update": [[f"W{up} ← W{up} − lr · ∂{loss}/∂W{up}", f"{w} -= lr * dC_d{w}"],
                   [f"b{up} ← b{up} − lr · ∂{loss}/∂b{up}", f"{b} -= lr * dC_d{b}"]],
        "neuron": [f"Σ w·a + b → {symbol}" if symbol else "Σ w·a + b (linear)",
                   f"∂{loss}/∂a{down}ₖ = Σⱼ w{up}ⱼ,ₖ · {each}{grad_a}ⱼ",
                   f"δ{up}ⱼ = {each}{grad_a}ⱼ",
                   f"∂{loss}/∂w{up}ⱼ,ₖ = a{down}ₖ · δ{up}ⱼ"],
        "names": [f"W{up}", f"b{up}", f"z{up}", f"a{up}", f"a{down}", f"δ{up}"],
        "symbol": symbol,
    }


class Recorded:
    """The engine's backward records, looked up by node: each node's final gradient and what it sent."""

    def __init__(self, records: Sequence[Step], gradients: dict[Value, float]) -> None:
        self.gradients = gradients
        self.visit = {step.node: position for position, step in enumerate(records)}
        self.records = records
        self.last_received: dict[Value, int] = {}
        for position, step in enumerate(records):
            for contribution in step.contributions:
                self.last_received[contribution.parent] = position

    def grad(self, node: Value) -> float | None:
        return self.gradients.get(node)

    def sent(self, node: Value, parent: Value):
        """The contribution ``node``'s backward step sent to ``parent``."""
        step = self.records[self.visit[node]]
        return next(c for c in step.contributions if c.parent is parent)

    def completed_at(self, node: Value) -> int:
        """The backward record after which ``node``'s gradient is final (its visit, or a leaf's last contribution)."""
        return self.visit.get(node, self.last_received.get(node, 0))


def _layer(number_: int, layer, recorded: Recorded, names: Names, new_data: dict, loss: str) -> dict:
    neurons = layer.neurons
    activation = neurons[0].activation
    slopes = [recorded.sent(n.a, n.z).local if n.a is not n.z else None for n in neurons]
    has_bias = neurons[0].bias is not None
    return {
        "number": number_, "size": len(neurons), "activation": activation,
        "formulas": layer_formulas(number_, activation, loss),
        "a_names": [names[n.a] for n in neurons], "z_names": [names[n.z] for n in neurons],
        "b_names": [names[n.bias] for n in neurons] if has_bias else None,
        "w_names": [[names[w] for w in n.weights] for n in neurons],
        "W": [numbers(w.data for w in n.weights) for n in neurons],
        "b": numbers(n.bias.data for n in neurons) if has_bias else None,
        "z": numbers(n.z.data for n in neurons), "a": numbers(n.a.data for n in neurons),
        "slope": numbers(slopes),
        "grad_a": numbers(recorded.grad(n.a) for n in neurons),
        "delta": numbers(recorded.grad(n.z) for n in neurons),
        "grad_W": [numbers(recorded.grad(w) for w in n.weights) for n in neurons],
        "grad_b": numbers(recorded.grad(n.bias) for n in neurons) if has_bias else None,
        "terms": [numbers(recorded.sent(p, p.parents[1]).added for p in n.products) for n in neurons],
        "new_W": [numbers(new_data.get(w, w.data) for w in n.weights) for n in neurons],
        "new_b": numbers(new_data.get(n.bias, n.bias.data) for n in neurons) if has_bias else None,
    }


def _inputs(network: NetworkNodes, recorded: Recorded, names: Names) -> dict:
    values = network.inputs
    side = math.isqrt(len(values))
    grads = [recorded.grad(value) for value in values]
    return {"names": [names[value] for value in values], "a": numbers(value.data for value in values),
            "grad": None if all(g is None for g in grads) else numbers(grads),
            "image": side if side * side == len(values) and side in IMAGE_SIDES else None}


class _StepMaker:
    """Both coarse views' steps, each pointing to the matching step of the scalar view (its index)."""

    def __init__(self, network: NetworkNodes, recorded: Recorded, forward_at: dict[Value, int],
                 backward_from: int) -> None:
        self.network, self.recorded = network, recorded
        self.forward_at, self.backward_from = forward_at, backward_from

    def scalar_forward(self, node: Value) -> int:
        return self.forward_at[node]

    def scalar_backward(self, node: Value) -> int:
        return self.backward_from + self.recorded.completed_at(node)

    def neuron_steps(self) -> list[dict]:
        layers, cost = self.network.layers, self.network.has_cost
        steps = [{"phase": "start", "scalar": 0}]
        for number_, layer in enumerate(layers, start=1):
            steps += [{"phase": "forward", "layer": number_, "neuron": j, "scalar": self.scalar_forward(n.a)}
                      for j, n in enumerate(layer.neurons)]
        if cost:
            steps.append({"phase": "forward", "layer": "cost", "scalar": self.backward_from - 1})
            steps.append({"phase": "backward", "layer": "cost", "scalar": self.backward_from})
        for number_ in range(len(layers), -1, -1):
            outputs = layers[number_ - 1].outputs if number_ else self.network.inputs
            if number_ == 0 and all(self.recorded.grad(value) is None for value in outputs):
                continue  # constant inputs: nothing flows back to them
            steps += [{"phase": "backward", "layer": number_, "neuron": j, "scalar": self.scalar_backward(value)}
                      for j, value in enumerate(outputs)]
        return steps

    def layer_steps(self) -> list[dict]:
        layers, cost = self.network.layers, self.network.has_cost
        steps = [{"phase": "start", "scalar": 0}]
        steps += [{"phase": "forward", "layer": number_, "scalar": self.scalar_forward(layer.outputs[-1])}
                  for number_, layer in enumerate(layers, start=1)]
        if cost:
            steps.append({"phase": "forward", "layer": "cost", "scalar": self.backward_from - 1})
            steps.append({"phase": "backward", "layer": "cost", "scalar": self.backward_from})
        steps += [{"phase": "backward", "layer": number_,
                   "scalar": self.scalar_backward(layers[number_ - 1].inputs[-1])}
                  for number_ in range(len(layers), 0, -1)]
        return steps


def _link(coarse: list[dict], fine: list[dict], key: str) -> None:
    """Give each coarse step the first fine step of the same phase and layer (``down``), and each fine
    step its coarse step (``up``); a neuron of layer L−1 receives its gradient at layer L's step."""
    position = {}
    for index, step in enumerate(coarse):
        position.setdefault((step["phase"], step.get("layer")), index)
    for index, step in enumerate(fine):
        layer = step.get("layer")
        if step["phase"] == "backward" and layer == 0:
            layer = 1
        step[key] = position.get((step["phase"], layer), 0)
        coarse[step[key]].setdefault("down", index)


def network_data(network: NetworkNodes, records: Sequence[Step], gradients: dict[Value, float], names: Names,
                 forward_at: dict[Value, int], new_data: dict[Value, float], scalar_steps: int) -> dict:
    """The neuron and layer views: per-layer vectors and matrices of recorded numbers, and both views' steps.

    ``forward_at`` maps each computed node to its scalar forward step; the scalar backward steps start
    right after them; ``new_data`` is each parameter's number after the update step. The update step is
    appended to both views' steps (the scalar view's last step, ``scalar_steps - 1``).
    """
    recorded = Recorded(records, gradients)
    maker = _StepMaker(network, recorded, forward_at, 1 + len(forward_at))
    neuron_steps, layer_steps = maker.neuron_steps(), maker.layer_steps()
    for steps in (neuron_steps, layer_steps):
        steps.append({"phase": "update", "scalar": scalar_steps - 1})
    _link(layer_steps, neuron_steps, "up")
    output = network.output
    loss = output.label or "C"
    return {
        "inputs": _inputs(network, recorded, names),
        "layers": [_layer(k, layer, recorded, names, new_data, loss)
                   for k, layer in enumerate(network.layers, start=1)],
        "cost": {"name": names[output], "value": number(output.data)} if network.has_cost else None,
        "neuron_steps": neuron_steps, "layer_steps": layer_steps,
    }
