"""The notation formulas and labels are written in: superscript and subscript digits (``w⁽³⁾₁``)."""
from __future__ import annotations

from .conventions import argument_checks as check

_DIGITS = "0123456789"
_SUPERSCRIPT_DIGITS, _SUBSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹", "₀₁₂₃₄₅₆₇₈₉"
_SUPERSCRIPTS = str.maketrans(_DIGITS + "-.", _SUPERSCRIPT_DIGITS + "⁻·")
_SUBSCRIPTS = str.maketrans(_DIGITS, _SUBSCRIPT_DIGITS)
_FROM_SCRIPTS = str.maketrans(_SUPERSCRIPT_DIGITS + _SUBSCRIPT_DIGITS, _DIGITS * 2)


def superscript(number: int | float | str) -> str:
    """``³`` for 3, ``⁻¹·⁵`` for -1.5: a layer index or an exponent, raised."""
    if not isinstance(number, str):
        check.real(number, "superscript: number")
    return str(number).translate(_SUPERSCRIPTS)


def subscript(number: int) -> str:
    """``₁₂`` for 12: the index of a neuron, a weight or an output."""
    return str(check.integer(number, "subscript: number")).translate(_SUBSCRIPTS)


def plain_digits(text: str) -> str:
    """``text`` with superscript and subscript digits written as ASCII digits (``w⁽³⁾₁`` -> ``w⁽3⁾1``)."""
    return check.text(text, "plain_digits: text").translate(_FROM_SCRIPTS)
