"""What the commands draw: the built-in graphs by name, or a model saved by ``nn`` with an input.

``resolve(name_or_path, inputs, target)`` builds the graph, runs ``backward()`` on its output and
returns a :class:`Source`. With a ``target`` the output becomes the cost C₀ = Σ (a − y)².
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import autograd
from autograd import Value, subscript, topological_order
from autograd import argument_checks as check
from nn.signature import listed

from .chain import DEFAULT_A0, DEFAULT_Y, find_node, four_neuron

KARPATHY_BIAS = 6.8813735870195432  # makes n = 0.8814, so o = tanh(n) = 0.7071 (Karpathy's lecture)


@dataclass
class Source:
    """A graph ready to draw: ``output`` after ``backward()``, the ``parameters`` a step updates."""

    output: Value
    parameters: list[Value]
    title: str
    model: object | None = None  # the nn.MLP, for a saved model (the collapsed view)

    def find(self, name: str) -> Value:
        """A node of the graph by label (``w⁽³⁾``) or ASCII alias (``w3``); ValueError listing labels."""
        return find_node(topological_order(self.output), name)


def _checked_numbers(values: Sequence[float] | None, count: int, what: str, source: str) -> list[float] | None:
    """``values`` as floats once they are ``count`` finite numbers (None when not given), else a ValueError."""
    if values is None:
        return None
    values = list(values)
    if len(values) != count:
        raise ValueError(f"{source} takes {count} number{'s' * (count != 1)} as {what}, got {len(values)}")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{source}: {what} must be finite numbers, got {value!r}")
    return [float(value) for value in values]


def with_cost(outputs: list[Value], target: Sequence[float] | None, source: str) -> Value:
    """The single output, or with a target the lesson's cost C₀ = Σ (a − y)² (labelled y, C₀)."""
    if target is None:
        if len(outputs) != 1:
            raise ValueError(f"{source} has {len(outputs)} outputs; give a target with {len(outputs)} "
                             f"numbers to draw the cost C₀ instead")
        return outputs[0]
    wanted = _checked_numbers(target, len(outputs), "the target", source)
    names = ["y"] if len(wanted) == 1 else [f"y{subscript(j)}" for j in range(len(wanted))]
    squares = [(a - Value(y, name)) ** 2 for a, y, name in zip(outputs, wanted, names)]
    cost = squares[0] if len(squares) == 1 else autograd.sum(squares)
    cost.label = "C₀"
    return cost



def _four_neuron(inputs, target) -> Source:
    a0 = _checked_numbers(inputs, 1, "the input a⁽⁰⁾", "four-neuron")
    y = _checked_numbers(target, 1, "the target y", "four-neuron")
    network = four_neuron(a0=a0[0] if a0 else DEFAULT_A0, y=y[0] if y else DEFAULT_Y)
    return Source(network.output, network.parameters,
                  "3Blue1Brown's four-neuron network: C₀ = (a⁽³⁾ − y)²")


