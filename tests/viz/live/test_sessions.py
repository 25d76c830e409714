"""A reload resumes the tab's session (weights and epoch), while a closed tab still frees its slot at once."""
from __future__ import annotations

from starlette.testclient import TestClient

from viz.live import sessions as sessions_module
from viz.live.app import build_app
from viz.live.sessions import Sessions

TOKEN = "a-test-token"


def client_for(sessions: Sessions) -> TestClient:
    return TestClient(build_app(TOKEN, {"testserver"}, sessions),
                      headers={"x-chainrule-token": TOKEN, "origin": "http://testserver"})


def test_a_reload_resumes_the_session_its_old_page_just_closed():
    with client_for(Sessions(limit=2)) as client:
        first = client.post("/api/session", json={"setup": {"points": 20}, "page": "load-1"}).json()
        client.post("/api/step", json={"session": first["session"]})
        stepped = client.post("/api/step", json={"session": first["session"]}).json()["state"]
        assert client.post("/api/close", json={"session": first["session"], "page": "load-1"}).json() == \
            {"closed": True}
        assert client.post("/api/step", json={"session": first["session"]}).status_code == 404  # closed: no controls
        again = client.post("/api/session", json={"resume": first["session"], "page": "load-2",
                                                  "setup": {"points": 20}}).json()
        assert again["resumed"]
        assert again["session"] == first["session"]
        assert again["state"]["epoch"] == 2
        assert again["state"]["layers"] == stepped["layers"]
        assert client.post("/api/close", json={"session": first["session"], "page": "load-1"}).json() == \
            {"closed": False}  # a late close from the old page does not end the new page's session
        assert client.post("/api/step", json={"session": first["session"]}).json()["state"]["epoch"] == 3


def test_a_closed_tabs_session_frees_its_slot_at_once_and_ends_after_the_grace(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(sessions_module.time, "monotonic", lambda: clock[0])
    with client_for(Sessions(limit=1)) as client:
        first = client.post("/api/session", json={"setup": {"points": 20}}).json()["session"]
        assert client.post("/api/close", json={"session": first}).json() == {"closed": True}
        clock[0] += sessions_module.LEAVING_SECONDS + 0.1
        gone = client.post("/api/session", json={"resume": first, "setup": {"points": 20}}).json()
        assert not gone["resumed"]
        assert gone["session"] != first
        assert client.post("/api/close", json={"session": gone["session"]}).json() == {"closed": True}
        third = client.post("/api/session", json={"setup": {"points": 20}})  # full, but the closed one yields
        assert third.status_code == 200
