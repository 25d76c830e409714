"""``python -m nn train``: build (or resume) the model the options describe, fit it, report and save it."""
from __future__ import annotations

import argparse
import shlex
from dataclasses import replace

from threadpoolctl import threadpool_limits

import nn
from autograd.conventions.errors import UserError
from autograd.conventions.terminal import say
from nn import metrics, prepare, recipes, schedules
from nn.commands import PROG, train_options, train_outputs
from nn.train import count_steps


def add_parsers(commands) -> None:
    train_options.add_parser(commands).set_defaults(run=run)


def _model(args: argparse.Namespace, s: argparse.Namespace, nin: int, nout: int, data: prepare.RunData) -> nn.MLP:
    """A new MLP as the options say, or the resumed one once it is checked to fit the data and options.

    Its signature records the loss; a resumed model keeps the input scaling it was trained with."""
    output_activation = args.output_activation or ("linear" if data.regression
                                                   else recipes.LOSS_OUTPUT_ACTIVATION[s.loss])
    if s.loss == "bce" and output_activation != "sigmoid":
        raise UserError("--loss bce needs probabilities: use --output-activation sigmoid")
    if not args.resume:
        model = nn.MLP(nin, [*s.hidden, nout], s.activation, seed=s.seed, output_activation=output_activation,
                       init=args.init)
        model.signature = replace(data.signature, loss=s.loss)
        return model
    model = nn.load(args.resume)
    saved = model.signature
    wanted = {"inputs": (model.nin, nin), "outputs": (model.nouts[-1], nout)}
    if args.hidden is not None:
        wanted["hidden layers"] = (model.nouts[:-1], s.hidden)
    if args.activation is not None:
        wanted["activation"] = (model.activation, s.activation)
    if args.output_activation is not None or s.loss == "bce":
        wanted["output activation"] = (model.output_activation, output_activation)
    if saved is not None:
        wanted["inputs, features and classes"] = ((saved.inputs, saved.features, saved.classes),
                                                  (data.signature.inputs, data.signature.features,
                                                   data.signature.classes))
    for what, (in_file, asked) in wanted.items():
        if in_file != asked:
            raise UserError(f"{args.resume}: the saved model has {what} = {in_file}, "
                            f"but {args.dataset} with --loss {s.loss} needs {asked}")
    if args.no_standardize and saved is not None and saved.standardize is not None:
        raise UserError(f"{args.resume} was trained on standardized inputs: it goes on with them "
                        f"(leave out --no-standardize)")
    model.signature = replace(data.signature, standardize=saved and saved.standardize, loss=s.loss)
    return model


def _schedule(args: argparse.Namespace, s: argparse.Namespace, steps: int):
    """--schedule over ``steps`` (default: micrograd's linear decay when --lr-end is not 1), with its warm-up."""
    name = args.schedule or ("linear" if s.lr_end != 1 else "constant")
    if name == "constant" and not args.warmup:
        return None
    if args.warmup and args.warmup >= steps:
        raise UserError(f"--warmup {args.warmup} must be shorter than the run's {steps} steps")
    end = s.lr_end if args.lr_end is not None or s.lr_end != 1 else None
    factor = 0.1 if args.decay_factor is None else args.decay_factor
    return schedules.build(name, s.lr, steps, args.warmup or 0, end, args.decay_every, factor)


def _smaller_steps(args: argparse.Namespace, s: argparse.Namespace) -> str:
    """What to lower after a run diverged: --lr, and each option given that grows a step along with it."""
    given = [f"--{name} than {getattr(args, name):g}" for name in ("momentum", "l1", "l2") if getattr(args, name)]
    return "a smaller " + ", or a smaller ".join([f"--lr than {s.lr:g}", *given])


def run(args: argparse.Namespace) -> int:
    """Train as the options say; print the progress, the summary and each file written."""
    s = train_options.settings(args)
    train_options.check(args, s)
    data = prepare.load(args.dataset, s, args.features, args.target or "label", args.regression, args.mnist_dir,
                        drop=args.drop)
    s.loss = recipes.loss_for(s.loss, args.loss, data.classes)
    nout, targets = recipes.outputs_and_targets(s.loss, data.train[1], data.classes)
    model = _model(args, s, data.signature.width, nout, data)
    data = replace(data, signature=model.signature)  # the scaling the model trains with
    X = data.inputs(data.train)
    extra = {"momentum": s.momentum} if s.optimizer == "sgd" else {}
    optimizer = nn.OPTIMIZERS[s.optimizer](model.parameters(), lr=s.lr, **extra)
    total = count_steps(len(X), s.batch_size, s.epochs, s.steps)
    train_options.check_steps(total, s)
    start = model.trained_steps if args.resume else 0
    out = train_outputs.output_folder(args, start + total)
    # a resumed run goes on with the schedule of the steps already trained: past their end it stays at its end
    schedule = _schedule(args, s, start or total)
    parts = {"train": (X, targets)}
    for name, part in (("val", data.validation), ("test", data.test)):
        if part is not None:
            parts[name] = (data.inputs(part), recipes.outputs_and_targets(s.loss, part[1], data.classes)[1])
    for column in data.row_ids:
        say(PROG, f"warning: column {column!r} looks like a row id (distinct whole numbers in order) and is "
                  f"used as an input; leave it out with --drop {shlex.quote(column)}")
    scaled = " (standardized by the training rows' mean and standard deviation)" \
        if model.signature.standardize is not None else ""
    print(f"{args.dataset}: {len(X)} training samples of {X.shape[1]} features{scaled}; {model}"
          + (f"; resuming at step {start}" if args.resume else ""))
    try:
        with threadpool_limits(limits=1, user_api="blas"):  # a batch's small matrices: one thread is fastest
            history = nn.fit(model, parts["train"], loss=s.loss, optimizer=optimizer, steps=total,
                             batch_size=s.batch_size, seed=s.seed, l1=s.l1, l2=s.l2, lr_schedule=schedule,
                             progress=not args.quiet, validation=parts.get("val"), patience=args.patience,
                             start_step=start)
    except nn.TrainingDiverged as diverged:
        raise UserError(f"training diverged at step {diverged.step} (the loss is {diverged.loss}), nothing saved; "
                        f"try {_smaller_steps(args, s)}") from None
    model.trained_steps = start + len(history)
    print(train_outputs.summary(history, model, parts, data.regression))
    matrix, held = None, data.reported()
    if not data.regression:
        matrix = nn.confusion_matrix(model, (data.inputs(held[1]), held[1][1]), classes=data.classes)
        print(f"per-class accuracy on the {len(held[1][1])} {held[0]} rows:")
        print("\n".join(metrics.class_report(matrix, data.signature.classes)))
    train_outputs.write(out, args, model, history, start, data, matrix, held[0])
    return 0

