"""python -m nn: train a network (train), run a saved one (predict), PyTorch/ONNX (export, import), MNIST (download).

Training reads a built-in dataset or your CSV; MNIST is downloaded only when you ask.

Every user mistake ends as one line on stderr and exit status 2, Ctrl-C as one line and 130.
"""
from __future__ import annotations

import argparse
import sys

from autograd.conventions.command_line import Parser, run
from nn.commands import PROG, download, export_import, predict, train

COMMANDS = (train, predict, export_import, download)  # each adds its command(s), in the order --help lists them


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0].split(": ", 1)[1])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (see autograd.conventions.command_line for the convention)."""
    def command() -> int:
        args = build_parser().parse_args(argv)
        return args.run(args)
    return run(PROG, command, missing=(ImportError,))


if __name__ == "__main__":
    sys.exit(main())
