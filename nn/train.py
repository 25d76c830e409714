"""Training: the one loop (``Trainer``: shuffled mini-batches, one optimiser step per batch) and ``fit``."""
from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import closing

import numpy as np
from tqdm.auto import tqdm  # the notebook bar inside Jupyter, the terminal bar elsewhere

from autograd import argument_checks as check

from .compiled import CompiledModel
from .compiled_step import CompiledStep
from .data_rows import Picked, gathered, plain_data
from .eager_step import EagerStep, loss_function
from .history import History, StepRecord
from .losses import LOSSES, LossFn
from .metrics import fraction_right, percent, right_answers, score, threshold
from .module import MLP, checked_model
from .optim import SGD, Optimizer
from .schedules import Schedule


def count_steps(count: int, batch_size: int | None, epochs: int | None, steps: int | None) -> int:
    """How many optimiser steps ``fit`` takes for ``count`` samples (checks the arguments)."""
    if (epochs is None) == (steps is None):
        raise ValueError("fit needs exactly one of epochs= or steps=")
    for name, number in (("epochs", epochs), ("steps", steps), ("batch_size", batch_size)):
        check.optional_count(number, name)
    if steps is not None:
        return steps
    per_epoch = 1 if batch_size is None else math.ceil(count / batch_size)
    return epochs * per_epoch


class TrainingDiverged(ArithmeticError):
    """The loss of a step was NaN or infinite: training stops there, before the optimiser uses it."""

    def __init__(self, step: int, loss: float, lr: float) -> None:
        self.step, self.loss, self.lr = step, loss, lr
        super().__init__(f"training diverged at step {step}: the loss is {loss}, so the step was not taken; "
                         f"try a smaller learning rate than {lr:g}")


