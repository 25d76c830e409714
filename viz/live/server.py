"""Serving the playground with uvicorn: in the foreground for the command line, or in a thread.

The socket is bound before uvicorn starts, so ``port=0`` gets a free port and the URL (with its
fresh token) is known at once; the Host check is made for that address. Connections run
``connections.GuardedH11`` (a deadline for each request, a cap on open connections). Ctrl-C stops the
command line within 2 s whatever a request is doing: open responses get ``SHUTDOWN_SECONDS``, a request
still unanswered then is answered 503 with ``STOPPING``, and a worker thread still busy after
``EXIT_SECONDS`` is not waited for.
"""
from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass

import uvicorn

from autograd.conventions.terminal import shown

from .app import build_app
from .config import Setup
from .connections import BACKLOG, AcceptErrors, GuardedH11, PacedListener
from .endpoints import error
from .guards import allowed_hosts, loopback
from .lab.setup import LabDefaults
from .sessions import Sessions

NAME = "chainrule playground"
SHUTDOWN_SECONDS = 1  # on stop / Ctrl-C, what is still unanswered after this gets STOPPING; a stream is cut
EXIT_SECONDS = 1.5  # after Ctrl-C the process exits by then, even with a worker thread still busy
STOPPING = "the server is stopping, so this was not done; start it again, then reload the page"


class _Server(uvicorn.Server):
    """uvicorn's server that tells the app's streams to end as soon as it is asked to stop."""

    def __init__(self, config: uvicorn.Config, sessions: Sessions) -> None:
        super().__init__(config)
        self.sessions = sessions

    async def startup(self, sockets=None) -> None:
        asyncio.get_running_loop().set_exception_handler(AcceptErrors(NAME))
        await super().startup(sockets)

    def handle_exit(self, sig, frame) -> None:
        """Ctrl-C (uvicorn listens to signals only when it runs in the main thread: the command line)."""
        self.sessions.closing.set()
        deadline = threading.Timer(EXIT_SECONDS, _exit_now)
        deadline.daemon = True  # a process that ends sooner does not wait for it
        deadline.start()
        super().handle_exit(sig, frame)

    def stop(self) -> None:
        self.sessions.closing.set()
        self.should_exit = True


class _AnsweredWhenStopping:
    """ASGI middleware: a request still unanswered when the server stops (uvicorn cancels it ``SHUTDOWN_SECONDS``
    after a stop or Ctrl-C; a step may wait behind another one's lock) gets a 503 saying why, not uvicorn's bare
    500; a response already begun (a stream) is cut as before."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        started = False

        async def watched(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except asyncio.CancelledError:
            if scope["type"] == "http" and not started:
                await error(503, STOPPING)(scope, receive, send)
            raise


class _QuietCancel(logging.Filter):
    """Drops what uvicorn logs when Ctrl-C lets go of a request still working (on purpose: see EXIT_SECONDS)."""

    def filter(self, record: logging.LogRecord) -> bool:
        cancelled = record.exc_info is not None and isinstance(record.exc_info[1], asyncio.CancelledError)
        return not (cancelled or record.getMessage().startswith("Cancel "))


_QUIET_CANCEL = _QuietCancel()


def _exit_now() -> None:
    """End the process at once (a worker thread still running a request is not waited for)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _listener(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening; OSError naming the address (shown escaped)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = PacedListener(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(BACKLOG)  # connections made before uvicorn runs wait in the backlog
    except (OSError, ValueError, UnicodeError) as error:
        listener.close()
        reason = getattr(error, "strerror", None) or str(error)
        if getattr(error, "errno", None) in (errno.EADDRINUSE, errno.EACCES):
            reason += "; port 0 picks a free one"
        raise OSError(f"cannot listen on {shown(host, 60)}:{port}: {reason}") from None
    return listener


def _server(setup: Setup, host: str, port: int, sessions: Sessions | None, lab: LabDefaults | None = None,
            room: str = "/"):
    """A bound socket, a uvicorn.Server for the guarded app on it, and the URL of ``room`` with its token."""
    listener = _listener(host, port)
    logging.getLogger("uvicorn.error").addFilter(_QUIET_CANCEL)
    if not loopback(host):
        print(f"{NAME}: warning: listening on {shown(host, 60)}, not only this machine (127.0.0.1); anyone who "
              f"can reach it and has the token can use it", file=sys.stderr, flush=True)
    port = listener.getsockname()[1]
    token = secrets.token_urlsafe(24)
    sessions = Sessions() if sessions is None else sessions
    app = _AnsweredWhenStopping(build_app(token, allowed_hosts(host, port), sessions, setup, lab))
    config = uvicorn.Config(app, http=GuardedH11, backlog=BACKLOG, log_level="error", access_log=False,
                            timeout_graceful_shutdown=SHUTDOWN_SECONDS, lifespan="off")  # a bad request: no log line
    name = f"[{host}]" if ":" in host else host
    return listener, _Server(config, sessions), f"http://{name}:{port}{room}?token={token}"


@dataclass
class Playground:
    """A running playground: open ``url`` in a browser; ``stop()`` shuts it down."""

    url: str
    _server: object
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.stop()
        self._thread.join(timeout=10)

    def __repr__(self) -> str:
        return f"Playground({self.url!r})"


def start(*, host: str = "127.0.0.1", port: int = 0, setup: Setup | None = None,
          sessions: Sessions | None = None, lab: LabDefaults | None = None, room: str = "/") -> Playground:
    """Start the server in a background thread and return its handle (``.url`` opens ``room``, ``.stop()``)."""
    listener, server, url = _server(setup or Setup(), host, port, sessions, lab, room)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="playground", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("the playground server did not start")
    return Playground(url, server, thread)


def serve(setup: Setup, host: str, port: int, open_browser: bool, lab: LabDefaults | None = None,
          room: str = "/", name: str = NAME) -> None:
    """Serve in the foreground: print the URL of ``room`` (one flushed line), open a browser, run until Ctrl-C."""
    listener, server, url = _server(setup, host, port, None, lab, room)
    print(f"{name}: {url}", flush=True)
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, [url]).start()
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[listener])
