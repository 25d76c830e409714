"""Serving the playground with uvicorn: in the foreground for the command line, or in a thread.

The socket is bound before uvicorn starts, so ``port=0`` gets a free port and the URL (with its
fresh token) is known at once; the Host check is made for that address.
"""
from __future__ import annotations

import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass

import uvicorn

from .app import build_app
from .config import Setup
from .guards import allowed_hosts, loopback
from .lab.setup import LabDefaults
from .sessions import Sessions

SHUTDOWN_SECONDS = 5  # what is still open after this on stop / Ctrl-C is cut


class _Server(uvicorn.Server):
    """uvicorn's server that tells the app's streams to end as soon as it is asked to stop."""

    def __init__(self, config: uvicorn.Config, sessions: Sessions) -> None:
        super().__init__(config)
        self.sessions = sessions

    def handle_exit(self, sig, frame) -> None:
        self.sessions.closing.set()
        super().handle_exit(sig, frame)

    def stop(self) -> None:
        self.sessions.closing.set()
        self.should_exit = True


def _server(setup: Setup, host: str, port: int, sessions: Sessions | None, lab: LabDefaults | None = None,
            room: str = "/"):
    """A bound socket, a uvicorn.Server for the guarded app on it, and the URL of ``room`` with its token."""
    if not loopback(host):
        print(f"chainrule playground: warning: listening on {host}, not only this machine (127.0.0.1); anyone who "
              f"can reach it and has the token can use it", file=sys.stderr, flush=True)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(128)  # connections made before uvicorn runs wait in the backlog
    except OSError as error:
        listener.close()
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    port = listener.getsockname()[1]
    token = secrets.token_urlsafe(24)
    sessions = Sessions() if sessions is None else sessions
    app = build_app(token, allowed_hosts(host, port), sessions, setup, lab)
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=SHUTDOWN_SECONDS,
                            access_log=False, lifespan="off")
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
          room: str = "/", title: str = "playground") -> None:
    """Serve in the foreground: print the URL of ``room`` (one flushed line), open a browser, run until Ctrl-C."""
    listener, server, url = _server(setup, host, port, None, lab, room)
    print(f"chainrule {title}: {url}", flush=True)
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, [url]).start()
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:
        pass
