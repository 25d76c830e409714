"""Text safe for a terminal: what a user typed or loaded, echoed without escape sequences or floods."""
from __future__ import annotations

import sys

MAX_MESSAGE = 400  # characters of a message line: echoed input past that is cut


def say(prog: str, message: str) -> None:
    """``prog: message`` on stderr as one line: control characters shown escaped, long input cut."""
    print(shown(f"{prog}: {message}", MAX_MESSAGE), file=sys.stderr)


def shown(text: object, limit: int | None = None) -> str:
    """``text`` safe for a terminal: escape sequences, newlines and the like as ``\\x1b``, ``\\n``."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))
    if limit is not None and len(text) > limit:
        return f"{text[:limit]}… ({len(text):,} characters)"
    return text


def echo(value: object, limit: int = 40) -> str:
    """``repr(value)`` for a message, cut after ``limit`` characters (a 10 MB input is not echoed)."""
    return shown(repr(value), limit)
