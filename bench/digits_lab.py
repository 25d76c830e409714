"""The digit lab's speed (issue 21): a stroke to a new prediction, nudges and tiles; live training on 60,000
generated 28x28 images with the tiles refreshed; the size of a streamed frame; the page opening in chromium
and the server's CPU while that page sits paused. Medians, one process.

``python -m bench.digits_lab``. The images are generated (MNIST-shaped uint8 rows read as floats a
batch at a time, as ``nn.mnist`` keeps MNIST), so the figures need no download. On this shared 2-core
machine the figures are noisy: run it on a quiet machine for numbers worth comparing.
"""
from __future__ import annotations

import json
import re
import statistics
import sys
import time

import numpy as np

from autograd.conventions.command_line import Parser, positive_int, positive_number, run
from nn.data_rows import ScaledRows
from viz.live.lab.data import DigitData
from viz.live.lab.session import LabSession
from viz.live.lab.setup import LabDefaults
from viz.live.server import start
from viz.live.stream import TRAIN_SLICE, event

from .common import CHROMIUM, CHROMIUM_ARGS, interleaved_medians, progress

TRAIN_IMAGES, TEST_IMAGES = 60_000, 10_000


def generated(seed: int = 0) -> DigitData:
    """MNIST-sized data: random 28x28 uint8 images (compact, as nn.mnist keeps them) and random digits."""
    rng = np.random.default_rng(seed)
    images = lambda count: ScaledRows(rng.integers(0, 256, (count, 784), dtype=np.uint8), 255)  # noqa: E731
    return DigitData(images(TRAIN_IMAGES), rng.integers(0, 10, TRAIN_IMAGES), images(TEST_IMAGES),
                     rng.integers(0, 10, TEST_IMAGES), 28, "generated 28x28 images")


def stroke_seconds(session: LabSession) -> float:
    """Median seconds from a drawn canvas to the state the page paints (prediction, nudges, tiles)."""
    canvas = np.zeros((28, 28))
    canvas[4:22, 12:15] = 1.0

    def stroke():
        session.draw(canvas, None)
        event(session.state())
    return interleaved_medians({"stroke": stroke}, repeats=9, min_seconds=0.2)["stroke"]


def live_training(session: LabSession, seconds: float) -> tuple[float, float, int]:
    """Mini-batches per second and frames (each with fresh tiles) per second on the stream's schedule,
    and the median frame's size in bytes."""
    session.set_playing(True)
    start, steps, sizes = time.perf_counter(), session.trainer.step_count, []
    while time.perf_counter() - start < seconds:
        session.train_for(TRAIN_SLICE)
        sizes.append(len(event(session.state())))
    elapsed = time.perf_counter() - start
    session.set_playing(False)
    return (session.trainer.step_count - steps) / elapsed, len(sizes) / elapsed, int(statistics.median(sizes))


def page_open_and_paused_cpu(data: DigitData, opens: int, idle_seconds: float) -> tuple[float, float]:
    """Median seconds from navigating to the lab until its prediction and 16 weight tiles are painted
    (Debian's chromium, a real server on 127.0.0.1), and the server's CPU seconds per second while the
    last page is open and paused (this process runs the server; chromium is another process)."""
    from playwright.sync_api import expect, sync_playwright

    lab = start(lab=LabDefaults(data=data), room="/digits")
    opened = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(opens):
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                started = time.perf_counter()
                page.goto(lab.url)
                expect(page.get_by_test_id("prediction")).to_have_text(re.compile(r"^\d$"), timeout=30_000)
                expect(page.get_by_test_id("weight-tile")).to_have_count(16, timeout=30_000)
                opened.append(time.perf_counter() - started)
                page.close()
            page = browser.new_page()
            page.goto(lab.url)
            expect(page.get_by_test_id("weight-tile")).to_have_count(16, timeout=30_000)
            time.sleep(1.0)  # let the first frames settle
            cpu, wall = time.process_time(), time.perf_counter()
            time.sleep(idle_seconds)
            busy = (time.process_time() - cpu) / (time.perf_counter() - wall)
            browser.close()
    finally:
        lab.stop()
    return statistics.median(opened), busy


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog="python -m bench.digits_lab", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=positive_number, default=10.0, help="how long to train live (default 10)")
    parser.add_argument("--opens", type=positive_int, default=5, help="page opens in chromium per median (default 5)")
    args = parser.parse_args(argv)
    data = generated()
    session = LabSession(data)
    progress("a stroke to a new prediction, nudges and tiles")
    stroke = stroke_seconds(session)
    progress(f"live training for {args.seconds:g} s")
    batches, frames, size = live_training(session, args.seconds)
    progress(f"{args.opens} page opens in chromium, then the paused page for 3 s")
    opened, busy = page_open_and_paused_cpu(data, args.opens, idle_seconds=3.0)
    print(json.dumps({"stroke_ms": round(stroke * 1000, 1), "batches_per_s": round(batches, 1),
                      "frames_per_s": round(frames, 1), "frame_bytes": size, "page_open_s": round(opened, 2),
                      "paused_server_cpu": round(busy, 4)}))
    print(f"stroke -> prediction, nudges, tiles: {stroke * 1000:.1f} ms (target <= 50 ms)\n"
          f"live training, batches of 100: {batches:.1f} batches/s (target >= 20) "
          f"with {frames:.1f} tile refreshes/s (target >= 5)\n"
          f"a streamed frame: {size / 1000:.1f} kB\n"
          f"the page open in chromium: {opened:.2f} s (target < 2 s)\n"
          f"the server while the page sits paused: {busy:.1%} of a core")


if __name__ == "__main__":
    sys.exit(run("python -m bench.digits_lab", main))
