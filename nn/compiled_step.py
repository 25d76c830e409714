"""One training step with the model replayed: the batch's loss, its gradients and the optimiser's update.

The strategy is chosen in one place, ``CompiledStep._forward``. A built-in loss (``nn.losses.TRACED``)
is traced on a tape with the model, its targets being placeholders like the inputs, so the batch
runs no Python per row. Any other loss, and any batch the traced loss cannot stand for (targets the
eager loss would reject, a bce batch that hits the clamped log, cross-entropy logits whose exp
overflows or underflows where the eager loss shifts them by each row's maximum), runs the eager
loss on small leaf Values that stand for the replayed outputs, whose gradients weigh the tape's
backward. Either way the tape also holds the penalties (Σ|p|, Σ p²), and one backward and one update
follow; both agree with eager training.

The step reads and updates the optimiser's parameters as one array and writes no Value: ``read()``
takes them from the Values, ``write()`` puts them (and the last batch's gradients) back. Whoever runs
the steps says when (``nn.Trainer`` writes before any code of yours can look; see its docstring).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

import autograd
from autograd import Value

from .losses import TRACED, LossFn, checked_total
from .optim import Optimizer
from .parameter_map import ParameterMap, write_parameters

if TYPE_CHECKING:
    from .compiled import CompiledModel

_data = attrgetter("data")


class StepResult(NamedTuple):
    """What a batch step gives, whichever way its loss ran: the batch loss, and the outputs (rows × outputs)."""

    loss: float
    outputs: np.ndarray


class _Tape(NamedTuple):
    """A tape the step runs, found once: where its parameters sit among the optimiser's (None without one)
    and an array for their gradients."""

    tape: autograd.Tape
    mapping: ParameterMap | None
    grads: np.ndarray


class _Forward(NamedTuple):
    """A forward that ran: the tape to run backward, the loss, the outputs and the weights of the tape's columns."""

    tape: _Tape
    loss: float
    outputs: np.ndarray
    upstream: np.ndarray


