"""The exceptions that mean "the user asked for something impossible" or "a tool is missing", and their wording.

A command line (``command_line.run``) prints either as one line, never a traceback: a ``UserError``
(and a ValueError, OSError or ArithmeticError) with exit status 2, a ``MissingToolError`` with status 3.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """A mistake in what the user asked for: printed as one line, exit status 2."""


class MissingToolError(Exception):
    """An optional tool or package is not installed: printed as one line with how to install it, status 3."""


class LimitError(ValueError):
    """A request over one of a library's size limits, worded for whoever hit it: ``str()`` names the keyword
    (``max_nodes=5``) a Python caller passes, ``for_option()`` the option (``--max-nodes``) a shell user passes."""

    def __init__(self, found: str, keyword: str, limit: int, needed: int, instead: str) -> None:
        self.found, self.keyword, self.limit, self.needed, self.instead = found, keyword, limit, needed, instead
        super().__init__(f"{found}, more than {keyword}={limit}; pass a larger {keyword} or {instead}")

    def for_option(self) -> str:
        """The same refusal for a command line whose option is the keyword with dashes: ``--max-nodes``."""
        option = "--" + self.keyword.replace("_", "-")
        return (f"{self.found}, more than {option} {self.limit}; pass {option} {self.needed} or more, "
                f"or {self.instead}")


USER_MISTAKES = (UserError, ValueError, OSError, ArithmeticError)


def describe(error: BaseException) -> str:
    """An exception as the one line a user reads: ``no such file: runs/m.json``, not ``[Errno 2] …``."""
    if isinstance(error, FileNotFoundError) and error.filename is not None:
        return f"no such file: {error.filename}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror + (f": {error.filename}" if error.filename is not None else "")
    return str(error) or type(error).__name__


def did_you_mean(text: str, names: Iterable[str]) -> str:
    """``"; did you mean moons?"`` when ``text`` is a near miss of one of ``names`` (a typo, ``moon``), else ``""``:
    the tail of a message refusing a name."""
    close = difflib.get_close_matches(text.strip().lower(), list(names), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""
