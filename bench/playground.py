"""The playground's speed targets, measured in one process: ``python -m bench.playground``.

The issue's case: a 2-8-8-1 tanh network on 500 circle points (half for training), batch size 10.
Targets: at least 20 training epochs a second while every neuron's heatmap (40×40) refreshes at
least 10 times a second; small stream messages (quantised heatmaps); no CPU used while paused.
Epoch and frame times are medians of interleaved repeats; the mixed run replays the stream's own
schedule (a training slice, then a frame) for a few seconds; the idle figure is this process's CPU
time while a real server holds a paused session with its stream open.
"""
from __future__ import annotations

import http.client
import json
import statistics
import sys
import time
from urllib.parse import urlsplit

from autograd.conventions.command_line import Parser, positive_int, positive_number, run
from nn import features
from viz.live.config import Setup
from viz.live.pictures import GRID, grid
from viz.live.playground_session import Session
from viz.live.server import start
from viz.live.stream import TRAIN_SLICE, event

from .common import format_duration, interleaved_medians, markdown_table, progress

SETUP = Setup(dataset="circles", points=500, train_ratio=0.5, hidden=(8, 8), activation="tanh", batch_size=10)


def mixed_run(seconds: float) -> tuple[float, float]:
    """Epochs and frames per second when training and framing alternate as the stream does."""
    session = Session(SETUP)
    session.playing = True
    frames, started = 0, time.perf_counter()
    known = None
    while time.perf_counter() - started < seconds:
        session.train_for(TRAIN_SLICE)
        known = session.state(known)["data_version"]
        frames += 1
    elapsed = time.perf_counter() - started
    return session.epoch / elapsed, frames / elapsed


def message_sizes() -> tuple[int, int, int]:
    """Bytes of a frame as streamed (quantised), of the same frame with float heatmaps, and of the points."""
    session = Session(SETUP)
    first = session.state()
    frame = session.state(first["data_version"])
    floats = json.loads(json.dumps(frame))
    cells = grid(frame["pictures"]["extent"])
    columns = session.pictures.tape.forward(features.transform(cells, list(SETUP.features))).reshape(len(cells), -1)
    floats["pictures"] = columns.round(6).T.tolist()  # every heatmap cell as a 6-decimal number
    return len(event(frame)), len(event(floats)), len(json.dumps(first["points"]))


def idle_cpu(seconds: float) -> float:
    """CPU seconds this process used per second while a paused session's stream stayed open."""
    handle = start(port=0, setup=SETUP)
    try:
        parts = urlsplit(handle.url)
        headers = {"x-chainrule-token": parts.query.split("=", 1)[1], "origin": f"http://{parts.netloc}"}
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request("POST", "/api/session", body="{}", headers=headers)
        key = json.loads(connection.getresponse().read())["session"]
        stream = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        stream.request("GET", f"/api/stream?session={key}", headers=headers)
        response = stream.getresponse()
        while not response.fp.readline().startswith(b"data: "):
            pass  # the first frame: the stream is open and the session paused
        time.sleep(0.2)
        before = time.process_time()
        time.sleep(seconds)
        return (time.process_time() - before) / seconds
    finally:
        handle.stop()


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog="python -m bench.playground", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=positive_int, default=7, help="interleaved samples per median (default 7)")
    parser.add_argument("--seconds", type=positive_number, default=5.0, help="length of the mixed run (default 5)")
    parser.add_argument("--idle-seconds", type=positive_number, default=3.0, help="length of the idle measurement")
    args = parser.parse_args(argv)
    session = Session(SETUP)
    known = session.state()["data_version"]
    medians = interleaved_medians({"epoch": session.step, "frame": lambda: session.state(known)},
                                  repeats=args.repeats, min_seconds=0.2, label="the playground")
    progress(f"training while streaming: 3 runs of {args.seconds / 3:.1f} s")
    mixed = [mixed_run(args.seconds / 3) for _ in range(3)]
    epochs, frames = statistics.median(m[0] for m in mixed), statistics.median(m[1] for m in mixed)
    quantised, floats, points = message_sizes()
    progress(f"CPU while paused: {args.idle_seconds:g} s")
    idle = idle_cpu(args.idle_seconds)
    print(f"2-8-8-1 tanh on 500 circle points (250 for training), batch size 10, {GRID}×{GRID} heatmaps of "
          f"every neuron; medians of {args.repeats} interleaved repeats; shared 2-core machine, figures are noisy")
    print(markdown_table(["measure", "figure", "target"], [
        ["one epoch (25 steps of nn.Trainer)", format_duration(medians["epoch"]), ""],
        ["one frame (losses, ∂L/∂w, 20 heatmaps)", format_duration(medians["frame"]), ""],
        ["training alone", f"{1 / medians['epoch']:.0f} epochs/s", "≥ 20 epochs/s"],
        ["while streaming: epochs", f"{epochs:.0f} epochs/s", "≥ 20 epochs/s"],
        ["while streaming: heatmap refreshes", f"{frames:.1f} frames/s", "≥ 10 frames/s"],
        ["a frame as streamed (quantised heatmaps)", f"{quantised / 1000:.1f} kB", "small"],
        ["the same frame with float heatmaps", f"{floats / 1000:.1f} kB", ""],
        ["the points (sent when they change)", f"{points / 1000:.1f} kB", ""],
        ["CPU while paused with the stream open", f"{100 * idle:.2f} %", "≈ 0 (no busy loop)"],
    ]))


if __name__ == "__main__":
    sys.exit(run("python -m bench.playground", main))
