"""micrograd's demo step, seven ways, in one process: ``python -m bench.demo_step``.

The step: 100 moons points, ``MLP(2, [16, 16, 1])`` (relu hidden layers, linear output), hinge
loss ``mean(relu(1 − y·score))`` + 1e-4·Σp², full batch, forward + backward + update. Every
candidate starts from the same weights; one step of each is checked against chainrule's eager
step (loss and every updated parameter to 1e-9) before anything is timed.
"""
from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

import autograd
import nn
from autograd import Value
from autograd import compile as compile_tape
from autograd.conventions.command_line import Parser, non_negative_number, positive_int, run, whole_number
from nn.compiled import CompiledStep

from .common import (
    THREAD_SETTINGS,
    blas_description,
    format_duration,
    interleaved_medians,
    markdown_table,
    moons,
    threads,
    torch_sgd_step,
)
from .numpy_mlp import NumpyMLP

PROG = "python -m bench.demo_step"

SIZES = (2, 16, 16, 1)
MLP_PARAMETERS = sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(SIZES))  # 337
ALPHA = 1e-4
LEARNING_RATE = 0.05


class Candidate(NamedTuple):
    step: Callable[[], float]  # one training step; returns the loss before the update
    parameters: Callable[[], list[float]]  # every weight and bias, neuron by neuron (weights, then bias)


