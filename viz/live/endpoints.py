"""What every room of the live app shares: JSON answers, request bodies, a room's sessions and controls.

A room (the playground, the digit lab) is a page, its assets and its JSON controls. ``Room`` binds the
server's ``Sessions`` to one session class, so a room only ever sees its own sessions, and turns an
action into an endpoint that checks the body, runs the action in a worker thread under the session's
lock, wakes the session's streams and answers with the new state.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from .config import FieldError
from .requests import json_body, off_loop
from .sessions import Sessions, TooManySessions
from .stream import frames

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
SHARED_ASSETS = {"page_helpers.js"}  # viz/assets: what the explorer page inlines and the rooms load


def asset_text(name: str) -> str:
    """A file of the rooms' pages: theirs (viz/live/assets) or one every page shares (viz/assets)."""
    package = "viz" if name in SHARED_ASSETS else "viz.live"
    return resources.files(package).joinpath("assets", name).read_text(encoding="utf-8")


def error(status: int, message: str, field: str | None = None) -> Response:
    return json_answer({"error": message, "field": field}, status)  # ASCII JSON: even a lone surrogate echoed is safe


def json_answer(document: dict, status: int = 200) -> Response:
    body = json.dumps(document, allow_nan=False, separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json")


def room_page(room: str, name: str) -> str:
    """Room ``room``'s page template, read once when the app is built (a page served to a crowd that holds every
    free file descriptor opens no file): its body (``name``.html, styled by ``name``.css) inside the frame
    every room shares (room.html: the head, the shared scripts, the explorer panel)."""
    frame = asset_text("room.html").replace("{{body}}", asset_text(f"{name}.html"))
    return frame.replace("{{room}}", room).replace("{{style}}", f"{name}.css")


def page(template: str, **fields: str) -> HTMLResponse:
    """A room's HTML page from its ``room_page`` template, each ``{{field}}`` filled in one pass (the escaped
    token, …), under the page policy."""
    text = PLACEHOLDER.sub(lambda match: fields[match.group(1)], template)
    return HTMLResponse(text, headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"})


def model_file(document: dict, filename: str) -> Response:
    """A model (``nn.model_json.to_dict``'s document) as a JSON file the browser downloads as ``filename``."""
    return Response(json.dumps(document, indent=1, allow_nan=False), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def play(session, body: dict) -> None:
    """The play control of any room: ``playing`` must be true or false."""
    if not isinstance(body.get("playing"), bool):
        raise FieldError("playing", "must be true or false")
    session.set_playing(body["playing"])


async def explorer_answer(build: Callable[[], str]) -> HTMLResponse:
    """The explorer page ``build`` makes (in a worker thread), for a room's panel on the same origin."""
    return HTMLResponse(await off_loop(build),
                        headers={"Cache-Control": "no-store", "Content-Security-Policy": "frame-ancestors 'self'"})


def _page(document: dict) -> str | None:
    """The page (one load of a tab) a request comes from, if it says."""
    page = document.get("page")
    return page[:64] if isinstance(page, str) else None


class Room:
    """The server's sessions as one room sees them: only sessions of ``kind``."""

    def __init__(self, sessions: Sessions, kind: type) -> None:
        self.sessions, self.kind = sessions, kind

    def session_of(self, key: object):
        if not isinstance(key, str):
            raise FieldError("session", "must be the session's id, as the page's first request gave it")
        session = self.sessions.get(key)
        if not isinstance(session, self.kind):
            raise LookupError("no such session (it expired or the server restarted): reload the page")
        return session

    async def create(self, request: Request, build: Callable[[dict], object]) -> Response:
        """A new session from the body's ``setup`` (``build(setup)`` checks it and makes the session), or
        with ``resume`` the tab's session the server still holds (a reload keeps its weights and epoch)."""
        document = await json_body(request)
        page = _page(document)
        resumed = self.sessions.resume(document.get("resume"), page, self.kind)
        if resumed is not None:
            return json_answer({"session": document["resume"], "resumed": True,
                                "state": await off_loop(resumed.state)})
        replaces = document.get("replaces")
        key, session = await off_loop(self.sessions.create, document.get("setup", {}),
                                      replaces if isinstance(replaces, str) else None, build, page)
        return json_answer({"session": key, "resumed": False, "state": await off_loop(session.state)})

    def routes(self, prefix: str, index, create, export, explore) -> list[Route]:
        """The routes every room has under ``prefix`` (``""`` or ``"/digits"``): its page, the explorer's
        "step into", a session's creation, state, stream, export and close, and the controls every
        session takes (setup, play, step, reset, import); a room adds its own."""
        actions = {"setup": lambda session, body: session.configure(body.get("setup")), "play": play,
                   "step": lambda session, body: session.step(), "reset": lambda session, body: session.reset(),
                   "import": lambda session, body: session.import_model(body.get("model"))}
        return [Route(prefix or "/", index), Route(f"{prefix}/explore", explore),
                Route(f"{prefix}/api/session", create, methods=["POST"]),
                Route(f"{prefix}/api/state", self.state), Route(f"{prefix}/api/stream", self.stream),
                Route(f"{prefix}/api/export", export), Route(f"{prefix}/api/close", self.close, methods=["POST"]),
                *(Route(f"{prefix}/api/{name}", self.control(action), methods=["POST"])
                  for name, action in actions.items())]

    def control(self, action: Callable[[object, dict], object]):
        """An endpoint: parse the body, run ``action(session, body)`` in a thread, wake the streams, answer."""
        async def endpoint(request: Request) -> Response:
            document = await json_body(request)
            session = self.session_of(document.get("session"))
            await off_loop(action, session, document)
            self.sessions.wake(document["session"])
            return json_answer({"state": await off_loop(session.state)})
        return endpoint

    async def state(self, request: Request) -> Response:
        session = self.session_of(request.query_params.get("session"))
        return json_answer({"state": await off_loop(session.state)})

    async def close(self, request: Request) -> Response:
        """End the body's session (its tab closed; a reload of the tab resumes it); whether it was open."""
        document = await json_body(request)
        key = document.get("session")
        if not isinstance(key, str):
            raise FieldError("session", "must be the session's id, as the page's first request gave it")
        return json_answer({"closed": isinstance(self.sessions.get(key), self.kind)
                            and self.sessions.close(key, _page(document))})

    async def stream(self, request: Request) -> Response:
        key = request.query_params.get("session")
        self.session_of(key)
        return StreamingResponse(frames(self.sessions, key), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _field_error(request: Request, problem: FieldError) -> Response:
    return error(400, str(problem), problem.field)


async def _missing(request: Request, problem: LookupError) -> Response:
    return error(404, str(problem))


async def _full(request: Request, problem: TooManySessions) -> Response:
    return error(503, str(problem))


HANDLERS = {FieldError: _field_error, LookupError: _missing, TooManySessions: _full}
