"""``python -m nn export`` and ``import``: a saved model to ONNX or a PyTorch state_dict, and back (``nn.interop``)."""
from __future__ import annotations

import argparse

import nn
from autograd.conventions.command_line import any_case, file_to_write, nonempty_path
from autograd.conventions.errors import UserError
from autograd.conventions.files import writable_target
from autograd.conventions.terminal import shown


def add_parsers(commands) -> None:
    export = commands.add_parser("export", help="write a saved model as ONNX or as a PyTorch state_dict")
    export.add_argument("model", type=nonempty_path, metavar="MODEL.json")
    export.add_argument("-o", "--output", type=file_to_write, required=True, metavar="FILE",
                        help="model.onnx, or model.safetensors for torch.nn.Sequential")
    export.set_defaults(run=run_export)
    weights = commands.add_parser("import", help="a model from a torch.nn.Sequential's safetensors state_dict")
    weights.add_argument("weights", type=nonempty_path, metavar="WEIGHTS.safetensors")
    weights.add_argument("--activation", type=any_case, choices=nn.ACTIVATIONS, default="relu",
                         help="the hidden layers' activation (default %(default)s)")
    weights.add_argument("--output-activation", type=any_case, choices=nn.ACTIVATIONS, default="linear",
                         help="the last layer's activation (default %(default)s)")
    weights.add_argument("-o", "--output", type=file_to_write, required=True, metavar="MODEL.json")
    weights.set_defaults(run=run_import)


def run_export(args: argparse.Namespace) -> int:
    model = nn.load(args.model)
    path = nn.export(model, args.output)
    print(f"wrote {shown(path)}: {model}")
    if path.suffix.lower() == ".safetensors":
        print(f"load it in PyTorch with:\n\n{model.torch_code(path)}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    if args.output.suffix.lower() != ".json":  # -o weights.safetensors would write JSON over the weights read
        raise UserError(f"import writes a model file, MODEL.json: the file name must end in .json, "
                        f"got {str(args.output)!r}")
    writable_target(args.output)  # before reading the weights
    model = nn.import_weights(args.weights, args.activation, args.output_activation)
    model.save(args.output)
    print(f"wrote {shown(args.output)}: {model}")
    return 0
