"""One training step on the engine itself: the batch's graph built, differentiated, and the optimiser's step.

``loss_and_grads`` is the reference the compiled step agrees with; ``EagerStep`` runs it with an
optimiser behind the same call as ``nn.compiled_step.CompiledStep`` (``Trainer(compiled=False)``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from autograd import argument_checks as check

from .compiled_step import StepResult
from .losses import LOSSES, LossFn, with_penalty
from .module import MLP, checked_model
from .optim import Optimizer


def loss_and_grads(model: MLP, loss: LossFn, inputs: list, targets: list, l1: float = 0.0, l2: float = 0.0):
    """Forward one batch, backward once: returns the loss and the outputs as floats.

    The parameters' ``.grad`` receive the batch gradient (they accumulate: zero them first).
    ``l1`` and ``l2`` add ``l1·Σ|p| + l2·Σ p²`` to the loss (``nn.losses.with_penalty``).
    """
    checked_model(model)
    loss = loss_function(loss)
    l1, l2 = (check.real(strength, name, at_least=0) for name, strength in (("l1", l1), ("l2", l2)))
    inputs = check.sequence(inputs, "inputs", "a list of input rows")
    return _loss_and_grads(model, loss, inputs, targets, l1, l2)


def _loss_and_grads(model: MLP, loss: LossFn, inputs, targets: list, l1: float, l2: float):
    outputs = [model(x) for x in (inputs.tolist() if isinstance(inputs, np.ndarray) else inputs)]
    total = with_penalty(loss(outputs, targets), model.parameters(), l1, l2)
    total.backward()
    return total.data, [[v.data for v in out] if isinstance(out, list) else out.data for out in outputs]


def loss_function(loss: str | LossFn) -> LossFn:
    """The loss a name of ``nn.LOSSES`` stands for, or your function ``(outputs, targets) -> Value``."""
    if not isinstance(loss, str):
        return check.function(loss, "loss", f"one of {', '.join(LOSSES)} or a function (outputs, targets) -> Value")
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} or pass a function")
    return LOSSES[loss]


class EagerStep:
    """``zero_grad``, ``loss_and_grads`` and (for a finite loss) ``optimizer.step()`` on the model's Values,
    which are the parameters themselves: ``read`` and ``write`` have nothing to do."""

    def __init__(self, model: MLP, loss: LossFn, optimizer: Optimizer, l1: float = 0.0, l2: float = 0.0) -> None:
        self.model, self.loss, self.optimizer, self.l1, self.l2 = model, loss, optimizer, l1, l2

    def read(self) -> None:
        """Nothing: the step reads the Values."""

    def write(self) -> None:
        """Nothing: the step writes the Values."""

    def encode(self, targets: list) -> None:
        """No encoding: the loss reads the targets as given."""

    def __call__(self, inputs: np.ndarray, targets: Iterable, encoded: None = None) -> StepResult:
        self.optimizer.zero_grad()
        loss, outputs = _loss_and_grads(self.model, self.loss, inputs, list(targets), self.l1, self.l2)
        if math.isfinite(loss):
            self.optimizer.step()
        return StepResult(loss, np.array(outputs, dtype=float).reshape(len(inputs), -1))
