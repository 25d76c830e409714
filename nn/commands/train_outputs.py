"""What a training run leaves: its --out folder (checked before training), the summary line, the files."""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import nn
from autograd.conventions.errors import UserError
from autograd.conventions.files import writable_folder, writable_target
from autograd.conventions.terminal import say, shown
from nn import metrics, plots, prepare
from nn.commands import PROG
from nn.metrics import percent
from nn.staging import staged

OUTPUTS = ("model.json", "loss.png", "boundary.png", "confusion.png")  # what a run writes into --out
MAX_RUN_NUMBER = 10_000  # runs/DATASET-2 … runs/DATASET-10000


def output_folder(args: argparse.Namespace, final_step: int) -> Path:
    """The folder the run writes to, checked before training: a folder (or creatable), files writable there,
    never the folder of the model being resumed (its default is runs/DATASET/step-N). The default folder
    is never one that holds an earlier run (then FOLDER-2, FOLDER-3, …) unless ``--overwrite``."""
    out = args.out or Path("runs") / Path(args.dataset).stem / (f"step-{final_step}" if args.resume else "")
    if args.out is not None and out.suffix.lower() in {Path(name).suffix for name in OUTPUTS} and not out.exists():
        raise UserError(f"--out {shown(out)} looks like a file's name, but --out is the folder a run writes "
                        f"{', '.join(OUTPUTS)} into; give a folder such as --out {shown(out.with_suffix(''))}")
    if args.out is None and not args.overwrite and _holds_a_run(out):
        earlier, out = out, _next_free(out)
        print(f"{shown(earlier)} holds an earlier run: this one goes to {shown(out)} "
              f"(--overwrite replaces the earlier one, --out picks a folder)")
    target = out / "model.json"
    if args.resume and target.exists() and target.resolve() == args.resume.resolve():
        raise UserError(f"--out {out} would overwrite {args.resume}, the model being resumed; give another --out")
    writable_folder(out, "--out")
    if out.is_dir():
        for name in OUTPUTS:
            writable_target(out / name)
    return out


def _holds_a_run(folder: Path) -> bool:
    return any((folder / name).exists() for name in OUTPUTS)


def _next_free(folder: Path) -> Path:
    """FOLDER-2, FOLDER-3, …: the first that holds no run."""
    for number in range(2, MAX_RUN_NUMBER + 1):
        candidate = folder.with_name(f"{folder.name}-{number}")
        if not _holds_a_run(candidate):
            return candidate
    raise UserError(f"{folder}-2 to -{MAX_RUN_NUMBER} all hold runs; give --out or --overwrite")


def summary(history: nn.History, model: nn.MLP, parts: dict, regression: bool) -> str:
    """The last step's loss, then accuracy (or, for a regression, the loss) on every part of the data."""
    line = f"step {model.trained_steps}: loss {history.loss[-1]:.4f}"
    for name, part in parts.items():
        if regression:
            mse = f"{float(np.mean((metrics.outputs(model, part[0])[:, 0] - part[1]) ** 2)):.4g}"
            line += f", {name} mse {mse}"
        else:
            line += f", {name} acc {percent(nn.evaluate(model, part))}"
        if name != "train":
            line += f" on {len(part[1])} held out"
    if history.best_epoch is not None:
        best = history.epochs[history.best_epoch - 1]
        line += (f"\nkept epoch {best.epoch} of {len(history.epochs)}, the lowest validation loss "
                 f"({best.val_loss:.4f})")
    return line


def write(out: Path, args: argparse.Namespace, model: nn.MLP, history: nn.History, start: int,
          data: prepare.RunData, matrix: np.ndarray | None, held: str) -> None:
    """The run's files, written into ``out`` as one unit (``nn.staging``): a run stopped before the end
    (Ctrl-C, a picture that fails) leaves the previous run's files as they were, never a mix."""
    with staged(out, OUTPUTS) as stage:
        model.save(stage / "model.json")
        written = ["model.json"]
        if not args.no_plots:
            written += _pictures(stage, args, model, history, start, data, matrix, held)
    for name in written:
        print(f"wrote {shown(out / name)}")


def _pictures(stage: Path, args: argparse.Namespace, model: nn.MLP, history: nn.History, start: int,
              data: prepare.RunData, matrix: np.ndarray | None, held: str) -> list[str]:
    """The loss curve, the decision boundary (2-D data) and the confusion matrix drawn into ``stage``:
    the names written (none, with a note, when matplotlib is missing)."""
    name, written = Path(args.dataset).stem, []
    try:
        title = f"{name}: training loss" + (f" (resumed at step {start})" if start else "")
        written.append(plots.loss_curve(history, stage / "loss.png", title=title, first_step=start).name)
        if data.train[0].shape[1] == 2 and not data.regression:
            written.append(plots.decision_boundary(model, *data.train, stage / "boundary.png").name)
        if matrix is not None:
            title = f"{name}: confusion matrix ({held} rows)"
            written.append(plots.confusion_matrix(matrix, stage / "confusion.png", data.signature.classes, title).name)
    except ImportError as error:
        say(PROG, f"note: skipped the pictures ({error})")
    return written
