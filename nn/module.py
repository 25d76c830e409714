"""Neurons, layers and multi-layer perceptrons built from the engine's Values.

Labels follow 3Blue1Brown's notation, layers counted from 1 (the inputs are layer 0):
``w⁽ᴸ⁾ⱼ,ₖ`` is the weight from neuron k of layer L−1 to neuron j of layer L, ``b⁽ᴸ⁾ⱼ`` its bias,
``z⁽ᴸ⁾ⱼ`` the weighted sum and ``a⁽ᴸ⁾ⱼ`` the activation. A neuron outside a network uses
``w₀ w₁ … b z a``.
"""
from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence

import autograd
from autograd import Value, subscript, superscript
from autograd import argument_checks as check

from . import model_json, pytorch_code

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
# Weights are drawn uniform in [−bound, bound): micrograd's [−1, 1), Glorot's or He's bound for the layer.
INITS = {"uniform": lambda nin, nout: 1.0,
         "xavier": lambda nin, nout: math.sqrt(6.0 / (nin + nout)),
         "he": lambda nin, nout: math.sqrt(6.0 / nin)}
MAX_PARAMETERS = 1_000_000  # a scalar Value takes ~200 bytes: a million parameters is ~0.2 GB before any graph


def checked_model(model: object, name: str = "model") -> MLP:
    """``model`` if it is an ``nn.MLP``, else TypeError naming the argument ``name``."""
    return check.instance(model, name, MLP, "an nn.MLP (a network built by nn.MLP or nn.load)")


def check_parameter_count(count: int, what: str) -> None:
    """ValueError naming MAX_PARAMETERS when ``what`` would have more parameters, before any is made."""
    if count > MAX_PARAMETERS:
        raise ValueError(f"{what} would have {count:,} parameters, more than the limit of {MAX_PARAMETERS:,} "
                         f"(nn.MAX_PARAMETERS); use smaller layers")


class Module:
    """Anything with parameters: ``parameters()`` lists them, ``zero_grad()`` resets their grads."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (leaves accumulate across backward passes)."""
        for parameter in self.parameters():
            parameter.grad = 0.0


class Neuron(Module):
    """``a = activation(Σ wᵢ·xᵢ + b)``; the sum is one n-ary node, linear means no activation node."""

    def __init__(self, nin: int, activation: str = "relu", bias: bool = True,
                 rng: random.Random | None = None, layer: int | None = None, index: int = 0,
                 bound: float = 1.0) -> None:
        check.count(nin, "Neuron: nin (the number of inputs)")
        check_parameter_count(nin + check.flag(bias, "Neuron: bias"), f"a neuron with {nin} inputs")
        self.activation = check.choice(activation, "Neuron: activation", ACTIVATIONS)
        check.instance(rng, "Neuron: rng", (random.Random, type(None)), "None or a random.Random")
        layer = None if layer is None else check.count(layer, "Neuron: layer")
        check.count(index, "Neuron: index", at_least=0)
        check.real(bound, "Neuron: bound", at_least=0)
        rng = rng or random.Random()
        mark = "" if layer is None else f"⁽{superscript(layer)}⁾{subscript(index)}"
        sep = "" if layer is None else ","
        self.w = [Value(rng.uniform(-bound, bound), f"w{mark}{sep}{subscript(k)}") for k in range(nin)]
        self.b = Value(0.0, f"b{mark}") if bias else None
        self.z_label, self.a_label = f"z{mark}", f"a{mark}"

    def __call__(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"this neuron expects {len(self.w)} inputs, got {len(x)}")
        terms = [wi * xi for wi, xi in zip(self.w, x, strict=False)]  # checked above; a hot path
        z = autograd.sum([*terms, self.b] if self.b is not None else terms, label=self.z_label)
        if self.activation == "linear":
            return z
        a = getattr(z, self.activation)()
        a.label = self.a_label
        return a

    def parameters(self) -> list[Value]:
        return self.w + ([self.b] if self.b is not None else [])

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, {self.activation})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; calling returns their outputs as a list."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", bias: bool = True,
                 rng: random.Random | None = None, layer: int | None = None, init: str = "uniform") -> None:
        check.count(nout, "Layer: nout (the number of neurons)")
        check_parameter_count(nout * (check.count(nin, "Layer: nin (the number of inputs)")
                                      + check.flag(bias, "Layer: bias")),
                              f"a layer of {nout} neurons with {nin} inputs")
        check.choice(init, "Layer: init", INITS)
        check.choice(activation, "Layer: activation", ACTIVATIONS)
        check.instance(rng, "Layer: rng", (random.Random, type(None)), "None or a random.Random")
        layer = None if layer is None else check.count(layer, "Layer: layer")
        rng = rng or random.Random()
        bound = INITS[init](nin, nout)
        self.neurons = [Neuron(nin, activation, bias, rng, layer, j, bound) for j in range(nout)]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer({len(self.neurons[0].w)} → {len(self.neurons)}, {self.neurons[0].activation})"


