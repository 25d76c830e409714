"""Pictures of training with matplotlib: the loss curve, a 2-D decision boundary, a confusion matrix, σ and σ'.

They live in nn, beside the training they show, so ``python -m nn train`` draws its run without reaching
up into viz; ``viz`` offers them under its own name too (``viz.loss_curve``). Figures are drawn without
pyplot (no global backend switch) and written atomically, as PNG or SVG by the path's suffix.
matplotlib is an extra: ``pip install chainrule[plots]``.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import autograd
from autograd import argument_checks as check
from autograd.conventions.files import writable_target, write_file

from .compiled import CompiledModel
from .history import History
from .module import MLP

FORMATS = {".png": "png", ".svg": "svg"}
MAX_RESOLUTION = 500  # grid points per axis of a decision boundary: 250,000 points at most, a few seconds


def _figure(width: float = 6.0, height: float = 4.0):
    """A new Figure on the Agg canvas, or ImportError naming the extra to install."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install chainrule[plots]") from None
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _format(path: str | Path) -> str:
    suffix = check.path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"a plot is written as .png or .svg, got {str(path)!r}")
    writable_target(path)  # refused before any drawing
    return FORMATS[suffix]


def _save(figure, path: str | Path, kind: str) -> Path:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=kind, bbox_inches="tight")
    return write_file(path, buffer.getvalue())


def loss_curve(history_or_losses: History | Sequence[float], path: str | Path, title: str = "Training loss",
               first_step: int = 0) -> Path:
    """The loss per step (the accuracy, and each epoch's validation loss, when a History has them) at ``path``.

    ``first_step`` is the number of the first step shown (a resumed run's curve carries on from it).
    """
    kind = _format(path)
    check.text(title, "title")
    first_step = check.count(first_step, "first_step", at_least=0)
    history = history_or_losses if isinstance(history_or_losses, History) else None
    losses = history.loss if history else check.numbers(history_or_losses, "history_or_losses", finite=False)
    if not losses:
        raise ValueError("loss_curve needs at least one loss value")
    figure = _figure()
    axes = figure.add_subplot()
    steps = range(first_step, first_step + len(losses))
    axes.plot(steps, losses, color="tab:blue", label="loss")
    axes.set(xlabel="step", ylabel="loss", title=title)
    validated = [e for e in history.epochs if e.val_loss is not None] if history else []
    if validated:
        axes.plot([e.step - 1 for e in validated], [e.val_loss for e in validated], color="tab:green",
                  marker="." if len(validated) < 30 else None, label="validation loss")
        losses = losses + [e.val_loss for e in validated]
    if all(x > 0 for x in losses) and max(losses) / min(losses) > 100:
        axes.set_yscale("log")
    accuracy = [a for a in history.accuracy if a is not None] if history else []
    if len(accuracy) == len(history.loss if history else ()):
        right = axes.twinx()
        right.plot(steps[:len(accuracy)], [100 * a for a in accuracy], color="tab:orange", label="accuracy")
        right.set(ylabel="accuracy (%)", ylim=(0, 101))
        lines = axes.get_lines() + right.get_lines()
        axes.legend(lines, [line.get_label() for line in lines], loc="center right", frameon=False)
    elif validated:
        axes.legend(frameon=False)
    return _save(figure, path, kind)


def _scores(model: MLP, points: np.ndarray) -> np.ndarray:
    """The model's outputs at each point (one column per output), replayed with numpy."""
    return CompiledModel(model).outputs(points)


