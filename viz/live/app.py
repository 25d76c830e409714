"""The playground's ASGI app: the page, its assets, the event stream and the JSON controls.

Routes are a declarative list of small endpoints. Each control names its session, is checked
field by field (400 with ``{"error", "field"}``), runs in a worker thread under the session's lock,
wakes the session's streams and answers with the new state. ``/api/close`` ends a session (the page
sends it when the tab closes), so a full server needs no wait for idle sessions to expire.
"""
from __future__ import annotations

import html
import json
from importlib import resources

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from ..explorer import page as explorer_page
from .config import FieldError, Setup, checked_setup, integer_field, number_field
from .guards import Guards
from .points import COORDINATE_LIMIT
from .requests import json_body, off_loop, query_whole_number
from .session import WEIGHT_LIMIT
from .sessions import Sessions, TooManySessions
from .stream import frames
from .vocabulary import embedded

ASSETS = {"playground.css": "text/css", "playground.js": "text/javascript", "network.js": "text/javascript"}
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


def _asset(name: str) -> str:
    return resources.files("viz.live").joinpath("assets", name).read_text(encoding="utf-8")


def _error(status: int, message: str, field: str | None = None) -> Response:
    return _json({"error": message, "field": field}, status)  # ASCII JSON: even a lone surrogate echoed is safe


def _json(document: dict, status: int = 200) -> Response:
    body = json.dumps(document, allow_nan=False, separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json")


def build_app(token: str, hosts: set[str], sessions: Sessions | None = None, defaults: Setup | None = None):
    """The guarded ASGI app for ``token`` and the Host headers in ``hosts``."""
    sessions = Sessions() if sessions is None else sessions
    defaults = defaults or Setup()
    quoted = html.escape(token, quote=True)

    async def index(request: Request) -> Response:
        page = _asset("playground.html").replace("{{token}}", quoted).replace("{{vocabulary}}", embedded())
        return HTMLResponse(page, headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"})

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return _error(404, f"no asset {name[:40]!r}")
        return Response(_asset(name), media_type=ASSETS[name])

    def session_of(key: object):
        if not isinstance(key, str):
            raise FieldError("session", "must be the session's id, as POST /api/session gave it")
        session = sessions.get(key)
        if session is None:
            raise LookupError("no such session (it expired or the server restarted): reload the page")
        return session

    async def create(request: Request) -> Response:
        document = await json_body(request)
        setup = checked_setup(document.get("setup", {}), defaults)
        replaces = document.get("replaces")
        key, session = await off_loop(sessions.create, setup, replaces if isinstance(replaces, str) else None)
        return _json({"session": key, "state": await off_loop(session.state)})

    def control(action):
        """An endpoint: parse the body, run ``action(session, body)`` in a thread, wake the streams, answer."""
        async def endpoint(request: Request) -> Response:
            document = await json_body(request)
            session = session_of(document.get("session"))
            await off_loop(action, session, document)
            sessions.wake(document["session"])
            return _json({"state": await off_loop(session.state)})
        return endpoint

    def play(session, body):
        if not isinstance(body.get("playing"), bool):
            raise FieldError("playing", "must be true or false")
        session.set_playing(body["playing"])

    def edit(session, body):
        source = body.get("source")
        if source is not None:
            source = integer_field(body, "source", 0, 1000)
        session.edit(integer_field(body, "layer", 0, 1000), integer_field(body, "neuron", 0, 1000), source,
                     number_field(body, "value", -WEIGHT_LIMIT, WEIGHT_LIMIT))

    def add_point(session, body):
        limit = COORDINATE_LIMIT
        session.add_point(number_field(body, "x1", -limit, limit), number_field(body, "x2", -limit, limit),
                          integer_field(body, "label", 0, 1000))

    async def state(request: Request) -> Response:
        session = session_of(request.query_params.get("session"))
        return _json({"state": await off_loop(session.state)})

    async def stream(request: Request) -> Response:
        key = request.query_params.get("session")
        session_of(key)
        return StreamingResponse(frames(sessions, key), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def export(request: Request) -> Response:
        session = session_of(request.query_params.get("session"))
        document = await off_loop(session.model_document)
        return Response(json.dumps(document, indent=1, allow_nan=False), media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="playground-model.json"'})

    async def explore(request: Request) -> Response:
        session = session_of(request.query_params.get("session"))
        index = query_whole_number(request, "index")

        def build() -> str:
            with session.lock:  # the graph, the point and the epoch of one moment
                loss, parameters = session.sample_loss(index)
                point, label = session.points.X[index], session.points.labels[index]
                title = f"point {index} ({point[0]:.2f}, {point[1]:.2f}), class {label}, epoch {session.epoch}"
                learning_rate = session.setup.learning_rate
            return explorer_page(loss, parameters=parameters, learning_rate=learning_rate, title=title)
        return HTMLResponse(await off_loop(build),
                            headers={"Cache-Control": "no-store", "Content-Security-Policy": "frame-ancestors 'self'"})

    async def close(request: Request) -> Response:
        document = await json_body(request)
        if not isinstance(document.get("session"), str):
            raise FieldError("session", "must be the session's id, as POST /api/session gave it")
        return _json({"closed": sessions.close(document["session"])})

    async def field_error(request: Request, error: FieldError) -> Response:
        return _error(400, str(error), error.field)

    async def missing(request: Request, error: LookupError) -> Response:
        return _error(404, str(error))

    async def full(request: Request, error: TooManySessions) -> Response:
        return _error(503, str(error))

    routes = [
        Route("/", index),
        Route("/assets/{name}", asset),
        Route("/api/session", create, methods=["POST"]),
        Route("/api/state", state),
        Route("/api/stream", stream),
        Route("/api/export", export),
        Route("/explore", explore),
        Route("/api/setup", control(lambda session, body: session.configure(body.get("setup"))), methods=["POST"]),
        Route("/api/play", control(play), methods=["POST"]),
        Route("/api/step", control(lambda session, body: session.step()), methods=["POST"]),
        Route("/api/reset", control(lambda session, body: session.reset()), methods=["POST"]),
        Route("/api/edit", control(edit), methods=["POST"]),
        Route("/api/point", control(add_point), methods=["POST"]),
        Route("/api/point/remove",
              control(lambda session, body: session.remove_point(integer_field(body, "index", 0, 10**6))),
              methods=["POST"]),
        Route("/api/csv", control(lambda session, body: session.load_csv(body.get("csv"))), methods=["POST"]),
        Route("/api/import", control(lambda session, body: session.import_model(body.get("model"))), methods=["POST"]),
        Route("/api/close", close, methods=["POST"]),
    ]
    handlers = {FieldError: field_error, LookupError: missing, TooManySessions: full}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.sessions = sessions
    return Guards(app, token, hosts)
