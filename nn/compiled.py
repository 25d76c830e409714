"""The fast path of training: a model traced once, with its loss when it can be, replayed with numpy.

A built-in loss (``nn.losses.TRACED``) is traced on the tape with the model, its targets being
placeholders like the inputs, so a batch step runs no Python per row: one replay forward gives
each row's loss and outputs, one replay backward the gradients. Any other loss, and any batch the
traced loss cannot stand for (targets the eager loss would reject, a bce batch that hits the
clamped log, a loss that overflows where the eager one shifts by each row's maximum), runs on the
engine instead, on small leaf Values that stand for the batch's outputs; the leaves' gradients
(d loss / d output, per row) weigh the model tape's backward. Both agree with eager training.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

import autograd
from autograd import Value

from .losses import TRACED, TracedLoss, with_l2
from .module import MLP

LossFn = Callable[[list, list], Value]
CHUNK = 1000  # rows replayed at once by outputs(): the buffers stay a few MB for any data size


class CompiledModel:
    """``model``'s outputs as one tape: ``outputs(X)`` and ``loss_and_grads`` for a batch of rows."""

    def __init__(self, model: MLP) -> None:
        self.model = model
        placeholders = _placeholders(model.nin, "x")
        traced = model(placeholders)
        self.single = not isinstance(traced, list)
        self.outputs_count = 1 if self.single else len(traced)
        self.tape = autograd.compile([traced] if self.single else traced, inputs=placeholders)
        self._loss_tapes: dict[tuple, autograd.Tape] = {}

    def outputs(self, inputs) -> np.ndarray:
        """The model's outputs for each row of ``inputs``: an array (rows, outputs), in chunks of rows."""
        rows = np.asarray(inputs, dtype=float).reshape(-1, self.model.nin)
        return np.concatenate([self.tape.forward(rows[start:start + CHUNK]) for start in range(0, len(rows), CHUNK)])

    def per_sample(self, rows: list[list]) -> list:
        """Rows of outputs as the model returns them: one item per row for a single output."""
        return [row[0] for row in rows] if self.single else rows

    def loss_and_grads(self, loss: LossFn, inputs, targets: list, l2: float = 0.0):
        """What ``nn.train.loss_and_grads`` returns, with the model (and a built-in loss) replayed."""
        inputs = np.asarray(inputs, dtype=float).reshape(-1, self.model.nin)
        traced = TRACED.get(loss)
        encoded = traced.encode(list(targets), self.outputs_count) if traced else None
        if encoded is not None:
            result = self._traced_step(traced, inputs, encoded, l2)
            if result is not None:
                return result
        return self._eager_loss_step(loss, inputs, targets, l2)

    def _traced_step(self, traced: TracedLoss, inputs: np.ndarray, encoded: np.ndarray, l2: float):
        """One replay of model + loss (+ penalty); None when this batch needs the eager loss."""
        tape = self._loss_tape(traced, bool(l2))
        first = 2 if l2 else 1  # columns: each row's loss, the penalty if any, then the outputs
        values = tape.forward(np.hstack([inputs, encoded]))
        rows = len(inputs)
        scale = traced.scale(rows, self.outputs_count)
        total = scale * float(values[:, 0].sum()) + (l2 * float(values[0, 1]) if l2 else 0.0)
        outputs = values[:, first:]
        if not math.isfinite(total) or not traced.valid(outputs):
            return None
        upstream = np.zeros_like(values)
        upstream[:, 0] = scale
        if l2:
            upstream[:, 1] = l2 / rows  # the penalty is one value; its gradient sums over the rows
        tape.backward(upstream, input_grads=False)
        return total, self.per_sample(outputs.tolist())

    def _loss_tape(self, traced: TracedLoss, penalty: bool) -> autograd.Tape:
        """Model, one row's loss over target placeholders and (if asked) Σ p², traced once."""
        key = (traced, penalty)
        if key not in self._loss_tapes:
            width = self.outputs_count
            inputs, targets = _placeholders(self.model.nin, "x"), _placeholders(width, "t")
            outputs = self.model(inputs)
            outputs = [outputs] if self.single else outputs
            heads = [traced.row(outputs, targets)]
            if penalty:
                heads.append(autograd.sum([p * p for p in self.model.parameters()]))
            self._loss_tapes[key] = autograd.compile(heads + outputs, inputs=inputs + targets)
        return self._loss_tapes[key]

    def _eager_loss_step(self, loss: LossFn, inputs: np.ndarray, targets: list, l2: float):
        """The model replayed, the loss on the engine over leaves standing for the outputs."""
        values = self.outputs(inputs).tolist()
        leaves = [[Value(v) for v in row] for row in values]
        total = with_l2(loss(self.per_sample(leaves), list(targets)), self.model.parameters(), l2)
        total.backward()
        self.tape.backward(np.array([[leaf.grad for leaf in row] for row in leaves]), input_grads=False)
        return total.data, self.per_sample(values)


def _placeholders(count: int, name: str) -> list[Value]:
    return [Value(0.0, f"{name}{i}") for i in range(count)]
