"""Race chainrule against micrograd 0.1.0 on the same MLP-shaped scalar graph, in one process.

Run from the repository root: ``python -m bench.engine`` (or ``python bench/engine.py``).
Both frameworks build micrograd's demo loss (an MLP on 2-D points, hinge loss plus L2), each in
its own idiom, then differentiate it. Times are CPU time (other processes don't count), medians
over interleaved repeats; memory is what tracemalloc sees the built graph keep alive.
"""
from __future__ import annotations

import functools
import gc
import itertools
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

import autograd
from autograd.conventions.command_line import Parser, positive_int, run, whole_number
from autograd.conventions.errors import MissingToolError

PROG = "python -m bench.engine"

try:
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP
except ImportError:  # the bench extra is not installed
    MicroValue = MicroMLP = None

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4  # L2 strength, as in micrograd's demo


def make_problem(points: int, seed: int) -> tuple[list, list, list]:
    """Points on two noisy rings (inner +1, outer −1) and one weight set: layers of (weights, bias)."""
    rng = random.Random(seed)
    data, labels = [], []
    for i in range(points):
        label = 1.0 if i % 2 else -1.0
        radius = (1.0 if label > 0 else 2.0) + rng.gauss(0, 0.1)
        angle = rng.uniform(0, 2 * math.pi)
        data.append((radius * math.cos(angle), radius * math.sin(angle)))
        labels.append(label)
    layers = [[([rng.uniform(-1, 1) for _ in range(n_in)], 0.0) for _ in range(n_out)]
              for n_in, n_out in itertools.pairwise(SIZES)]
    return data, labels, layers


def chainrule_loss(data, labels, layers) -> autograd.Value:
    """chainrule's idiom: a neuron's weighted sum is one n-ary ``autograd.sum`` node."""
    V = autograd.Value
    params = [([V(w) for w in weights], V(bias)) for layer in layers for weights, bias in layer]
    last = len(layers) - 1
    losses = []
    for point, label in zip(data, labels, strict=True):
        activations, start = [V(x) for x in point], 0
        for depth, layer in enumerate(layers):
            neurons = params[start:start + len(layer)]
            start += len(layer)
            sums = [autograd.sum([w * a for w, a in zip(ws, activations, strict=True)] + [b]) for ws, b in neurons]
            activations = sums if depth == last else [z.relu() for z in sums]
        losses.append((1 + -label * activations[0]).relu())
    flat = [p for ws, b in params for p in [*ws, b]]
    return autograd.sum(losses) * (1.0 / len(losses)) + ALPHA * autograd.sum([p * p for p in flat])


