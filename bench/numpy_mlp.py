"""The practical limit: micrograd's demo step written by hand with numpy matrices.

Relu hidden layers, a linear output, hinge loss ``mean(relu(1 − y·score))`` plus ``alpha·Σp²``,
and plain gradient descent. Backpropagation is written out layer by layer, as one would without
an autograd engine; the benchmark checks it against chainrule before timing anything.
"""
from __future__ import annotations

import numpy as np


class NumpyMLP:
    """Layers of ``(W, b)`` with ``W`` of shape (inputs, outputs); ``step`` trains on a full batch."""

    def __init__(self, layers: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.layers = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in layers]

    def step(self, X: np.ndarray, y: np.ndarray, alpha: float, learning_rate: float) -> float:
        """One forward + backward + update on all of ``X``; returns the loss before the update."""
        activations, sums = [X], []
        for depth, (W, b) in enumerate(self.layers):
            z = activations[-1] @ W + b
            sums.append(z)
            activations.append(z if depth == len(self.layers) - 1 else np.maximum(z, 0.0))
        margins = 1.0 - y * activations[-1][:, 0]
        squares = sum(float((W * W).sum() + (b * b).sum()) for W, b in self.layers)
        loss = float(np.maximum(margins, 0.0).mean()) + alpha * squares
        upstream = (-(y * (margins > 0)) / len(y))[:, None]  # d loss / d score
        for depth in range(len(self.layers) - 1, -1, -1):
            W, b = self.layers[depth]
            grad_W = activations[depth].T @ upstream + 2 * alpha * W
            grad_b = upstream.sum(axis=0) + 2 * alpha * b
            if depth:
                upstream = (upstream @ W.T) * (sums[depth - 1] > 0)
            W -= learning_rate * grad_W
            b -= learning_rate * grad_b
        return loss
