"""The live app: the playground's room (its page, assets, event stream and JSON controls) and the digit lab's.

One server, guards and sessions for both rooms (``endpoints``); each room has its own routes and
session class (the lab's are in ``lab/``). Routes are a declarative list of small endpoints. Each
control names its session, is checked field by field (400 with ``{"error", "field"}``), runs in a
worker thread under the session's lock, wakes the session's streams and answers with the new state.
``/api/close`` ends a session (the page sends it when the tab closes; a reload resumes it within
seconds), so a full server needs no wait for idle sessions to expire.
"""
from __future__ import annotations

import copy
import html

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..dot import format_number
from ..explorer import page as explorer_page
from .config import Setup, checked_setup, integer_field, number_field
from .endpoints import HANDLERS, Room, asset_text, error, explorer_answer, model_file, page, room_page
from .guards import Guards
from .lab.routes import lab_routes
from .playground_session import WEIGHT_LIMIT, Session
from .points import COORDINATE_LIMIT
from .requests import off_loop, query_whole_number
from .sessions import Sessions
from .vocabulary import embedded

ASSETS = {"page_helpers.js": "text/javascript", "room.css": "text/css", "room.js": "text/javascript",
          "playground.css": "text/css", "playground.js": "text/javascript", "network.js": "text/javascript",
          "playground_setup.js": "text/javascript", "playground_parameters.js": "text/javascript",
          "lab.css": "text/css", "lab.js": "text/javascript"}


def build_app(token: str, hosts: set[str], sessions: Sessions | None = None, defaults: Setup | None = None,
              lab=None):
    """The guarded ASGI app for ``token`` and the Host headers in ``hosts``: the playground's room at ``/``
    and the digit lab's at ``/digits`` (``lab``: its ``LabDefaults``, default ones when None)."""
    sessions = Sessions() if sessions is None else sessions
    defaults = defaults or Setup()
    quoted = html.escape(token, quote=True)
    room = Room(sessions, Session)
    template = room_page("playground", "playground")
    assets = {name: asset_text(name) for name in ASSETS}  # read once, as the pages' templates are

    async def index(request: Request) -> Response:
        return page(template, token=quoted, vocabulary=embedded())

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return error(404, f"no asset {name[:40]!r}")
        return Response(assets[name], media_type=ASSETS[name])

    async def create(request: Request) -> Response:
        return await room.create(request, lambda setup: Session(checked_setup(setup, defaults)))

    control, session_of = room.control, room.session_of

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

    async def export(request: Request) -> Response:
        session = session_of(request.query_params.get("session"))
        return model_file(await off_loop(session.model_document), "playground-model.json")

    async def explore(request: Request) -> Response:
        session = session_of(request.query_params.get("session"))
        index = query_whole_number(request, "index")

        def build() -> str:
            with session.lock:  # the graph, the point and the epoch of one moment
                loss, parameters = session.sample_loss(index)
                point, label = session.points.X[index], session.points.labels[index]
                title = (f"point {index} ({format_number(point[0])}, {format_number(point[1])}), class {label}, "
                         f"epoch {session.epoch}")
                learning_rate = session.setup.learning_rate
                optimizer = copy.copy(session.trainer.optimizer)  # its state now; the explorer only reads it
            return explorer_page(loss, parameters=parameters, learning_rate=learning_rate, title=title, level="neuron",
                                 optimizer=optimizer, made_from="room")
        return await explorer_answer(build)

    routes = [
        *room.routes("", index, create, export, explore),
        Route("/assets/{name}", asset),
        Route("/api/edit", control(edit), methods=["POST"]),
        Route("/api/point", control(add_point), methods=["POST"]),
        Route("/api/point/remove",
              control(lambda session, body: session.remove_point(integer_field(body, "index", 0, 10**6))),
              methods=["POST"]),
        Route("/api/csv", control(lambda session, body: session.load_csv(body.get("csv"), body.get("name"))),
              methods=["POST"]),
    ]
    app = Starlette(routes=routes + lab_routes(sessions, quoted, lab), exception_handlers=HANDLERS)
    app.state.sessions = sessions
    return Guards(app, token, hosts)