class CompiledStep:
    """``loss`` (+ ``l1``·Σ|p| + ``l2``·Σ p²) on a batch, then ``optimizer``'s update (see the module).

    Without an optimiser a call adds the batch gradient to each parameter's ``.grad`` and reads each
    ``.data`` (``nn.loss_and_grads`` replayed).
    """

    def __init__(self, compiled: CompiledModel, loss: LossFn, optimizer: Optimizer | None = None,
                 l1: float = 0.0, l2: float = 0.0) -> None:
        self.compiled, self.loss, self.optimizer = compiled, loss, optimizer
        self.traced = TRACED.get(loss)
        self._penalties = (bool(l1), bool(l2))
        self._strengths = np.array([strength for strength in (l1, l2) if strength])
        self._tapes: dict[bool, _Tape] = {}  # by whether the loss is traced on it
        self._upstream: tuple[int, np.ndarray] | None = None  # the traced tape's weights for a batch of some rows
        self.data = self.grads = None
        self.read()

    def read(self) -> None:
        """Take the optimiser's parameters from their Values (code of yours may have changed them)."""
        if self.optimizer is not None:
            params = self.optimizer.params
            self.data, self.grads = np.fromiter(map(_data, params), float, len(params)), None

    def write(self) -> None:
        """Put the parameters and the last batch's gradients on their Values (nothing since ``read``, nothing
        to write: a first step not taken yet, a loss that was not finite, no optimiser)."""
        if self.grads is not None:
            write_parameters(self.optimizer.params, self.data, self.grads)

    def encode(self, targets: Iterable) -> np.ndarray | None:
        """The targets as the traced loss reads them: an array (rows, width), or None when the loss is not
        built in or they need the eager loss. A trainer encodes its targets once and passes a batch's rows."""
        return None if self.traced is None else self.traced.encode(list(targets), self.compiled.outputs_count)

    def __call__(self, inputs: np.ndarray, targets: Iterable, encoded: np.ndarray | None = None) -> StepResult:
        """One batch: forward, backward and (for a finite loss) the optimiser's update on the held arrays.

        ``inputs`` is a float array (rows, inputs); ``encoded`` the rows of ``encode(all targets)``, if any;
        ``targets`` are listed only if the eager loss or ``encode`` reads them (``nn.data_rows.Picked``).
        """
        self.compiled.check_batch(len(inputs))  # one replay: the backward needs the whole batch's buffers
        forward = self._forward(inputs, targets, encoded)
        if not math.isfinite(forward.loss):
            return StepResult(forward.loss, forward.outputs)
        tape, mapping, tape_grads = forward.tape
        if mapping is None:
            tape.backward(forward.upstream, input_grads=False)
            return StepResult(forward.loss, forward.outputs)
        tape.backward(forward.upstream, input_grads=False, parameter_grads=tape_grads)
        grads = mapping.optimizer_grads(tape_grads)
        if mapping.others:  # not the optimiser's: their gradients accumulate, as without zero_grad
            for parameter, grad in zip(mapping.others, tape_grads[mapping.elsewhere].tolist(), strict=True):
                parameter.grad += grad
        self.grads = grads  # the batch's, even if the update below is interrupted
        self.optimizer.update(self.data, grads)
        return StepResult(forward.loss, forward.outputs)

    def _forward(self, inputs: np.ndarray, targets: Iterable, encoded: np.ndarray | None) -> _Forward:
        """The one choice of strategy: the traced loss when it can stand for this batch, else the eager loss."""
        if self.traced is not None:
            if encoded is None:
                encoded = self.encode(targets)
            if encoded is not None:
                forward = self._traced_forward(inputs, encoded)
                if forward is not None:
                    return forward
        return self._eager_forward(inputs, targets)

    def _replayed(self, traced: bool, feed) -> tuple[_Tape, np.ndarray]:
        """One replay forward of the tape with the loss traced or not, on the held parameters (each ``.data``
        without an optimiser): the tape and its values."""
        if traced not in self._tapes:
            tape = self.compiled.tape_with(self.traced if traced else None, self._penalties)
            mapping = None if self.optimizer is None else ParameterMap(tape.parameters, self.optimizer.params)
            self._tapes[traced] = _Tape(tape, mapping, np.empty(len(tape.parameters)))
        use = self._tapes[traced]
        parameters = None if use.mapping is None else use.mapping.tape_values(self.data)
        return use, use.tape.forward(feed, parameters, lend=True)  # the backward follows in this step

    def _traced_forward(self, inputs: np.ndarray, encoded: np.ndarray) -> _Forward | None:
        """Model, loss and penalties on one tape, or None when this batch needs the eager loss."""
        traced, rows = self.traced, len(inputs)
        use, values = self._replayed(True, (inputs, encoded))  # columns: each row's loss, the penalties, the outputs
        upstream = self._traced_upstream(rows, values.shape[1])
        first = 1 + len(self._strengths)
        total = upstream[0] * float(values[:, 0].sum())
        if first > 1:
            total += float(self._strengths @ values[0, 1:first])
        outputs = values[:, first:]
        if not math.isfinite(total) or not traced.valid(outputs):
            return None
        return _Forward(use, total, outputs, upstream)

    def _traced_upstream(self, rows: int, columns: int) -> np.ndarray:
        """The weight of each column of every row: the loss's scale, a penalty's strength / rows (its gradient
        sums over the rows), none for the outputs; the same for every batch of ``rows`` rows."""
        if self._upstream is None or self._upstream[0] != rows:
            upstream = np.zeros(columns)
            upstream[0] = self.traced.scale(rows, self.compiled.outputs_count)
            upstream[1:1 + len(self._strengths)] = self._strengths / rows
            self._upstream = (rows, upstream)
        return self._upstream[1]

    def _eager_forward(self, inputs: np.ndarray, targets: Iterable) -> _Forward:
        """The model and penalties replayed, the loss on the engine over leaves standing for the outputs."""
        use, values = self._replayed(False, inputs)  # columns: the penalties, the outputs
        first = len(self._strengths)
        outputs = values[:, first:]
        leaves = [[Value(v) for v in row] for row in outputs.tolist()]
        loss = checked_total(self.loss(self.compiled.per_sample(leaves), list(targets)))
        loss.backward()
        total = loss.data + float(self._strengths @ values[0, :first])
        upstream = np.empty(values.shape)
        upstream[:, :first] = self._strengths / len(inputs)
        upstream[:, first:] = [[leaf.grad for leaf in row] for row in leaves]
        return _Forward(use, total, outputs, upstream)
