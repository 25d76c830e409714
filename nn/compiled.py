"""The fast path of training: a model traced once per sample and replayed over a batch with numpy.

Only the model is compiled. The loss still runs on the engine, on small leaf Values that stand
for the batch's outputs, so every loss (built-in or your own) works unchanged and no derivative
is written twice: the leaves' gradients (d loss / d output, per row) weigh the tape's backward.
"""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Value

from .losses import LossFn, with_penalty
from .module import MLP

MAX_REPLAY_BYTES = 2 ** 30  # the numpy buffers of one replayed batch (1 GiB)


class CompiledModel:
    """``model``'s outputs as one tape: ``outputs(X)`` and ``loss_and_grads`` for a batch of rows."""

    def __init__(self, model: MLP) -> None:
        self.model = model
        placeholders = [Value(0.0, f"x{i}") for i in range(model.nin)]
        traced = model(placeholders)
        self.single = not isinstance(traced, list)
        self.tape = autograd.compile([traced] if self.single else traced, inputs=placeholders)

    @property
    def max_rows(self) -> int:
        """The most rows one replay may take within MAX_REPLAY_BYTES."""
        return max(1, MAX_REPLAY_BYTES // self.tape.bytes_per_row())

    def check_batch(self, rows: int) -> None:
        """ValueError naming MAX_REPLAY_BYTES when a batch of ``rows`` would need more, before any is allocated."""
        if rows > self.max_rows:
            needed = rows * self.tape.bytes_per_row() / 2 ** 30
            raise ValueError(f"a batch of {rows:,} samples needs about {needed:.1f} GiB to replay this model, "
                             f"more than the limit of {MAX_REPLAY_BYTES / 2 ** 30:g} GiB "
                             f"(nn.compiled.MAX_REPLAY_BYTES); use a batch size of at most {self.max_rows:,}")

    def outputs(self, inputs) -> np.ndarray:
        """The model's outputs for each row of ``inputs``: an array (rows, outputs), replayed in chunks
        of at most ``max_rows`` rows."""
        rows, most = np.asarray(inputs, dtype=float).reshape(-1, self.model.nin), self.max_rows
        if len(rows) <= most:
            return self.tape.forward(rows)
        return np.concatenate([self.tape.forward(rows[start:start + most]) for start in range(0, len(rows), most)])

    def per_sample(self, rows: list[list]) -> list:
        """Rows of outputs as the model returns them: one item per row for a single output."""
        return [row[0] for row in rows] if self.single else rows

    def loss_and_grads(self, loss: LossFn, inputs: list, targets: list, l1: float = 0.0, l2: float = 0.0):
        """What ``nn.train.loss_and_grads`` returns, with the model's part replayed by the tape."""
        self.check_batch(len(inputs))  # one replay: the backward needs the whole batch's buffers
        values = self.outputs(inputs).tolist()
        leaves = [[Value(v) for v in row] for row in values]
        total = with_penalty(loss(self.per_sample(leaves), targets), self.model.parameters(), l1, l2)
        total.backward()
        self.tape.backward(np.array([[leaf.grad for leaf in row] for row in leaves]))
        return total.data, self.per_sample(values)