def micrograd_loss(data, labels, layers):
    """micrograd's own demo code: ``micrograd.nn.MLP`` and Python's ``sum``."""
    model = MicroMLP(SIZES[0], list(SIZES[1:]))
    for micro_layer, layer in zip(model.layers, layers, strict=True):
        for neuron, (weights, bias) in zip(micro_layer.neurons, layer, strict=True):
            for w, value in zip(neuron.w, weights, strict=True):
                w.data = value
            neuron.b.data = bias
    scores = [model([MicroValue(x) for x in point]) for point in data]
    losses = [(1 + -label * score).relu() for label, score in zip(labels, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    return data_loss + ALPHA * sum(p * p for p in model.parameters())


def elementwise_chain(value_type, length: int):
    """The same graph in both frameworks: acc ← acc·wᵢ + xᵢ, one binary op per interior node."""
    acc = value_type(0.5)
    for i in range(length):
        acc = acc * value_type(1.0 - i / length) + value_type(i / length)
    return acc


def count_nodes(root, parents_of: Callable) -> int:
    """Distinct nodes under ``root``, counted the same way for both frameworks."""
    seen, stack = {id(root)}, [root]
    while stack:
        for parent in parents_of(stack.pop()):
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def timed(build: Callable) -> tuple[float, float]:
    """CPU seconds to build the graph and to differentiate it once, from a collected heap."""
    gc.collect()  # garbage left by earlier runs is nobody's cost here
    start = time.process_time()
    loss = build()
    built = time.process_time()
    loss.backward()
    return built - start, time.process_time() - built


def training_steps(build: Callable, steps: int) -> list[float]:
    """CPU seconds per step of a loop that builds, differentiates and drops a graph, as training does.

    The garbage collector runs on its own, so a framework whose graphs are reference cycles
    (micrograd's closures) pays here for collecting them. The first step, from a collected heap,
    is left out.
    """
    gc.collect()
    seconds = []
    for _ in range(steps + 1):
        start = time.process_time()
        loss = build()
        loss.backward()
        del loss
        seconds.append(time.process_time() - start)
    return seconds[1:]


def retained_bytes(build: Callable) -> int:
    """Bytes the graph keeps alive after it is built (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del loss
    return after - before


def race(points: int, repeats: int, seed: int) -> dict:
    """Times (medians of interleaved repeats), node counts and memory for both frameworks."""
    problem = make_problem(points, seed)
    builds = {"chainrule": lambda: chainrule_loss(*problem), "micrograd": lambda: micrograd_loss(*problem)}
    ours, theirs = builds["chainrule"](), builds["micrograd"]()
    if abs(ours.data - theirs.data) > 1e-9 * max(1.0, abs(theirs.data)):
        raise SystemExit(f"bench.engine: the two losses differ: {ours.data!r} vs {theirs.data!r}")
    nodes = {"chainrule": count_nodes(ours, lambda v: v.parents),
             "micrograd": count_nodes(theirs, lambda v: v._prev)}
    del ours, theirs
    runs: dict = {name: {"build": [], "backward": [], "build+backward": [], "training step": []}
                  for name in builds}
    for repeat in range(repeats):
        for name in (builds if repeat % 2 == 0 else reversed(list(builds))):
            print(f"bench: {name}: build + backward, repeat {repeat + 1} of {repeats}", file=sys.stderr, flush=True)
            build_s, backward_s = timed(builds[name])
            runs[name]["build"].append(build_s)
            runs[name]["backward"].append(backward_s)
            runs[name]["build+backward"].append(build_s + backward_s)
    for repeat in range(max(1, repeats // 3)):
        for name in (builds if repeat % 2 == 0 else reversed(list(builds))):
            print(f"bench: {name}: training steps, repeat {repeat + 1} of {max(1, repeats // 3)}", file=sys.stderr,
                  flush=True)
            runs[name]["training step"] += training_steps(builds[name], 3)
    length = nodes["chainrule"] // 4  # acc·w + x per step: 4 nodes, as many as the MLP in all
    chains = {"chainrule": autograd.Value, "micrograd": MicroValue}
    return {
        "seconds": {name: {part: statistics.median(times) for part, times in parts.items()}
                    for name, parts in runs.items()},
        "nodes": nodes,
        "memory": {name: retained_bytes(build) for name, build in builds.items()},
        "chain_nodes": 4 * length + 1,
        "chain_memory": {name: retained_bytes(functools.partial(elementwise_chain, kind, length))
                         for name, kind in chains.items()},
    }


def table(report: dict, points: int, repeats: int) -> str:
    """The compact table printed by ``python -m bench.engine``."""
    ours, theirs = report["seconds"]["chainrule"], report["seconds"]["micrograd"]
    nodes, memory, chain = report["nodes"], report["memory"], report["chain_memory"]
    per_node = {name: memory[name] / nodes[name] for name in nodes}
    chain_per_node = {name: chain[name] / report["chain_nodes"] for name in chain}
    rows = [(f"{part} (CPU ms)", ours[part] * 1e3, theirs[part] * 1e3, _speed(theirs[part] / ours[part]))
            for part in ours]
    rows += [("graph nodes", nodes["chainrule"], nodes["micrograd"], ""),
             ("graph memory (MB)", memory["chainrule"] / 1e6, memory["micrograd"] / 1e6,
              f"{memory['micrograd'] / memory['chainrule']:.1f}x less"),
             ("bytes per node", per_node["chainrule"], per_node["micrograd"],
              f"{per_node['micrograd'] / per_node['chainrule']:.1f}x less"),
             (f"bytes per node, same graph ({report['chain_nodes']:,} nodes)",
              chain_per_node["chainrule"], chain_per_node["micrograd"],
              f"{chain_per_node['micrograd'] / chain_per_node['chainrule']:.1f}x less")]
    width = max(len(row[0]) for row in rows)
    lines = [f"MLP {'-'.join(map(str, SIZES))} on {points} points, hinge loss + L2 "
             f"(micrograd's demo); medians of {repeats} interleaved repeats; Python {sys.version.split()[0]}",
             f"{'':{width}}  {'chainrule':>10}  {'micrograd':>10}  ratio"]
    for label, mine, other, ratio in rows:
        cells = [f"{x:10,}" if isinstance(x, int) else f"{x:10.1f}" for x in (mine, other)]
        lines.append(f"{label:{width}}  {cells[0]}  {cells[1]}  {ratio}")
    return "\n".join(lines)


def _speed(ratio: float) -> str:
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=positive_int, default=40, help="training points (default 40)")
    parser.add_argument("--repeats", type=positive_int, default=15, help="timed repeats per framework (default 15)")
    parser.add_argument("--seed", type=whole_number, default=0, help="seed for the points and weights")
    args = parser.parse_args(argv)
    if MicroValue is None:
        raise MissingToolError("micrograd is not installed; run: pip install 'micrograd==0.1.0' "
                               "(or pip install -e '.[bench]')")
    print(table(race(args.points, args.repeats, args.seed), args.points, args.repeats))
    print("build, backward: from a collected heap, freeing the graph not counted. training step: build,\n"
          "backward and drop the graph in a loop, the garbage collector running as in training\n"
          "(micrograd's nodes hold closures that refer back to them: only the cyclic collector frees them).")
    print(f"command: python -m bench.engine --points {args.points} --repeats {args.repeats} --seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(run(PROG, main))
