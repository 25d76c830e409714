"""The lab's state as the page reads it: quantised tiles, the network's numbers, training and confusion.

Tiles (images of side² numbers) travel as one byte per cell with one shared scale (``quantised``),
so a frame stays small; everything else is plain numbers the engine computed.
"""
from __future__ import annotations

import math

import numpy as np

import nn
from nn.losses import TracedLoss

from ..pictures import quantised
from .setup import LabSetup

COST_WINDOW = 50  # the training cost shown is the mean of the last steps' costs
EDGES_PER_LAYER = 48  # the strongest weighted contributions drawn between two columns of neurons


def _per_example(traced: TracedLoss, rows: int) -> float:
    """What turns a batch's loss (``traced.scale(rows)·Σ`` per-example costs) into their mean."""
    return 1.0 / (traced.scale(rows, 10) * rows)


def training(trainer: nn.Trainer, setup: LabSetup, train_count: int, traced: TracedLoss) -> dict:
    """The step, the epochs done (as a fraction), and the mean cost and accuracy of the last mini-batches."""
    costs, accuracies = trainer.history.loss[-COST_WINDOW:], trainer.history.accuracy[-COST_WINDOW:]
    mean = _per_example(traced, setup.batch_size)
    return {"step": trainer.step_count, "epoch": trainer.step_count * setup.batch_size / train_count,
            "cost_train": float(np.mean(costs)) * mean if costs else None,
            "accuracy_train": float(np.mean(accuracies)) if costs else None}


def confusion(labels: np.ndarray, predicted: np.ndarray) -> list[list[int]]:
    """Counts per (true digit, predicted digit): rows are the true digits."""
    counts = np.zeros((10, 10), dtype=int)
    np.add.at(counts, (labels, predicted), 1)
    return counts.tolist()


def tiles(matrix) -> dict:
    """Rows of a weight matrix (one per neuron) as images with one shared scale."""
    rows = np.asarray(matrix, dtype=float)
    return {"count": len(rows), **quantised(rows.ravel())}


def batch_tiles(model: nn.MLP, last: nn.StepRecord | None, traced: TracedLoss) -> dict | None:
    """∂C/∂W⁽¹⁾ averaged over the last mini-batch (its own rows: a pass's last batch may be short): the
    Trainer's gradient of that step (held in ``.grad``)."""
    if last is None:
        return None
    mean = _per_example(traced, last.rows)
    grads = [[w.grad * mean for w in neuron.w] for neuron in model.layers[0].neurons]
    return {"step": last.step, "batch_size": last.rows, **tiles(grads)}


def _edges(weights: list, activations: np.ndarray) -> list[list]:
    """The strongest contributions w·a into the next layer: [from, to, w·a], largest |w·a| first."""
    products = np.asarray(weights, dtype=float) * activations[None, :]
    order = np.argsort(-np.abs(products), axis=None)[:EDGES_PER_LAYER]
    rows, columns = np.unravel_index(order, products.shape)
    return [[int(k), int(j), float(products[j, k])] for j, k in zip(rows, columns, strict=True)]


def example(shown: dict, examined: dict, model: nn.MLP) -> dict:
    """The digit shown: its image, each layer's z, a, b and nudges, the cost, the prediction and the tiles."""
    layers = examined["layers"]
    weights = model.get_weights()
    edges = [_edges(weights[number][0], layers[number - 1]["a"]) for number in range(1, len(layers))]
    return {"source": shown["source"], "index": shown["index"], "label": shown["label"],
            "target": examined["target"], "image": quantised(shown["image"], 1.0),
            "prediction": int(np.argmax(examined["outputs"])), "cost": examined["cost"],
            "layers": [{key: values.tolist() for key, values in layer.items()} for layer in layers],
            "edges": edges, "gradient_tiles": tiles(examined["gradient"])}


def json_safe(item):
    """``item`` with every NaN or infinite number made None (JSON has neither), lists and dicts walked through."""
    if isinstance(item, float):
        return item if math.isfinite(item) else None
    if isinstance(item, dict):
        return {key: json_safe(value) for key, value in item.items()}
    if isinstance(item, list):
        return [json_safe(value) for value in item]
    return item
