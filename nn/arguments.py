"""argparse types shared by the command lines (``python -m nn``, ``python -m viz``).

Each turns a bad string into argparse's one-line error that names what would be valid.
"""
from __future__ import annotations

import argparse
import math


def positive_int(text: str) -> int:
    """``"16"`` -> 16; zero, negatives and non-integers are refused."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def finite_number(text: str) -> float:
    """``"0.5"`` -> 0.5; words, NaN and infinities are refused."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return number


def number_list(text: str) -> list[float]:
    """``"0.1,0.2"`` -> [0.1, 0.2]: finite numbers separated by commas."""
    try:
        return [finite_number(part) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of finite numbers") from None


def fraction(text: str) -> float:
    """``"0.2"`` -> 0.2: a number from 0 up to (not including) 1."""
    number = finite_number(text)
    if not 0 <= number < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 up to (not including) 1, got {text!r}")
    return number


def feature_names(text: str) -> list[str]:
    """``"x1,x2,x1^2"`` -> the ``nn.features`` names, checked."""
    from .features import parse
    try:
        return parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
