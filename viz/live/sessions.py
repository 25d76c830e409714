"""The server's sessions, one per browser tab: capped in number, idle ones expire.

Each session also has the asyncio events that wake its open streams when a control changed it,
and a generation: a new stream for a session (a reload) retires the previous one. A closed tab's
session frees its slot at once but lives ``LEAVING_SECONDS`` more, so a reload of the tab resumes it.
"""
from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Callable

MAX_SESSIONS = 32
IDLE_SECONDS = 15 * 60
LEAVING_SECONDS = 5.0  # how long a closed tab's session waits for a reload of the tab


class TooManySessions(RuntimeError):
    """Every session slot is taken by a session that is still in use."""


class Sessions:
    """``create``, ``get`` and ``drop`` sessions by id; the streams' wake-up events beside them."""

    def __init__(self, limit: int = MAX_SESSIONS, idle_seconds: float = IDLE_SECONDS) -> None:
        self.limit, self.idle_seconds = limit, idle_seconds
        self._sessions: dict[str, object] = {}
        self._wakeups: dict[str, set[asyncio.Event]] = {}
        self._generations: dict[str, int] = {}
        self._leaving: dict[str, float] = {}  # closed tabs' sessions -> when they end
        self._pages: dict[str, str] = {}  # the page (one load of a tab) that holds each session
        self._lock = threading.Lock()
        self.closing = threading.Event()  # set when the server shuts down: every stream ends

    def __len__(self) -> int:
        return len(self._sessions)

    def _expire(self) -> None:
        now = time.monotonic()
        for key, ends in list(self._leaving.items()):
            if now >= ends:
                self._forget(key)
        for key, session in list(self._sessions.items()):
            if now - session.last_seen > self.idle_seconds and not self._wakeups.get(key):
                self._forget(key)

    def _forget(self, key: str) -> None:
        self._sessions.pop(key, None)
        self._generations.pop(key, None)
        self._leaving.pop(key, None)
        self._pages.pop(key, None)
        for event in self._wakeups.pop(key, ()):
            event.set()  # its streams see the session gone and end

    def create(self, setup, replaces: str | None, build: Callable[[object], object],
               page: str | None = None) -> tuple[str, object]:
        """A new session ``build(setup)`` held by ``page`` (dropping ``replaces``, the tab's previous one);
        TooManySessions when full.

        Each room builds its own kind of session (the playground's, the digit lab's); ``build`` checks the setup.
        """
        session = build(setup)  # built outside the lock: it trains nothing, but traces its tapes
        with self._lock:
            if replaces is not None:
                self._forget(replaces)
            self._expire()
            if len(self._sessions) >= self.limit:
                for key in list(self._leaving):  # a closed tab's slot is free at once
                    self._forget(key)
            if len(self._sessions) >= self.limit:
                wait = f"{self.idle_seconds / 60:.0f} minutes"
                raise TooManySessions(f"the server already has {self.limit} sessions open; "
                                      f"close a tab or wait {wait} for idle ones to expire")
            key = secrets.token_urlsafe(16)
            self._sessions[key] = session
            if page:
                self._pages[key] = page
            return key, session

    def resume(self, key: object, page: str | None, kind: type = object):
        """Session ``key`` (of ``kind``) for a new ``page`` of its tab (a reload), even just closed by the old
        page; or None."""
        with self._lock:
            self._expire()
            session = self._sessions.get(key) if isinstance(key, str) else None
            if isinstance(session, kind):
                self._leaving.pop(key, None)
                if page:
                    self._pages[key] = page
                session.last_seen = time.monotonic()
                return session
            return None

    def get(self, key: object):
        """The session ``key`` names (and marks it as just used), or None."""
        with self._lock:
            self._expire()
            session = self._sessions.get(key) if isinstance(key, str) and key not in self._leaving else None
            if session is not None:
                session.last_seen = time.monotonic()
            return session

    def close(self, key: str, page: str | None = None) -> bool:
        """Session ``key``'s tab closed: its streams end and its slot is free; it is gone unless a reload of
        the tab resumes it within LEAVING_SECONDS. A close from an older ``page`` than the one holding it
        is ignored. Whether it was open."""
        with self._lock:
            if key not in self._sessions or key in self._leaving or \
                    (page is not None and self._pages.get(key, page) != page):
                return False
            self._leaving[key] = time.monotonic() + LEAVING_SECONDS
            for event in self._wakeups.get(key, ()):
                event.set()
            return True

    # ---- streams ----------------------------------------------------------------------------
    def attach(self, key: str) -> tuple[asyncio.Event, int]:
        """A wake-up event and the generation of a new stream of session ``key``."""
        with self._lock:
            event = asyncio.Event()
            self._wakeups.setdefault(key, set()).add(event)
            self._generations[key] = self._generations.get(key, 0) + 1
            return event, self._generations[key]

    def detach(self, key: str, event: asyncio.Event) -> None:
        with self._lock:
            self._wakeups.get(key, set()).discard(event)

    def current(self, key: str, generation: int) -> bool:
        """Whether a stream of ``generation`` should go on: the session's newest, the server not closing."""
        return not self.closing.is_set() and key in self._sessions and key not in self._leaving \
            and self._generations.get(key) == generation

    def wake(self, key: str) -> None:
        """Tell the session's streams that it changed (call from the event loop)."""
        for event in list(self._wakeups.get(key, ())):
            event.set()
