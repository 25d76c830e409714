"""``python -m nn download mnist``: MNIST's four published files into the cache folder every MNIST reader uses."""
from __future__ import annotations

import argparse
import shlex

from autograd.conventions.command_line import any_case, finite_number, nonempty_path
from autograd.conventions.files import writable_folder
from nn import download as fetching
from nn import mnist


def _address(text: str) -> str:
    try:
        return fetching.check_url(text, "--mirror")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


MAX_SECONDS = 86_400.0  # --timeout and --deadline at most a day (a socket refuses a timeout past time_t's range)


def _seconds(text: str) -> float:
    seconds = finite_number(text)
    if not 0 < seconds <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0 and at most {MAX_SECONDS:g} (a day), "
                                         f"got {text!r:.40}")
    return seconds


def add_parsers(commands) -> None:
    download = commands.add_parser(
        "download", help="download MNIST's four files (checked against their published SHA-256)",
        description="Download MNIST's four .gz files, each checked against its published size and SHA-256, "
                    "into --dir (default: $XDG_CACHE_HOME/chainrule/mnist, else ~/.cache/chainrule/mnist). "
                    "`python -m nn train mnist` reads that folder when --mnist-dir is left out. A file already "
                    "there and valid is not downloaded again.")
    download.add_argument("dataset", type=any_case, choices=["mnist"], help="what to download (mnist, in any case)")
    download.add_argument("--dir", type=nonempty_path, metavar="DIR",
                          help=f"the folder to fill (default {mnist.default_dir()})")
    download.add_argument("--mirror", type=_address, default=mnist.MNIST_MIRROR, metavar="URL",
                          help="another http(s) copy of the four files (default %(default)s)")
    download.add_argument("--timeout", type=_seconds, default=fetching.TIMEOUT, metavar="SECONDS",
                          help="give up when no data arrives for this long (default %(default)g)")
    download.add_argument("--deadline", type=_seconds, default=fetching.DEADLINE, metavar="SECONDS",
                          help="give up when the four files are not all there after this long, however "
                               "steadily bytes arrive (default %(default)g)")
    download.add_argument("--quiet", action="store_true", help="no progress bar")
    download.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    folder = writable_folder(args.dir or mnist.default_dir(), "--dir")  # checked once, then filled
    mnist.download(folder, args.mirror, timeout=args.timeout, progress=not args.quiet, deadline=args.deadline)
    reader = "python -m nn train mnist" + ("" if args.dir is None else f" --mnist-dir {shlex.quote(str(folder))}")
    print(f"MNIST is in {folder}; `{reader}` reads it")
    return 0