class Trainer:
    """The one training loop, a step at a time: shuffled mini-batches, one optimiser step per batch.

    ``step()`` trains on the next batch and returns its StepRecord; ``steps(n)`` yields n of them;
    ``epoch()`` finishes the current pass over the data. ``history`` holds every step (the last
    ``history_window`` steps and epochs, if given); ``step_count`` (``start_step`` when resuming)
    drives ``lr_schedule(step)``. ``nn.fit`` runs it to the end with a progress bar; anything that
    trains a step at a time (early stopping, the playground, the digit lab) runs the same object.

    When the model's Values are current: the parameters' ``.data`` and ``.grad`` are written before
    any code of yours can see them: when ``step()`` returns or raises, at each record ``steps()``
    yields, when ``epoch()`` or ``fit`` returns or raises (Ctrl-C included), before each validation,
    and, within an epoch, after every step whenever code of yours runs between steps (a loss function
    of yours, an ``lr_schedule`` that is not one of ``nn.schedules``'). Only inside ``epoch()`` and
    ``fit`` with none of those does the compiled step keep them in arrays between its steps, unseen.
    Each step reads them from the Values first, so weights you set between steps are trained.
    ``program()`` prints the numpy program a compiled step runs.

    Each finished pass adds an EpochRecord to ``history.epochs``; with ``validation = (X, y)`` it
    scores the model on that data and keeps the weights of the lowest validation loss so far
    (``restore_best()``; ``epochs_since_best`` counts the passes since).
    """

    def __init__(self, model: MLP, data, loss: str | LossFn = "mse", optimizer: Optimizer | None = None,
                 batch_size: int | None = None, seed: int | None = None, l2: float = 0.0,
                 lr_schedule: Callable[[int], float] | None = None, compiled: bool = True,
                 start_step: int = 0, l1: float = 0.0, validation=None, history_window: int | None = None) -> None:
        self.model = checked_model(model)
        self.loss = loss_function(loss)
        self.X, self.y = plain_data(data)
        if self.X.shape[1] != model.nin:
            raise ValueError(f"the model takes {model.nin} inputs but the data rows have {self.X.shape[1]}")
        check.optional_count(batch_size, "batch_size")
        check.count(start_step, "start_step", at_least=0)
        check.seed(seed)
        check.flag(compiled, "compiled")
        if lr_schedule is not None:
            check.function(lr_schedule, "lr_schedule", "None or a function step -> learning rate")
        self.optimizer = optimizer or SGD(model.parameters(), lr=0.1)
        check.instance(self.optimizer, "optimizer", Optimizer, "None or an nn optimiser (nn.SGD, nn.Adam)")
        l1, l2 = (check.real(strength, name, at_least=0) for name, strength in (("l1", l1), ("l2", l2)))
        self.batch_size, self.l1, self.l2, self.lr_schedule = batch_size, l1, l2, lr_schedule
        self.validation = None if validation is None else plain_data(validation, "validation data")
        if self.validation is not None and self.validation[0].shape[1] != model.nin:
            raise ValueError(f"the model takes {model.nin} inputs but the validation rows have "
                             f"{self.validation[0].shape[1]}")
        self.step_count, self.epochs_since_best, self._best = start_step, 0, None  # best: (val loss, epoch, weights)
        self.history = History(window=history_window)
        self._rng = np.random.default_rng(seed)
        self._pending: deque = deque()  # the batches left in the current pass over the data
        self._replay = CompiledModel(model) if compiled or validation is not None else None
        if compiled:
            self._replay.check_batch(min(batch_size or len(self.X), len(self.X)))  # refused before any buffer exists
            self._train = CompiledStep(self._replay, self.loss, self.optimizer, l1, l2)
        else:
            self._train = EagerStep(model, self.loss, self.optimizer, l1, l2)
        self._encoded = self._train.encode(self.y)  # the targets as a traced loss reads them, once
        self._threshold = threshold(self.y)
        self._answers = right_answers(self.y, len(model.layers[-1].neurons) > 1, self._threshold)
        nn_schedule = lr_schedule is None or isinstance(lr_schedule, Schedule)
        self._unseen_between_steps = compiled and self.loss in LOSSES.values() and nn_schedule

    @property
    def steps_per_epoch(self) -> int:
        """Optimiser steps in one pass over the data."""
        return count_steps(len(self.X), self.batch_size, 1, None)

    def step(self) -> StepRecord:
        """Train on the next batch: zero the gradients, forward, backward, one optimiser step; the model's
        Values are read first and written before this returns.

        Raises TrainingDiverged, leaving the parameters as they were, when the batch loss is not finite.
        """
        self._train.read()
        try:
            return self._step()
        finally:
            self._train.write()

    def steps(self, count: int) -> Iterator[StepRecord]:
        """Train ``count`` steps, yielding each record (the model's Values written, as after ``step()``)."""
        for _ in range(count):
            yield self.step()

    def epoch(self) -> list[StepRecord]:
        """Train until the current pass over the data is done (a whole pass when between epochs)."""
        if not self._pending:
            self._pending = self._pass_batches()
        return list(self._run(len(self._pending)))

    def _run(self, count: int) -> Iterator[StepRecord]:
        """``count`` steps for ``fit`` and ``epoch``, which run no code of yours between them: unless a loss
        or schedule of yours runs at each step, the parameters stay in arrays meanwhile, written before each
        validation and when done or stopped."""
        if not self._unseen_between_steps:
            yield from self.steps(count)
            return
        self._train.read()
        try:
            for _ in range(count):
                yield self._step()
        finally:
            self._train.write()

    def program(self) -> str:
        """The numpy program of one compiled training step: the tape's forward and backward with the loss
        traced in, and the optimiser's update (``nn.compiled.CompiledModel.program``)."""
        replay = self._replay or CompiledModel(self.model)
        return replay.program(self.loss, self.optimizer, self.l1, self.l2)

    def _step(self) -> StepRecord:
        if not self._pending:
            self._pending = self._pass_batches()
        indices = self._pending.popleft()
        if self.lr_schedule is not None:
            self.optimizer.lr = _rate(self.lr_schedule, self.step_count)
        inputs = np.asarray(gathered(self.X, indices), dtype=float)  # compact rows (MNIST's bytes) become floats here
        encoded = None if self._encoded is None else gathered(self._encoded, indices)
        result = self._train(inputs, Picked(self.y, indices), encoded)
        if not math.isfinite(result.loss):
            raise TrainingDiverged(self.step_count, result.loss, self.optimizer.lr)
        outputs = result.outputs[:, 0] if result.outputs.shape[1] == 1 else result.outputs
        accuracy = None if self._answers is None else fraction_right(outputs, self._answers[indices], self._threshold)
        record = StepRecord(self.step_count, result.loss, accuracy, self.optimizer.lr, len(inputs))
        self.history.append(record)
        self.step_count += 1
        self._end_pass_if_done()
        return record

    def _end_pass_if_done(self) -> None:
        """At the end of a pass over the data, validate (if asked) and record the epoch."""
        if not self._pending:
            scores = self._validate(self.history.epochs_seen + 1) if self.validation is not None else ()
            self.history.end_pass(self.step_count, *scores)

    def _validate(self, epoch: int) -> tuple[float, float | None]:
        """The validation loss and accuracy now; remember the weights if the loss is the lowest yet."""
        self._train.write()  # the validation reads the model's Values
        value, fraction = score(self._replay, self.loss, *self.validation, l1=self.l1, l2=self.l2)
        if self._best is None or value < self._best[0]:
            self._best, self.epochs_since_best = (value, epoch, self.model.get_weights()), 0
        else:
            self.epochs_since_best += 1
        return value, fraction

    def restore_best(self) -> int:
        """Put back the weights of the epoch with the lowest validation loss; returns that epoch."""
        if self._best is None:
            raise ValueError("no validated epoch yet: give validation= data and train at least one epoch")
        _, epoch, weights = self._best
        self.model.set_weights(weights)
        self.history.best_epoch = epoch
        return epoch

    def _pass_batches(self) -> deque:
        """One pass: the data in order for a full batch, a fresh shuffle into mini-batches otherwise."""
        count = len(self.X)
        if self.batch_size is None or self.batch_size >= count:
            return deque([slice(0, count)])
        order = self._rng.permutation(count)
        return deque(order[start:start + self.batch_size] for start in range(0, count, self.batch_size))


