"""Argument checks for every public function of autograd, nn and viz, with one message style.

Each check returns the argument as it will be used (a float, an int, a path) or raises, naming
the argument and what is valid: ``{name} must be {what is valid}, got {type}: {value}``.
The wrong kind of thing is a TypeError; the right kind out of range is a ValueError. This is the
lowest floor of the house (``autograd.conventions``): it imports nothing from chainrule, so every package may use it.
"""
from __future__ import annotations

import math
import os
from collections.abc import Collection, Iterable, Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import TypeGuard

import numpy as np

MAX_SEED = 2**128  # numpy's SeedSequence takes larger ones, but no one types a seed past 128 bits


def shown(value: object) -> str:
    """What was given, as a message shows it: its type and at most 60 characters of its repr."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an int past str()'s digit limit, a self-containing list
        text = "…"
    return f"{type(value).__name__}: {text[:60]}"


def message(name: str, valid: str, value: object) -> str:
    """The one message style: ``{name} must be {valid}, got {type}: {value}``."""
    return f"{name} must be {valid}, got {shown(value)}"


def wrong_type(name: str, valid: str, value: object) -> TypeError:
    return TypeError(message(name, valid, value))


def wrong_value(name: str, valid: str, value: object) -> ValueError:
    return ValueError(message(name, valid, value))


def is_real(value: object) -> TypeGuard[Real]:
    """True for an int, a float or a numpy real scalar; False for a bool, which is a flag."""
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def is_integer(value: object) -> TypeGuard[Integral]:
    """True for an int or a numpy integer; False for a bool."""
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def _bounds(at_least, above, at_most, below) -> str:
    parts = [f"{sign} {bound:g}" for sign, bound in ((">=", at_least), (">", above), ("<=", at_most), ("<", below))
             if bound is not None]
    return " and ".join(parts)


def real(value: object, name: str, *, finite: bool = True, at_least: float | None = None,
         above: float | None = None, at_most: float | None = None, below: float | None = None) -> float:
    """``value`` as a float: a real number (not a bool), finite unless ``finite=False``, within the bounds given."""
    bounds = _bounds(at_least, above, at_most, below)
    valid = " ".join(filter(None, ["a finite number" if finite else "a number", bounds]))
    if not is_real(value):
        raise wrong_type(name, f"{valid} (int, float or a numpy scalar)", value)
    try:
        number = float(value)
    except OverflowError:
        raise wrong_value(name, f"{valid} within the float range (±1.8e308)", value) from None
    inside = ((at_least is None or number >= at_least) and (above is None or number > above)
              and (at_most is None or number <= at_most) and (below is None or number < below))
    if (finite and not math.isfinite(number)) or not inside:
        raise wrong_value(name, valid, value)
    return number


def probability(value: object, name: str) -> float:
    """A real number in [0, 1]."""
    return real(value, name, at_least=0.0, at_most=1.0)


def integer(value: object, name: str, *, at_least: int | None = None, at_most: int | None = None) -> int:
    """``value`` as an int: a whole number (an int or numpy integer, not a bool or a float) within the bounds."""
    if at_least == 1 and at_most is None:
        valid = "a positive integer"
    else:
        valid = " ".join(filter(None, ["an integer", _bounds(at_least, None, at_most, None)]))
    if not is_integer(value):
        raise wrong_type(name, valid, value)
    number = int(value)
    if (at_least is not None and number < at_least) or (at_most is not None and number > at_most):
        raise wrong_value(name, valid, value)
    return number


def count(value: object, name: str, *, at_least: int = 1, at_most: int | None = None) -> int:
    """A count: an integer >= ``at_least`` (1 unless said), at most ``at_most``."""
    return integer(value, name, at_least=at_least, at_most=at_most)


def optional_count(value: object, name: str, *, at_least: int = 1, at_most: int | None = None) -> int | None:
    """None, or a count as ``count`` checks it."""
    return None if value is None else count(value, name, at_least=at_least, at_most=at_most)


def seed(value: object, name: str = "seed") -> int | None:
    """None (a fresh random start) or a whole number in [0, 2¹²⁸], as numpy's generators take it."""
    if value is None:
        return None
    return integer(value, name, at_least=0, at_most=MAX_SEED)


def flag(value: object, name: str) -> bool:
    """True or False (numpy's bools too); nothing else, so ``bias="no"`` is not taken as True."""
    if not isinstance(value, (bool, np.bool_)):
        raise wrong_type(name, "True or False", value)
    return bool(value)


def text(value: object, name: str) -> str:
    """A str."""
    if not isinstance(value, str):
        raise wrong_type(name, "a str", value)
    return value


def choice(value: object, name: str, options: Collection[str]) -> str:
    """One of ``options`` (names)."""
    valid = f"one of {', '.join(map(str, options))}"
    if not isinstance(value, str):
        raise wrong_type(name, valid, value)
    if value not in options:
        raise wrong_value(name, valid, value)
    return value


def path(value: object, name: str = "path") -> Path:
    """A file path: a str or ``os.PathLike`` naming a file (never a number, which ``open`` takes as a descriptor)."""
    valid = "a file path (a str or pathlib.Path)"
    if not isinstance(value, (str, os.PathLike)):
        raise wrong_type(name, valid, value)
    location = os.fspath(value)
    if not isinstance(location, str):
        raise wrong_type(name, valid, value)
    if not location or "\0" in location:
        raise wrong_value(name, f"{valid}, not empty and without NUL characters", value)
    return Path(location)


FILE_PATH = "a file's path (one ending in / names a folder: put a file name after it, or leave the / out)"


def file_path(value: object, name: str = "path") -> Path:
    """The path of a file to write: ``path``'s checks, and never a str that names a folder by its form
    (``x.onnx/``, ``out/.``), which ``Path`` would quietly read as the file ``x.onnx``."""
    location = path(value, name)
    if isinstance(value, str) and os.path.basename(value) in ("", ".", ".."):
        raise wrong_value(name, FILE_PATH, value)
    return location


def sequence(value: object, name: str, valid: str, length: int | None = None):
    """``value`` if it is a list, tuple, numpy array or other sequence (not a str), of ``length`` items if given."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise wrong_type(name, valid, value)
    if length is not None and len(value) != length:
        raise wrong_value(name, valid, value)
    return value


def items(value: object, name: str, valid: str) -> list:
    """``value`` (any iterable but a str: a list, tuple, set, generator, array) as a list."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise wrong_type(name, valid, value)
    return list(value)


def numbers(value: object, name: str, *, finite: bool = True) -> list[float]:
    """A sequence of real numbers (finite unless ``finite=False``) as a list of floats."""
    return [real(item, f"{name}[{position}]", finite=finite)
            for position, item in enumerate(sequence(value, name, "a list of numbers"))]


def instance(value: object, name: str, kind: type | tuple[type, ...], valid: str):
    """``value`` if it is an instance of ``kind`` (``valid`` says what that is in words), else TypeError."""
    if not isinstance(value, kind):
        raise wrong_type(name, valid, value)
    return value


def function(value: object, name: str, valid: str = "a function"):
    """A callable."""
    if not callable(value):
        raise wrong_type(name, valid, value)
    return value
