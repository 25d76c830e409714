"""The practical limit for 3Blue1Brown's digit network: 784-16-16-10 written by hand with numpy.

Sigmoid hidden layers, linear logits, mean cross-entropy over the batch, plain gradient descent;
backpropagation written out layer by layer. The benchmark checks it against chainrule first.
"""
from __future__ import annotations

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class NumpyDigitNet:
    """Layers of ``(W, b)`` with ``W`` of shape (inputs, outputs); ``step`` trains on one batch."""

    def __init__(self, layers: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.layers = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in layers]

    def step(self, X: np.ndarray, labels: np.ndarray, learning_rate: float) -> float:
        """One forward + backward + update on the batch; returns the loss before the update."""
        activations = [X]
        for depth, (W, b) in enumerate(self.layers):
            z = activations[-1] @ W + b
            activations.append(z if depth == len(self.layers) - 1 else _sigmoid(z))
        logits = activations[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        totals = exps.sum(axis=1, keepdims=True)
        rows = np.arange(len(labels))
        loss = float((np.log(totals[:, 0]) - shifted[rows, labels]).mean())
        upstream = exps / totals  # d loss / d logits: (softmax − one-hot) / batch
        upstream[rows, labels] -= 1.0
        upstream /= len(labels)
        for depth in range(len(self.layers) - 1, -1, -1):
            W, b = self.layers[depth]
            grad_W, grad_b = activations[depth].T @ upstream, upstream.sum(axis=0)
            if depth:
                a = activations[depth]
                upstream = (upstream @ W.T) * a * (1.0 - a)
            W -= learning_rate * grad_W
            b -= learning_rate * grad_b
        return loss
