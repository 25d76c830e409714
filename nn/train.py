"""Training: the one loop (``Trainer``: shuffled mini-batches, one optimiser step per batch) and ``fit``."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np
from tqdm import tqdm

from .compiled import CompiledModel
from .losses import LOSSES, LossFn, with_l2
from .module import MLP
from .optim import SGD, Optimizer


@dataclass
class History:
    """Per optimiser step: the batch loss, the batch accuracy (None if not a classification) and lr."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def append(self, record: StepRecord) -> None:
        """Add one step's record."""
        self.loss.append(record.loss)
        self.accuracy.append(record.accuracy)
        self.lr.append(record.lr)


def loss_and_grads(model: MLP, loss: LossFn, inputs: list, targets: list, l2: float = 0.0):
    """Forward one batch, backward once: returns the loss and the outputs as floats.

    The parameters' ``.grad`` receive the batch gradient (they accumulate: zero them first).
    ``l2`` adds micrograd's regularisation ``l2·Σ p²`` to the loss.
    """
    outputs = [model(x) for x in (inputs.tolist() if isinstance(inputs, np.ndarray) else inputs)]
    total = with_l2(loss(outputs, targets), model.parameters(), l2)
    total.backward()
    return total.data, [_floats(out) for out in outputs]


def _floats(output):
    return [v.data for v in output] if isinstance(output, list) else output.data


def accuracy(outputs, targets: list, threshold: float = 0.5) -> float | None:
    """Fraction of samples classified right: argmax for several outputs, ``> threshold`` for one.

    ``outputs`` is one row (or number) per sample, as lists or an array. A target may be a class
    index or a one-hot row; None when a target is neither a class nor a number (a regression).
    """
    outputs = np.asarray(outputs, dtype=float)
    if outputs.ndim == 2:
        wanted = np.asarray(targets)
        wanted = wanted.argmax(axis=1) if wanted.ndim == 2 else wanted
        return float((outputs.argmax(axis=1) == wanted).mean())
    if not all(isinstance(target, (int, float)) for target in targets):
        return None
    return float(((outputs > threshold) == (np.asarray(targets, dtype=float) > threshold)).mean())


def linear_decay(start: float, steps: int, end_fraction: float = 0.1) -> Callable[[int], float]:
    """Learning rate at step k: from ``start`` falling linearly towards ``end_fraction·start`` at ``steps``.

    micrograd's demo uses ``linear_decay(1.0, 100)``: lr = 1.0 − 0.9·k/100.
    """
    return lambda k: start * (1.0 - (1.0 - end_fraction) * k / steps)


def _check_count(name: str, number: int | None, least: int = 1) -> None:
    """None or an integer >= ``least``; anything else is a ValueError naming ``name``."""
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < least):
        wanted = "a positive integer" if least == 1 else f"an integer >= {least}"
        raise ValueError(f"{name} must be {wanted}, got {number!r}")


def count_steps(count: int, batch_size: int | None, epochs: int | None, steps: int | None) -> int:
    """How many optimiser steps ``fit`` takes for ``count`` samples (checks the arguments)."""
    if (epochs is None) == (steps is None):
        raise ValueError("fit needs exactly one of epochs= or steps=")
    for name, number in (("epochs", epochs), ("steps", steps), ("batch_size", batch_size)):
        _check_count(name, number)
    if steps is not None:
        return steps
    per_epoch = 1 if batch_size is None else math.ceil(count / batch_size)
    return epochs * per_epoch


