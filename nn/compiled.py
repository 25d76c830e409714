"""The fast path of training: a model traced once, with its loss when it can be, replayed with numpy.

A built-in loss (``nn.losses.TRACED``) is traced on the tape with the model, its targets being
placeholders like the inputs, so a batch step runs no Python per row: one replay forward gives
each row's loss and outputs, one replay backward the gradients. Any other loss, and any batch the
traced loss cannot stand for (targets the eager loss would reject, a bce batch that hits the
clamped log, cross-entropy logits whose exp overflows or underflows where the eager loss shifts
them by each row's maximum), runs on the engine instead, on small leaf Values that stand for the
batch's outputs; the leaves' gradients (d loss / d output, per row) weigh the model tape's
backward. Both agree with eager training, and ``CompiledModel.step`` decides between them in one
place and returns one ``StepResult`` either way.
"""
from __future__ import annotations

import math
from operator import attrgetter
from typing import NamedTuple

import numpy as np

import autograd
from autograd import Value

from .losses import TRACED, LossFn, TracedLoss, with_penalty
from .module import MLP, checked_model
from .optim import Optimizer
from .parameter_map import ParameterMap, write_parameters

_data = attrgetter("data")

MAX_REPLAY_BYTES = 2 ** 30  # the numpy buffers of one replayed batch (1 GiB)


