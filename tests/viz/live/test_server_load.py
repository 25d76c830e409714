"""A bounded load test of a real playground server on 127.0.0.1 (an ephemeral port): sessions streaming
while they train, some clients vanishing mid-stream; afterwards every session still answers and new
ones are served. It prints the control latency it saw. CHAINRULE_LOAD_SECONDS sets the duration
(the issue's figure is 20 sessions for 20 s; the suite runs a shorter slice of it by default)."""
from __future__ import annotations

import http.client
import json
import os
import statistics
import threading
import time
from urllib.parse import urlsplit

import pytest

import viz

SESSIONS = 20
SECONDS = float(os.environ.get("CHAINRULE_LOAD_SECONDS", "6"))
VANISHING = 5  # clients that drop their stream after a second and never come back


class Client:
    """One tab's requests: its own connection for controls, another for the stream."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.token = parts.hostname, parts.port, parts.query.split("=", 1)[1]
        self.headers = {"x-chainrule-token": self.token, "origin": f"http://{parts.netloc}",
                        "content-type": "application/json"}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()

    def stream(self, key: str, seconds: float) -> int:
        """Read the session's events for ``seconds`` and until the first frame (a loaded machine may take longer
        than ``seconds`` to send it; the socket's timeout bounds the wait), then drop the connection; returns
        the frames seen."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        connection.request("GET", f"/api/stream?session={key}", headers=self.headers)
        response = connection.getresponse()
        assert response.status == 200
        frames, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline or not frames:
            line = response.fp.readline()
            assert line, "the stream ended early"
            frames += line.startswith(b"data: ")
        connection.sock.close()  # abruptly, as a closed tab does
        return frames


@pytest.fixture
def server():
    handle = viz.playground(port=0, points=200)
    yield handle
    handle.stop()


def test_many_sessions_stream_at_once_and_the_server_survives(server):
    client = Client(server.url)
    keys = []
    for _ in range(SESSIONS):
        status, answer = client.request("POST", "/api/session", {})
        assert status == 200
        keys.append(answer["session"])
        assert client.request("POST", "/api/play", {"session": keys[-1], "playing": True})[0] == 200
    frames, latencies, problems = {}, [], []

    def tab(number: int, key: str) -> None:
        try:
            frames[key] = client.stream(key, 1.0 if number < VANISHING else SECONDS)
        except Exception as error:
            problems.append(f"session {number}: {error!r}")

    def controls() -> None:
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status, _ = client.request("GET", f"/api/state?session={keys[len(latencies) % SESSIONS]}")
            latencies.append(time.perf_counter() - started)
            if status != 200:
                problems.append(f"state answered {status}")
            time.sleep(0.2)

    threads = [threading.Thread(target=tab, args=(n, key)) for n, key in enumerate(keys)]
    threads.append(threading.Thread(target=controls))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 60)
    assert problems == []
    assert not any(thread.is_alive() for thread in threads)
    assert all(count >= 1 for count in frames.values())
    assert len(frames) == SESSIONS
    epochs = []
    for key in keys:
        status, answer = client.request("POST", "/api/play", {"session": key, "playing": False})
        assert status == 200
        epochs.append(answer["state"]["epoch"])
    assert min(epochs) > 0
    status, answer = client.request("POST", "/api/session", {"replaces": keys[0]})
    assert status == 200
    assert answer["state"]["epoch"] == 0
    print(f"\n{SESSIONS} sessions streaming for {SECONDS:g} s: control latency median "
          f"{1000 * statistics.median(latencies):.0f} ms, max {1000 * max(latencies):.0f} ms over "
          f"{len(latencies)} requests; frames per session median {statistics.median(frames.values()):.0f}; "
          f"epochs per session median {statistics.median(epochs):.0f}")
