"""What the command lines share (``python -m nn``, ``python -m viz``, ``examples``, ``bench``).

One convention, documented in the README: a user mistake (a bad argument, a missing or invalid
file, an impossible request) is one line on stderr and exit status 2, as argparse's own errors;
a missing optional tool (Graphviz's ``dot``, scikit-learn) is one line saying how to install it
and status 3; Ctrl-C is one line and status 130 (``interrupts`` makes it so while the
command is still importing); output piped to a reader that stops early (``| head``) ends the
command quietly with status 141, as a shell reports a program stopped by SIGPIPE; a warning
(numpy's RuntimeWarning) is one line too. Never a traceback for any of them, nor a source line.
"""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from . import argument_checks as check
from .errors import USER_MISTAKES, MissingToolError, UserError, describe
from .terminal import echo, say

USER_ERROR, MISSING_TOOL, INTERRUPTED, STDOUT_CLOSED = 2, 3, 130, 141
NEGATIVE_NUMBER = re.compile(r"-\.?\d")  # -3, -1e-3, -1,2, -.5: a value, never an option (none starts so)


class Parser(argparse.ArgumentParser):
    """argparse whose errors are one UserError line (``... (see prog --help)``), not usage plus error, and
    which reads every argument that starts like a negative number (``-1e-3``, ``-1,2``, ``-.5``) as a value,
    where argparse reads only ``-3`` and ``-0.5`` so, and takes the others for unknown options."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER  # no option of ours starts with a digit

    def error(self, message: str):
        raise UserError(f"{message} (see {self.prog} --help)")


def run(prog: str, body: Callable[[], int | None], missing: tuple[type[BaseException], ...] = ()) -> int:
    """Run a command's ``body`` and return its exit status, reporting failures by the convention above.

    ``missing`` names the exceptions that mean an optional tool is not installed (besides MissingToolError).
    """
    tool_missing: tuple[type[BaseException], ...] = (MissingToolError, *missing)
    _take_over_ctrl_c()
    try:
        with _warnings_as_lines(prog):
            return body() or 0
    except KeyboardInterrupt:
        say(prog, "interrupted")
        return INTERRUPTED
    except BrokenPipeError:  # the reader of stdout went away (``| head``): no one to tell, no mistake of the user's
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so Python's last flush has somewhere to go
        return STDOUT_CLOSED
    except tool_missing as error:
        say(prog, describe(error))
        return MISSING_TOOL
    except USER_MISTAKES as error:
        say(prog, f"error: {describe(error)}")
        return USER_ERROR


def _take_over_ctrl_c() -> None:
    """From here on Ctrl-C is a KeyboardInterrupt that ``run`` reports (and files being written clean up)."""
    if getattr(signal.getsignal(signal.SIGINT), "until_run", False):
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextlib.contextmanager
def _warnings_as_lines(prog: str) -> Iterator[None]:
    """Warnings shown as ``prog: warning: …``, one line each (once per place), never a source line."""
    def show(message, category, filename, lineno, file=None, line=None) -> None:
        say(prog, f"warning: {message}")
    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


# --- argparse types: each turns a bad string into a one-line error naming what would be valid ---

def nonempty_path(text: str) -> Path:
    """``"runs/m.json"`` -> a Path; an empty string (an unset shell variable) is refused, not read as ``.``."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a path, got {echo(text)} (an unset shell variable?)")
    return Path(text)


def file_to_write(text: str) -> Path:
    """``"model.onnx"`` -> a Path: a file to write, never empty nor ending in ``/`` (``x.onnx/`` means a folder)."""
    nonempty_path(text)
    try:
        return check.file_path(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {check.FILE_PATH}, got {echo(text)}") from None


def any_case(text: str) -> str:
    """``"Adam"`` -> ``"adam"``: a name from a list (``choices=``), read in any case, as every name is."""
    return text.lower()


def positive_int(text: str) -> int:
    """``"16"`` -> 16; zero, negatives, non-integers and digits such as ``²`` are refused."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()) or not digits.strip("0"):
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {echo(text)}")
    if len(digits.lstrip("0")) > 18:  # every count we take has a limit far below; this one keeps int() cheap
        raise argparse.ArgumentTypeError(f"expected a positive whole number of at most 18 digits, got {echo(text)}")
    return int(digits)


def whole_number(text: str) -> int:
    """``"0"`` -> 0: a whole number >= 0 (a seed, a port) in the digits 0-9; ``-1``, ``²`` and ``３`` are refused."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 40:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {echo(text)}")
    return int(digits)


def layer_sizes(text: str) -> list[int]:
    """``"16,16"`` -> [16, 16]; ``"none"`` or nothing -> [] (no hidden layer)."""
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [positive_int(part) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 16,16 (or none), got {echo(text)}") from None


def finite_number(text: str) -> float:
    """``"0.5"`` -> 0.5; words, NaN and infinities are refused."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {echo(text)}") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return number


def non_negative_number(text: str) -> float:
    """``"0.1"`` -> 0.1: a finite number >= 0 (a learning rate, a strength, a noise level)."""
    number = finite_number(text)
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {echo(text)}")
    return number


def positive_number(text: str) -> float:
    """``"0.5"`` -> 0.5: a finite number > 0 (seconds, a size given as ``2e4``)."""
    number = finite_number(text)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {echo(text)}")
    return number


def number_list(text: str) -> list[float]:
    """``"0.1,0.2"`` -> [0.1, 0.2]: finite numbers separated by commas, or by spaces (``"0.1 0.2"``, as
    ``nn predict`` takes them), so either command's way of writing an input works in the other."""
    try:
        parts = text.split(",") if "," in text else text.split() or [text]
        return [finite_number(part) for part in parts]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected finite numbers separated by commas (0.5,-1) or spaces, "
                                         f"got {echo(text)}") from None


def fraction(text: str) -> float:
    """``"0.2"`` -> 0.2: a number from 0 up to (not including) 1."""
    number = finite_number(text)
    if not 0 <= number < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 up to (not including) 1, got {echo(text)}")
    return number
