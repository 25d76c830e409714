"""``python -m viz playground`` and ``python -m viz digits``: the live servers' options, checked before
anything is loaded (a setup field refused is named as its option), then served until Ctrl-C."""
from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

from autograd.conventions.command_line import any_case, layer_sizes, nonempty_path, whole_number
from autograd.conventions.errors import MissingToolError, UserError

from .live.config import DATASETS, FieldError, checked_setup, dataset_name
from .live.guards import listen_address


def add_parsers(commands) -> None:
    """The playground and the digit lab, each with --host, --port and --no-browser."""
    playing = _server_command(commands, "playground", "train a network live in the browser, step into any point",
                              "Serve the playground on this machine and print its URL.")
    playing.add_argument("--dataset", default="circles", type=_dataset,
                         help=f"the data to start with: {', '.join(DATASETS)} (default %(default)s)")
    playing.add_argument("--hidden", type=layer_sizes, default=[4, 2],
                         help="hidden layer sizes, e.g. 4,4 (none for no hidden layer)")
    playing.add_argument("--seed", type=whole_number, default=0, help="the seed of the data and the first weights")
    playing.set_defaults(serve=_playground)
    lab = _server_command(commands, "digits", "draw digits for 3Blue1Brown's digit network, train it, see backprop",
                          "Serve the digit lab on this machine and print its URL.")
    images = lab.add_mutually_exclusive_group()
    images.add_argument("--mnist-dir", type=_folder,
                        help="a folder with MNIST's four files (default: where `python -m nn download "
                             "mnist` puts them, if it did, else scikit-learn's 8x8 digits)")
    images.add_argument("--eight-by-eight", action="store_true",
                        help="scikit-learn's 8x8 digits (a 64-16-16-10 network) even when MNIST is there")
    lab.add_argument("--hidden", type=layer_sizes, default=[16, 16], help="hidden layer sizes (default 16,16)")
    lab.add_argument("--activation", default="sigmoid", type=any_case, choices=["sigmoid", "relu"],
                     help="the hidden layers' activation (default sigmoid, as in the lessons)")
    lab.add_argument("--seed", type=whole_number, default=0, help="the seed of the first weights")
    lab.set_defaults(serve=_digits)


def _server_command(commands, name: str, help_text: str, description: str) -> argparse.ArgumentParser:
    """A subcommand that serves a live page: --host, --port, --no-browser."""
    sub = commands.add_parser(name, help=help_text, description=description)
    sub.add_argument("--host", type=_host, default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    sub.add_argument("--port", type=_port, default=8765, help="the port (default 8765; 0 picks a free one)")
    sub.add_argument("--no-browser", action="store_true", help="do not open a browser")
    return sub


def _host(text: str) -> str:
    try:
        return listen_address(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{error} (an unset shell variable?)") from None


def _port(text: str) -> int:
    try:
        port = whole_number(text)
    except argparse.ArgumentTypeError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0 to 65535, got {text!r:.40}")
    return port


def _folder(text: str) -> str:
    """A folder's path as given, never empty (an unset shell variable would otherwise mean here)."""
    return str(nonempty_path(text))


def _dataset(text: str) -> str:
    try:
        return dataset_name(text)
    except FieldError as error:
        raise argparse.ArgumentTypeError(error.message) from None


@contextlib.contextmanager
def _fields_as_options() -> Iterator[None]:
    """A server's setup refused field by field (``hidden: must be …``) named as the option that gave it."""
    try:
        yield
    except FieldError as error:
        raise UserError(f"argument --{error.field.replace('_', '-')}: {error.message}") from None


def _playground(args) -> None:
    """Serve until Ctrl-C (the one line printed is the URL)."""
    try:
        from .live.server import serve
    except ImportError as error:
        raise MissingToolError(f"the playground needs Starlette and uvicorn ({error.name} is missing): "
                               f"pip install -e '.[playground]'") from None
    loss = "cross_entropy" if DATASETS[args.dataset] > 2 else "mse"
    with _fields_as_options():
        setup = checked_setup({"dataset": args.dataset, "hidden": args.hidden, "seed": args.seed, "loss": loss})
    serve(setup, args.host, args.port, open_browser=not args.no_browser)


def _digits(args) -> None:
    """Load the images (a bad --mnist-dir is one line), then serve the lab until Ctrl-C."""
    try:
        from .live.server import serve
    except ImportError as error:
        raise MissingToolError(f"the digit lab needs Starlette and uvicorn ({error.name} is missing): "
                               f"pip install -e '.[playground]'") from None
    from .live.lab.data import load
    from .live.lab.setup import LabDefaults, checked_lab_setup

    with _fields_as_options():
        setup = checked_lab_setup({"hidden": args.hidden, "activation": args.activation, "seed": args.seed})
    try:
        data = load(args.mnist_dir, args.eight_by_eight)
    except (ValueError, OSError) as error:
        raise UserError(str(error)) from None
    except ImportError as error:
        raise MissingToolError(str(error)) from None
    if data.hint:
        print(f"chainrule digit lab: {data.source}; {data.hint}", file=sys.stderr, flush=True)
    serve(checked_setup({}), args.host, args.port, open_browser=not args.no_browser,
          lab=LabDefaults(args.mnist_dir, args.eight_by_eight, setup, data), room="/digits", name="chainrule digit lab")
