"""What every room's handlers share to read a request: the JSON body (nesting bounded before it is parsed),
whole numbers from the query string, and the work a request asks for, run off the event loop.

Anything malformed is a :class:`FieldError` naming the field, which the app answers with a 400.
"""
from __future__ import annotations

import json

import anyio.to_thread
from starlette.requests import Request

from nn.nesting import nesting_depth

from .config import FieldError

MAX_NESTING = 16  # brackets inside brackets in a request body; an imported model needs 5
MAX_DIGITS = 9  # of a whole number in the query string


async def json_body(request: Request) -> dict:
    """The request's body as a JSON object; a FieldError("body") for anything else (too deep, not UTF-8, …)."""
    raw = await request.body()
    depth = nesting_depth(raw)
    if depth > MAX_NESTING:
        raise FieldError("body", f"is nested {depth:,} levels deep; at most {MAX_NESTING} are accepted")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise FieldError("body", "must be a JSON object") from None
    if not isinstance(document, dict):
        raise FieldError("body", "must be a JSON object")
    return document


def query_whole_number(request: Request, field: str) -> int:
    """The query parameter ``field`` as a whole number written in ASCII digits (``²`` and ``①`` are not)."""
    text = request.query_params.get(field, "")
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        raise FieldError(field, f"must be a whole number of 1 to {MAX_DIGITS} digits 0-9, got {text[:20]!r}")
    return int(text)


async def off_loop(work, *args):
    """``work(*args)`` in a worker thread; the event loop stays free, and a server shutting down does not
    wait for it (the thread is abandoned on cancellation, so Ctrl-C is never held up by a request)."""
    return await anyio.to_thread.run_sync(work, *args, abandon_on_cancel=True)
