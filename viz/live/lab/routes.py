"""The digit lab's room: its page at ``/digits``, and its JSON controls and stream under ``/digits/api``.

Every control names its session and has each field checked (400 naming the field); a drawn image
must be 28 rows of 28 numbers in [0, 1]. The server's images are loaded once, on the first session.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...explorer import page as explorer_page
from ..config import FieldError, integer_field
from ..endpoints import Room, explorer_answer, json_answer, model_file, page, room_page
from ..requests import json_body, off_loop, query_whole_number
from ..sessions import Sessions
from .data import SharedData
from .images import checked_image
from .session import LabSession
from .setup import LabDefaults, checked_lab_setup


def _label(body: dict) -> int | None:
    return None if body.get("label") is None else integer_field(body, "label", 0, 9)


def _pick(session: LabSession, body: dict) -> None:
    if ("digit" in body) == ("index" in body):
        raise FieldError("digit", "give either digit (0 to 9: its next test image) or index (a test image)")
    if "digit" in body:
        session.pick_digit(integer_field(body, "digit", 0, 9))
    else:
        session.pick(integer_field(body, "index", 0, 10**7))


def lab_routes(sessions: Sessions, token: str, defaults: LabDefaults | None = None) -> list[Route]:
    """The lab's routes over the server's ``sessions`` (``token`` already HTML-escaped for the page)."""
    defaults = defaults or LabDefaults()
    shared = SharedData(defaults.mnist_dir, defaults.eight_by_eight, defaults.data)
    room = Room(sessions, LabSession)
    template = room_page("digit lab", "lab")
    control = room.control

    async def index(request: Request) -> Response:
        return page(template, token=token)

    async def create(request: Request) -> Response:
        return await room.create(request, lambda setup: LabSession(shared.get(),
                                                                    checked_lab_setup(setup, defaults.setup)))

    async def check(request: Request) -> Response:
        document = await json_body(request)
        session = room.session_of(document.get("session"))
        return json_answer({"check": await off_loop(session.check)})

    async def cell(request: Request) -> Response:
        session = room.session_of(request.query_params.get("session"))
        digits = {field: query_whole_number(request, field) for field in ("true", "predicted")}
        true, predicted = (integer_field(digits, field, 0, 9) for field in ("true", "predicted"))
        return json_answer({"indices": await off_loop(session.cell, true, predicted)})

    async def export(request: Request) -> Response:
        session = room.session_of(request.query_params.get("session"))
        return model_file(await off_loop(session.export), "digit-lab-model.json")

    async def explore(request: Request) -> Response:
        """The explorer at the layer level on the shown digit's own graph (the lab's "step into it")."""
        session = room.session_of(request.query_params.get("session"))

        def build() -> str:
            cost, parameters, title, optimizer = session.digit_cost()
            return explorer_page(cost, parameters=parameters, learning_rate=session.setup.learning_rate,
                                 title=title, level="layer", optimizer=optimizer, made_from="room")
        return await explorer_answer(build)

    return [
        *room.routes("/digits", index, create, export, explore),
        Route("/digits/api/cell", cell),
        Route("/digits/api/check", check, methods=["POST"]),
        Route("/digits/api/draw", control(lambda session, body: session.draw(checked_image(body.get("image")),
                                                                             _label(body))), methods=["POST"]),
        Route("/digits/api/pick", control(_pick), methods=["POST"]),
    ]
