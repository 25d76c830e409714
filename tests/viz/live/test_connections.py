"""A playground no stranger can stall (issue 24), on 127.0.0.1 and bounded in time: a request sent a byte at
a time is cut at its deadline, connections are capped below the process's file limit, a server out of
descriptors says so in one line, and Ctrl-C stops the command line within 2 s while requests are working."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.streams import next_frame
from viz.live import connections
from viz.live.config import Setup
from viz.live.server import STOPPING, start

ROOT = Path(__file__).resolve().parents[3]
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)")


def _slow_clients(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that have sent the start of a request and never finish it."""
    clients = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port)
        clients.append(client)
    return clients


def _trickle(clients: list[socket.socket]) -> None:
    """One more header byte from each slow client still open (what keeps a slowloris alive)."""
    for client in clients:
        with contextlib.suppress(OSError):
            client.send(b"X")


def _closed_within(clients: list[socket.socket], seconds: float) -> int:
    """How many of ``clients`` the server closes within ``seconds`` (each read to its end)."""
    selector, closed = selectors.DefaultSelector(), 0
    for client in clients:
        client.setblocking(False)
        selector.register(client, selectors.EVENT_READ)
    deadline = time.monotonic() + seconds
    while selector.get_map() and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):
            try:
                data = key.fileobj.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                selector.unregister(key.fileobj)
                closed += 1
    selector.close()
    return closed


def _get(port: int, token: str, path: str = "/") -> tuple[int, float]:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", f"{path}?token={token}")
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


def test_slow_requests_are_cut_at_their_deadline_while_valid_ones_are_answered(monkeypatch, capfd):
    deadline = 3.0  # each valid request is answered well before it: none waits for a slow one to be cut
    monkeypatch.setattr(connections, "REQUEST_SECONDS", deadline)
    monkeypatch.setattr(connections, "MAX_CONNECTIONS", 20)
    server = start(setup=Setup(points=20, hidden=(2,)))
    try:
        port, token = urlsplit(server.url).port, server.url.rsplit("=", 1)[1]
        slow = _slow_clients(port, 60)  # three times the cap
        seen = []
        for _ in range(8):
            _trickle(slow)
            seen.append(_get(port, token))
            time.sleep(0.1)
        assert all(status == 200 for status, _ in seen), seen
        assert max(seconds for _, seconds in seen) < deadline, seen
        assert _closed_within(slow, deadline + 3.0) == len(slow)  # cut for the cap, or at the deadline
        assert _get(port, token)[0] == 200
    finally:
        server.stop()
        for client in slow:
            client.close()
    assert capfd.readouterr().err == ""  # no log line for any of it


def test_a_connection_that_sent_its_request_is_not_cut_by_the_deadline(monkeypatch):
    monkeypatch.setattr(connections, "REQUEST_SECONDS", 1.0)  # 0.75 s to spare between two requests below
    server = start(setup=Setup(points=20, hidden=(2,)))
    try:
        parts = urlsplit(server.url)
        token = parts.query.split("=", 1)[1]
        headers = {"x-chainrule-token": token, "origin": f"http://{parts.netloc}"}
        connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
        connection.request("POST", "/api/session", body="{}", headers=headers)
        key = json.loads(connection.getresponse().read())["session"]
        connection.request("GET", f"/api/stream?session={key}", headers=headers)
        events = connection.getresponse()
        next_frame(events)
        keep_alive = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
        for _ in range(9):  # over 2 s of requests on one connection, each with a fresh deadline
            keep_alive.request("POST", "/api/step", body=json.dumps({"session": key}), headers=headers)
            answer = keep_alive.getresponse()
            assert answer.status == 200
            assert answer.read()
            time.sleep(0.25)
        next_frame(events)  # the stream, open for over two deadlines, goes on
        keep_alive.close()
        connection.close()
    finally:
        server.stop()


SCRIPT = """
import resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (192, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
from viz.live import connections
from viz.live.config import Setup
from viz.live.server import STOPPING, start
if sys.argv[1] == "uncapped":
    connections.connection_cap = lambda: 100_000  # nothing stops the crowd from taking every descriptor
server = start(setup=Setup(points=20, hidden=(2,)))
print(server.url, flush=True)
sys.stdin.read()  # until the test is done
server.stop()
"""


def _crowded_server(clients: int, mode: str = "capped") -> tuple[list[tuple[int, float]], str]:
    """A server limited to 192 files, ``clients`` slow connections, then valid requests; what it printed."""
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    slow = []
    try:
        port, token = URL.search(process.stdout.readline()).groups()
        for _ in range(clients):
            try:
                slow.extend(_slow_clients(int(port), 1))
            except OSError:
                break
        time.sleep(1.5)  # the server meets the crowd
        seen = []
        for _ in range(3):
            _trickle(slow)
            try:
                seen.append(_get(int(port), token))
            except OSError as error:
                seen.append((repr(error), 0.0))
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
        for client in slow:
            client.close()
    return seen, err


