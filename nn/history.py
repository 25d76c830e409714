"""What training leaves behind: a record per optimiser step and per epoch, gathered in a History."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from autograd import argument_checks as check


@dataclass(frozen=True)
class StepRecord:
    """What one optimiser step did: its number (from 0), the batch loss and accuracy, the lr used and how
    many examples the batch held (a pass's last batch may hold fewer than the batch size)."""

    step: int
    loss: float
    accuracy: float | None
    lr: float
    rows: int


@dataclass(frozen=True)
class EpochRecord:
    """One pass over the training data: its number (from 1), the steps done by its end, the mean batch loss
    and accuracy over the pass, and the validation loss and accuracy after it (None without validation).

    Both losses include the L1/L2 penalty, as the per-step losses do, so the two curves compare.
    """

    epoch: int
    step: int
    loss: float
    accuracy: float | None
    val_loss: float | None = None
    val_accuracy: float | None = None


@dataclass
class History:
    """Per optimiser step: the batch loss, the batch accuracy (None if not a classification) and lr.

    ``epochs`` holds an EpochRecord per finished pass; ``best_epoch`` is the epoch whose weights
    early stopping kept (None if it did not run). With ``window = N`` only the last N steps and the
    last N epochs are kept (deques), so a run of any length holds bounded memory; ``steps_seen`` and
    ``epochs_seen`` count every record added, kept or not.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    epochs: list[EpochRecord] = field(default_factory=list)
    best_epoch: int | None = None
    window: int | None = None

    def __post_init__(self) -> None:
        if self.window is not None:
            check.count(self.window, "window (None, or a whole number >= 1)")
            for name in ("loss", "accuracy", "lr", "epochs"):
                setattr(self, name, deque(getattr(self, name), maxlen=self.window))
        self.steps_seen, self.epochs_seen = len(self.loss), len(self.epochs)
        self._pass = [0.0, 0.0, 0]  # the current pass's losses and right answers, each weighed by its rows; rows

    def __len__(self) -> int:
        return len(self.loss)

    def append(self, record: StepRecord) -> None:
        """Add one step's record (and count it in the current pass)."""
        self.loss.append(record.loss)
        self.accuracy.append(record.accuracy)
        self.lr.append(record.lr)
        self.steps_seen += 1
        totals, rows = self._pass, record.rows
        totals[0] += record.loss * rows
        totals[1] = None if record.accuracy is None or totals[1] is None else totals[1] + record.accuracy * rows
        totals[2] += rows

    def end_pass(self, step: int, val_loss: float | None = None, val_accuracy: float | None = None) -> None:
        """Close the current pass: an EpochRecord of its mean loss and accuracy (each step weighed by its rows)."""
        loss, right, rows = self._pass
        self.append_epoch(EpochRecord(self.epochs_seen + 1, step, loss / rows, None if right is None else right / rows,
                                      val_loss, val_accuracy))
        self._pass = [0.0, 0.0, 0]

    def append_epoch(self, record: EpochRecord) -> None:
        """Add one finished pass's record."""
        self.epochs.append(record)
        self.epochs_seen += 1
