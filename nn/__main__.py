"""python -m nn: train a network on a dataset (``train``) or run a saved one (``predict``).

Every user mistake ends as one line on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import autograd
import nn
from nn import datasets, recipes
from nn.arguments import finite_number, positive_int
from nn.train import count_steps, percent

DATASETS = list(recipes.RECIPES)


class UserError(Exception):
    """A mistake in what the user asked for: printed as one line."""


def _sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [positive_int(part.strip()) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 16,16 (or none), got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nn", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train an MLP on a dataset, save it and its pictures")
    train.add_argument("dataset", choices=DATASETS, help="one of: %(choices)s")
    train.add_argument("--hidden", type=_sizes, help="hidden layer sizes, e.g. 16,16 (none for no hidden layer)")
    train.add_argument("--activation", choices=nn.ACTIVATIONS, help="hidden layers' activation")
    train.add_argument("--output-activation", choices=nn.ACTIVATIONS, help="default: what the loss needs")
    train.add_argument("--loss", choices=list(recipes.LOSS_OUTPUT_ACTIVATION))
    train.add_argument("--optimizer", choices=list(nn.OPTIMIZERS))
    train.add_argument("--lr", type=finite_number, help="learning rate (at the start)")
    train.add_argument("--lr-end", type=finite_number, help="final lr as a fraction of --lr (1 = constant)")
    train.add_argument("--momentum", type=finite_number, help="SGD momentum")
    train.add_argument("--l2", type=finite_number, help="L2 regularisation strength added to the loss")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, help="optimiser steps")
    length.add_argument("--epochs", type=positive_int, help="passes over the training data")
    train.add_argument("--batch-size", type=positive_int, help="samples per step (default: the dataset's)")
    train.add_argument("--samples", type=positive_int, help="points to generate (digits, mnist: images to train on)")
    train.add_argument("--mnist-dir", type=Path, metavar="DIR",
                       help="mnist: the folder with MNIST's four IDX files (standard names, raw or .gz)")
    train.add_argument("--noise", type=finite_number, help="noise of a generated dataset")
    train.add_argument("--seed", type=int, help="seed for the data, the weights and the shuffling")
    train.add_argument("--out", type=Path, help="output folder (default runs/DATASET)")
    train.add_argument("--resume", type=Path, metavar="MODEL.json", help="continue training a saved model")
    train.add_argument("--no-plots", action="store_true", help="skip the PNG pictures")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=run_train)
    predict = commands.add_parser("predict", help="print a saved model's output for one input")
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
    return argparse.Namespace(**merged)


def _data(name: str, s: argparse.Namespace, mnist_dir: Path | None):
    """(train, test or None) as (X, y) pairs; digits are split, then ``samples`` training images kept."""
    if mnist_dir is not None and name != "mnist":
        raise UserError(f"--mnist-dir applies to mnist only, not {name}")
    if name == "mnist":
        if mnist_dir is None:
            raise UserError(f"train mnist needs --mnist-dir DIR, a folder with MNIST's four IDX files "
                            f"({', '.join(datasets.MNIST_FILES)}, raw or .gz), published at {datasets.MNIST_SOURCE}")
        X_train, y_train, X_test, y_test = datasets.mnist(mnist_dir)
        return (X_train[:s.samples], y_train[:s.samples]), (X_test, y_test)
    X, y = recipes.load(name, s.samples, s.noise, s.seed)
    if s.test_fraction:
        X_train, y_train, X_test, y_test = datasets.split(X, y, s.test_fraction, seed=s.seed)
        return (X_train[:s.samples], y_train[:s.samples]), (X_test, y_test)
    return (X, y), None


def _model(args: argparse.Namespace, s: argparse.Namespace, nin: int, nout: int) -> nn.MLP:
    output_activation = args.output_activation or recipes.LOSS_OUTPUT_ACTIVATION[s.loss]
    if s.loss == "bce" and output_activation != "sigmoid":
        raise UserError("--loss bce needs probabilities: use --output-activation sigmoid")
    if not args.resume:
        return nn.MLP(nin, s.hidden + [nout], s.activation, seed=s.seed, output_activation=output_activation)
    model = nn.load(args.resume)
    wanted = {"inputs": (model.nin, nin), "outputs": (model.nouts[-1], nout)}
    if args.hidden is not None:
        wanted["hidden layers"] = (model.nouts[:-1], s.hidden)
    if args.activation is not None:
        wanted["activation"] = (model.activation, s.activation)
    if args.output_activation is not None or s.loss == "bce":
        wanted["output activation"] = (model.output_activation, output_activation)
    for what, (saved, asked) in wanted.items():
        if saved != asked:
            raise UserError(f"{args.resume}: the saved model has {what} = {saved}, "
                            f"but {args.dataset} with --loss {s.loss} needs {asked}")
    return model


def run_train(args: argparse.Namespace) -> int:
    s = _settings(args)
    (X, y), test = _data(args.dataset, s, args.mnist_dir)
    classes = 10 if args.dataset == "mnist" else None
    nout, targets = recipes.outputs_and_targets(s.loss, y, classes)
    model = _model(args, s, X.shape[1], nout)
    print(f"{args.dataset}: {len(X)} training samples of {X.shape[1]} features; {model}")
    if s.momentum and s.optimizer != "sgd":
        raise UserError("--momentum applies to --optimizer sgd only")
    extra = {"momentum": s.momentum} if s.optimizer == "sgd" else {}
    optimizer = nn.OPTIMIZERS[s.optimizer](model.parameters(), lr=s.lr, **extra)
    total = count_steps(len(X), s.batch_size, s.epochs, s.steps)
    schedule = nn.linear_decay(s.lr, total, s.lr_end) if s.lr_end != 1 else None
    with threadpool_limits(limits=1, user_api="blas"):  # a batch's small matrices: one thread is fastest
        history = nn.fit(model, (X, targets), loss=s.loss, optimizer=optimizer, steps=total,
                         batch_size=s.batch_size, seed=s.seed, l2=s.l2, lr_schedule=schedule, progress=not args.quiet)
    report = f"step {len(history)}: loss {history.loss[-1]:.4f}, train acc {percent(nn.evaluate(model, (X, targets)))}"
    if test is not None:
        test_targets = recipes.outputs_and_targets(s.loss, test[1], classes)[1]
        where = "test images" if args.dataset == "mnist" else "held out"
        report += f", test acc {percent(nn.evaluate(model, (test[0], test_targets)))} on {len(test[1]):,} {where}"
    print(report)
    _write(args, model, history, X, y)
    return 0


def _write(args: argparse.Namespace, model: nn.MLP, history: nn.History, X: np.ndarray, y: np.ndarray) -> None:
    out = args.out or Path("runs") / args.dataset
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.json")
    print(f"wrote {out / 'model.json'}")
    if args.no_plots:
        return
    try:
        from viz import plots
    except ImportError as error:
        print(f"nn: note: skipped the pictures ({error})", file=sys.stderr)
        return
    try:
        print(f"wrote {plots.loss_curve(history, out / 'loss.png', title=f'{args.dataset}: training loss')}")
        if X.shape[1] == 2:
            print(f"wrote {plots.decision_boundary(model, X, y, out / 'boundary.png')}")
    except ImportError as error:
        print(f"nn: note: skipped the pictures ({error})", file=sys.stderr)


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
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except FileNotFoundError as error:
        message = f"no such file: {error.filename}" if error.filename else str(error)
    except (UserError, ValueError, OSError, ImportError, ArithmeticError) as error:
        message = str(error)
    except KeyboardInterrupt:
        print("python -m nn: interrupted", file=sys.stderr)
        return 130
    print(f"python -m nn: error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
