"""The exceptions that mean "the user asked for something impossible" or "a tool is missing", and their wording.

A command line (``command_line.run``) prints either as one line, never a traceback: a ``UserError``
(and a ValueError, OSError or ArithmeticError) with exit status 2, a ``MissingToolError`` with status 3.
"""
from __future__ import annotations


class UserError(Exception):
    """A mistake in what the user asked for: printed as one line, exit status 2."""


class MissingToolError(Exception):
    """An optional tool or package is not installed: printed as one line with how to install it, status 3."""


USER_MISTAKES = (UserError, ValueError, OSError, ArithmeticError)


def describe(error: BaseException) -> str:
    """An exception as the one line a user reads: ``no such file: runs/m.json``, not ``[Errno 2] …``."""
    if isinstance(error, FileNotFoundError) and error.filename is not None:
        return f"no such file: {error.filename}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror + (f": {error.filename}" if error.filename is not None else "")
    return str(error) or type(error).__name__
