"""Loss functions on Values: each is a small graph, so its gradient comes from the ops table.

All take ``(outputs, targets)``: one output per sample (a Value, or a list of Values for a
model with several outputs) and one target per sample. Means are over the batch, like PyTorch.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import autograd
from autograd import Value, as_value
from autograd import argument_checks as check

LossFn = Callable[[list, list], Value]  # (outputs, targets) -> the loss, as every loss here
LOG_FLOOR = -100.0  # PyTorch's BCELoss clamps log(p) at −100 so p = 0 gives a finite loss


def _rows(items: object) -> list:
    return list(items) if isinstance(items, (list, tuple)) else [items]


def _pairs(predictions, targets, name: str, names: tuple[str, str] = ("predictions", "targets")) -> list[tuple]:
    """(prediction, target) pairs, with rows of several outputs flattened; counts must match. Each prediction
    is a Value or a number, each target a number: else an error naming ``names`` (the loss's parameters)."""
    predictions, targets = _rows(predictions), _rows(targets)
    if len(predictions) != len(targets):
        raise ValueError(f"{name}: {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{name}: needs at least one prediction")
    pairs = []
    for prediction, target in zip(predictions, targets, strict=True):
        outputs, wanted = _rows(prediction), _rows(target)
        if len(outputs) != len(wanted):
            raise ValueError(f"{name}: a prediction of {len(outputs)} outputs against a target of {len(wanted)}")
        pairs.extend(zip(outputs, wanted, strict=True))
    for position, (output, target) in enumerate(pairs):
        if not isinstance(output, Value):
            check.real(output, f"{name}: {names[0]}[{position}]", finite=False)
        check.real(target, f"{name}: {names[1]}[{position}]", finite=False)
    return pairs


def _mean(terms: list) -> Value:
    """The mean of the terms; one term is its own mean (no sum of one, no division by 1 in the graph)."""
    return as_value(terms[0]) if len(terms) == 1 else autograd.sum(terms) / len(terms)


def _squared_error(p, t):
    return (p - t) ** 2


def _margin(s, y):
    return (1 - y * as_value(s)).relu()


def sse(predictions, targets) -> Value:
    """Σ (prediction − target)², the tutorials' sum of squared errors."""
    return autograd.sum([_squared_error(p, t) for p, t in _pairs(predictions, targets, "sse")], label="SSE")


def mse(predictions, targets) -> Value:
    """Mean of (prediction − target)² over every output of every sample (PyTorch's MSELoss)."""
    pairs = _pairs(predictions, targets, "mse")
    return _mean([_squared_error(p, t) for p, t in pairs])


def hinge(scores, labels) -> Value:
    """micrograd's max-margin loss: mean of ReLU(1 − y·score) with labels y of −1 or +1."""
    pairs = _pairs(scores, labels, "hinge", ("scores", "labels"))
    for _, label in pairs:
        if label not in (-1, 1):
            raise ValueError(f"hinge needs labels -1 or +1, got {label!r} (map 0/1 labels with 2*y - 1)")
    return _mean([_margin(s, y) for s, y in pairs])


def _clamped_log(p: Value | float) -> Value | float:
    """log p, or the constant −100 where log p would be below it (PyTorch's BCELoss clamp)."""
    p_data = p.data if isinstance(p, Value) else float(p)
    if p_data <= math.exp(LOG_FLOOR):
        return LOG_FLOOR
    return p.log() if isinstance(p, Value) else math.log(p_data)


def binary_cross_entropy(probabilities, targets) -> Value:
    """Mean of −[y·log p + (1 − y)·log(1 − p)] for probabilities p in [0, 1] (PyTorch's BCELoss)."""
    pairs = _pairs(probabilities, targets, "binary_cross_entropy", ("probabilities", "targets"))
    terms = []
    for p, y in pairs:
        p_data = p.data if isinstance(p, Value) else p
        if not 0.0 <= p_data <= 1.0 or not 0.0 <= y <= 1.0:
            raise ValueError(f"binary_cross_entropy needs probabilities and targets in [0, 1], "
                             f"got p={p_data!r}, y={y!r} (use a sigmoid output)")
        terms.append(_log_loss(p, y))
    return _mean(terms)


def _log_loss(p, y, log=_clamped_log):
    return -(y * log(p) + (1 - y) * log(1 - p))


def softmax(logits: Sequence[Value | float]) -> list[Value]:
    """exp(xᵢ − max) / Σ exp(xⱼ − max): probabilities, stable for large logits."""
    values = [x if isinstance(x, Value) else as_value(check.real(x, f"softmax: logits[{i}]", finite=False))
              for i, x in enumerate(check.sequence(logits, "softmax: logits", "a list of Values or numbers"))]
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


def _traced_row_loss(row: list[Value], one_hot: Sequence[Value]) -> Value:
    """log Σ exp(xᵢ) − Σ tᵢ·xᵢ over one-hot placeholders t: cross-entropy's row as one traced graph.

    Each replayed row's maximum is unknown when the graph is traced, so it is not shifted; a batch
    the unshifted form cannot compute as exactly as the eager loss is sent there (``_within_exp``).
    """
    return autograd.sum([x.exp() for x in row]).log() - autograd.sum([t * x for t, x in zip(one_hot, row, strict=True)])


def cross_entropy(logits: Sequence[Sequence[Value | float]], labels: Sequence[int]) -> Value:
    """Mean over the batch of log Σ exp(logits) − logit[label] (PyTorch's CrossEntropyLoss).

    ``logits`` is a batch: one row of class scores per sample; ``labels`` are class indices.
    """
    rows = list(check.sequence(logits, "cross_entropy: logits", "a batch: a list of rows of logits"))
    labels = list(check.sequence(labels, "cross_entropy: labels", "a list of class indices, one per row"))
    if not rows or not all(isinstance(row, (list, tuple)) for row in rows):
        raise ValueError("cross_entropy: logits must be a batch: a non-empty list of rows of logits, one per sample")
    if len(rows) != len(labels):
        raise ValueError(f"cross_entropy: {len(rows)} rows of logits but {len(labels)} labels")
    terms = []
    for i, (row, label) in enumerate(zip(rows, labels, strict=True)):
        label = check.integer(label, f"cross_entropy: labels[{i}] (a class index)", at_least=0, at_most=len(row) - 1)
        logits = [x if isinstance(x, Value) else as_value(check.real(x, f"cross_entropy: logits[{i}]", finite=False))
                  for x in row]
        terms.append(_row_loss(logits, label))
    return _mean(terms)


def checked_total(total: object) -> Value:
    """What a loss function returned, if it is a Value: TypeError otherwise (it is differentiated)."""
    if not isinstance(total, Value):
        raise TypeError(f"a loss function must return a Value computed from the outputs (it is differentiated), "
                        f"got {type(total).__name__}: {total!r:.60}")
    return total


def with_penalty(total: Value, parameters: Sequence[Value], l1: float = 0.0, l2: float = 0.0) -> Value:
    """``total + l1·Σ|p| + l2·Σ p²``: L1 and micrograd's L2 regularisation, each only when its strength is set.

    The L1 term's gradient is ``l1·sign(p)``, 0 at p = 0 (the ``abs`` row of the ops table). ``total`` is
    what a loss function returned: TypeError unless it is a Value (it is differentiated).
    """
    total = checked_total(total)
    if l1:
        total = total + l1 * autograd.sum([abs(p) for p in parameters])
    if l2:
        total = total + l2 * autograd.sum([p * p for p in parameters])
    return total


LOSSES = {"mse": mse, "sse": sse, "hinge": hinge, "bce": binary_cross_entropy,
          "binary_cross_entropy": binary_cross_entropy, "cross_entropy": cross_entropy}


@dataclass(frozen=True)
class TracedLoss:
    """A built-in loss as one row's graph over target placeholders, for the compiled batch step.

    ``row(outputs, targets)`` sums one row's terms; the batch loss is ``scale(rows, outputs)·Σ rows``.
    ``encode(targets, outputs)`` gives the targets as a (rows, width) array, or None for anything
    the eager loss must judge (it raises the error). ``valid(outputs)`` says whether the traced
    graph computes what the eager loss would for these outputs (bce: no clamped log in the batch).
    """

    row: Callable[[list, list], Value]
    scale: Callable[[int, int], float]
    encode: Callable[[list, int], np.ndarray | None]
    valid: Callable[[np.ndarray], bool] = lambda outputs: True


def _numbers(targets: list, outputs: int) -> np.ndarray | None:
    """The targets as a (rows, outputs) float array, or None if they are not numbers of that shape."""
    try:
        array = np.asarray(targets, dtype=float)
    except (TypeError, ValueError):
        return None
    if outputs == 1 and array.shape == (len(targets),):
        array = array[:, None]
    return array if array.shape == (len(targets), outputs) else None


def _checked(accept: Callable[[np.ndarray], np.ndarray]):
    """An encoder of numbers that returns None unless ``accept`` holds for every target."""
    def encode(targets: list, outputs: int) -> np.ndarray | None:
        array = _numbers(targets, outputs)
        return array if array is not None and accept(array).all() else None
    return encode


def _one_hot(labels: list, outputs: int) -> np.ndarray | None:
    array = np.asarray(labels)
    if outputs < 2 or array.shape != (len(labels),) or array.dtype.kind not in "iu":
        return None
    if array.size and (array.min() < 0 or array.max() >= outputs):
        return None
    return np.eye(outputs).take(array, axis=0)


def _terms(term):
    """One row's loss: the sum of ``term`` over its outputs (the term itself for one output: no identity sum)."""
    def row(outputs, targets):
        terms = [term(p, t) for p, t in zip(outputs, targets, strict=True)]
        return terms[0] if len(terms) == 1 else autograd.sum(terms)
    return row


def _per_pair(rows: int, outputs: int) -> float:
    return 1.0 / (rows * outputs)


LOGIT_FLOOR = -700.0  # below, exp(x) nears the subnormal floats (e⁻⁷⁰⁸) and loses its precision


def _within_exp(logits: np.ndarray) -> bool:
    """Whether every row has a logit whose exp is a normal float (overflow shows as a loss that is not finite)."""
    return bool(logits.min() > LOGIT_FLOOR) or bool(logits.max(axis=1).min() > LOGIT_FLOOR)  # the first is faster


def _not_clamped(outputs: np.ndarray) -> bool:
    floor = math.exp(LOG_FLOOR)
    return bool(((outputs > floor) & (1 - outputs > floor)).all())


TRACED = {
    sse: TracedLoss(_terms(_squared_error), lambda rows, outputs: 1.0, _numbers),
    mse: TracedLoss(_terms(_squared_error), _per_pair, _numbers),
    hinge: TracedLoss(_terms(_margin), _per_pair, _checked(lambda y: abs(y) == 1)),
    binary_cross_entropy: TracedLoss(_terms(lambda p, y: _log_loss(p, y, Value.log)), _per_pair,
                                     _checked(lambda y: (y >= 0) & (y <= 1)), _not_clamped),
    cross_entropy: TracedLoss(_traced_row_loss, lambda rows, outputs: 1.0 / rows, _one_hot, _within_exp),
}
