"""Loss functions on Values: each is a small graph, so its gradient comes from the ops table.

All take ``(outputs, targets)``: one output per sample (a Value, or a list of Values for a
model with several outputs) and one target per sample. Means are over the batch, like PyTorch.
"""
from __future__ import annotations

import math
import numbers
from typing import Callable, Sequence

import autograd
from autograd import Value, as_value

LossFn = Callable[[list, list], Value]  # (outputs, targets) -> the loss, as every loss here
LOG_FLOOR = -100.0  # PyTorch's BCELoss clamps log(p) at −100 so p = 0 gives a finite loss


def _rows(items: object) -> list:
    return list(items) if isinstance(items, (list, tuple)) else [items]


def _pairs(predictions, targets, name: str) -> list[tuple]:
    """(prediction, target) pairs, with rows of several outputs flattened; counts must match."""
    predictions, targets = _rows(predictions), _rows(targets)
    if len(predictions) != len(targets):
        raise ValueError(f"{name}: {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{name}: needs at least one prediction")
    pairs = []
    for prediction, target in zip(predictions, targets):
        outputs, wanted = _rows(prediction), _rows(target)
        if len(outputs) != len(wanted):
            raise ValueError(f"{name}: a prediction of {len(outputs)} outputs against a target of {len(wanted)}")
        pairs.extend(zip(outputs, wanted))
    return pairs


def sse(predictions, targets) -> Value:
    """Σ (prediction − target)², the tutorials' sum of squared errors."""
    return autograd.sum([(p - t) ** 2 for p, t in _pairs(predictions, targets, "sse")], label="SSE")


def mse(predictions, targets) -> Value:
    """Mean of (prediction − target)² over every output of every sample (PyTorch's MSELoss)."""
    pairs = _pairs(predictions, targets, "mse")
    return autograd.sum([(p - t) ** 2 for p, t in pairs]) / len(pairs)


def hinge(scores, labels) -> Value:
    """micrograd's max-margin loss: mean of ReLU(1 − y·score) with labels y of −1 or +1."""
    pairs = _pairs(scores, labels, "hinge")
    for _, label in pairs:
        if label not in (-1, 1):
            raise ValueError(f"hinge needs labels -1 or +1, got {label!r} (map 0/1 labels with 2*y - 1)")
    return autograd.sum([(1 - y * as_value(s)).relu() for s, y in pairs]) / len(pairs)


def _clamped_log(p: Value | float) -> Value | float:
    """log p, or the constant −100 where log p would be below it (PyTorch's BCELoss clamp)."""
    p_data = p.data if isinstance(p, Value) else float(p)
    if p_data <= math.exp(LOG_FLOOR):
        return LOG_FLOOR
    return p.log() if isinstance(p, Value) else math.log(p_data)


def binary_cross_entropy(probabilities, targets) -> Value:
    """Mean of −[y·log p + (1 − y)·log(1 − p)] for probabilities p in [0, 1] (PyTorch's BCELoss)."""
    pairs = _pairs(probabilities, targets, "binary_cross_entropy")
    terms = []
    for p, y in pairs:
        p_data = p.data if isinstance(p, Value) else p
        if not 0.0 <= p_data <= 1.0 or not 0.0 <= y <= 1.0:
            raise ValueError(f"binary_cross_entropy needs probabilities and targets in [0, 1], "
                             f"got p={p_data!r}, y={y!r} (use a sigmoid output)")
        terms.append(-(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p)))
    return autograd.sum(terms) / len(pairs)


def softmax(logits: Sequence[Value | float]) -> list[Value]:
    """exp(xᵢ − max) / Σ exp(xⱼ − max): probabilities, stable for large logits."""
    values = [as_value(x) for x in logits]
    if not values:
        raise ValueError("softmax needs at least one logit")
    top = max(v.data for v in values)
    exps = [(v - top).exp() for v in values]
    total = autograd.sum(exps)
    return [e / total for e in exps]


def _row_loss(row: list[Value], label: int) -> Value:
    """log Σ exp(sᵢ) − s[label] with sᵢ = xᵢ − max x: nothing overflows, nothing large cancels."""
    top = max(v.data for v in row)
    shifted = [v - top for v in row]
    return autograd.sum([s.exp() for s in shifted]).log() - shifted[label]


def cross_entropy(logits: Sequence[Sequence[Value | float]], labels: Sequence[int]) -> Value:
    """Mean over the batch of log Σ exp(logits) − logit[label] (PyTorch's CrossEntropyLoss).

    ``logits`` is a batch: one row of class scores per sample; ``labels`` are class indices.
    """
    rows, labels = list(logits), list(labels)
    if not rows or not all(isinstance(row, (list, tuple)) for row in rows):
        raise ValueError("cross_entropy takes a batch: a non-empty list of rows of logits, one row per sample")
    if len(rows) != len(labels):
        raise ValueError(f"cross_entropy: {len(rows)} rows of logits but {len(labels)} labels")
    terms = []
    for row, label in zip(rows, labels):
        if isinstance(label, bool) or not isinstance(label, numbers.Integral) or not 0 <= label < len(row):
            raise ValueError(f"cross_entropy: label {label!r} is not a class index in 0..{len(row) - 1}")
        terms.append(_row_loss([as_value(x) for x in row], int(label)))
    return autograd.sum(terms) / len(terms)


def with_penalty(total: Value, parameters: Sequence[Value], l1: float = 0.0, l2: float = 0.0) -> Value:
    """``total + l1·Σ|p| + l2·Σ p²``: L1 and micrograd's L2 regularisation, each only when its strength is set.

    The L1 term's gradient is ``l1·sign(p)``, 0 at p = 0 (the ``abs`` row of the ops table). ``total`` is
    what a loss function returned: TypeError unless it is a Value (it is differentiated).
    """
    if not isinstance(total, Value):
        raise TypeError(f"a loss function must return a Value computed from the outputs (it is differentiated), "
                        f"got {type(total).__name__}: {total!r:.60}")
    if l1:
        total = total + l1 * autograd.sum([abs(p) for p in parameters])
    if l2:
        total = total + l2 * autograd.sum([p * p for p in parameters])
    return total


LOSSES = {"mse": mse, "sse": sse, "hinge": hinge, "bce": binary_cross_entropy,
          "binary_cross_entropy": binary_cross_entropy, "cross_entropy": cross_entropy}