def decision_boundary(model: MLP, X, y, path: str | Path, resolution: int = 40,
                      threshold: float | None = None) -> Path:
    """The classes ``model`` assigns over the plane of 2-D data, with the points ``X`` coloured by ``y``.

    One output: class 1 where the output exceeds ``threshold`` (0.5 for a sigmoid output, else 0);
    several outputs: the argmax. ``resolution`` is the grid size per axis. A model with a signature
    (``nn.Signature``) reads the plane through its feature transforms.
    """
    kind = _format(path)
    check.instance(model, "model", MLP, "an nn.MLP")
    check.count(resolution, "resolution", at_least=2, at_most=MAX_RESOLUTION)
    threshold = None if threshold is None else check.real(threshold, "threshold")
    X = np.asarray(check.sequence(X, "X", "2-D points: rows of two numbers"))
    y = np.asarray(check.sequence(y, "y", "one class label per point"))
    for name, array, kinds in (("X", X, "iuf"), ("y", y, "biuf")):
        if array.dtype.kind not in kinds:
            raise check.wrong_value(name, "numbers", array)
    X = X.astype(float)
    y = (y > 0).astype(int) if y.size and y.min() < 0 else y.astype(int)  # labels −1/+1 as 0/1
    signature = model.signature
    width = len(signature.inputs) if signature is not None else model.nin
    if X.ndim != 2 or X.shape[1] != 2 or width != 2:
        raise ValueError(f"decision_boundary draws 2-D data for a 2-input model, got data of shape "
                         f"{X.shape} and a model with {width} inputs")
    if len(y) != len(X):
        raise ValueError("decision_boundary needs one label per point: X and y must have the same length")
    if threshold is None:
        threshold = 0.5 if model.output_activation == "sigmoid" else 0.0
    margin = 0.25 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    scores = _scores(model, signature.prepare(points) if signature is not None else points)
    if scores.shape[1] > 1:  # several outputs: the argmax, one colour per class
        field, levels = scores.argmax(axis=1), np.arange(max(scores.shape[1], y.max() + 1) + 1) - 0.5
    else:  # one output: which side of the threshold, with the boundary interpolated between grid points
        field = scores[:, 0] - threshold
        levels = [min(field.min(), 0) - 1, 0, max(field.max(), 0) + 1]
    figure = _figure(5.0, 5.0)
    axes = figure.add_subplot()
    axes.contourf(grid_x, grid_y, field.reshape(grid_x.shape), levels=levels, cmap="coolwarm", alpha=0.35)
    axes.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=18, edgecolors="black", linewidths=0.4,
                 vmin=-0.5, vmax=max(len(levels) - 1.5, y.max() + 0.5))
    axes.set(xlim=(low[0], high[0]), ylim=(low[1], high[1]), title="Decision boundary", aspect="equal")
    return _save(figure, path, kind)


def confusion_matrix(matrix, path: str | Path, class_names: Sequence[str] | None = None,
                     title: str = "Confusion matrix") -> Path:
    """``nn.confusion_matrix``'s counts as a grid: true classes down, predicted across, each cell's count."""
    kind = _format(path)
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 1:
        raise ValueError(f"a confusion matrix is square, got shape {matrix.shape}")
    names = list(class_names) if class_names is not None else [str(i) for i in range(len(matrix))]
    if len(names) != len(matrix):
        raise ValueError(f"{len(names)} class names for a {len(matrix)}x{len(matrix)} confusion matrix")
    size = min(12.0, 2.5 + 0.6 * len(matrix))
    figure = _figure(size, size)
    axes = figure.add_subplot()
    axes.imshow(matrix, cmap="Blues", vmin=0)
    top = matrix.max() or 1
    if len(matrix) <= 30:
        for (row, column), count in np.ndenumerate(matrix):
            axes.text(column, row, str(count), ha="center", va="center",
                      color="white" if count > top / 2 else "black", fontsize=9)
    ticks = range(len(matrix))
    tilted = max(len(name) for name in names) > 3
    axes.set_xticks(ticks, names, rotation=45 if tilted else 0, ha="right" if tilted else "center")
    axes.set_yticks(ticks, names)
    axes.set(xlabel="predicted class", ylabel="true class", title=title)
    return _save(figure, path, kind)


def sigmoid_and_derivative(path: str | Path, span: float = 6.0) -> Path:
    """σ(x) and σ'(x) on [−span, span]: where σ is confident (near 0 or 1) its slope is small.

    σ' comes from the engine's backward pass (the ops table), not from a formula written here.
    """
    kind = _format(path)
    span = check.real(span, "span", above=0)
    xs = np.linspace(-span, span, 241)
    values, slopes = [], []
    for x in xs.tolist():
        point = autograd.Value(x)
        out = point.sigmoid()
        values.append(out.data)
        slopes.append(autograd.grad(out, point)[0])
    figure = _figure()
    axes = figure.add_subplot()
    axes.plot(xs, values, label="σ(x)")
    axes.plot(xs, slopes, label=f"σ'(x), by the engine: {autograd.OPS['sigmoid'].formulas[0]}")
    axes.axhline(0, color="grey", linewidth=0.5)
    axes.set(xlabel="x", title="The sigmoid and its derivative")
    axes.legend(frameon=False)
    return _save(figure, path, kind)
