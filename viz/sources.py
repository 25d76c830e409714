"""What the commands draw: the built-in graphs by name, or a model saved by ``nn`` with an input.

``resolve(name_or_path, inputs, target)`` builds the graph, runs ``backward()`` on its output and
returns a :class:`Source`. With a ``target`` the output becomes the cost C₀ (``viz.costs``): for a saved
classifier the loss it was trained with, for its class ``target``; otherwise C₀ = Σ (a − y)².
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograd import Value, subscript, topological_order
from autograd import argument_checks as check
from autograd.conventions.errors import did_you_mean
from nn.signature import listed

from .chain import DEFAULT_A0, DEFAULT_Y, find_node, four_neuron
from .costs import checked_numbers, checked_target, model_cost, squared_error, trained_loss

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


def _four_neuron(inputs, target) -> Source:
    a0 = checked_numbers(inputs, 1, "the input a⁽⁰⁾", "four-neuron")
    y = checked_numbers(target, 1, "the target y", "four-neuron")
    network = four_neuron(a0=a0[0] if a0 else DEFAULT_A0, y=y[0] if y else DEFAULT_Y)
    return Source(network.output, network.parameters,
                  "3Blue1Brown's four-neuron network: C₀ = (a⁽³⁾ − y)²")


def _neuron(inputs, target) -> Source:
    x = checked_numbers(inputs, 2, "the inputs x1, x2", "neuron") or [2.0, 0.0]
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
    return Source(squared_error([o], target, "neuron"), [w1, w2, b],
                  "Karpathy's neuron: o = tanh(x1·w1 + x2·w2 + b)")


def _micrograd_example(inputs, target) -> Source:
    start = checked_numbers(inputs, 2, "the inputs a, b", "micrograd-example") or [-4.0, 2.0]
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
    return Source(squared_error([g], target, "micrograd-example"), [a, b],
                  "micrograd's README expression: g(a, b)")


def model_inputs(model, inputs: Sequence[float] | None, source: str) -> list[float] | None:
    """The numbers ``model`` itself takes for the raw ``inputs`` its signature names (its features applied),
    as ``python -m nn predict`` takes them; a model without a signature takes its inputs as they are."""
    signature = getattr(model, "signature", None)
    if signature is None:
        return checked_numbers(inputs, model.nin, "the input", source)
    raw = checked_numbers(inputs, len(signature.inputs), f"the input ({listed(signature.inputs)})", source)
    return None if raw is None else signature.prepare([raw])[0].tolist()


def _saved_model(path: Path, inputs, target, check_model: Callable | None = None, any_inputs: bool = False) -> Source:
    import nn

    try:
        model = nn.load(path)
    except FileNotFoundError:
        raise ValueError(f"no such model file: {path}") from None
    if check_model is not None:
        check_model(model)
    names = model.signature.inputs if model.signature else [f"x{k + 1}" for k in range(model.nin)]
    if inputs is None and any_inputs:
        inputs = [0.0] * len(names)
    numbers = model_inputs(model, inputs, str(path))
    if numbers is None:
        example = f"e.g. --input {','.join(['0.5'] * len(names))} " if len(names) <= 8 else ""
        raise ValueError(f"{path} is a model with {len(names)} inputs: give them as an input, "
                         f"{example}({listed(names)})")
    first = [Value(x, f"a⁽⁰⁾{subscript(k)}") for k, x in enumerate(numbers)]
    outputs = model(first)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    cost = model_cost(model, outputs, target, str(path))
    if cost is None and len(outputs) != 1:
        wanted = "its class index or name" if trained_loss(model) else f"{len(outputs)} numbers"
        raise ValueError(f"{path} has {len(outputs)} outputs; give a target ({wanted}; --target on the command "
                         f"line) so that the graph ends in one number, the cost C₀")
    title = f"{path.name}: {model!r}" + _inputs_note(model.signature)
    if cost is not None:
        title += f"; cost {cost.formula} for {', '.join(cost.target)}"
    return Source(outputs[0] if cost is None else cost.value, model.parameters(), title, model=model)


def _inputs_note(signature) -> str:
    """What the inputs a⁽⁰⁾ are, when they are not the raw numbers given: standardized, or features of them."""
    if signature is None:
        return ""
    note = "" if signature.standardize is None else (
        f"; its inputs ({listed(signature.inputs)}) are standardized by the training rows' mean and std")
    if signature.features is not None:
        note += (f"; its inputs a⁽⁰⁾ are the features {', '.join(signature.features)} "
                 f"of ({listed(signature.inputs)})")
    return note


BUILTINS: dict[str, Callable[..., Source]] = {
    "four-neuron": _four_neuron, "neuron": _neuron, "micrograd-example": _micrograd_example}


def _a_folder(folder: str) -> ValueError:
    """The refusal of a folder given as a source, pointing at the model.json a training run leaves in it."""
    inside = Path(folder) / "model.json"
    which = f"such as {inside}" if inside.is_file() else "(python -m nn train writes model.json into its --out folder)"
    return ValueError(f"{folder} is a folder, not a model file: give the path of a MODEL.json saved by nn {which}, "
                      f"or one of the built-in sources {', '.join(BUILTINS)}")


def resolve(name_or_path: str, inputs: Sequence[float] | None = None,
            target: Sequence[float] | str | None = None, check_model: Callable | None = None,
            any_inputs: bool = False) -> Source:
    """A built-in graph by name, or a ``MODEL.json`` saved by ``nn``, with gradients filled in; ``target``
    as ``viz.costs.checked_target`` takes it (for a saved classifier, a class's name too).

    ``check_model(model)`` sees a saved model before its graph is built (to refuse a size early).
    ``any_inputs``: a model given no inputs is traced at zeros, for what does not depend on their numbers
    (its program, which reads the inputs as a batch).
    """
    inputs = None if inputs is None else check.numbers(inputs, "inputs")
    target = checked_target(target)
    if check_model is not None:
        check.function(check_model, "check_model", "None or a function model -> None")
    if isinstance(name_or_path, os.PathLike):
        name_or_path = os.fspath(name_or_path)
    if not isinstance(name_or_path, str):
        raise check.wrong_type("name_or_path", f"a name ({', '.join(BUILTINS)}) or the path of a MODEL.json",
                               name_or_path)
    if name_or_path.lower() in BUILTINS:  # a built-in name in any case: Four-Neuron is four-neuron
        if isinstance(target, str):
            raise ValueError(f"{name_or_path}'s target y is a number, got {target!r:.40}")
        source = BUILTINS[name_or_path.lower()](inputs, target)
    elif name_or_path.lower().endswith(".py"):
        raise ValueError(f"{name_or_path} is a Python file: the command line draws the built-in sources "
                         f"({', '.join(BUILTINS)}) and MODEL.json files saved by nn; draw an expression of your "
                         f"own from Python with viz.draw(value), e.g. 'import viz' then "
                         f"'viz.render(viz.draw(loss), \"graph.svg\")'")
    elif os.path.isdir(name_or_path):
        raise _a_folder(name_or_path)
    elif name_or_path.endswith(".json") or os.path.lexists(name_or_path):
        source = _saved_model(Path(name_or_path), inputs, target, check_model, any_inputs)
    else:
        unknown = "no such file or built-in source" if "/" in name_or_path or os.sep in name_or_path \
            else "unknown source"
        raise ValueError(f"{unknown} {name_or_path!r}; use one of {', '.join(BUILTINS)} "
                         f"or the path of a MODEL.json saved by nn{did_you_mean(name_or_path, BUILTINS)}")
    source.output.backward()
    return source