def _plain(data) -> tuple[np.ndarray, list]:
    """(X, y) as a float array of input rows and a list of numbers/rows, checked to pair up."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError("data must be a pair (X, y): a list of input rows and a list of targets")
    X, y = data
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("data: X must be rows of numbers, all of the same length") from None
    y = y.tolist() if isinstance(y, np.ndarray) else [t.tolist() if isinstance(t, np.ndarray) else t for t in y]
    if X.ndim != 2 or not X.size:
        raise ValueError(f"data: X must be a non-empty list of rows of numbers, got an array of shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"data must hold as many targets as input rows, got {len(X)} rows and {len(y)} targets")
    return X, y


@dataclass(frozen=True)
class StepRecord:
    """What one optimiser step did: its number (from 0), the batch loss and accuracy, and the lr used."""

    step: int
    loss: float
    accuracy: float | None
    lr: float


class Trainer:
    """The one training loop, a step at a time: shuffled mini-batches, one optimiser step per batch.

    ``step()`` trains on the next batch and returns its StepRecord; ``epoch()`` finishes the current
    pass over the data. ``history`` holds every step; ``step_count`` (``start_step`` when resuming)
    drives ``lr_schedule(step)``. ``nn.fit`` runs it to the end with a progress bar; anything that
    trains a step at a time (early stopping, the playground) runs the same object.
    """

    def __init__(self, model: MLP, data, loss: str | LossFn = "mse", optimizer: Optimizer | None = None,
                 batch_size: int | None = None, seed: int | None = None, l2: float = 0.0,
                 lr_schedule: Callable[[int], float] | None = None, compiled: bool = True,
                 start_step: int = 0) -> None:
        self.model = model
        self.loss = _loss_function(loss)
        self.X, self.y = _plain(data)
        if self.X.shape[1] != model.nin:
            raise ValueError(f"the model takes {model.nin} inputs but the data rows have {self.X.shape[1]}")
        _check_count("batch_size", batch_size)
        _check_count("start_step", start_step, least=0)
        self.optimizer = optimizer or SGD(model.parameters(), lr=0.1)
        self.batch_size, self.l2, self.lr_schedule = batch_size, l2, lr_schedule
        self.step_count = start_step
        self.history = History()
        self._threshold = _threshold(self.y)
        self._rng = np.random.default_rng(seed)
        self._pending: list[list[int]] = []  # the batches left in the current pass over the data
        self.compiled = CompiledModel(model) if compiled else None  # the model's tapes (None: eager)

    @property
    def steps_per_epoch(self) -> int:
        """Optimiser steps in one pass over the data."""
        return count_steps(len(self.X), self.batch_size, 1, None)

    def step(self) -> StepRecord:
        """Train on the next batch: zero the gradients, forward, backward, one optimiser step."""
        return self._step(hold=False)

    def steps(self, count: int) -> Iterator[StepRecord]:
        """Train ``count`` steps, yielding each record. The compiled path keeps the parameters in
        arrays between these steps and writes them to the model when done (or stopped early)."""
        try:
            for _ in range(count):
                yield self._step(hold=True)
        finally:
            if self.compiled is not None:
                self.compiled.release()

    def _step(self, hold: bool) -> StepRecord:
        if not self._pending:
            self._pending = self._pass_batches()
        indices = self._pending.pop(0)
        if self.lr_schedule is not None:
            self.optimizer.lr = self.lr_schedule(self.step_count)
        inputs, targets = self.X[indices], [self.y[i] for i in indices]
        if self.compiled is not None:  # zero_grad, loss_and_grads and step, on arrays
            value, outputs = self.compiled.train_step(self.loss, inputs, targets, self.l2, self.optimizer, hold)
        else:
            self.optimizer.zero_grad()
            value, outputs = loss_and_grads(self.model, self.loss, inputs, targets, self.l2)
            self.optimizer.step()
        record = StepRecord(self.step_count, value, accuracy(outputs, targets, self._threshold), self.optimizer.lr)
        self.history.append(record)
        self.step_count += 1
        return record

    def epoch(self) -> list[StepRecord]:
        """Train until the current pass over the data is done (a whole pass when between epochs)."""
        if not self._pending:
            self._pending = self._pass_batches()
        return list(self.steps(len(self._pending)))

    def _pass_batches(self) -> list[list[int]]:
        """One pass: the data in order for a full batch, a fresh shuffle into mini-batches otherwise."""
        count = len(self.X)
        if self.batch_size is None or self.batch_size >= count:
            return [list(range(count))]
        order = self._rng.permutation(count).tolist()
        return [order[start:start + self.batch_size] for start in range(0, count, self.batch_size)]


def _loss_function(loss: str | LossFn) -> LossFn:
    if not isinstance(loss, str):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} or pass a function")
    return LOSSES[loss]


def fit(model: MLP, data, loss: str | LossFn = "mse", optimizer: Optimizer | None = None,
        epochs: int | None = None, steps: int | None = None, batch_size: int | None = None,
        seed: int | None = None, l2: float = 0.0, lr_schedule: Callable[[int], float] | None = None,
        progress: bool = True, compiled: bool = True) -> History:
    """Train ``model`` on ``data = (X, y)`` and return the per-step History: a Trainer run to the end.

    ``loss`` is a name from ``nn.LOSSES`` or a function ``(outputs, targets) -> Value``;
    ``optimizer`` defaults to ``SGD(lr=0.1)``; give ``epochs`` or ``steps``; ``batch_size=None``
    means full batch; ``seed`` fixes the shuffling; ``lr_schedule(step)`` sets lr before each step.
    ``compiled`` replays the model with numpy (``nn.compiled``); ``False`` builds every graph eagerly.
    """
    trainer = Trainer(model, data, loss=loss, optimizer=optimizer, batch_size=batch_size, seed=seed, l2=l2,
                      lr_schedule=lr_schedule, compiled=compiled)
    total = count_steps(len(trainer.X), batch_size, epochs, steps)
    bar = tqdm(total=total, disable=not progress, unit="step", leave=False)
    for done, record in enumerate(trainer.steps(total)):
        bar.update()
        bar.set_postfix(loss=f"{record.loss:.4f}", acc=percent(record.accuracy), refresh=done == total - 1)
    bar.close()
    return trainer.history


def evaluate(model: MLP, data) -> float | None:
    """Accuracy of ``model`` on ``data = (X, y)``, replayed with numpy."""
    X, y = _plain(data)
    compiled = CompiledModel(model)
    return accuracy(compiled.per_sample(compiled.outputs(X).tolist()), y, _threshold(y))


def _threshold(targets: list) -> float:
    """0 for labels −1/+1 (a score's sign, as with hinge), 0.5 for 0/1 targets."""
    return 0.0 if any(isinstance(t, (int, float)) and t < 0 for t in targets) else 0.5


def percent(fraction: float | None) -> str:
    """An accuracy as the progress bar and the command line print it: ``97.5%``, or ``n/a``."""
    return "n/a" if fraction is None else f"{100 * fraction:.1f}%"

