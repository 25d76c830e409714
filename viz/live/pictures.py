"""The heatmaps: every feature, every neuron and the output over a grid of the input plane.

One tape (``autograd.compile`` over many outputs) gives every neuron's activation at every grid
point in one replay; it reads the parameters' current ``.data``, so it is traced once per
architecture. Heatmaps travel quantised to one byte per cell (base64), with their scale.
"""
from __future__ import annotations

import base64

import numpy as np

import autograd
import nn
from autograd import Value
from nn import features

from .config import Setup

GRID = 40  # cells per side of every heatmap


def grid(extent: float, size: int = GRID) -> np.ndarray:
    """The cell centres of a ``size``×``size`` grid over [−extent, extent]², rows from the top (x2 high)."""
    centres = (np.arange(size) + 0.5) / size * 2 * extent - extent
    x1, x2 = np.meshgrid(centres, centres[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


def quantised(values: np.ndarray, scale: float | None = None) -> dict:
    """Values in [−scale, scale] as bytes 0..255 (128 is zero), base64; the scale defaults to max |value|."""
    values = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    if scale is None:
        scale = float(np.abs(values).max())
    scale = scale if scale > 1e-12 else 1.0
    cells = np.clip(np.rint(values / scale * 127.0) + 128.0, 1, 255).astype(np.uint8)
    return {"scale": scale, "data": base64.b64encode(cells.tobytes()).decode("ascii")}


class Pictures:
    """The tape of one architecture: features in, every neuron's activation and the output out."""

    def __init__(self, model: nn.MLP, setup: Setup) -> None:
        self.setup = setup
        placeholders = [Value(0.0, name) for name in setup.features]
        self.layer_sizes = list(model.nouts)
        traced, x = [], placeholders
        for layer in model.layers:
            x = layer(x)
            traced.extend(x)
        if setup.loss == "cross_entropy":
            traced.extend(nn.softmax(x))  # class probabilities, from the engine's softmax
        self.tape = autograd.compile(traced, inputs=placeholders)

    def _output(self, columns: np.ndarray) -> dict:
        """The decision surface: P(class) per class, or for two classes one channel from −1 (class 0) to 1."""
        if self.setup.loss == "cross_entropy":
            probabilities = columns[:, -self.setup.classes:]
            return {"kind": "classes", "channels": [quantised(p, 1.0) for p in probabilities.T]}
        out = columns[:, sum(self.layer_sizes) - 1]
        confidence = 2 * out - 1 if self.setup.loss in ("mse", "bce") else np.clip(out, -1, 1)
        return {"kind": "binary", "channels": [quantised(confidence, 1.0)]}

    def render(self, extent: float) -> dict:
        """All heatmaps over [−extent, extent]²: ``features``, ``neurons`` (per layer) and ``output``."""
        cells = grid(extent)
        feature_rows = np.asarray(features.transform(cells, list(self.setup.features)), dtype=float)
        with np.errstate(all="ignore"):
            columns = self.tape.forward(feature_rows).reshape(len(cells), -1)
        neurons, start = [], 0
        for size in self.layer_sizes:
            neurons.append([quantised(columns[:, k]) for k in range(start, start + size)])
            start += size
        return {"size": GRID, "extent": extent, "features": [quantised(column) for column in feature_rows.T],
                "neurons": neurons, "output": self._output(columns)}
