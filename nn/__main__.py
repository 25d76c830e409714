"""python -m nn: train a network on a dataset (train) or run a saved one (predict).

Every user mistake ends as one line on stderr and exit status 2, Ctrl-C as one line and 130.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import autograd
import nn
from nn import datasets, recipes
from nn.arguments import (Parser, UserError, finite_number, non_negative_number, positive_int, run, say,
                          shown)
from nn.files import check_folder, writable_target
from nn.train import count_steps, percent

PROG = "python -m nn"
DATASETS = list(recipes.RECIPES)
OUTPUTS = ("model.json", "loss.png", "boundary.png")  # what a run writes into --out


def _sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [positive_int(part.strip()) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 16,16 (or none), got {text!r:.40}") from None


def _recipe_line(name: str, recipe: recipes.Recipe) -> str:
    length = f"{recipe.steps} steps" if recipe.steps else f"{recipe.epochs} epochs"
    batch = f", batches of {recipe.batch_size}" if recipe.batch_size else ""
    lr = f"lr {recipe.lr:g}" + (f"→{recipe.lr * recipe.lr_end:g}" if recipe.lr_end != 1 else "")
    lr += f" momentum {recipe.momentum:g}" if recipe.momentum else ""
    l2 = f", l2 {recipe.l2:g}" if recipe.l2 else ""
    hidden = ",".join(map(str, recipe.hidden)) or "none"
    return (f"  {name:13} --hidden {hidden} {recipe.activation}, {recipe.loss}{l2}, {recipe.optimizer} {lr}, "
            f"{length}{batch}")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0].split(": ", 1)[1])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    defaults = "each dataset's defaults (every option not given):\n" + "\n".join(
        _recipe_line(name, recipe) for name, recipe in recipes.RECIPES.items())
    train = commands.add_parser("train", help="train an MLP on a dataset, save it and its pictures",
                                description="Train an MLP on a dataset; write model.json, loss.png and, for 2-D "
                                "data, boundary.png into --out.", epilog=defaults)
    train.add_argument("dataset", choices=DATASETS, metavar="DATASET", help=f"one of: {', '.join(DATASETS)}")
    train.add_argument("--hidden", type=_sizes, help="hidden layer sizes, e.g. 16,16 (none for no hidden layer)")
    train.add_argument("--activation", choices=nn.ACTIVATIONS, help="hidden layers' activation")
    train.add_argument("--output-activation", choices=nn.ACTIVATIONS, help="default: what the loss needs")
    train.add_argument("--loss", choices=list(recipes.LOSS_OUTPUT_ACTIVATION),
                       help="loss function (default: the dataset's, below)")
    train.add_argument("--optimizer", choices=list(nn.OPTIMIZERS),
                       help="optimiser, PyTorch's update rules (default: the dataset's, below)")
    train.add_argument("--lr", type=non_negative_number, help="learning rate (at the start)")
    train.add_argument("--lr-end", type=non_negative_number, help="final lr as a fraction of --lr (1 = constant)")
    train.add_argument("--momentum", type=non_negative_number, help="SGD momentum")
    train.add_argument("--l2", type=non_negative_number, help="L2 regularisation strength added to the loss")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, help="optimiser steps")
    length.add_argument("--epochs", type=positive_int, help="passes over the training data")
    train.add_argument("--batch-size", type=positive_int, help="samples per step (default: the dataset's)")
    train.add_argument("--samples", type=positive_int, help="points to generate (digits: images to train on)")
    train.add_argument("--noise", type=non_negative_number, help="noise of a generated dataset")
    train.add_argument("--seed", type=int, help="seed for the data, the weights and the shuffling")
    train.add_argument("--out", type=Path, help="output folder (default runs/DATASET; with --resume "
                       "runs/DATASET/step-N, N the step count reached)")
    train.add_argument("--resume", type=Path, metavar="MODEL.json",
                       help="continue training a saved model: its step count and learning-rate schedule go on")
    train.add_argument("--no-plots", action="store_true", help="skip the PNG pictures")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=run_train)
    predict = commands.add_parser("predict", help="print a saved model's outputs for one input",
                                  description="Print a saved model's outputs for one input: one number per "
                                  "output, space-separated, to 6 significant digits.")
    predict.add_argument("model", type=Path, metavar="MODEL.json")
    predict.add_argument("inputs", type=finite_number, nargs="+", metavar="X", help="the input numbers")
    predict.set_defaults(run=run_predict)
    return parser


def _settings(args: argparse.Namespace) -> argparse.Namespace:
    """The dataset's recipe with every option the user gave laid over it."""
    recipe = recipes.RECIPES[args.dataset]
    merged = {key: getattr(recipe, key) for key in recipe.__dataclass_fields__}
    merged["hidden"] = list(recipe.hidden)
    if args.steps is not None or args.epochs is not None:
        merged["steps"], merged["epochs"] = args.steps, args.epochs
    for key in ("hidden", "activation", "loss", "optimizer", "lr", "lr_end", "momentum", "l2",
                "batch_size", "samples", "noise", "seed"):
        if getattr(args, key) is not None:
            merged[key] = getattr(args, key)
    merged["output_activation"] = args.output_activation or recipes.LOSS_OUTPUT_ACTIVATION[merged["loss"]]
    return argparse.Namespace(**merged)


def _check(s: argparse.Namespace) -> None:
    """Combinations of options that cannot work, refused before any data is loaded."""
    if s.loss == "bce" and s.output_activation != "sigmoid":
        raise UserError("--loss bce needs probabilities: use --output-activation sigmoid")
    if s.momentum and s.optimizer != "sgd":
        raise UserError("--momentum applies to --optimizer sgd only")