def test_a_crowd_of_slow_connections_leaves_descriptors_for_valid_requests():
    seen, err = _crowded_server(250)  # 250 slow connections, 192 files: the cap is 32
    assert [status for status, _ in seen] == [200, 200, 200], (seen, err)
    assert err == "", (seen, err)


def test_a_server_out_of_descriptors_says_so_in_one_line_and_stops_without_a_traceback():
    _, err = _crowded_server(250, "uncapped")  # 250 slow connections, 192 files, no cap: accepts fail
    assert err == ("chainrule playground: warning: cannot accept connections for now (Too many open files); "
                   "retrying every second\n"), err[-3000:]


def test_failed_accepts_are_one_line_a_minute_and_other_loop_errors_are_left_to_asyncio(capsys):
    class Loop:
        def __init__(self):
            self.passed_on = []

        def default_exception_handler(self, context):
            self.passed_on.append(context)

    loop, log = Loop(), connections.AcceptErrors("chainrule playground")
    for _ in range(1000):  # what a second of a crowd can produce
        log(loop, {"message": "socket.accept() out of system resource",
                   "exception": OSError(24, "Too many open files")})
    assert capsys.readouterr().err == ("chainrule playground: warning: cannot accept connections for now "
                                       "(Too many open files); retrying every second\n")
    other = {"message": "something else", "exception": RuntimeError("x")}
    log(loop, other)
    assert loop.passed_on == [other]
    assert capsys.readouterr().err == ""


NEVER_ENDING_EPOCHS = """
import os, sys, threading
import nn
from viz.__main__ import main
from viz.live.playground_session import Session
step = Session.step
def announced_step(session):
    os.write(1, b"step\\n")  # one write (whole lines from three threads): this request reached its handler
    step(session)
Session.step = announced_step
nn.Trainer.epoch = lambda self: threading.Event().wait()
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_stops_the_command_line_while_a_request_is_still_working():
    """A step whose epoch never ends holds a worker thread: Ctrl-C ends the command anyway (EXIT_SECONDS),
    with status 0 and no traceback, and the steps queued behind it are told the server is stopping (or, if
    the process ended first, closed); never answered 200, never uvicorn's 500. Were the step waited for, the
    process would never end: ``communicate`` gives up after 30 s and the test fails."""
    process = subprocess.Popen([sys.executable, "-c", NEVER_ENDING_EPOCHS, "playground", "--port", "0",
                                "--no-browser"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, process.kill)  # a line that never comes ends the wait (EOF), not the suite
    watchdog.start()
    try:
        port, token = URL.search(process.stdout.readline()).groups()
        headers = {"x-chainrule-token": token, "origin": f"http://127.0.0.1:{port}",
                   "content-type": "application/json"}
        control = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
        control.request("POST", "/api/session", body=json.dumps({}), headers=headers)
        key = json.loads(control.getresponse().read())["session"]
        working = []
        for _ in range(3):  # the first holds the session's lock for ever, the others wait for it
            connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
            connection.request("POST", "/api/step", body=json.dumps({"session": key}), headers=headers)
            working.append(connection)
        assert [process.stdout.readline() for _ in working] == ["step\n"] * len(working)  # all three are working
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        watchdog.cancel()
        process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    for connection in working:
        try:
            response = connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError):
            continue  # the process ended (EXIT_SECONDS) before it could answer
        assert (response.status, json.loads(response.read())) == (503, {"error": STOPPING, "field": None})


@pytest.mark.parametrize("host", ["999.1.1.1", "no such host.invalid", "\x1b[31mred"])
def test_a_bad_host_is_one_line_with_escapes_shown(host):
    result = subprocess.run([sys.executable, "-m", "viz", "playground", "--no-browser", "--port", "0", "--host", host],
                            cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "cannot listen on" in result.stderr
    assert "\x1b" not in result.stderr


def test_a_port_in_use_is_one_line_that_says_port_0_picks_a_free_one():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "viz", "playground", "--no-browser", "--port", str(port)],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (f"python -m viz: error: cannot listen on 127.0.0.1:{port}: Address already in use; "
                             f"port 0 picks a free one\n")


def test_the_listener_pauses_while_a_burst_of_accepted_connections_has_not_reached_the_protocol(monkeypatch):
    monkeypatch.setattr(connections, "BACKLOG", 3)
    monkeypatch.setattr(connections, "ON_THEIR_WAY", connections._OnTheirWay())
    listener = connections.PacedListener(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    clients = [socket.create_connection(listener.getsockname(), timeout=5) for _ in range(4)]
    accepted = []
    try:
        accepted.extend(listener.accept()[0] for _ in range(3))
        with pytest.raises(BlockingIOError):  # a fourth client waits in the kernel's queue
            listener.accept()
        connections.ON_THEIR_WAY.add(-1)  # what GuardedH11.connection_made does for one of them
        accepted.append(listener.accept()[0])
        assert len(accepted) == 4
        assert connections.ON_THEIR_WAY.count == 3
    finally:
        for end in clients + accepted:
            end.close()
        listener.close()
