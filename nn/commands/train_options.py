"""``python -m nn train``'s options: declared, laid over the dataset's recipe, and checked together."""
from __future__ import annotations

import argparse
import itertools
import os
from pathlib import Path

import nn
from autograd.conventions.command_line import (
    any_case,
    finite_number,
    fraction,
    layer_sizes,
    non_negative_number,
    nonempty_path,
    positive_int,
    whole_number,
)
from autograd.conventions.errors import UserError
from autograd.conventions.terminal import echo, shown
from nn import datasets, features, prepare, recipes, schedules

DATASETS = list(recipes.RECIPES)
MAX_STEPS = 1_000_000  # optimiser steps in one run: each keeps its record for loss.png (~0.35 kB with its epoch's)


def _feature_names(text: str) -> list[str]:
    """``"x1,x2,x1^2"`` -> the ``nn.features`` names, checked."""
    try:
        return features.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _noise(text: str) -> float:
    """``"0.2"`` -> 0.2: a generator's noise, from 0 to ``nn.datasets.MAX_NOISE``."""
    noise = finite_number(text)
    if not 0 <= noise <= datasets.MAX_NOISE:
        raise argparse.ArgumentTypeError(f"expected a noise level from 0 to {datasets.MAX_NOISE:g} "
                                         f"(nn.datasets.MAX_NOISE: more hides the data's shape), got {echo(text)}")
    return noise


def _recipe_line(name: str, recipe: recipes.Recipe) -> str:
    length = f"{recipe.steps} steps" if recipe.steps else f"{recipe.epochs} epochs"
    batch = f", batches of {recipe.batch_size}" if recipe.batch_size else ""
    lr = f"lr {recipe.lr:g}" + (f"→{recipe.lr * recipe.lr_end:g}" if recipe.lr_end != 1 else "")
    lr += f" momentum {recipe.momentum:g}" if recipe.momentum else ""
    l2 = f", l2 {recipe.l2:g}" if recipe.l2 else ""
    hidden = ",".join(map(str, recipe.hidden)) or "none"
    return (f"  {name:13} --hidden {hidden} {recipe.activation}, {recipe.loss}{l2}, {recipe.optimizer} {lr}, "
            f"{length}{batch}")


def _dataset(text: str) -> str:
    """A .csv path, or a built-in dataset's one name (from any case or alias); a folder is refused naming its CSVs."""
    if prepare.is_csv(text):
        return text
    if datasets.canonical(text) in DATASETS:
        return datasets.canonical(text)
    expected = f"expected a .csv file or one of {datasets.refusal(DATASETS, text)}"
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(expected)
    found = sorted(str(path) for path in itertools.islice(Path(text).glob("*.csv"), 100) if path.is_file())
    if not found:
        raise argparse.ArgumentTypeError(f"{shown(text)} is a folder with no .csv file in it; {expected}")
    raise argparse.ArgumentTypeError(f"{shown(text)} is a folder: give a .csv file in it, such as "
                                     f"{', '.join(found[:3])}")


def add_parser(commands) -> argparse.ArgumentParser:
    """The train command and its options, each dataset's defaults in its --help."""
    defaults = "each dataset's defaults (every option not given):\n" + "\n".join(
        _recipe_line(name, recipe) for name, recipe in recipes.RECIPES.items())
    train = commands.add_parser("train", help="train an MLP on a dataset, save it and its pictures",
                                description="Train an MLP on a dataset or a CSV; write model.json, loss.png and "
                                "the other pictures into --out.", epilog=defaults)
    train.add_argument("dataset", type=_dataset, metavar="DATASET",
                       help=f"one of: {', '.join(DATASETS)}; or a .csv file (a header row, numeric columns)")
    train.add_argument("--target", help="the CSV's label column (default: label)")
    train.add_argument("--regression", action="store_true", help="the CSV's target is a number to predict")
    train.add_argument("--drop", action="append", metavar="COLUMN", default=[],
                       help="a CSV column to leave out (a row id, a name); repeat it for more")
    train.add_argument("--no-standardize", action="store_true",
                       help="feed a CSV's columns as they are (default: scaled by the training rows' mean and "
                            "standard deviation, kept in the model file)")
    train.add_argument("--features", type=_feature_names,
                       help=f"inputs computed from the two input columns x1, x2, e.g. x1,x2,x1^2 "
                            f"(from {', '.join(features.NAMES)})")
    train.add_argument("--hidden", type=layer_sizes, help="hidden layer sizes, e.g. 16,16 (none for no hidden layer)")
    train.add_argument("--activation", type=any_case, choices=nn.ACTIVATIONS, help="hidden layers' activation")
    train.add_argument("--output-activation", type=any_case, choices=nn.ACTIVATIONS,
                       help="default: what the loss needs")
    train.add_argument("--loss", type=any_case, choices=list(recipes.LOSS_OUTPUT_ACTIVATION),
                       help="loss function (default: the dataset's, below)")
    train.add_argument("--optimizer", type=any_case, choices=list(nn.OPTIMIZERS),
                       help="optimiser, PyTorch's update rules (default: the dataset's, below)")
    train.add_argument("--lr", type=non_negative_number, help="learning rate (at the start)")
    train.add_argument("--lr-end", type=non_negative_number, help="final lr as a fraction of --lr (1 = constant)")
    train.add_argument("--momentum", type=non_negative_number, help="SGD momentum")
    train.add_argument("--schedule", type=any_case, choices=list(schedules.SCHEDULES),
                       help="learning-rate schedule (default: linear when --lr-end is not 1, else constant)")
    train.add_argument("--warmup", type=positive_int, help="steps of linear warm-up before the schedule")
    train.add_argument("--decay-every", type=positive_int, help="--schedule step: steps between decays")
    train.add_argument("--decay-factor", type=non_negative_number,
                       help="--schedule step: lr multiplier at each decay, at most 1 (default 0.1)")
    train.add_argument("--l1", type=non_negative_number, help="L1 regularisation strength added to the loss")
    train.add_argument("--l2", type=non_negative_number, help="L2 regularisation strength added to the loss")
    train.add_argument("--init", type=any_case, choices=list(nn.INITS), default="uniform",
                       help="weight initialisation (default: uniform in [-1, 1), micrograd's)")
    train.add_argument("--val-fraction", type=fraction,
                       help="training rows held out (stratified) to score every epoch; CSV default 0.2")
    train.add_argument("--patience", type=positive_int,
                       help="stop after this many epochs without a lower validation loss; keep the best")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, help="optimiser steps")
    length.add_argument("--epochs", type=positive_int, help="passes over the training data")
    train.add_argument("--batch-size", type=positive_int, help="samples per step (default: the dataset's)")
    train.add_argument("--samples", type=positive_int, help="points to generate (digits, mnist: images to train on)")
    train.add_argument("--mnist-dir", type=nonempty_path, metavar="DIR",
                       help="mnist: the folder with MNIST's four IDX files (standard names, raw or .gz); "
                            "default: where `python -m nn download mnist` puts them")
    train.add_argument("--noise", type=_noise, help=f"noise of a generated dataset, from 0 to {datasets.MAX_NOISE:g}")
    train.add_argument("--seed", type=whole_number, help="seed for the data, the weights and the shuffling")
    train.add_argument("--out", type=nonempty_path,
                       help="output folder (default runs/DATASET, or runs/DATASET-2, -3, … when it holds an earlier "
                            "run; with --resume runs/DATASET/step-N, N the step count reached)")
    train.add_argument("--overwrite", action="store_true",
                       help="write into the default folder even when it holds an earlier run")
    train.add_argument("--resume", type=nonempty_path, metavar="MODEL.json",
                       help="continue training a saved model: its step count and learning-rate schedule go on")
    train.add_argument("--no-plots", action="store_true", help="skip the PNG pictures")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    return train


