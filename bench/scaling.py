"""How eager and compiled costs grow with the graph: ``python -m bench.scaling``.

Two graph shapes. *Wide*: micrograd's demo loss (``MLP(2, [16, 16, 1])``, hinge + L2) over more
and more points, so the number of levels stays fixed while each level grows — the case the replay
is built for. *Deep*: a chain ``acc ← acc·wᵢ + xᵢ`` where every level holds a single node, so
nothing can be vectorised — the replay's worst case. Eager time is building the graph plus
``backward()``; compiled time is one ``forward`` + ``backward`` replay; the one-off cost (building
the traced graph plus ``compile``) is reported apart. Peak memory is measured with tracemalloc in
separate runs (tracing allocations slows Python down, so those runs are not timed).

*Parameters*: the one-off cost of nn's first compiled training step (trace the model and the hinge
loss, compile both, one step) for ``MLP(2, [h, h, 1])`` without a penalty and with L2, which adds
every parameter to the tape a second time; both should grow linearly with the parameter count.
"""
from __future__ import annotations

import gc
import sys
import time
import tracemalloc

import numpy as np

import autograd
import nn
from autograd import Value
from autograd import compile as compile_tape
from autograd.conventions.command_line import Parser, positive_int, positive_number, run

from .common import format_duration, interleaved_medians, markdown_table, moons, progress
from .demo_step import ChainruleMLP, chainrule_loss, initial_layers

PROG = "python -m bench.scaling"


def wide(points: int):
    """The demo loss over ``points`` moons points: (build(data) -> loss, placeholders, data)."""
    X, y = moons(points, seed=0)
    model = ChainruleMLP(initial_layers(0))
    data = np.concatenate([X.ravel(), y])

    def build(values):
        pairs = [values[2 * i:2 * i + 2] for i in range(points)]
        return chainrule_loss(model, pairs, values[2 * points:])
    return build, data


def deep(length: int):
    """A chain of ``length`` multiply-adds over input numbers: (build(data) -> output, data)."""
    rng = np.random.default_rng(0)
    weights = [Value(w) for w in rng.uniform(0.5, 1.0, length)]

    def build(values):
        acc = Value(0.0)
        for w, x in zip(weights, values, strict=True):
            acc = acc * w + x
        return acc
    return build, rng.uniform(-1, 1, length)


def eager_pass(build, data) -> None:
    build(data.tolist()).backward()


def traced(build, data):
    """The graph built on placeholder Values for ``data``, compiled with them as the inputs."""
    placeholders = [Value(x) for x in data]
    return compile_tape(build(placeholders), inputs=placeholders)


def replay(tape, data) -> None:
    tape.forward(data)
    tape.backward()


def peak_bytes(action) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(shape, size: int, repeats: int) -> list[str]:
    build, data = shape(size)
    nodes = len(autograd.topological_order(build(data.tolist())))
    start = time.perf_counter()
    tape = traced(build, data)
    one_off = time.perf_counter() - start
    seconds = interleaved_medians({"eager": lambda: eager_pass(build, data), "compiled": lambda: replay(tape, data)},
                                  repeats=repeats, min_seconds=0.2, label=f"{shape.__name__} {nodes:,} nodes")
    del tape
    eager_memory = peak_bytes(lambda: eager_pass(build, data))
    trace_memory = peak_bytes(lambda: traced(build, data))
    tape = traced(build, data)
    replay_memory = peak_bytes(lambda: replay(tape, data))
    groups = len(tape.groups)
    return [f"{nodes:,}", f"{groups:,}", format_duration(seconds["eager"]), f"{nodes / seconds['eager']:,.0f}",
            format_duration(seconds["compiled"]), f"{nodes / seconds['compiled']:,.0f}",
            f"{seconds['eager'] / seconds['compiled']:,.1f}×", format_duration(one_off),
            _megabytes(eager_memory), _megabytes(trace_memory), _megabytes(replay_memory)]


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"


HEADER = ["nodes", "replay groups", "eager", "eager nodes/s", "replay", "replay nodes/s", "replay speed-up",
          "trace + compile (once)", "eager peak", "trace + compile peak", "replay peak"]


NODES_PER_POINT, NODES_PER_LINK = 376, 2  # graph nodes a wide point, a deep chain link adds (about)


def planned_sizes(max_nodes: float) -> tuple[list[int], list[int]]:
    """The wide graphs' points and the deep chains' lengths measured for ``--max-nodes``."""
    wide_points = [p for p in (1, 25, 265, 2655) if p * NODES_PER_POINT <= max_nodes]
    deep_lengths = [n for n in (500, 5_000, 50_000) if NODES_PER_LINK * n <= max_nodes]
    return wide_points, deep_lengths


PARAMETER_HIDDEN = (25, 50, 100, 200)  # hidden units per layer: 751 to 41,001 parameters


def first_step(hidden: int, l2: float) -> tuple[int, float]:
    """(parameters, seconds) of nn's first compiled step of ``MLP(2, [hidden, hidden, 1])`` on 4 moons points."""
    X, y = moons(4, seed=0)
    model = nn.MLP(2, [hidden, hidden, 1], seed=0)
    start = time.perf_counter()
    nn.Trainer(model, (X, y), loss="hinge", l2=l2).step()
    return len(model.parameters()), time.perf_counter() - start


def parameter_rows(max_parameters: float) -> list[list[str]]:
    """Compile cost against the parameter count, without a penalty and with L2."""
    table = []
    for hidden in PARAMETER_HIDDEN:
        if hidden * hidden + 5 * hidden + 1 > max_parameters:  # MLP(2, [h, h, 1])'s parameters
            break
        progress(f"first compiled step of MLP(2, [{hidden}, {hidden}, 1]), without and with L2")
        (count, plain), (_, penalised) = first_step(hidden, 0.0), first_step(hidden, 1e-4)
        table.append([f"{count:,}", format_duration(plain), format_duration(penalised),
                      f"{penalised / count * 1e6:.1f} µs"])
    return table


PARAMETER_HEADER = ["parameters", "first step, no penalty", "first step, L2", "L2: per parameter"]


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--max-nodes", type=positive_number, default=1e6,
                        help="largest graph in nodes (default 1e6, about 10 minutes; 2e4 is a quick run)")
    parser.add_argument("--max-parameters", type=positive_number, default=41_001,
                        help="largest network of the parameters table (default 41,001, about 10 s)")
    parser.add_argument("--repeats", type=positive_int, default=3, help="interleaved samples per size (median)")
    args = parser.parse_args(argv)
    wide_points, deep_lengths = planned_sizes(args.max_nodes)
    for title, shape, sizes in [("wide: micrograd's demo loss over more and more points", wide, wide_points),
                                ("deep: a chain, one node per level (the replay's worst case)", deep, deep_lengths)]:
        print(f"\n{title}\n")
        for line, size in enumerate(sizes):  # one row at a time: the 1M-node row takes minutes
            table = markdown_table(HEADER, [measure(shape, size, args.repeats)])
            print(table if line == 0 else table.splitlines()[-1], flush=True)
    print("\nparameters: nn's first compiled step (trace + compile), MLP(2, [h, h, 1]), hinge, with and without L2\n")
    print(markdown_table(PARAMETER_HEADER, parameter_rows(args.max_parameters)), flush=True)


if __name__ == "__main__":
    sys.exit(run(PROG, main))
