"""The fast path of training: a model traced once per sample and replayed over a batch with numpy.

Only the model is compiled. The loss still runs on the engine, on small leaf Values that stand
for the batch's outputs, so every loss (built-in or your own) works unchanged and no derivative
is written twice: the leaves' gradients (d loss / d output, per row) weigh the tape's backward.
"""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Value

from .losses import LossFn, with_l2
from .module import MLP


class CompiledModel:
    """``model``'s outputs as one tape: ``outputs(X)`` and ``loss_and_grads`` for a batch of rows."""

    def __init__(self, model: MLP) -> None:
        self.model = model
        placeholders = [Value(0.0, f"x{i}") for i in range(model.nin)]
        traced = model(placeholders)
        self.single = not isinstance(traced, list)
        self.tape = autograd.compile([traced] if self.single else traced, inputs=placeholders)

    def outputs(self, inputs) -> np.ndarray:
        """The model's outputs for each row of ``inputs``: an array (rows, outputs)."""
        return self.tape.forward(np.asarray(inputs, dtype=float).reshape(-1, self.model.nin))

    def per_sample(self, rows: list[list]) -> list:
        """Rows of outputs as the model returns them: one item per row for a single output."""
        return [row[0] for row in rows] if self.single else rows

    def loss_and_grads(self, loss: LossFn, inputs: list, targets: list, l2: float = 0.0):
        """What ``nn.train.loss_and_grads`` returns, with the model's part replayed by the tape."""
        values = self.outputs(inputs).tolist()
        leaves = [[Value(v) for v in row] for row in values]
        total = with_l2(loss(self.per_sample(leaves), targets), self.model.parameters(), l2)
        total.backward()
        self.tape.backward(np.array([[leaf.grad for leaf in row] for row in leaves]))
        return total.data, self.per_sample(values)
