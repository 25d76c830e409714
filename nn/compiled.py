"""The fast path of training: a model traced once, with its loss and penalties when asked, replayed with numpy.

``CompiledModel`` holds the tapes: the model's outputs (``outputs(X)``), and for a training step the
model with a built-in loss traced on the same tape, or with only the penalties when the loss runs on
the engine (``tape_with``). The step itself is ``nn.compiled_step.CompiledStep``; ``step`` and
``loss_and_grads`` run one on a batch and write the Values before they return.
"""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Value

from .compiled_step import CompiledStep, StepResult
from .losses import TRACED, LossFn, TracedLoss
from .module import MLP, checked_model
from .optim import Optimizer

MAX_REPLAY_BYTES = 2 ** 30  # the numpy buffers of one replayed batch (1 GiB)

__all__ = ["MAX_REPLAY_BYTES", "CompiledModel", "CompiledStep", "StepResult"]


class CompiledModel:
    """``model``'s outputs as one tape: ``outputs(X)`` and ``loss_and_grads`` for a batch of rows."""

    def __init__(self, model: MLP) -> None:
        self.model = checked_model(model)
        placeholders = _placeholders(model.nin, "x")
        traced = model(placeholders)
        self.single = not isinstance(traced, list)
        self.outputs_count = 1 if self.single else len(traced)
        self.tape = autograd.compile([traced] if self.single else traced, inputs=placeholders)
        self._loss_tapes: dict[tuple, autograd.Tape] = {}
        self._steps: dict[tuple, CompiledStep] = {}

    @property
    def loss_tapes(self) -> tuple[autograd.Tape, ...]:
        """The tapes of model + built-in loss traced so far (one per loss and penalties used)."""
        return tuple(tape for (traced, _), tape in self._loss_tapes.items() if traced is not None)

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
        rows, most = self._rows(inputs), self.max_rows
        if len(rows) <= most:
            return self.tape.forward(rows)
        return np.concatenate([self.tape.forward(rows[start:start + most]) for start in range(0, len(rows), most)])

    def per_sample(self, rows: list[list]) -> list:
        """Rows of outputs as the model returns them: one item per row for a single output."""
        return [row[0] for row in rows] if self.single else rows

    def loss_and_grads(self, loss: LossFn, inputs, targets: list, l1: float = 0.0, l2: float = 0.0):
        """What ``nn.loss_and_grads`` returns (each ``.grad`` gains the batch gradient), replayed."""
        result = self.step(loss, inputs, targets, l1, l2)
        return result.loss, self.per_sample(result.outputs.tolist())

    def step(self, loss: LossFn, inputs, targets: list, l1: float = 0.0, l2: float = 0.0,
             optimizer: Optimizer | None = None) -> StepResult:
        """One batch, one ``CompiledStep``: without ``optimizer`` each ``.grad`` gains the batch gradient; with
        one, ``zero_grad``, the gradients and ``optimizer.step()`` in one. The parameters are read from their
        Values first and written back (``.data`` and ``.grad``) before this returns; a loss that is not
        finite changes nothing."""
        key = (loss, optimizer, l1, l2)
        if key not in self._steps:
            self._steps[key] = CompiledStep(self, loss, optimizer, l1, l2)
        step = self._steps[key]
        step.read()
        result = step(self._rows(inputs), targets)
        step.write()
        return result

    def _rows(self, inputs) -> np.ndarray:
        return np.asarray(inputs, dtype=float).reshape(-1, self.model.nin)

    def program(self, loss: LossFn, optimizer: Optimizer, l1: float = 0.0, l2: float = 0.0) -> str:
        """The numpy program of one training step as ``CompiledStep`` runs it (see ``nn.Trainer.program``)."""
        traced = TRACED.get(loss)
        tape = self.tape_with(traced, (bool(l1), bool(l2)))
        rule = f"{type(optimizer).__name__}.update(P, dP): {(type(optimizer).__doc__ or '').splitlines()[0]}"
        if traced is None:
            heading = [f"the loss {getattr(loss, '__name__', 'given')} is not built in: it runs on the engine "
                       "over the replayed outputs, whose gradients weigh this backward", "then " + rule]
            return tape.source(input_grads=False, heading=heading)
        names = ", ".join(label for label in ("each row's loss", "Σ|p|" if l1 else "", "Σ p²" if l2 else "") if label)
        heading = ["one training step of nn.Trainer, on a batch of rows (inputs x…, targets t…):",
                   "  saved = forward(V, P, F)  (P: the parameters; F: the feed's rows)",
                   f"  G[…] = the batch's weights of {names}; backward(V, G, dP, saved)",
                   f"  {rule}", repr(tape)]
        return tape.source(input_grads=False, heading=heading)

    def tape_with(self, traced: TracedLoss | None, penalties: tuple[bool, bool]) -> autograd.Tape:
        """One tape of the model and a training step's heads, traced once: the built-in loss of one row over
        target placeholders (if ``traced``), Σ|p| and Σ p² (if ``penalties`` says so), then the outputs."""
        key = (traced, penalties)
        if key == (None, (False, False)):
            return self.tape
        if key not in self._loss_tapes:
            width = self.outputs_count
            inputs, targets = _placeholders(self.model.nin, "x"), _placeholders(width, "t")
            outputs = self.model(inputs)
            outputs = [outputs] if self.single else outputs
            for output in outputs:  # the loss is traced at 0.5, where every built-in loss is defined (bce's log p and
                output.data = 0.5   # log(1 − p)), whatever the weights give at zero inputs; replays recompute it
            parameters = self.model.parameters()
            heads = [] if traced is None else [traced.row(outputs, targets)]
            if penalties[0]:
                heads.append(autograd.sum([abs(p) for p in parameters]))
            if penalties[1]:
                heads.append(autograd.sum([p * p for p in parameters]))
            placeholders = inputs if traced is None else inputs + targets
            self._loss_tapes[key] = autograd.compile(heads + outputs, inputs=placeholders)
        return self._loss_tapes[key]


def _placeholders(count: int, name: str) -> list[Value]:
    return [Value(0.0, f"{name}{i}") for i in range(count)]