class MLP(Module):
    """A multi-layer perceptron: ``activation`` on hidden layers, ``output_activation`` on the last.

    Weights start uniform in [−1, 1) and biases at 0, drawn with ``random.Random(seed)`` in
    micrograd's order, so ``seed`` reproduces micrograd's network after ``random.seed(seed)``.
    ``init="xavier"`` narrows each layer's range to ±√(6/(nin+nout)), ``"he"`` to ±√(6/nin).
    ``signature`` (None, or an ``nn.Signature``) says what the inputs and outputs mean; files keep it.
    ``trained_steps`` is the optimiser steps recorded with the model (saved in its file; ``python -m nn
    train --resume`` continues the step count and the schedule from it; ``nn.fit`` leaves it alone).
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu", seed: int | None = None,
                 output_activation: str = "linear", bias: bool = True, init: str = "uniform") -> None:
        self.nin = check.count(nin, "MLP: nin (the number of inputs)")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise check.wrong_type("MLP: nouts", "a non-empty list of layer sizes", nouts)
        if not nouts:
            raise check.wrong_value("MLP: nouts", "a non-empty list of layer sizes", nouts)
        self.nouts = [check.count(n, f"MLP: nouts[{i}] (a layer size)") for i, n in enumerate(nouts)]
        self.activation = check.choice(activation, "MLP: activation", ACTIVATIONS)
        self.output_activation = check.choice(output_activation, "MLP: output_activation", ACTIVATIONS)
        self.bias = check.flag(bias, "MLP: bias")
        check.choice(init, "MLP: init", INITS)
        self.trained_steps = 0
        rng = random.Random(check.seed(seed, "MLP: seed"))
        sizes = [self.nin, *self.nouts]
        check_parameter_count(sum(n * (m + self.bias) for m, n in itertools.pairwise(sizes)),
                              f"an MLP of sizes {', '.join(map(str, sizes))}")
        last = len(self.nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation,
                             self.bias, rng, layer=i + 1, init=init) for i in range(len(self.nouts))]
        self.signature = None

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        if isinstance(x, (Value, int, float)) or not hasattr(x, "__len__"):
            raise ValueError(f"this MLP expects a list of {self.nin} inputs, got {x!r:.60}")
        if len(x) != self.nin:
            raise ValueError(f"this MLP expects {self.nin} inputs, got {len(x)}")
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def get_weights(self) -> list[tuple[list[list[float]], list[float] | None]]:
        """Per layer ``(W, b)``: W has one row per neuron (nout × nin, PyTorch's layout); b is None without biases."""
        return [([[w.data for w in n.w] for n in layer.neurons],
                 [n.b.data for n in layer.neurons] if self.bias else None) for layer in self.layers]

    def set_weights(self, layers: Sequence[tuple[Sequence[Sequence[float]], Sequence[float] | None]]) -> None:
        """Overwrite every weight and bias from ``get_weights()``'s layout; nothing changes unless
        every shape and number is right (finite numbers, one row per neuron)."""
        layers = check.sequence(layers, "set_weights: layers", f"{len(self.layers)} (weights, biases) pairs, "
                                f"one per layer", length=len(self.layers))
        checked = [_checked_layer(number, layer, pair, self.bias)
                   for number, (layer, pair) in enumerate(zip(self.layers, layers, strict=True), start=1)]
        for layer, (matrix, biases) in zip(self.layers, checked, strict=True):
            for j, neuron in enumerate(layer.neurons):
                for w, number in zip(neuron.w, matrix[j], strict=True):
                    w.data = number
                if biases is not None:
                    neuron.b.data = biases[j]

    def save(self, path) -> None:
        """Write the architecture and weights as JSON, atomically (see ``nn.load``)."""
        model_json.write(self, path)

    def torch_code(self, path="model.safetensors") -> str:
        """The PyTorch lines that build this network as an ``nn.Sequential`` and load ``nn.export(self, path)``."""
        return pytorch_code.torch_code(self, path)

    def __repr__(self) -> str:
        hidden = "".join(f" → {n} {self.activation}" for n in self.nouts[:-1])
        return (f"MLP({self.nin}{hidden} → {self.nouts[-1]} {self.output_activation}, "
                f"{len(self.parameters())} parameters)")


def _checked_layer(number: int, layer: Layer, pair: object, bias: bool):
    """One layer's weights and biases for ``set_weights`` as floats, or an error naming the first bad one."""
    where = f"set_weights: layer {number}"
    matrix, biases = check.sequence(pair, where, "a (weights, biases) pair", length=2)
    nout, nin = len(layer.neurons), len(layer.neurons[0].w)
    shape = f"{nout} rows of {nin} numbers"
    rows = [[check.real(w, f"{where}: weight [{j}][{k}]")
             for k, w in enumerate(check.sequence(row, f"{where}: weights", shape, length=nin))]
            for j, row in enumerate(check.sequence(matrix, f"{where}: weights", shape, length=nout))]
    if not bias:
        if biases is not None:
            raise check.wrong_value(f"{where}: biases", "None (this MLP has no biases)", biases)
        return rows, None
    return rows, [check.real(b, f"{where}: bias [{j}]")
                  for j, b in enumerate(check.sequence(biases, f"{where}: biases", f"{nout} numbers", length=nout))]
