"""How well a model does: accuracy, loss on held-out data, the confusion matrix and per-class accuracy.

Everything replays the model with numpy (``nn.compiled``); the loss itself runs on the engine,
on leaves standing for the outputs, so a held-out loss is the very function training minimises.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import autograd
from autograd import Value
from autograd import argument_checks as check

from .compiled import CompiledModel
from .data_rows import in_chunks, plain_data
from .losses import LossFn, softmax, with_penalty
from .module import MLP


def accuracy(outputs, targets: list, threshold: float = 0.5) -> float | None:
    """Fraction of samples classified right: argmax for several outputs, ``> threshold`` for one.

    ``outputs`` is one row (or number) per sample, as lists or an array. A target may be a class
    index or a one-hot row; None when a target is neither a class nor a number (a regression).
    ValueError for no samples or unequal counts.
    """
    threshold = check.real(threshold, "threshold")
    check.sequence(targets, "targets", "a list of targets, one per output")
    try:
        outputs = np.asarray(check.sequence(outputs, "outputs", "a list of outputs (numbers or rows of numbers)"),
                             dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise check.wrong_value("outputs", "a list of outputs (numbers or rows of numbers)", outputs) from None
    if not len(outputs) or len(outputs) != len(targets):
        raise ValueError(f"accuracy needs as many targets as outputs, at least one: got {len(outputs)} outputs "
                         f"and {len(targets)} targets")
    return fraction_right(outputs, right_answers(targets, outputs.ndim == 2, threshold), threshold)


def right_answers(targets: list, several: bool, threshold: float = 0.5) -> np.ndarray | None:
    """The right answer to each target: for ``several`` outputs its class (an index, or a one-hot row's
    largest entry), for one output whether it passes ``threshold``; None when the targets are not classes
    or numbers of one shape (a regression's rows). A trainer finds them once for all its targets."""
    if several:
        try:
            wanted = np.asarray(targets)
        except ValueError:  # ragged rows
            return None
        return wanted.argmax(axis=1) if wanted.ndim == 2 else wanted
    if not all(isinstance(target, (int, float)) for target in targets):
        return None
    return np.asarray(targets, dtype=float) > threshold


def fraction_right(outputs: np.ndarray, answers: np.ndarray | None, threshold: float = 0.5) -> float | None:
    """The fraction of rows of ``outputs`` (rows × outputs, or one number per row) that give ``answers``."""
    if answers is None:
        return None
    given = outputs.argmax(axis=1) if outputs.ndim == 2 else outputs > threshold
    return np.count_nonzero(given == answers) / len(given)  # the mean, without np.mean's overhead


def percent(fraction: float | None) -> str:
    """An accuracy as the progress bar and the command line print it: ``97.5%``, or ``n/a``."""
    return "n/a" if fraction is None else f"{100 * fraction:.1f}%"


def evaluate(model: MLP, data) -> float | None:
    """Accuracy of ``model`` on ``data = (X, y)``, replayed with numpy."""
    compiled = CompiledModel(model)
    X, y = plain_data(data)
    return accuracy(compiled.per_sample(replayed(compiled, X).tolist()), y, threshold(y))


def threshold(targets: list) -> float:
    """0 for labels −1/+1 (a score's sign, as with hinge), 0.5 for 0/1 targets."""
    return 0.0 if any(isinstance(t, (int, float)) and t < 0 for t in targets) else 0.5


def score(replay: CompiledModel, loss: LossFn, X: list, y: list,
          l1: float = 0.0, l2: float = 0.0) -> tuple[float, float | None]:
    """(loss with the same penalties as training, accuracy) of the replayed model on rows X, targets y."""
    outputs = replay.per_sample(replayed(replay, X).tolist())
    with autograd.no_grad():
        leaves = [[Value(v) for v in row] if isinstance(row, list) else Value(row) for row in outputs]
        value = with_penalty(loss(leaves, y), replay.model.parameters(), l1, l2).data
    return value, accuracy(outputs, y, threshold(y))


def replayed(replay: CompiledModel, X) -> np.ndarray:
    """The replayed model's outputs for each row of X, an array (rows, outputs): the rows are converted
    to floats a chunk at a time, so compact rows (``nn.data_rows.ScaledRows``) are never copied whole."""
    return np.concatenate([replay.outputs(chunk) for chunk in in_chunks(X)])


def outputs(model: MLP, X) -> np.ndarray:
    """The model's outputs for each row of X: an array (rows, outputs)."""
    return replayed(CompiledModel(model), X)


def predicted_classes(model: MLP, X) -> np.ndarray:
    """The class of each row: the largest output, or for one output whether it passes 0.5 (sigmoid) or 0."""
    return _classes(model, outputs(model, X))


def _classes(model: MLP, rows: np.ndarray) -> np.ndarray:
    if rows.shape[1] > 1:
        return rows.argmax(axis=1)
    return (rows[:, 0] > (0.5 if model.output_activation == "sigmoid" else 0.0)).astype(int)


def class_probabilities(model: MLP, row: Sequence[float]) -> list[float] | None:
    """One sample's class probabilities: the softmax of several linear outputs (logits), 1 − p and p for
    one sigmoid output; None where the outputs are not probabilities (a hinge score, one-hot squares)."""
    if len(row) > 1 and model.output_activation == "linear":
        with autograd.no_grad():
            return [p.data for p in softmax(list(row))]
    if len(row) == 1 and model.output_activation == "sigmoid":
        return [1.0 - row[0], row[0]]
    return None


def prediction_report(model: MLP, row: Sequence[float], names: Sequence[str]) -> list[str]:
    """The predicted class of one sample's outputs ``row``, then each class's probability when there are any."""
    index = int(_classes(model, np.array([row], dtype=float))[0])
    probabilities = class_probabilities(model, row)
    if probabilities is None:
        return [f"{names[index]} (output{'s' if len(row) > 1 else ''} {' '.join(f'{v:.6g}' for v in row)})"]
    width = max(len(name) for name in names)
    return [f"{names[index]} (p = {probabilities[index]:.4f})"] + \
        [f"  {name:<{width}}  {p:.4f}" for name, p in zip(names, probabilities, strict=True)]


def confusion_matrix(model: MLP, data, classes: int | None = None) -> np.ndarray:
    """Counts of (true class, predicted class): row i holds the samples of class i (scikit-learn's layout).

    ``data = (X, labels)`` with class indices 0..k−1; ``classes`` defaults to the model's outputs
    (two for one output) or the largest label + 1, whichever is more.
    """
    check.instance(model, "model", MLP, "an nn.MLP")
    check.optional_count(classes, "classes")
    X, labels = plain_data(data)  # finite rows, as evaluate and training take them
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != len(X) or labels.dtype.kind not in "iu":
        raise ValueError("confusion_matrix needs (X, labels) with one integer class index per row")
    if labels.size and labels.min() < 0:
        raise ValueError(f"class labels must be 0 or more, got {labels.min()}")
    count = max(classes or 0, max(model.nouts[-1], 2), int(labels.max()) + 1 if labels.size else 0)
    matrix = np.zeros((count, count), dtype=int)
    np.add.at(matrix, (labels, predicted_classes(model, X)), 1)
    return matrix


def per_class_accuracy(matrix: np.ndarray) -> list[float | None]:
    """Per true class, the fraction predicted right (None for a class with no samples)."""
    matrix = _counts(matrix)
    totals = matrix.sum(axis=1)
    return [None if total == 0 else float(matrix[i, i] / total) for i, total in enumerate(totals)]


def _counts(matrix: object) -> np.ndarray:
    """A confusion matrix as a square integer array of counts >= 0, or an error naming ``matrix``."""
    valid = "a square table of counts (nn.confusion_matrix's result)"
    check.sequence(matrix, "matrix", valid)
    try:
        counts = np.asarray(matrix)
    except ValueError:  # ragged rows
        raise check.wrong_value("matrix", valid, matrix) from None
    if counts.dtype.kind not in "iu" or counts.ndim != 2 or counts.shape[0] != counts.shape[1] or (counts < 0).any():
        raise check.wrong_value("matrix", valid, matrix)
    return counts


def class_report(matrix: np.ndarray, names: Sequence[str] | None = None) -> list[str]:
    """One line per class: its name, its accuracy and how many of its samples were right."""
    names = list(names) if names else [str(i) for i in range(len(matrix))]
    width = max(len(name) for name in names)
    lines = []
    for i, (name, fraction) in enumerate(zip(names, per_class_accuracy(matrix), strict=True)):
        shown = "n/a" if fraction is None else f"{100 * fraction:5.1f}%"
        lines.append(f"  {name:<{width}}  {shown}  ({matrix[i, i]}/{matrix[i].sum()})")
    return lines
