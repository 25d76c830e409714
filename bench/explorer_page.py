"""How fast the explorer page opens and steps in a browser: ``python -m bench.explorer_page``.

The page of a loss over ``--width`` tanh units (about six values each, the scalar view), and the layer
and neuron views of 3Blue1Brown's 784-16-16-10 digit network (one image, cross-entropy) are opened in
Debian's chromium by Playwright; the table gives the medians of ``--repeats`` loads (until the step
counter shows) and of the time per step (ten clicks on "next" and one on "last", each until the next
frame is drawn).
"""
from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from autograd import Value, topological_order
from autograd.conventions.command_line import Parser, positive_int, run

from .common import CHROMIUM, CHROMIUM_ARGS, format_duration, markdown_table, progress

STEPS_PER_SAMPLE = """async () => {
    const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
    const next = document.querySelector('[data-testid="next"]');
    const started = performance.now();
    for (let i = 0; i < 10; i++) { next.click(); await frame(); }
    document.querySelector('[data-testid="last"]').click(); await frame();
    return (performance.now() - started) / 11;
}"""


def wide_loss(width: int = 50) -> tuple[Value, list[Value]]:
    """½ Σ tanh(wₖ·xₖ)² over ``width`` units, and the weights (50 units: about 300 values)."""
    xs = [Value(0.1 * k, f"x{k}") for k in range(width)]
    ws = [Value(0.05 * (k % 7) - 0.15, f"w{k}") for k in range(width)]
    hidden = [(w * x).tanh() for w, x in zip(ws, xs, strict=True)]
    return sum((h * h for h in hidden), Value(0.0, "start")) * 0.5, ws


def digit_loss() -> tuple[Value, list[Value]]:
    """3Blue1Brown's 784-16-16-10 sigmoid network on one random 28×28 image, with cross-entropy."""
    import nn
    from autograd import subscript

    model = nn.MLP(784, [16, 16, 10], activation="sigmoid", seed=0)
    rng = random.Random(0)
    out = model([Value(rng.random(), f"a⁽⁰⁾{subscript(k)}") for k in range(784)])
    loss = nn.LOSSES["cross_entropy"]([out], [7])
    loss.label = "C"
    return loss, model.parameters()


def measure(page_path: Path, repeats: int, fragment: str = "") -> tuple[float, float]:
    """Median seconds to load the page and median seconds per step, in one browser."""
    from playwright.sync_api import sync_playwright

    loads, steps = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(repeats):
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(page_path.as_uri() + fragment)
            page.get_by_test_id("step-counter").wait_for()
            loads.append(time.perf_counter() - started)
            steps.append(page.evaluate(STEPS_PER_SAMPLE) / 1000)
            page.close()
        browser.close()
    return statistics.median(loads), statistics.median(steps)


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog="python -m bench.explorer_page", description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="50,200", help="units of the losses to open (default %(default)s)")
    parser.add_argument("--repeats", type=positive_int, default=5, help="loads per median (default %(default)s)")
    args = parser.parse_args(argv)
    import viz

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for width in (int(text) for text in args.widths.split(",")):
            out, ws = wide_loss(width)
            page_path = viz.explore(out, Path(folder) / f"wide-{width}.html", parameters=ws)
            progress(f"{width} units: {args.repeats} loads of the explorer page in chromium")
            load, step = measure(page_path, args.repeats)
            rows.append([f"{width} tanh units (scalar view)", f"{len(topological_order(out)):,}",
                         format_duration(load), format_duration(step)])
        out, parameters = digit_loss()
        page_path = viz.explore(out, Path(folder) / "digit.html", parameters=parameters)
        for level in ("layer", "neuron"):
            load, step = measure(page_path, args.repeats, f"#level={level}&step=0")
            rows.append([f"784-16-16-10 digit network ({level} view)", f"{len(topological_order(out)):,}",
                         format_duration(load), format_duration(step)])
    print(f"the explorer page in chromium; medians of {args.repeats} loads")
    print(markdown_table(["page", "values", "load", "per step"], rows))


if __name__ == "__main__":
    sys.exit(run("python -m bench.explorer_page", main))
