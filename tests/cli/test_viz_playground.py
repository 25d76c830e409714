"""``python -m viz playground``: one flushed URL line, a working server on it, Ctrl-C exits 0 without a
traceback even with a stream open; user mistakes are one line and exit 2."""
from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.streams import next_frame

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^chainrule playground: http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)\n$")


def test_it_prints_one_line_serves_on_that_port_and_stops_on_ctrl_c():
    process = subprocess.Popen([sys.executable, "-m", "viz", "playground", "--port", "0", "--no-browser",
                                "--dataset", "xor", "--hidden", "3,3", "--seed", "5"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        match = LINE.match(process.stdout.readline())
        assert match, "the first line is the URL"
        port, token = int(match.group(1)), match.group(2)
        headers = {"x-chainrule-token": token, "origin": f"http://127.0.0.1:{port}"}
        control = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        control.request("POST", "/api/session", body="{}", headers=headers)
        answer = control.getresponse()
        assert answer.status == 200
        started = json.loads(answer.read())
        key, setup = started["session"], started["state"]["setup"]
        assert (setup["dataset"], setup["hidden"], setup["seed"]) == ("xor", [3, 3], 5)  # the options reached it
        shapes = [(len(layer["weights"]), len(layer["weights"][0])) for layer in started["state"]["layers"]]
        assert shapes == [(3, 2), (3, 3), (1, 3)]  # x1, x2 → 3 → 3 → 1
        stream = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        stream.request("GET", f"/api/stream?session={key}", headers=headers)
        events = stream.getresponse()
        next_frame(events)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    assert out == "", err
    assert "Traceback" not in err, err


@pytest.mark.parametrize(("arguments", "message"), [
    (["--hidden", "9"], "argument --hidden: must be a list of 0 to 6 layer sizes, each 1 to 8"),
    (["--dataset", "mnist"], "must be one of xor, moons, circles, spiral, gauss, spiral3, blobs (circle for circles"),
    (["--port", "70000"], "expected a port number 0 to 65535"),
    (["--seed", "-3"], "expected a whole number >= 0"),
    (["--seed", "²"], "argument --seed: expected a whole number >= 0, got '²'"),
    (["--port", "²"], "argument --port: expected a port number 0 to 65535, got '²'"),
])
def test_mistakes_are_one_line_and_exit_2(arguments, message):
    result = subprocess.run([sys.executable, "-m", "viz", "playground", "--no-browser", *arguments], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
