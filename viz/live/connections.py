"""What one connection may hold: a deadline to send each request whole, and a cap on open connections.

uvicorn times out only idle keep-alive connections, and the guards run once the headers are in, so a
process that opens connections and sends a byte now and then could hold every file descriptor of the
server without a token. Here each connection has ``REQUEST_SECONDS`` to send a complete request (headers
and body), counted from when it opened or its previous response ended; at most ``connection_cap()`` are
open: one more closes the connection that has waited longest for its request, or, when every one is
busy (a stream, a request being answered), is answered 503 and closed. ``PacedListener`` keeps asyncio
from accepting more than ``BACKLOG`` connections ahead of the protocol that applies the cap. An accept that
fails for want of descriptors (another process may have taken them) is logged as one line a minute at most.
"""
from __future__ import annotations

import errno
import resource
import socket
import sys
import threading
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

REQUEST_SECONDS = 10.0  # to send a whole request, headers and body
MAX_CONNECTIONS = 256  # open at once (fewer when the process may open fewer files: see connection_cap)
BACKLOG = 64  # connections waiting to be accepted, and the most accepted at once before the cap can act
RESERVED_FILES = 2 * BACKLOG  # the process's own files, the connections on their way and those being refused
ACCEPT_LOG_SECONDS = 60.0  # between two lines saying that connections cannot be accepted
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nconnection: close\r\n"
         b"content-length: 32\r\n\r\ntoo many connections: try again\n")
_TOO_SLOW = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\nconnection: close\r\n"
             b"content-length: 29\r\n\r\nthe request came too slowly\n")


def connection_cap() -> int:
    """``MAX_CONNECTIONS``, or half the files this process may open beyond ``RESERVED_FILES`` if that is fewer."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(4, min(MAX_CONNECTIONS, (soft - RESERVED_FILES) // 2))


class _OnTheirWay:
    """Connections accepted whose protocol has not yet seen them, counted for the whole process (whose
    descriptors they hold): asyncio calls ``connection_made`` two loop turns after the accept."""

    def __init__(self) -> None:
        self.count, self.lock = 0, threading.Lock()

    def add(self, change: int) -> None:
        with self.lock:
            self.count += change


ON_THEIR_WAY = _OnTheirWay()


class PacedListener(socket.socket):
    """A listening socket whose ``accept`` says "would block" while ``BACKLOG`` connections are on their way.

    asyncio accepts up to a backlog of connections each time the socket is ready, and may be ready again
    before the cap has seen the last burst; pausing here keeps bursts from stacking past the files the cap
    leaves free. The pending connections wait in the kernel's queue meanwhile."""

    def accept(self):
        if ON_THEIR_WAY.count >= BACKLOG:
            raise BlockingIOError(errno.EAGAIN, "connections are still on their way to the protocol")
        connection = super().accept()
        ON_THEIR_WAY.add(1)
        return connection


class GuardedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a per-request deadline and the connection cap."""

    def connection_made(self, transport) -> None:
        ON_THEIR_WAY.add(-1)
        self.deadline, self.waiting_since, self.refused = None, time.monotonic(), False
        if len(self.connections) >= connection_cap() and not self._make_room():
            transport.write(_BUSY)
            transport.close()
            self.refused = True
            return
        super().connection_made(transport)
        self._arm()

    def _make_room(self) -> bool:
        """Close the open connection that has waited longest for its request; False if none is waiting."""
        waiting = [other for other in self.connections if isinstance(other, GuardedH11) and other.waiting()]
        if not waiting:
            return False
        min(waiting, key=lambda other: other.waiting_since).too_slow()
        return True

    def waiting(self) -> bool:
        """Whether the client has yet to send all of its current request."""
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing()

    def _arm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
        self.waiting_since = time.monotonic()
        self.deadline = self.loop.call_later(REQUEST_SECONDS, self._check)

    def _check(self) -> None:
        if self.waiting():
            self.too_slow()

    def too_slow(self) -> None:
        """Close the connection; with a 408 if nothing of a response was sent yet."""
        if self.conn.our_state is h11.IDLE and self.conn.their_state is h11.IDLE:
            self.transport.write(_TOO_SLOW)
        self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection has its own deadline

    def connection_lost(self, exc) -> None:
        if self.refused:
            return
        if self.deadline is not None:
            self.deadline.cancel()
        super().connection_lost(exc)


class AcceptErrors:
    """A loop exception handler: a failed accept (no descriptors left) as one line a minute at most."""

    def __init__(self, prog: str) -> None:
        self.prog, self.last = prog, None

    def __call__(self, loop, context: dict) -> None:
        error = context.get("exception")
        if _retried_accept(context):
            return  # asyncio's retry, a second after a failed accept, found the server already stopped
        if not (isinstance(error, OSError) and error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS,
                                                               errno.ENOMEM)):
            loop.default_exception_handler(context)
            return
        now = time.monotonic()
        if self.last is None or now - self.last >= ACCEPT_LOG_SECONDS:
            self.last = now
            print(f"{self.prog}: warning: cannot accept connections for now ({error.strerror}); "
                  f"retrying every second", file=sys.stderr, flush=True)


def _retried_accept(context: dict) -> bool:
    """Whether the error comes from asyncio starting to accept again (``_start_serving``) on a closed socket."""
    callback = getattr(context.get("handle"), "_callback", None)
    return isinstance(context.get("exception"), (ValueError, OSError)) \
        and getattr(callback, "__name__", "") == "_start_serving"
