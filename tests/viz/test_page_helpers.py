"""The pages' shared script: every page loads viz/assets/page_helpers.js, and no page script has helpers of its own.

A source check beside the behaviour tests (tests/browser/test_page_helpers.py): the explorer inlines the
helpers before its views, each room's page loads them before its own scripts, and no page script defines
an ``el``, a ``$``/``byTestId``, a number format or another helper the shared script has.
"""
from __future__ import annotations

import re
from importlib import resources

import pytest
from starlette.testclient import TestClient

from viz.explorer import SCRIPTS
from viz.live.app import ASSETS, build_app

VIZ_ASSETS = resources.files("viz").joinpath("assets")
LIVE_ASSETS = resources.files("viz.live").joinpath("assets")
HELPERS = VIZ_ASSETS.joinpath("page_helpers.js").read_text(encoding="utf-8")
PAGE_SCRIPTS = {**{name: VIZ_ASSETS.joinpath(name) for name in SCRIPTS if name != "page_helpers.js"},
                **{name: LIVE_ASSETS.joinpath(name) for name in ASSETS if name.endswith(".js")
                   and name != "page_helpers.js"}}
ROOM = LIVE_ASSETS.joinpath("room.js").read_text(encoding="utf-8")
OLD_NAMES = ("fmt", r"\$", "bytes", "post", "query", "readFile")  # what the pages called their own helpers before
TOKEN = "t" * 32


def top_level_names(source: str) -> set[str]:
    """The names a shared script binds at its top level (a function, a const or let)."""
    return set(re.findall(r"^(?:async function|function|const|let)\s+([\w$]+)", source, flags=re.M))


def binds(source: str, name: str) -> bool:
    return re.search(rf"(?:function|const|let|var)\s+{name}\b", source) is not None


def test_the_shared_scripts_hold_the_helpers():
    assert {"el", "svgEl", "byTestId", "formatNumber", "percent", "base64Bytes"} <= top_level_names(HELPERS)
    assert {"postJson", "sessionQuery", "showMessage", "closeWithTab", "explorerPanel", "chosenFile",
            "importOnChange", "paintPixels"} <= top_level_names(ROOM)


@pytest.mark.parametrize("name", sorted(PAGE_SCRIPTS))
def test_a_page_script_uses_the_shared_helpers_and_defines_none_of_its_own(name):
    source = PAGE_SCRIPTS[name].read_text(encoding="utf-8")
    shared = top_level_names(HELPERS) | (set() if name == "room.js" else top_level_names(ROOM))
    for helper in [*shared, *OLD_NAMES]:
        assert not binds(source, helper), f"{name} defines {helper} itself"
    assert not re.search(r"\.to(?:Fixed|Exponential|Precision)\(", source), \
        f"{name} formats a number itself: the pages' one format is formatNumber (percent for a share)"
    assert "document.createElement" not in source, f"{name} builds elements itself: el() and svgEl() do"
    assert re.search(r"\b(?:el|svgEl|byTestId)\(", source), f"{name} uses none of the shared helpers"


def test_the_explorer_inlines_the_helpers_first():
    assert SCRIPTS[0] == "page_helpers.js"


@pytest.mark.parametrize(("path", "script"), [("/", "playground.js"), ("/digits", "lab.js")])
def test_each_room_loads_the_shared_scripts_before_its_own(path, script):
    client = TestClient(build_app(TOKEN, {"testserver"}), headers={"x-chainrule-token": TOKEN})
    page = client.get(path).text
    order = re.findall(r'<script defer src="/assets/([\w.]+)\?', page)
    assert order[:2] == ["page_helpers.js", "room.js"], order
    assert order[-1] == script, order
    assert "<script src" not in page  # one kind of script: deferred ones run in the order they are written
    for name in order:
        assert client.get(f"/assets/{name}").text == (VIZ_ASSETS if name == "page_helpers.js" else LIVE_ASSETS) \
            .joinpath(name).read_text(encoding="utf-8")
    assert "{{" not in page