def settings(args: argparse.Namespace) -> argparse.Namespace:
    """The dataset's recipe with every option the user gave laid over it."""
    recipe = recipes.CSV if prepare.is_csv(args.dataset) else recipes.RECIPES[args.dataset]
    merged = {key: getattr(recipe, key) for key in recipe.__dataclass_fields__}
    merged["hidden"] = list(recipe.hidden)
    if args.steps is not None or args.epochs is not None:
        merged["steps"], merged["epochs"] = args.steps, args.epochs
    merged["l1"] = 0.0
    for key in ("hidden", "activation", "loss", "optimizer", "lr", "lr_end", "momentum", "l1", "l2",
                "batch_size", "samples", "noise", "seed", "val_fraction"):
        if getattr(args, key) is not None:
            merged[key] = getattr(args, key)
    if args.no_standardize:
        merged["standardize"] = False
    return argparse.Namespace(**merged)


def check(args: argparse.Namespace, s: argparse.Namespace) -> None:
    """Combinations of options that cannot work, refused before any data is loaded."""
    if args.mnist_dir is not None and args.dataset != "mnist":
        raise UserError(f"--mnist-dir applies to mnist only, not {args.dataset}")
    generated = ", ".join(datasets.GENERATORS)
    if args.noise is not None and args.dataset not in datasets.GENERATORS:
        raise UserError(f"--noise applies to a generated dataset ({generated}), not {args.dataset}")
    if args.samples is not None and args.dataset not in (*datasets.GENERATORS, "digits", "mnist"):
        raise UserError(f"--samples applies to a generated dataset ({generated}), digits or mnist, not {args.dataset}")
    if args.samples is not None and args.samples < datasets.CLASSES.get(args.dataset, 1):
        raise UserError(f"--samples {args.samples}: {args.dataset} needs a point per class, at least "
                        f"{datasets.CLASSES[args.dataset]}")
    csv = prepare.is_csv(args.dataset)
    for option, given in (("--target", args.target is not None), ("--regression", args.regression),
                          ("--drop", bool(args.drop)), ("--no-standardize", args.no_standardize)):
        if given and not csv:
            raise UserError(f"{option} applies to a CSV (a .csv file), not {args.dataset}")
    for option, given in (("--decay-every", args.decay_every), ("--decay-factor", args.decay_factor)):
        if given is not None and args.schedule != "step":
            raise UserError(f"{option} applies to --schedule step")
    if args.decay_factor is not None and args.decay_factor > 1:
        raise UserError(f"--decay-factor is a decay: a multiplier of at most 1, got {args.decay_factor:g}")
    if s.momentum and s.optimizer != "sgd":
        raise UserError("--momentum applies to --optimizer sgd only")
    if args.patience and not s.val_fraction:
        raise UserError("--patience watches the validation loss: give --val-fraction too")


def check_steps(total: int, s: argparse.Namespace) -> None:
    """A run of at most MAX_STEPS steps (its History keeps a record of every step), refused before any step."""
    if total <= MAX_STEPS:
        return
    asked, most = (f"--epochs {s.epochs} is {total:,} steps,", f"--epochs {MAX_STEPS // (total // s.epochs)}") \
        if s.epochs else (f"--steps {total} is", f"--steps {MAX_STEPS}")
    raise UserError(f"{asked} more than a run's limit of {MAX_STEPS:,} (nn.commands.train_options.MAX_STEPS: "
                    f"every step's loss is kept for loss.png); give at most {most}, and --resume the saved "
                    f"model.json to train on")