class StepResult(NamedTuple):
    """What a batch step gives, whichever way its loss ran: the batch loss, and the outputs (rows × outputs)."""

    loss: float
    outputs: np.ndarray


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
        self._mappings: dict[tuple, ParameterMap] = {}
        self._held: tuple | None = None  # (optimizer, parameters, last gradients) between hold and release

    @property
    def loss_tapes(self) -> tuple[autograd.Tape, ...]:
        """The tapes of model + built-in loss traced so far (one per loss, with or without L2)."""
        return tuple(self._loss_tapes.values())

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

    def loss_and_grads(self, loss: LossFn, inputs, targets: list, l1: float = 0.0, l2: float = 0.0):
        """What ``nn.train.loss_and_grads`` returns, with the model (and a built-in loss) replayed."""
        result = self.step(loss, inputs, targets, l1, l2)
        return result.loss, self.per_sample(result.outputs.tolist())

    def step(self, loss: LossFn, inputs, targets: list, l1: float = 0.0, l2: float = 0.0,
             optimizer: Optimizer | None = None) -> StepResult:
        """One batch, the one strategy: the built-in loss traced with the model when it can stand for this
        batch, else the eager loss over the replayed outputs (see the module). Both give a StepResult.

        Without ``optimizer`` each parameter's ``.grad`` gains the batch gradient (as ``loss_and_grads``).
        With one: ``zero_grad``, the gradients and ``optimizer.step()`` in one, on arrays (no update for a
        loss that is not finite); each parameter's ``.data`` and ``.grad`` are written before this returns,
        except between ``hold`` and ``release``, where they are written at ``release``.
        """
        self.check_batch(len(inputs))  # one replay: the backward needs the whole batch's buffers
        inputs = np.asarray(inputs, dtype=float).reshape(-1, self.model.nin)
        held = self._held is not None and self._held[0] is optimizer
        data = self._held[1] if held else None
        if optimizer is not None and data is None:
            data = np.fromiter(map(_data, optimizer.params), float, len(optimizer.params))
        traced = self._traced(loss, inputs, targets, (l1, l2), data, optimizer)
        if traced is None:
            self.release()  # the eager loss reads the Values
            if optimizer is None:
                return StepResult(*self._eager_loss_step(loss, inputs, targets, l1, l2))
            optimizer.zero_grad()
            result = StepResult(*self._eager_loss_step(loss, inputs, targets, l1, l2))
            if math.isfinite(result.loss):
                optimizer.step()
            if held:
                self.hold(optimizer)
            return result
        tape, total, outputs, upstream = traced
        if optimizer is None:
            tape.backward(upstream, input_grads=False)
            return StepResult(total, outputs)
        mapping = self._mapping(tape, optimizer)
        tape_grads = np.empty(len(tape.parameters))
        tape.backward(upstream, input_grads=False, parameter_grads=tape_grads)
        if mapping.covers(len(data)):  # the tape reads every parameter, in the optimiser's order
            grads = tape_grads[mapping.in_optimizer]
        else:
            grads = np.zeros(len(data))
            grads[mapping.from_optimizer] = tape_grads[mapping.in_optimizer]
        for parameter, grad in zip(mapping.others, tape_grads[mapping.elsewhere].tolist(), strict=True):
            parameter.grad += grad  # not the optimiser's: accumulates, as without zero_grad
        optimizer.update(data, grads)
        if held:
            self._held = (optimizer, data, grads)
        else:
            write_parameters(optimizer.params, data, grads)
        return StepResult(total, outputs)

    def hold(self, optimizer: Optimizer) -> None:
        """Keep ``optimizer``'s parameters in an array across ``step(..., optimizer)`` calls until ``release``:
        their Values are then stale (a training loop that runs no other code between its steps saves
        reading and writing every ``.data`` and ``.grad`` per step)."""
        self.release()
        self._held = (optimizer, np.fromiter(map(_data, optimizer.params), float, len(optimizer.params)), None)

    def flush(self) -> None:
        """Write held parameters to their Values and go on holding them (a validation reads the model)."""
        if self._held is not None and self._held[2] is not None:
            write_parameters(self._held[0].params, self._held[1], self._held[2])

    def release(self) -> None:
        """Write held parameters (and the last step's gradients) to their Values, and stop holding them."""
        if self._held is None:
            return
        optimizer, data, grads = self._held
        self._held = None
        if grads is not None:
            write_parameters(optimizer.params, data, grads)

    def _traced(self, loss: LossFn, inputs: np.ndarray, targets: list, strengths: tuple[float, float],
                data: np.ndarray | None = None, optimizer: Optimizer | None = None):
        """One replay forward of model + built-in loss (+ penalties): (tape, loss, outputs, upstream),
        or None when the loss is not built in or this batch needs the eager loss (see the module).
        ``strengths`` are (l1, l2); ``data`` the optimiser's parameters, read already (else each
        ``.data`` is read)."""
        traced = TRACED.get(loss)
        encoded = traced.encode(list(targets), self.outputs_count) if traced else None
        if encoded is None:
            return None
        used = (bool(strengths[0]), bool(strengths[1]))
        tape = self._loss_tape(traced, used)
        parameters = None if data is None else self._mapping(tape, optimizer).tape_values(data)
        values = tape.forward((inputs, encoded), parameters, lend=True)  # the backward follows in this step
        rows, first = len(inputs), 1 + sum(used)  # columns: each row's loss, the penalties used, the outputs
        scale = traced.scale(rows, self.outputs_count)
        weights = [strength for strength in strengths if strength]
        total = scale * float(values[:, 0].sum()) + sum(w * float(values[0, 1 + i]) for i, w in enumerate(weights))
        outputs = values[:, first:]
        if not math.isfinite(total) or not traced.valid(outputs):
            return None
        upstream = np.zeros(values.shape[1])  # one weight per column of every row: none for the outputs
        upstream[0] = scale
        upstream[1:first] = [strength / rows for strength in weights]  # a penalty's gradient sums over the rows
        return tape, total, outputs, upstream

    def program(self, loss: LossFn, optimizer: Optimizer, l1: float = 0.0, l2: float = 0.0) -> str:
        """The numpy program of one training step as ``step`` runs it (see ``nn.Trainer.program``)."""
        traced = TRACED.get(loss)
        rule = f"{type(optimizer).__name__}.update(P, dP): {(type(optimizer).__doc__ or '').splitlines()[0]}"
        if traced is None:
            heading = [f"the loss {getattr(loss, '__name__', 'given')} is not built in: it runs on the engine "
                       "over the replayed outputs, whose gradients weigh this backward", "then " + rule]
            return self.tape.source(input_grads=False, heading=heading)
        tape = self._loss_tape(traced, (bool(l1), bool(l2)))
        names = ", ".join(label for label in ("each row's loss", "Σ|p|" if l1 else "", "Σ p²" if l2 else "") if label)
        heading = ["one training step of nn.Trainer, on a batch of rows (inputs x…, targets t…):",
                   "  saved = forward(V, P, F)  (P: the parameters; F: the feed's rows)",
                   f"  G[…] = the batch's weights of {names}; backward(V, G, dP, saved)",
                   f"  {rule}", repr(tape)]
        return tape.source(input_grads=False, heading=heading)

    def _mapping(self, tape: autograd.Tape, optimizer: Optimizer) -> ParameterMap:
        key = (tape, optimizer)
        if key not in self._mappings:
            self._mappings[key] = ParameterMap(tape.parameters, optimizer.params)
        return self._mappings[key]

    def _loss_tape(self, traced: TracedLoss, penalties: tuple[bool, bool]) -> autograd.Tape:
        """Model, one row's loss over target placeholders and (if used) Σ|p| and Σ p², traced once."""
        key = (traced, penalties)
        if key not in self._loss_tapes:
            width = self.outputs_count
            inputs, targets = _placeholders(self.model.nin, "x"), _placeholders(width, "t")
            outputs = self.model(inputs)
            outputs = [outputs] if self.single else outputs
            parameters = self.model.parameters()
            heads = [traced.row(outputs, targets)]
            if penalties[0]:
                heads.append(autograd.sum([abs(p) for p in parameters]))
            if penalties[1]:
                heads.append(autograd.sum([p * p for p in parameters]))
            self._loss_tapes[key] = autograd.compile(heads + outputs, inputs=inputs + targets)
        return self._loss_tapes[key]

    def _eager_loss_step(self, loss: LossFn, inputs: np.ndarray, targets: list, l1: float, l2: float):
        """The model replayed, the loss on the engine over leaves standing for the outputs."""
        values = self.outputs(inputs).tolist()
        leaves = [[Value(v) for v in row] for row in values]
        total = with_penalty(loss(self.per_sample(leaves), list(targets)), self.model.parameters(), l1, l2)
        total.backward()
        self.tape.backward(np.array([[leaf.grad for leaf in row] for row in leaves]), input_grads=False)
        return total.data, np.array(values, dtype=float)


def _placeholders(count: int, name: str) -> list[Value]:
    return [Value(0.0, f"{name}{i}") for i in range(count)]
