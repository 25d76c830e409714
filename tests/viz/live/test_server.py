"""Stopping the server (``viz.live.server``) while requests still work: each one still unanswered when the grace
time ends is told the server is stopping (503 and a JSON error the page shows), never uvicorn's bare 500.
A server of the test's own on 127.0.0.1; every wait is bounded."""
from __future__ import annotations

import http.client
import json
import threading
from urllib.parse import urlsplit

import nn
from viz.live import playground_session
from viz.live.config import Setup
from viz.live.server import STOPPING, start

QUEUED = 3  # steps of one session: the first holds its lock, the others wait for it


def test_steps_still_waiting_when_the_server_stops_are_answered_503_saying_so(monkeypatch, capfd):
    release, arrived = threading.Event(), threading.Semaphore(0)
    original_step = playground_session.Session.step

    def step(session):
        arrived.release()  # in the worker thread: the request reached its handler
        original_step(session)
    monkeypatch.setattr(playground_session.Session, "step", step)
    monkeypatch.setattr(nn.Trainer, "epoch", lambda trainer: release.wait(60))  # an epoch that outlasts the grace
    server = start(setup=Setup(points=20, hidden=(2,)))
    parts = urlsplit(server.url)
    headers = {"x-chainrule-token": parts.query.split("=", 1)[1], "origin": f"http://{parts.netloc}",
               "content-type": "application/json"}
    connections = [http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30) for _ in range(QUEUED + 1)]
    try:
        connections[0].request("POST", "/api/session", body="{}", headers=headers)
        key = json.loads(connections[0].getresponse().read())["session"]
        for connection in connections[1:]:
            connection.request("POST", "/api/step", body=json.dumps({"session": key}), headers=headers)
        assert all(arrived.acquire(timeout=30) for _ in range(QUEUED)), "a step never reached its handler"
        server.stop()
        answers = []
        for connection in connections[1:]:
            response = connection.getresponse()
            answers.append((response.status, response.getheader("content-type"), json.loads(response.read())))
    finally:
        release.set()  # the worker threads end (their answers are no longer awaited)
        server.stop()
        for connection in connections:
            connection.close()
    assert answers == [(503, "application/json", {"error": STOPPING, "field": None})] * QUEUED
    assert capfd.readouterr().err == ""  # nothing logged: a stop is no error