def _rate(schedule: Callable[[int], float], step: int) -> float:
    """The learning rate ``schedule`` gives for ``step``, if it is one (a finite number >= 0)."""
    return check.real(schedule(step), f"lr_schedule({step}) (a learning rate)", at_least=0)


def fit(model: MLP, data, loss: str | LossFn = "mse", optimizer: Optimizer | None = None,
        epochs: int | None = None, steps: int | None = None, batch_size: int | None = None,
        seed: int | None = None, l2: float = 0.0, lr_schedule: Callable[[int], float] | None = None,
        progress: bool = True, compiled: bool = True, l1: float = 0.0, validation=None,
        patience: int | None = None, start_step: int = 0) -> History:
    """Train ``model`` on ``data = (X, y)`` and return the per-step History: a Trainer run to the end.

    ``loss`` is a name from ``nn.LOSSES`` or a function ``(outputs, targets) -> Value``;
    ``optimizer`` defaults to ``SGD(lr=0.1)``; give ``epochs`` or ``steps``; ``batch_size=None``
    means full batch; ``seed`` fixes the shuffling; ``lr_schedule(step)`` sets lr before each step.
    ``compiled`` replays the model with numpy (``nn.compiled``); ``False`` builds every graph eagerly.
    ``validation = (X, y)`` scores every epoch (``history.epochs``); ``patience = N`` stops once the
    validation loss has not improved for N epochs and puts back the weights of the best epoch.
    ``progress`` shows a bar when stderr is a terminal. ``start_step`` numbers the steps from there
    (a resumed run), so ``lr_schedule`` carries on.
    """
    check.optional_count(patience, "patience")
    check.flag(progress, "progress")
    if patience is not None and validation is None:
        raise ValueError("patience needs validation= data to watch")
    trainer = Trainer(model, data, loss=loss, optimizer=optimizer, batch_size=batch_size, seed=seed, l2=l2,
                      lr_schedule=lr_schedule, compiled=compiled, l1=l1, validation=validation,
                      start_step=start_step)
    total = count_steps(len(trainer.X), batch_size, epochs, steps)
    # a bar only on a terminal (disable=None): piped or redirected output gets no \r-overwritten lines
    run = trainer._run(total)
    with tqdm(total=total, disable=None if progress else True, unit="step", leave=False) as bar, closing(run):
        for done, record in enumerate(run):  # closing: the bar and the held parameters, also on errors
            bar.update()
            bar.set_postfix(loss=f"{record.loss:.4f}", acc=percent(record.accuracy), refresh=done == total - 1)
            if patience is not None and trainer.epochs_since_best >= patience:
                break
    if patience is not None and trainer.history.epochs:
        trainer.restore_best()
    return trainer.history
