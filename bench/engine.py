"""Race chainrule against micrograd 0.1.0 on the same MLP-shaped scalar graph, in one process.

Run from the repository root: ``python -m bench.engine`` (or ``python bench/engine.py``).
Both frameworks build micrograd's demo loss (an MLP on 2-D points, hinge loss plus L2), each in
its own idiom, then differentiate it; times are medians over interleaved repeats.
"""
from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc
from typing import Callable

import autograd

try:
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP
except ImportError:  # the bench extra is not installed
    MicroValue = MicroMLP = None

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4  # L2 strength, as in micrograd's demo


def make_problem(points: int, seed: int) -> tuple[list, list, list]:
    """Points on two noisy rings (labels ±1) and one weight set: layers of (weights, bias)."""
    rng = random.Random(seed)
    data, labels = [], []
    for i in range(points):
        label = 1.0 if i % 2 else -1.0
        radius = (1.0 if label > 0 else 2.0) + rng.gauss(0, 0.1)
        angle = rng.uniform(0, 6.283)
        data.append((radius * rng.uniform(0.9, 1.1) * (angle - 3.1), radius * (angle % 1.7)))
        labels.append(label)
    layers = [[([rng.uniform(-1, 1) for _ in range(n_in)], 0.0) for _ in range(n_out)]
              for n_in, n_out in zip(SIZES, SIZES[1:])]
    return data, labels, layers


def chainrule_loss(data, labels, layers) -> autograd.Value:
    """chainrule's idiom: a neuron's weighted sum is one n-ary ``autograd.sum`` node."""
    V = autograd.Value
    params = [([V(w) for w in weights], V(bias)) for layer in layers for weights, bias in layer]
    last = len(layers) - 1
    losses = []
    for point, label in zip(data, labels):
        activations, start = [V(x) for x in point], 0
        for depth, layer in enumerate(layers):
            neurons = params[start:start + len(layer)]
            start += len(layer)
            sums = [autograd.sum([w * a for w, a in zip(ws, activations)] + [b]) for ws, b in neurons]
            activations = sums if depth == last else [z.relu() for z in sums]
        losses.append((1 + -label * activations[0]).relu())
    flat = [p for ws, b in params for p in ws + [b]]
    return autograd.sum(losses) * (1.0 / len(losses)) + ALPHA * autograd.sum([p * p for p in flat])


def micrograd_loss(data, labels, layers):
    """micrograd's own demo code: ``micrograd.nn.MLP`` and Python's ``sum``."""
    model = MicroMLP(SIZES[0], list(SIZES[1:]))
    for micro_layer, layer in zip(model.layers, layers):
        for neuron, (weights, bias) in zip(micro_layer.neurons, layer):
            for w, value in zip(neuron.w, weights):
                w.data = value
            neuron.b.data = bias
    scores = [model([MicroValue(x) for x in point]) for point in data]
    losses = [(1 + -label * score).relu() for label, score in zip(labels, scores)]
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
    """Seconds to build the graph and to differentiate it once."""
    gc.collect()
    start = time.perf_counter()
    loss = build()
    built = time.perf_counter()
    loss.backward()
    return built - start, time.perf_counter() - built


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
    """Build+backward times (interleaved medians), node counts and memory for both frameworks."""
    problem = make_problem(points, seed)
    builds = {"chainrule": lambda: chainrule_loss(*problem), "micrograd": lambda: micrograd_loss(*problem)}
    ours, theirs = builds["chainrule"](), builds["micrograd"]()
    if abs(ours.data - theirs.data) > 1e-9 * max(1.0, abs(theirs.data)):
        raise SystemExit(f"the two losses differ: {ours.data!r} vs {theirs.data!r}")
    report = {
        "nodes": {"chainrule": count_nodes(ours, lambda v: v.parents),
                  "micrograd": count_nodes(theirs, lambda v: v._prev)},
        "build": {name: [] for name in builds}, "backward": {name: [] for name in builds},
    }
    del ours, theirs
    for repeat in range(repeats):
        for name in (builds if repeat % 2 == 0 else reversed(list(builds))):
            build_s, backward_s = timed(builds[name])
            report["build"][name].append(build_s)
            report["backward"][name].append(backward_s)
    report["memory"] = {name: retained_bytes(build) for name, build in builds.items()}
    length = report["nodes"]["chainrule"] // 4
    chains = {"chainrule": autograd.Value, "micrograd": MicroValue}
    report["chain_nodes"] = 4 * length + 1
    report["chain_memory"] = {name: retained_bytes(lambda: elementwise_chain(kind, length))
                              for name, kind in chains.items()}
    return report


def table(report: dict, points: int, repeats: int) -> str:
    """The compact table printed by ``python -m bench.engine``."""
    median = {name: {part: statistics.median(report[part][name]) for part in ("build", "backward")}
              for name in ("chainrule", "micrograd")}
    for times in median.values():
        times["build+backward"] = times["build"] + times["backward"]
    nodes, memory, chain = report["nodes"], report["memory"], report["chain_memory"]
    per_node = {name: memory[name] / nodes[name] for name in nodes}
    chain_per_node = {name: chain[name] / report["chain_nodes"] for name in chain}
    rows = [(part + " (ms)", median["chainrule"][part] * 1e3, median["micrograd"][part] * 1e3,
             f"{median['micrograd'][part] / median['chainrule'][part]:.1f}x faster")
            for part in ("build", "backward", "build+backward")]
    rows += [("graph nodes", nodes["chainrule"], nodes["micrograd"], ""),
             ("graph memory (MB)", memory["chainrule"] / 1e6, memory["micrograd"] / 1e6,
              f"{memory['micrograd'] / memory['chainrule']:.1f}x less"),
             ("bytes per node", per_node["chainrule"], per_node["micrograd"],
              f"{per_node['micrograd'] / per_node['chainrule']:.1f}x less"),
             (f"bytes per node, same graph ({report['chain_nodes']} nodes)",
              chain_per_node["chainrule"], chain_per_node["micrograd"],
              f"{chain_per_node['micrograd'] / chain_per_node['chainrule']:.1f}x less")]
    width = max(len(row[0]) for row in rows)
    lines = [f"MLP {'-'.join(map(str, SIZES))} on {points} points, hinge loss + L2; "
             f"medians of {repeats} interleaved repeats; Python {sys.version.split()[0]}",
             f"{'':{width}}  {'chainrule':>10}  {'micrograd':>10}  ratio"]
    for label, ours, theirs, ratio in rows:
        cells = [f"{x:10,.0f}" if isinstance(x, int) or x >= 100 else f"{x:10.2f}" for x in (ours, theirs)]
        lines.append(f"{label:{width}}  {cells[0]}  {cells[1]}  {ratio}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=40, help="training points (default 40)")
    parser.add_argument("--repeats", type=int, default=15, help="timed repeats per framework (default 15)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the points and weights")
    args = parser.parse_args(argv)
    if MicroValue is None:
        print("bench.engine: micrograd is not installed; run: pip install 'micrograd==0.1.0' "
              "(or pip install -e '.[bench]')", file=sys.stderr)
        return 2
    if args.points < 1 or args.repeats < 1:
        print("bench.engine: --points and --repeats must be at least 1", file=sys.stderr)
        return 2
    print(table(race(args.points, args.repeats, args.seed), args.points, args.repeats))
    print(f"command: python -m bench.engine --points {args.points} --repeats {args.repeats} --seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