def _neuron(inputs, target) -> Source:
    x = _checked_numbers(inputs, 2, "the inputs x1, x2", "neuron") or [2.0, 0.0]
    x1, x2 = Value(x[0], "x1"), Value(x[1], "x2")
    w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(KARPATHY_BIAS, "b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    weighted = x1w1 + x2w2
    weighted.label = "x1*w1 + x2*w2"
    n = weighted + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return Source(with_cost([o], target, "neuron"), [w1, w2, b],
                  "Karpathy's neuron: o = tanh(x1·w1 + x2·w2 + b)")


def _micrograd_example(inputs, target) -> Source:
    start = _checked_numbers(inputs, 2, "the inputs a, b", "micrograd-example") or [-4.0, 2.0]
    a, b = Value(start[0], "a"), Value(start[1], "b")
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    g.label = "g"
    return Source(with_cost([g], target, "micrograd-example"), [a, b],
                  "micrograd's README expression: g(a, b)")


def model_inputs(model, inputs: Sequence[float] | None, source: str) -> list[float] | None:
    """The numbers ``model`` itself takes for the raw ``inputs`` its signature names (its features applied),
    as ``python -m nn predict`` takes them; a model without a signature takes its inputs as they are."""
    signature = getattr(model, "signature", None)
    if signature is None:
        return _checked_numbers(inputs, model.nin, "the input", source)
    raw = _checked_numbers(inputs, len(signature.inputs), f"the input ({listed(signature.inputs)})", source)
    return None if raw is None else signature.prepare([raw])[0].tolist()


def class_target(model, target: Sequence[float] | None, source: str) -> Sequence[float] | None:
    """For a classifier of several outputs, one number k stands for the one-hot target of class k."""
    classes = getattr(model.signature, "classes", None)
    if target is None or len(target) != 1 or classes is None or model.nouts[-1] < 2:
        return target
    index = _checked_numbers(target, 1, "the target", source)[0]
    if index not in range(len(classes)):
        raise ValueError(f"{source}: a one-number target is a class index: "
                         f"{listed(f'{k} {name}' for k, name in enumerate(classes))}; got {index:g}")
    return [float(k == index) for k in range(len(classes))]


def _saved_model(path: Path, inputs, target, check_model: Callable | None = None) -> Source:
    import nn

    try:
        model = nn.load(path)
    except FileNotFoundError:
        raise ValueError(f"no such model file: {path}") from None
    if check_model is not None:
        check_model(model)
    numbers = model_inputs(model, inputs, str(path))
    target = class_target(model, target, str(path))
    if numbers is None:
        names = model.signature.inputs if model.signature else [f"x{k + 1}" for k in range(model.nin)]
        example = f"e.g. --input {','.join(['0.5'] * len(names))} " if len(names) <= 8 else ""
        raise ValueError(f"{path} is a model with {len(names)} inputs: give them as an input, "
                         f"{example}({listed(names)})")
    first = [Value(x, f"a⁽⁰⁾{subscript(k)}") for k, x in enumerate(numbers)]
    outputs = model(first)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    title = f"{path.name}: {model!r}"
    if model.signature is not None and model.signature.features is not None:
        title += (f"; its inputs a⁽⁰⁾ are the features {', '.join(model.signature.features)} "
                  f"of ({listed(model.signature.inputs)})")
    return Source(with_cost(outputs, target, str(path)), model.parameters(), title, model=model)


BUILTINS: dict[str, Callable[..., Source]] = {
    "four-neuron": _four_neuron, "neuron": _neuron, "micrograd-example": _micrograd_example}


def resolve(name_or_path: str, inputs: Sequence[float] | None = None,
            target: Sequence[float] | None = None, check_model: Callable | None = None) -> Source:
    """A built-in graph by name, or a ``MODEL.json`` saved by ``nn``, with gradients filled in.

    ``check_model(model)`` sees a saved model before its graph is built (to refuse a size early).
    """
    inputs = None if inputs is None else check.numbers(inputs, "inputs")
    target = None if target is None else check.numbers(target, "target")
    if check_model is not None:
        check.function(check_model, "check_model", "None or a function model -> None")
    if isinstance(name_or_path, os.PathLike):
        name_or_path = os.fspath(name_or_path)
    if not isinstance(name_or_path, str):
        raise check.wrong_type("name_or_path", f"a name ({', '.join(BUILTINS)}) or the path of a MODEL.json",
                               name_or_path)
    if name_or_path in BUILTINS:
        source = BUILTINS[name_or_path](inputs, target)
    elif name_or_path.endswith(".json") or Path(name_or_path).is_file():
        source = _saved_model(Path(name_or_path), inputs, target, check_model)
    else:
        raise ValueError(f"unknown source {name_or_path!r}; use one of {', '.join(BUILTINS)} "
                         f"or the path of a MODEL.json saved by nn")
    source.output.backward()
    return source
