"""``python -m nn predict``: a saved model's outputs for one input (a classifier's: its class, each probability)."""
from __future__ import annotations

import argparse
import math

import autograd
import nn
from autograd.conventions.command_line import nonempty_path, number_list
from autograd.conventions.errors import UserError
from nn import metrics


def add_parsers(commands) -> None:
    predict = commands.add_parser("predict", help="print a saved model's outputs for one input",
                                  description="Print a saved model's outputs for one input: one number per "
                                  "output, space-separated, to 6 significant digits; for a model that knows "
                                  "its classes (trained on a CSV), the predicted class and each class's "
                                  "probability.")
    predict.add_argument("model", type=nonempty_path, metavar="MODEL.json")
    predict.add_argument("inputs", type=number_list, nargs="+", metavar="X",
                         help="the input numbers: 0.5 -0.3, or 0.5,-0.3 as viz --input takes them")
    predict.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    args.inputs = [number for numbers in args.inputs for number in numbers]
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
    if not all(math.isfinite(value) for value in outputs):  # a class read off NaN would be a guess
        raise UserError(f"{args.model} computes {', '.join(f'{v:g}' for v in outputs)} for the inputs "
                        f"{' '.join(f'{x:g}' for x in args.inputs)}: numbers this large overflow its arithmetic; "
                        f"give inputs of the size it was trained on")
    if signature is None or signature.classes is None:
        print(" ".join(f"{v:.6g}" for v in outputs))
    else:
        print("\n".join(metrics.prediction_report(model, outputs, signature.classes)))
    return 0
