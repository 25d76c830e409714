"""python -m nn: train a network on a dataset or your CSV (``train``) or run a saved one (``predict``).

Every user mistake ends as one line on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import autograd
import nn
from nn import features, metrics, prepare, recipes, schedules
from nn.arguments import feature_names, finite_number, fraction, positive_int
from nn.files import check_folder, writable_target
from nn.train import count_steps, percent

DATASETS = list(recipes.RECIPES)
OUTPUTS = ("model.json", "loss.png", "boundary.png", "confusion.png")  # what a run writes into --out


class UserError(Exception):
    """A mistake in what the user asked for: printed as one line."""


def _sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [positive_int(part.strip()) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 16,16 (or none), got {text!r}") from None


def _dataset(text: str) -> str:
    if text in DATASETS or prepare.is_csv(text):
        return text
    raise argparse.ArgumentTypeError(f"expected one of {', '.join(DATASETS)} or a .csv file, got {text!r}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nn", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train an MLP on a dataset, save it and its pictures")
    train.add_argument("dataset", type=_dataset, metavar="DATASET",
                       help=f"one of: {', '.join(DATASETS)}; or a .csv file (a header row, numeric columns)")
    train.add_argument("--target", default="label", help="the CSV's label column (default: label)")
    train.add_argument("--regression", action="store_true", help="the CSV's target is a number to predict")
    train.add_argument("--features", type=feature_names,
                       help=f"inputs computed from the two input columns x1, x2, e.g. x1,x2,x1^2 "
                            f"(from {', '.join(features.NAMES)})")
    train.add_argument("--hidden", type=_sizes, help="hidden layer sizes, e.g. 16,16 (none for no hidden layer)")
    train.add_argument("--activation", choices=nn.ACTIVATIONS, help="hidden layers' activation")
    train.add_argument("--output-activation", choices=nn.ACTIVATIONS, help="default: what the loss needs")
    train.add_argument("--loss", choices=list(recipes.LOSS_OUTPUT_ACTIVATION))
    train.add_argument("--optimizer", choices=list(nn.OPTIMIZERS))
    train.add_argument("--lr", type=finite_number, help="learning rate (at the start)")
    train.add_argument("--lr-end", type=finite_number, help="final lr as a fraction of --lr (1 = constant)")
    train.add_argument("--momentum", type=finite_number, help="SGD momentum")
    train.add_argument("--schedule", choices=list(schedules.SCHEDULES),
                       help="learning-rate schedule (default: linear when --lr-end is not 1, else constant)")
    train.add_argument("--warmup", type=positive_int, help="steps of linear warm-up before the schedule")
    train.add_argument("--decay-every", type=positive_int, help="--schedule step: steps between decays")
    train.add_argument("--decay-factor", type=finite_number, default=0.1, help="--schedule step: lr multiplier")
    train.add_argument("--l1", type=finite_number, help="L1 regularisation strength added to the loss")
    train.add_argument("--l2", type=finite_number, help="L2 regularisation strength added to the loss")
    train.add_argument("--init", choices=list(nn.INITS), default="uniform",
                       help="weight initialisation (default: uniform in [-1, 1), micrograd's)")
    train.add_argument("--val-fraction", type=fraction,
                       help="training rows held out (stratified) to score every epoch; CSV default 0.2")
    train.add_argument("--patience", type=positive_int,
                       help="stop after this many epochs without a lower validation loss; keep the best")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, help="optimiser steps")
    length.add_argument("--epochs", type=positive_int, help="passes over the training data")
    train.add_argument("--batch-size", type=positive_int, help="samples per step (default: the dataset's)")
    train.add_argument("--samples", type=positive_int, help="points to generate (digits: images to train on)")
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
    return argparse.Namespace(**merged)


def _model(args: argparse.Namespace, s: argparse.Namespace, nin: int, nout: int, data: prepare.RunData) -> nn.MLP:
    output_activation = args.output_activation or ("linear" if data.regression
                                                   else recipes.LOSS_OUTPUT_ACTIVATION[s.loss])
    if s.loss == "bce" and output_activation != "sigmoid":
        raise UserError("--loss bce needs probabilities: use --output-activation sigmoid")
    if not args.resume:
        model = nn.MLP(nin, s.hidden + [nout], s.activation, seed=s.seed, output_activation=output_activation,
                       init=args.init)
        model.signature = data.signature
        return model
    model = nn.load(args.resume)
    wanted = {"inputs": (model.nin, nin), "outputs": (model.nouts[-1], nout)}
    if args.hidden is not None:
        wanted["hidden layers"] = (model.nouts[:-1], s.hidden)
    if args.activation is not None:
        wanted["activation"] = (model.activation, s.activation)
    if args.output_activation is not None or s.loss == "bce":
        wanted["output activation"] = (model.output_activation, output_activation)
    if model.signature is not None:
        wanted["signature"] = (model.signature, data.signature)
    for what, (saved, asked) in wanted.items():
        if saved != asked:
            raise UserError(f"{args.resume}: the saved model has {what} = {saved}, "
                            f"but {args.dataset} with --loss {s.loss} needs {asked}")
    model.signature = data.signature
    return model


def _schedule(args: argparse.Namespace, s: argparse.Namespace, total: int):
    """--schedule (default: micrograd's linear decay when --lr-end is not 1), with its warm-up."""
    name = args.schedule or ("linear" if s.lr_end != 1 else "constant")
    if name == "constant" and not args.warmup:
        return None
    end = s.lr_end if args.lr_end is not None or s.lr_end != 1 else None
    return schedules.build(name, s.lr, total, args.warmup or 0, end, args.decay_every, args.decay_factor)


def _output_folder(args: argparse.Namespace) -> Path:
    """The folder the run writes to, checked before training: a folder (or creatable), files writable there."""
    out = args.out or Path("runs") / Path(args.dataset).stem
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
    out = _output_folder(args)
    s = _settings(args)
    data = prepare.load(args.dataset, s, args.features, args.target, args.regression)
    s.loss = recipes.loss_for(s.loss, args.loss, data.classes)
    X = data.inputs(data.train)
    nout, targets = recipes.outputs_and_targets(s.loss, data.train[1], data.classes)
    model = _model(args, s, X.shape[1], nout, data)
    print(f"{args.dataset}: {len(X)} training samples of {X.shape[1]} features; {model}")
    if s.momentum and s.optimizer != "sgd":
        raise UserError("--momentum applies to --optimizer sgd only")
    if args.patience and data.validation is None:
        raise UserError("--patience watches the validation loss: give --val-fraction too")
    extra = {"momentum": s.momentum} if s.optimizer == "sgd" else {}
    optimizer = nn.OPTIMIZERS[s.optimizer](model.parameters(), lr=s.lr, **extra)
    total = count_steps(len(X), s.batch_size, s.epochs, s.steps)
    parts = {"train": (X, targets)}
    for name, part in (("val", data.validation), ("test", data.test)):
        if part is not None:
            parts[name] = (data.inputs(part), recipes.outputs_and_targets(s.loss, part[1], data.classes)[1])
    try:
        history = nn.fit(model, parts["train"], loss=s.loss, optimizer=optimizer, steps=total,
                         batch_size=s.batch_size, seed=s.seed, l1=s.l1, l2=s.l2,
                         lr_schedule=_schedule(args, s, total), progress=not args.quiet,
                         validation=parts.get("val"), patience=args.patience)
    except nn.TrainingDiverged as diverged:
        raise UserError(f"training diverged at step {diverged.step} (the loss is {diverged.loss}), nothing saved; "
                        f"try a smaller --lr than {s.lr:g}") from None
    print(_summary(history, model, parts, data.regression))
    matrix, held = None, data.reported()
    if not data.regression:
        matrix = nn.confusion_matrix(model, (data.inputs(held[1]), held[1][1]), classes=data.classes)
        print(f"per-class accuracy on the {len(held[1][1])} {held[0]} rows:")
        print("\n".join(metrics.class_report(matrix, data.signature.classes)))
    _write(out, args, model, history, data, matrix, held[0])
    return 0


def _summary(history: nn.History, model: nn.MLP, parts: dict, regression: bool) -> str:
    """The last step's loss, then accuracy (or, for a regression, the loss) on every part of the data."""
    line = f"step {len(history)}: loss {history.loss[-1]:.4f}"
    for name, part in parts.items():
        if regression:
            shown = f"{float(np.mean((metrics.outputs(model, part[0])[:, 0] - part[1]) ** 2)):.4g}"
            line += f", {name} mse {shown}"
        else:
            line += f", {name} acc {percent(nn.evaluate(model, part))}"
        if name != "train":
            line += f" on {len(part[1])} held out"
    if history.best_epoch is not None:
        best = history.epochs[history.best_epoch - 1]
        line += (f"\nkept epoch {best.epoch} of {len(history.epochs)}, the lowest validation loss "
                 f"({best.val_loss:.4f})")
    return line


def _write(out: Path, args: argparse.Namespace, model: nn.MLP, history: nn.History, data: prepare.RunData,
           matrix: np.ndarray | None, held: str) -> None:
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
    name = Path(args.dataset).stem
    try:
        print(f"wrote {plots.loss_curve(history, out / 'loss.png', title=f'{name}: training loss')}")
        if data.train[0].shape[1] == 2 and not data.regression:
            print(f"wrote {plots.decision_boundary(model, *data.train, out / 'boundary.png')}")
        if matrix is not None:
            title = f"{name}: confusion matrix ({held} rows)"
            print(f"wrote {plots.confusion_matrix(matrix, out / 'confusion.png', data.signature.classes, title)}")
    except ImportError as error:
        print(f"nn: note: skipped the pictures ({error})", file=sys.stderr)


def run_predict(args: argparse.Namespace) -> int:
    model = nn.load(args.model)
    signature = model.signature
    names = signature.inputs if signature else [f"x{i + 1}" for i in range(model.nin)]
    if len(args.inputs) != len(names):
        raise UserError(f"{args.model} takes {len(names)} inputs, got {len(args.inputs)} "
                        f"(the inputs are {', '.join(names)})")
    row = signature.prepare([args.inputs])[0].tolist() if signature else args.inputs
    with autograd.no_grad():
        output = model(row)
    outputs = [v.data for v in (output if isinstance(output, list) else [output])]
    if signature is None or signature.classes is None:
        print(" ".join(f"{v:.6g}" for v in outputs))
    else:
        print("\n".join(metrics.prediction_report(model, outputs, signature.classes)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except FileNotFoundError as error:
        message = f"no such file: {error.filename}"
    except (UserError, ValueError, OSError, ImportError, ArithmeticError) as error:
        message = str(error)
    except KeyboardInterrupt:
        print("python -m nn: interrupted", file=sys.stderr)
        return 130
    print(f"python -m nn: error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
