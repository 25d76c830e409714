"""Learning-rate schedules: callables ``step -> lr`` that ``Trainer``/``fit`` take as ``lr_schedule``.

Each starts with an optional linear warm-up: for ``warmup = W`` the first W steps use
``lr·(k+1)/(W+1)``, then the schedule proper runs from its step 0 at step W::

    Constant(lr)                         lr
    Linear(lr, steps, end_fraction=0.1)  lr·(1 − (1 − end)·t)           t = k/(steps − W), at most 1
    Step(lr, every, factor=0.1)          lr·factor^⌊k/every⌋
    Cosine(lr, steps, end_fraction=0)    lr·(end + (1 − end)·(1 + cos πt)/2)
"""
from __future__ import annotations

import math

from autograd import argument_checks as check


class Schedule:
    """``lr`` after a linear warm-up of ``warmup`` steps, shaped by ``factor(k)`` (1 here: constant)."""

    name = "constant"

    def __init__(self, lr: float, warmup: int = 0) -> None:
        self.lr = check.real(lr, "lr", above=0)
        self.warmup = check.count(warmup, "warmup", at_least=0)

    def __call__(self, step: int) -> float:
        check.count(step, "step", at_least=0)
        if step < self.warmup:
            return self.lr * (step + 1) / (self.warmup + 1)
        return self.lr * self.factor(step - self.warmup)

    def factor(self, k: int) -> float:
        """The fraction of ``lr`` used ``k`` steps after the warm-up."""
        return 1.0

    def _fields(self) -> dict:
        return {"lr": self.lr}

    def __repr__(self) -> str:
        fields = {**self._fields(), **({"warmup": self.warmup} if self.warmup else {})}
        return f"{type(self).__name__}({', '.join(f'{key}={value!r}' for key, value in fields.items())})"


Constant = Schedule


class _Decay(Schedule):
    """A schedule that reaches ``end_fraction·lr`` at step ``steps`` and stays there."""

    def __init__(self, lr: float, steps: int, end_fraction: float, warmup: int = 0) -> None:
        super().__init__(lr, warmup)
        self.steps = check.count(steps, "steps")
        self.end_fraction = check.real(end_fraction, "end_fraction", at_least=0)
        if self.warmup >= self.steps:
            raise ValueError(f"warmup ({self.warmup}) must be shorter than steps ({self.steps})")

    def progress(self, k: int) -> float:
        """How far through the decay ``k`` steps after the warm-up are: 0 to 1."""
        return min(k, self.span) / self.span

    @property
    def span(self) -> int:
        """Steps from the end of the warm-up to ``steps``."""
        return self.steps - self.warmup

    def _fields(self) -> dict:
        return {"lr": self.lr, "steps": self.steps, "end_fraction": self.end_fraction}


class Linear(_Decay):
    """micrograd's decay: a straight line from ``lr`` to ``end_fraction·lr`` at ``steps``."""

    name = "linear"

    def __init__(self, lr: float, steps: int, end_fraction: float = 0.1, warmup: int = 0) -> None:
        super().__init__(lr, steps, end_fraction, warmup)

    def factor(self, k: int) -> float:
        return 1.0 - (1.0 - self.end_fraction) * min(k, self.span) / self.span  # micrograd's rounding


class Cosine(_Decay):
    """Half a cosine from ``lr`` down to ``end_fraction·lr`` at ``steps`` (SGDR without restarts)."""

    name = "cosine"

    def __init__(self, lr: float, steps: int, end_fraction: float = 0.0, warmup: int = 0) -> None:
        super().__init__(lr, steps, end_fraction, warmup)

    def factor(self, k: int) -> float:
        return self.end_fraction + (1.0 - self.end_fraction) * (1.0 + math.cos(math.pi * self.progress(k))) / 2


class Step(Schedule):
    """``lr`` multiplied by ``factor`` every ``every`` steps (PyTorch's StepLR with gamma = factor)."""

    name = "step"

    def __init__(self, lr: float, every: int, factor: float = 0.1, warmup: int = 0) -> None:
        super().__init__(lr, warmup)
        self.every = check.count(every, "every")
        self.gamma = check.real(factor, "factor", above=0)

    def factor(self, k: int) -> float:
        return self.gamma ** (k // self.every)

    def _fields(self) -> dict:
        return {"lr": self.lr, "every": self.every, "factor": self.gamma}


SCHEDULES = {schedule.name: schedule for schedule in (Constant, Linear, Step, Cosine)}


def linear_decay(start: float, steps: int, end_fraction: float = 0.1) -> Linear:
    """micrograd's demo schedule ``linear_decay(1.0, 100)``: lr = 1.0 − 0.9·k/100."""
    check.real(start, "start", above=0)
    return Linear(start, steps, end_fraction)


def build(name: str, lr: float, steps: int, warmup: int = 0, end_fraction: float | None = None,
          every: int | None = None, factor: float = 0.1) -> Schedule:
    """The schedule ``name`` for a run of ``steps`` steps; ``end_fraction`` defaults to the schedule's own
    (linear 0.1, cosine 0), ``every`` to a third of the steps after the warm-up."""
    check.choice(name, "name (of a schedule)", SCHEDULES)
    every = check.optional_count(every, "every")
    check.real(factor, "factor", above=0)
    if name in ("linear", "cosine"):
        end = {} if end_fraction is None else {"end_fraction": end_fraction}
        return SCHEDULES[name](lr, steps, warmup=warmup, **end)
    if name == "step":
        return Step(lr, every if every is not None else max(1, (steps - warmup) // 3), factor, warmup)
    return Constant(lr, warmup)