def initial_layers(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Weights uniform in [−1, 1) and zero biases, as ``(W, b)`` with W of shape (inputs, outputs)."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, size=(n_in, n_out)), np.zeros(n_out)) for n_in, n_out in itertools.pairwise(SIZES)]


class ChainruleMLP:
    """The MLP as chainrule Values: each neuron's weighted sum is one ``autograd.sum`` node."""

    def __init__(self, layers) -> None:
        self.neurons = [[([Value(w) for w in column], Value(bias)) for column, bias in zip(W.T, b, strict=True)]
                        for W, b in layers]
        self.parameters = [p for layer in self.neurons for weights, bias in layer for p in [*weights, bias]]

    def score(self, point) -> Value:
        activations = list(point)
        for depth, layer in enumerate(self.neurons):
            sums = [autograd.sum([*(w * a for w, a in zip(weights, activations, strict=True)), bias])
                    for weights, bias in layer]
            activations = sums if depth == len(self.neurons) - 1 else [z.relu() for z in sums]
        return activations[0]

    def penalty(self) -> Value:
        return ALPHA * autograd.sum([p * p for p in self.parameters])

    def update(self) -> None:
        for p in self.parameters:
            p.data -= LEARNING_RATE * p.grad
            p.grad = 0.0

    def values(self) -> list[float]:
        return [p.data for p in self.parameters]


def chainrule_loss(model: ChainruleMLP, points, labels) -> Value:
    """The full-batch loss graph; points and labels may be floats or placeholder Values."""
    hinges = [(1 - label * model.score(point)).relu() for point, label in zip(points, labels, strict=True)]
    return autograd.sum(hinges) * (1.0 / len(hinges)) + model.penalty()


def eager(layers, X: np.ndarray, y: np.ndarray) -> Candidate:
    """Build the graph, differentiate it, update: the scalar engine as written."""
    model, points, labels = ChainruleMLP(layers), X.tolist(), y.tolist()

    def step() -> float:
        loss = chainrule_loss(model, points, labels)
        loss.backward()
        model.update()
        return loss.data
    return Candidate(step, model.values)


def per_example_tape(model: ChainruleMLP):
    """One point's hinge + the penalty, traced once, with (x₁, x₂, y) as placeholders."""
    placeholders = [Value(0.0, "x₁"), Value(0.0, "x₂"), Value(1.0, "y")]
    hinge = (1 - placeholders[2] * model.score(placeholders[:2])).relu()
    return compile_tape(hinge + model.penalty(), inputs=placeholders)


def compiled_rows(layers, X: np.ndarray, y: np.ndarray) -> tuple[Candidate, object]:
    """Replay the per-example graph over the 100 rows; mean(hinge + penalty) is the loss."""
    model, rows = ChainruleMLP(layers), np.column_stack([X, y])
    tape = per_example_tape(model)

    def step() -> float:
        loss = float(tape.forward(rows).mean())
        tape.backward(1.0 / len(rows))  # d mean / d row = 1/100
        model.update()
        return loss
    return Candidate(step, model.values), tape


def compiled_whole(layers, X: np.ndarray, y: np.ndarray) -> tuple[Candidate, object]:
    """The whole full-batch loss graph traced once, with the 300 data numbers as placeholders."""
    model = ChainruleMLP(layers)
    points = [[Value(a), Value(b)] for a, b in X]
    labels = [Value(label) for label in y]
    tape = compile_tape(chainrule_loss(model, points, labels),
                        inputs=[v for point in points for v in point] + labels)
    feed = np.concatenate([X.ravel(), y])

    def step() -> float:
        loss = tape.forward(feed)
        tape.backward()
        model.update()
        return loss
    return Candidate(step, model.values), tape


def compiled_train_step(layers, X: np.ndarray, y: np.ndarray) -> Candidate:
    """nn's compiled step as ``fit`` runs it (``nn.compiled.CompiledStep``): ``nn.MLP`` with the hinge loss and
    L2 traced on one tape, the targets encoded once, the parameters held in arrays between steps (written to
    their Values when read)."""
    model = nn.MLP(SIZES[0], list(SIZES[1:]), activation="relu")
    model.set_weights([(W.T, b) for W, b in layers])
    step = CompiledStep(nn.CompiledModel(model), nn.hinge, nn.SGD(model.parameters(), lr=LEARNING_RATE), l2=ALPHA)
    labels = y.tolist()
    encoded = step.encode(labels)

    def parameters() -> list[float]:
        step.write()
        return [p.data for p in model.parameters()]
    return Candidate(lambda: step(X, labels, encoded).loss, parameters)


def micrograd(layers, X: np.ndarray, y: np.ndarray) -> Candidate:
    """micrograd 0.1.0's own demo code (its MLP, Python's sum), from the same weights."""
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP
    model = MLP(SIZES[0], list(SIZES[1:]))
    for layer, (W, b) in zip(model.layers, layers, strict=True):
        for neuron, column, bias in zip(layer.neurons, W.T, b, strict=True):
            for w, number in zip(neuron.w, column, strict=True):
                w.data = float(number)
            neuron.b.data = float(bias)
    points, labels = X.tolist(), y.tolist()

    def step() -> float:
        scores = [model([MicroValue(a) for a in point]) for point in points]
        hinges = [(1 + -label * score).relu() for label, score in zip(labels, scores, strict=True)]
        loss = sum(hinges) * (1.0 / len(hinges)) + ALPHA * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= LEARNING_RATE * p.grad
        return loss.data
    return Candidate(step, lambda: [p.data for p in model.parameters()])


def hand_written_numpy(layers, X: np.ndarray, y: np.ndarray) -> Candidate:
    model = NumpyMLP(layers)
    return Candidate(lambda: model.step(X, y, ALPHA, LEARNING_RATE), lambda: _flat(model.layers))


def pytorch(layers, X: np.ndarray, y: np.ndarray) -> Candidate | None:
    """The same step in PyTorch on the CPU (float64), or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    params = [torch.tensor(array, dtype=torch.float64, requires_grad=True) for W, b in layers for array in (W, b)]
    points, labels = torch.tensor(X), torch.tensor(y)

    def step() -> float:
        activations = points
        for i in range(0, len(params), 2):
            activations = activations @ params[i] + params[i + 1]
            activations = activations if i == len(params) - 2 else torch.relu(activations)
        loss = torch.relu(1 - labels * activations[:, 0]).mean() + ALPHA * sum((p * p).sum() for p in params)
        return torch_sgd_step(params, loss, LEARNING_RATE)

    def values() -> list[float]:
        arrays = [p.detach().numpy() for p in params]
        return _flat(list(zip(arrays[::2], arrays[1::2], strict=True)))
    return Candidate(step, values)


def _flat(layers) -> list[float]:
    return [float(v) for W, b in layers for column, bias in zip(W.T, b, strict=True) for v in [*column, bias]]


def check_agreement(candidates: dict[str, Candidate], reference: str) -> None:
    """One step of each candidate gives the reference's loss and parameters (relative 1e-9)."""
    losses = {name: candidate.step() for name, candidate in candidates.items()}
    for name, candidate in candidates.items():
        np.testing.assert_allclose(losses[name], losses[reference], rtol=1e-9, err_msg=f"{name}: loss")
        np.testing.assert_allclose(candidate.parameters(), candidates[reference].parameters(), rtol=1e-9,
                                   atol=1e-12, err_msg=f"{name}: parameters after one step")


def _table(seconds: dict[str, float]) -> str:
    micro, numpy_time = seconds["micrograd 0.1.0"], seconds["hand-written numpy"]
    torch_time = seconds.get("PyTorch (CPU, float64)")
    header = ["step", "median time", "speed-up vs micrograd", "time vs numpy"]
    rows = []
    for name, t in seconds.items():
        rows.append([name, format_duration(t), f"{micro / t:,.1f}×", f"{t / numpy_time:,.1f}×"]
                    + ([f"{t / torch_time:,.2f}×"] if torch_time else []))
    return markdown_table(header + (["time vs PyTorch"] if torch_time else []), rows)


def timed(build):
    start = time.perf_counter()
    result = build()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=positive_int, default=100)
    parser.add_argument("--repeats", type=positive_int, default=7, help="interleaved samples per candidate (median)")
    parser.add_argument("--seed", type=whole_number, default=0)
    parser.add_argument("--sample-seconds", type=non_negative_number, default=0.05,
                        help="least time of one timing sample")
    args = parser.parse_args(argv)
    X, y = moons(args.points, seed=args.seed)
    layers = initial_layers(args.seed)
    (rows, rows_tape), rows_cost = timed(lambda: compiled_rows(layers, X, y))
    (whole, whole_tape), whole_cost = timed(lambda: compiled_whole(layers, X, y))
    candidates = {"micrograd 0.1.0": micrograd(layers, X, y), "chainrule eager": eager(layers, X, y),
                  f"chainrule compiled: per-example graph × {args.points} rows": rows,
                  "chainrule compiled: whole full-batch graph": whole,
                  "chainrule compiled: nn's train step (parameters held in arrays)": compiled_train_step(layers, X, y),
                  "hand-written numpy": hand_written_numpy(layers, X, y)}
    torch_candidate = pytorch(layers, X, y)
    if torch_candidate:
        candidates["PyTorch (CPU, float64)"] = torch_candidate
    check_agreement(candidates, reference="chainrule eager")
    print(f"micrograd's demo step: {args.points} moons points, MLP(2, [16, 16, 1]), hinge + 1e-4·L2, "
          f"forward + backward + update; median of {args.repeats} interleaved samples; {blas_description()}.")
    print("Every candidate agrees with chainrule eager after one step (loss and parameters, rtol 1e-9).")
    for setting, count in THREAD_SETTINGS.items():
        with threads(count):
            seconds = interleaved_medians({name: c.step for name, c in candidates.items()}, repeats=args.repeats,
                                          min_seconds=args.sample_seconds, label=f"one step, {setting}")
        print(f"\n{setting}:\n")
        print(_table(seconds))
    if torch_candidate is None:
        print("\nPyTorch: skipped (import torch failed; it is optional and never installed by chainrule).")
    print(f"\nOne-off trace + compile: per-example graph {format_duration(rows_cost)} ({rows_tape}); "
          f"whole graph {format_duration(whole_cost)} ({whole_tape}).")
    print(f"The MLP has {MLP_PARAMETERS} parameters, as each tape has: the loss's numbers (the hinge's 1, 1/n, "
          "the L2 weight α) are constants of the program.")


if __name__ == "__main__":
    sys.exit(run(PROG, main))
