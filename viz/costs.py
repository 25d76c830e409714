"""The cost a drawing ends in: for a saved classifier and its class, the loss the model was trained with;
for anything else, the lesson's squared error C₀ = Σ (a − y)².

A classifier's loss is the one its signature records (``nn train`` records it), else, for an older
file, the only loss ``nn train`` pairs with its outputs: softmax cross-entropy for several linear
outputs, hinge for one; one sigmoid output (bce or squared error) keeps squared error. The cost is
built by ``nn.LOSSES`` itself, so it is the training loss of that one sample, node for node.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import autograd
import nn
from autograd import Value, subscript
from autograd import argument_checks as check
from nn.recipes import outputs_and_targets
from nn.signature import listed

from .dot import format_number

FORMULAS = {  # what each loss computes for one sample, as the drawings and titles print it
    "cross_entropy": "C₀ = −log softmax(a)ₖ",
    "hinge": "C₀ = max(0, 1 − y·a)",
    "bce": "C₀ = −[y·log a + (1 − y)·log(1 − a)]",
    "binary_cross_entropy": "C₀ = −[y·log a + (1 − y)·log(1 − a)]",
    "mse": "C₀ = mean (a − y)²",
    "sse": "C₀ = Σ (a − y)²",
}
LOSS_NAMES = {"cross_entropy": "softmax cross-entropy", "hinge": "the hinge loss", "bce": "binary cross-entropy",
              "binary_cross_entropy": "binary cross-entropy", "mse": "mean squared error",
              "sse": "squared error"}


@dataclass(frozen=True)
class Cost:
    """The cost ``value`` (after the model's outputs), its ``formula`` and lines saying what target it reads."""

    value: Value
    formula: str
    target: tuple[str, ...]


def checked_numbers(values: Sequence[float] | None, count: int, what: str, source: str) -> list[float] | None:
    """``values`` as floats once they are ``count`` finite numbers (None when not given), else a ValueError."""
    if values is None:
        return None
    values = list(values)
    if len(values) != count:
        raise ValueError(f"{source} takes {count} number{'s' * (count != 1)} as {what}, got {len(values)}")
    for value in values:
        if not check.is_real(value) or not math.isfinite(value):
            raise ValueError(f"{source}: {what} must be finite numbers, got {value!r}")
    return [float(value) for value in values]


def squared_error(outputs: list[Value], target: Sequence[float] | None, source: str) -> Value:
    """The single output, or with a target the lesson's cost C₀ = Σ (a − y)² (labelled y, C₀)."""
    if target is None:
        if len(outputs) != 1:
            raise ValueError(f"{source} has {len(outputs)} outputs; give a target with {len(outputs)} "
                             f"numbers to draw the cost C₀ instead")
        return outputs[0]
    wanted = checked_numbers(target, len(outputs), "the target", source)
    names = ["y"] if len(wanted) == 1 else [f"y{subscript(j)}" for j in range(len(wanted))]
    squares = [(a - Value(y, name)) ** 2 for a, y, name in zip(outputs, wanted, names, strict=True)]
    cost = squares[0] if len(squares) == 1 else autograd.sum(squares)
    cost.label = "C₀"
    return cost


def trained_loss(model) -> str | None:
    """The loss a classifier was trained with (recorded, or the only one its outputs allow); None otherwise."""
    signature = getattr(model, "signature", None)
    if signature is None or signature.classes is None:
        return None
    if signature.loss is not None:
        return signature.loss
    if model.output_activation == "linear":
        return "cross_entropy" if model.nouts[-1] > 1 else "hinge"
    return "sse"


def _class(k: int, classes: Sequence[str]) -> str:
    """``2 (virginica)``, or ``1`` where the class's name is its index (``1 (1)`` says nothing twice)."""
    return str(k) if classes[k] == str(k) else f"{k} ({classes[k]})"


def checked_target(target: object) -> Sequence[float] | str | None:
    """A target as given: numbers, or a text naming a saved classifier's class (``virginica``)."""
    return target if target is None or isinstance(target, str) else check.numbers(target, "target")


def class_index(model, target: Sequence[float] | str, source: str) -> int:
    """A classifier's target: one class index k or the class's name (a one-hot row of k is read as k too)."""
    classes = model.signature.classes
    choices = listed(_class(k, classes) for k in range(len(classes)))
    if isinstance(target, str):
        if target.strip() not in classes:
            raise ValueError(f"{source}: {target!r:.40} is not one of its classes: {choices}")
        return classes.index(target.strip())
    numbers = checked_numbers(target, len(target), "the target", source)
    if len(numbers) == len(classes) > 2 and sorted(numbers) == [0.0] * (len(classes) - 1) + [1.0]:
        return numbers.index(1.0)
    if len(numbers) != 1 or numbers[0] not in range(len(classes)):
        shown = ",".join(f"{n:g}" for n in numbers)
        raise ValueError(f"{source}: a classifier's target is one class index: {choices}; got {shown}")
    return int(numbers[0])


def model_cost(model, outputs: list[Value], target: Sequence[float] | str | None, source: str) -> Cost | None:
    """The cost after ``model``'s ``outputs`` for ``target`` (None without one): for a classifier, its own
    training loss for the class ``target`` (its index or name); otherwise squared error against the numbers
    ``target``."""
    if target is None:
        return None
    loss = trained_loss(model)
    if loss is None and isinstance(target, str):
        raise ValueError(f"{source} is not a classifier with named classes: its target is "
                         f"{len(outputs)} number{'s' * (len(outputs) != 1)}, got {target!r:.40}")
    if loss is None:
        wanted = checked_numbers(target, len(outputs), "the target", source)
        shown = tuple(f"y{subscript(j) if len(wanted) > 1 else ''} = {format_number(y)}" for j, y in enumerate(wanted))
        return Cost(squared_error(outputs, wanted, source), FORMULAS["sse"], shown)
    k = class_index(model, target, source)
    classes = model.signature.classes
    encoded = outputs_and_targets(loss, np.array([k]), len(classes))[1][0]  # as nn train feeds the loss
    if len(outputs) == 1:
        value = nn.LOSSES[loss]([outputs[0]], [float(encoded)])
        wanted = f"class {_class(k, classes)}: y = {float(encoded):g}"
    else:
        value = nn.LOSSES[loss]([outputs], [k if loss == "cross_entropy" else encoded.tolist()])
        wanted = f"class k = {_class(k, classes)}"
    value.label = "C₀"
    return Cost(value, FORMULAS[loss], (wanted, f"{LOSS_NAMES[loss]}, the loss it was trained with"))
