"""python -m nn: train a network (train), run a saved one (predict), move it to and from PyTorch/ONNX (export, import).

Training reads a built-in dataset or your CSV.

Every user mistake ends as one line on stderr and exit status 2, Ctrl-C as one line and 130.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import autograd
import nn
from nn import datasets, features, metrics, prepare, recipes, schedules
from nn.arguments import (Parser, UserError, feature_names, finite_number, fraction, non_negative_number,
                          positive_int, run, say, shown)
from nn.files import check_folder, writable_target
from nn.train import count_steps, percent

PROG = "python -m nn"
DATASETS = list(recipes.RECIPES)
OUTPUTS = ("model.json", "loss.png", "boundary.png", "confusion.png")  # what a run writes into --out


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


def _dataset(text: str) -> str:
    if text in DATASETS or prepare.is_csv(text):
        return text
    raise argparse.ArgumentTypeError(f"expected one of {', '.join(DATASETS)} or a .csv file, got {text!r}")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0].split(": ", 1)[1])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    defaults = "each dataset's defaults (every option not given):\n" + "\n".join(
        _recipe_line(name, recipe) for name, recipe in recipes.RECIPES.items())
    train = commands.add_parser("train", help="train an MLP on a dataset, save it and its pictures",
                                description="Train an MLP on a dataset or a CSV; write model.json, loss.png and "
                                "the other pictures into --out.", epilog=defaults)
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
    train.add_argument("--loss", choices=list(recipes.LOSS_OUTPUT_ACTIVATION),
                       help="loss function (default: the dataset's, below)")
    train.add_argument("--optimizer", choices=list(nn.OPTIMIZERS),
                       help="optimiser, PyTorch's update rules (default: the dataset's, below)")
    train.add_argument("--lr", type=non_negative_number, help="learning rate (at the start)")
    train.add_argument("--lr-end", type=non_negative_number, help="final lr as a fraction of --lr (1 = constant)")
    train.add_argument("--momentum", type=non_negative_number, help="SGD momentum")
    train.add_argument("--schedule", choices=list(schedules.SCHEDULES),
                       help="learning-rate schedule (default: linear when --lr-end is not 1, else constant)")
    train.add_argument("--warmup", type=positive_int, help="steps of linear warm-up before the schedule")
    train.add_argument("--decay-every", type=positive_int, help="--schedule step: steps between decays")
    train.add_argument("--decay-factor", type=non_negative_number, default=0.1,
                       help="--schedule step: lr multiplier")
    train.add_argument("--l1", type=non_negative_number, help="L1 regularisation strength added to the loss")
    train.add_argument("--l2", type=non_negative_number, help="L2 regularisation strength added to the loss")
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
    train.add_argument("--samples", type=positive_int, help="points to generate (digits, mnist: images to train on)")
    train.add_argument("--mnist-dir", type=Path, metavar="DIR",
                       help="mnist: the folder with MNIST's four IDX files (standard names, raw or .gz)")
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
                                  "output, space-separated, to 6 significant digits; for a model that knows "
                                  "its classes (trained on a CSV), the predicted class and each class's "
                                  "probability.")
    predict.add_argument("model", type=Path, metavar="MODEL.json")
    predict.add_argument("inputs", type=finite_number, nargs="+", metavar="X", help="the input numbers")
    predict.set_defaults(run=run_predict)
    export = commands.add_parser("export", help="write a saved model as ONNX or as a PyTorch state_dict")
    export.add_argument("model", type=Path, metavar="MODEL.json")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="model.onnx, or model.safetensors for torch.nn.Sequential")
    export.set_defaults(run=run_export)
    weights = commands.add_parser("import", help="a model from a torch.nn.Sequential's safetensors state_dict")
    weights.add_argument("weights", type=Path, metavar="WEIGHTS.safetensors")
    weights.add_argument("--activation", choices=nn.ACTIVATIONS, default="relu",
                         help="the hidden layers' activation (default %(default)s)")
    weights.add_argument("--output-activation", choices=nn.ACTIVATIONS, default="linear",
                         help="the last layer's activation (default %(default)s)")
    weights.add_argument("-o", "--output", type=Path, required=True, metavar="MODEL.json")
    weights.set_defaults(run=run_import)
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


def _check(args: argparse.Namespace, s: argparse.Namespace) -> None:
    """Combinations of options that cannot work, refused before any data is loaded."""
    if args.mnist_dir is not None and args.dataset != "mnist":
        raise UserError(f"--mnist-dir applies to mnist only, not {args.dataset}")
    if args.dataset == "mnist" and args.mnist_dir is None:
        raise UserError(f"train mnist needs --mnist-dir DIR, a folder with MNIST's four IDX files "
                        f"({', '.join(datasets.MNIST_FILES)}, raw or .gz), published at {datasets.MNIST_SOURCE}")
    if s.momentum and s.optimizer != "sgd":
        raise UserError("--momentum applies to --optimizer sgd only")
    if args.patience and not s.val_fraction:
        raise UserError("--patience watches the validation loss: give --val-fraction too")


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


def _schedule(args: argparse.Namespace, s: argparse.Namespace, steps: int):
    """--schedule over ``steps`` (default: micrograd's linear decay when --lr-end is not 1), with its warm-up."""
    name = args.schedule or ("linear" if s.lr_end != 1 else "constant")
    if name == "constant" and not args.warmup:
        return None
    end = s.lr_end if args.lr_end is not None or s.lr_end != 1 else None
    return schedules.build(name, s.lr, steps, args.warmup or 0, end, args.decay_every, args.decay_factor)


def _output_folder(args: argparse.Namespace, final_step: int) -> Path:
    """The folder the run writes to, checked before training: a folder (or creatable), files writable there,
    never the folder of the model being resumed (its default is runs/DATASET/step-N)."""
    out = args.out or Path("runs") / Path(args.dataset).stem / (f"step-{final_step}" if args.resume else "")
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
    _check(args, s)
    data = prepare.load(args.dataset, s, args.features, args.target, args.regression, args.mnist_dir)
    s.loss = recipes.loss_for(s.loss, args.loss, data.classes)
    X = data.inputs(data.train)
    nout, targets = recipes.outputs_and_targets(s.loss, data.train[1], data.classes)
    model = _model(args, s, X.shape[1], nout, data)
    extra = {"momentum": s.momentum} if s.optimizer == "sgd" else {}
    optimizer = nn.OPTIMIZERS[s.optimizer](model.parameters(), lr=s.lr, **extra)
    total = count_steps(len(X), s.batch_size, s.epochs, s.steps)
    start = model.trained_steps if args.resume else 0
    out = _output_folder(args, start + total)
    # a resumed run goes on with the schedule of the steps already trained: past their end it stays at its end
    schedule = _schedule(args, s, start or total)
    parts = {"train": (X, targets)}
    for name, part in (("val", data.validation), ("test", data.test)):
        if part is not None:
            parts[name] = (data.inputs(part), recipes.outputs_and_targets(s.loss, part[1], data.classes)[1])
    print(f"{args.dataset}: {len(X)} training samples of {X.shape[1]} features; {model}"
          + (f"; resuming at step {start}" if args.resume else ""))
    try:
        with threadpool_limits(limits=1, user_api="blas"):  # a batch's small matrices: one thread is fastest
            history = nn.fit(model, parts["train"], loss=s.loss, optimizer=optimizer, steps=total,
                             batch_size=s.batch_size, seed=s.seed, l1=s.l1, l2=s.l2, lr_schedule=schedule,
                             progress=not args.quiet, validation=parts.get("val"), patience=args.patience,
                             start_step=start)
    except nn.TrainingDiverged as diverged:
        raise UserError(f"training diverged at step {diverged.step} (the loss is {diverged.loss}), nothing saved; "
                        f"try a smaller --lr than {s.lr:g}") from None
    model.trained_steps = start + len(history)
    print(_summary(history, model, parts, data.regression))
    matrix, held = None, data.reported()
    if not data.regression:
        matrix = nn.confusion_matrix(model, (data.inputs(held[1]), held[1][1]), classes=data.classes)
        print(f"per-class accuracy on the {len(held[1][1])} {held[0]} rows:")
        print("\n".join(metrics.class_report(matrix, data.signature.classes)))
    _write(out, args, model, history, start, data, matrix, held[0])
    return 0


def _summary(history: nn.History, model: nn.MLP, parts: dict, regression: bool) -> str:
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


def _write(out: Path, args: argparse.Namespace, model: nn.MLP, history: nn.History, start: int,
           data: prepare.RunData, matrix: np.ndarray | None, held: str) -> None:
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
    name = Path(args.dataset).stem
    try:
        title = f"{name}: training loss" + (f" (resumed at step {start})" if start else "")
        print(f"wrote {shown(plots.loss_curve(history, out / 'loss.png', title=title, first_step=start))}")
        if data.train[0].shape[1] == 2 and not data.regression:
            print(f"wrote {shown(plots.decision_boundary(model, *data.train, out / 'boundary.png'))}")
        if matrix is not None:
            title = f"{name}: confusion matrix ({held} rows)"
            matrix_picture = plots.confusion_matrix(matrix, out / "confusion.png", data.signature.classes, title)
            print(f"wrote {shown(matrix_picture)}")
    except ImportError as error:
        say(PROG, f"note: skipped the pictures ({error})")


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


def run_export(args: argparse.Namespace) -> int:
    model = nn.load(args.model)
    path = nn.export(model, args.output)
    print(f"wrote {path}: {model}")
    if path.suffix.lower() == ".safetensors":
        print(f"load it in PyTorch with:\n\n{model.torch_code(path)}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    writable_target(args.output)  # before reading the weights
    model = nn.import_weights(args.weights, args.activation, args.output_activation)
    model.save(args.output)
    print(f"wrote {args.output}: {model}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (see nn.arguments for the convention)."""
    def command() -> int:
        args = build_parser().parse_args(argv)
        return args.run(args)
    return run(PROG, command, missing=(ImportError,))


if __name__ == "__main__":
    sys.exit(main())
