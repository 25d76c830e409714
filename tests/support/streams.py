"""Reading a live room's event stream in a test: up to its next frame, failing (never spinning) if it ends."""
from __future__ import annotations

import http.client


def next_frame(events: http.client.HTTPResponse) -> bytes:
    """The next ``data:`` line of ``events`` (an open ``/api/stream`` response); AssertionError if the stream ends
    first (the socket's timeout bounds a wait for a frame that never comes)."""
    while True:
        line = events.fp.readline()
        assert line, "the event stream ended before its next frame"
        if line.startswith(b"data: "):
            return line