def _data(name: str, s: argparse.Namespace):
    """(train, test or None, classes) with (X, y) pairs; digits are split, then ``samples`` training images kept.

    ``classes`` counts the whole dataset's labels, so a small subset still gets every class's output.
    """
    X, y = recipes.load(name, s.samples, s.noise, s.seed)
    classes = int(y.max()) + 1
    if s.test_fraction:
        X_train, y_train, X_test, y_test = datasets.split(X, y, s.test_fraction, seed=s.seed)
        return (X_train[:s.samples], y_train[:s.samples]), (X_test, y_test), classes
    return (X, y), None, classes


def _model(args: argparse.Namespace, s: argparse.Namespace, nin: int, nout: int) -> nn.MLP:
    if not args.resume:
        return nn.MLP(nin, s.hidden + [nout], s.activation, seed=s.seed, output_activation=s.output_activation)
    model = nn.load(args.resume)
    wanted = {"inputs": (model.nin, nin), "outputs": (model.nouts[-1], nout)}
    if args.hidden is not None:
        wanted["hidden layers"] = (model.nouts[:-1], s.hidden)
    if args.activation is not None:
        wanted["activation"] = (model.activation, s.activation)
    if args.output_activation is not None or s.loss == "bce":
        wanted["output activation"] = (model.output_activation, s.output_activation)
    for what, (saved, asked) in wanted.items():
        if saved != asked:
            raise UserError(f"{args.resume}: the saved model has {what} = {saved}, "
                            f"but {args.dataset} with --loss {s.loss} needs {asked}")
    return model


def _output_folder(args: argparse.Namespace, final_step: int) -> Path:
    """The folder the run writes to, checked before training: a folder (or creatable), files writable there,
    never the folder of the model being resumed (its default is runs/DATASET/step-N)."""
    out = args.out or Path("runs") / args.dataset / (f"step-{final_step}" if args.resume else "")
    target = out / "model.json"
    if args.resume and target.exists() and target.resolve() == args.resume.resolve():
        raise UserError(f"--out {out} would overwrite {args.resume}, the model being resumed; give another --out")
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"--out {out}: {existing} is a file, and --out names a folder to write model.json into")
    if existing == out:
        for name in OUTPUTS:
            writable_target(out / name)
    else:
        check_folder(existing, out)  # a file can be created there, so can the folder
    return out


def run_train(args: argparse.Namespace) -> int:
    s = _settings(args)
    _check(s)
    (X, y), test, classes = _data(args.dataset, s)
    nout, targets = recipes.outputs_and_targets(s.loss, y, classes)
    model = _model(args, s, X.shape[1], nout)
    extra = {"momentum": s.momentum} if s.optimizer == "sgd" else {}
    optimizer = nn.OPTIMIZERS[s.optimizer](model.parameters(), lr=s.lr, **extra)
    total = count_steps(len(X), s.batch_size, s.epochs, s.steps)
    start = model.trained_steps if args.resume else 0
    out = _output_folder(args, start + total)
    # the schedule runs over a fresh run's steps; a resumed run carries on past its end, at lr·lr_end
    schedule = nn.linear_decay(s.lr, start or total, s.lr_end) if s.lr_end != 1 else None
    print(f"{args.dataset}: {len(X)} training samples of {X.shape[1]} features; {model}"
          + (f"; resuming at step {start}" if args.resume else ""))
    try:
        history = nn.fit(model, (X, targets), loss=s.loss, optimizer=optimizer, steps=total, batch_size=s.batch_size,
                         seed=s.seed, l2=s.l2, lr_schedule=schedule, progress=not args.quiet, start_step=start)
    except nn.TrainingDiverged as diverged:
        raise UserError(f"training diverged at step {diverged.step} (the loss is {diverged.loss}), nothing saved; "
                        f"try a smaller --lr than {s.lr:g}") from None
    model.trained_steps = start + len(history)
    report = (f"step {model.trained_steps}: loss {history.loss[-1]:.4f}, "
              f"train acc {percent(nn.evaluate(model, (X, targets)))}")
    if test is not None:
        test_targets = recipes.outputs_and_targets(s.loss, test[1], classes)[1]
        report += f", test acc {percent(nn.evaluate(model, (test[0], test_targets)))} on {len(test[1])} held out"
    print(report)
    _write(out, args, model, history, start, X, y)
    return 0


def _write(out: Path, args: argparse.Namespace, model: nn.MLP, history: nn.History, start: int,
           X: np.ndarray, y: np.ndarray) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.json")
    print(f"wrote {shown(out / 'model.json')}")
    if args.no_plots:
        return
    try:
        from viz import plots
    except ImportError as error:
        say(PROG, f"note: skipped the pictures ({error})")
        return
    try:
        title = f"{args.dataset}: training loss" + (f" (resumed at step {start})" if start else "")
        print(f"wrote {shown(plots.loss_curve(history, out / 'loss.png', title=title, first_step=start))}")
        if X.shape[1] == 2:
            print(f"wrote {shown(plots.decision_boundary(model, X, y, out / 'boundary.png'))}")
    except ImportError as error:
        say(PROG, f"note: skipped the pictures ({error})")


def run_predict(args: argparse.Namespace) -> int:
    model = nn.load(args.model)
    if len(args.inputs) != model.nin:
        raise UserError(f"{args.model} takes {model.nin} inputs, got {len(args.inputs)}")
    with autograd.no_grad():
        output = model(args.inputs)
    outputs = output if isinstance(output, list) else [output]
    print(" ".join(f"{v.data:.6g}" for v in outputs))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (see nn.arguments for the convention)."""
    def command() -> int:
        args = build_parser().parse_args(argv)
        return args.run(args)
    return run(PROG, command, missing=(ImportError,))


if __name__ == "__main__":
    sys.exit(main())
