"""micrograd's demo step, five ways, in one process: ``python -m bench.demo_step``.

The step: 100 moons points, ``MLP(2, [16, 16, 1])`` (relu hidden layers, linear output), hinge
loss ``mean(relu(1 − y·score))`` + 1e-4·Σp², full batch, forward + backward + update. Every
candidate starts from the same weights; one step of each is checked against chainrule's eager
step (loss and every updated parameter to 1e-9) before anything is timed.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import autograd
from autograd import Value
from autograd.compile import compile as compile_tape

from .common import format_duration, interleaved_medians, markdown_table, moons
from .numpy_mlp import NumpyMLP

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4
LEARNING_RATE = 0.05


def initial_layers(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Weights uniform in [−1, 1) and zero biases, as ``(W, b)`` with W of shape (inputs, outputs)."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, size=(n_in, n_out)), np.zeros(n_out)) for n_in, n_out in zip(SIZES, SIZES[1:])]


class ChainruleMLP:
    """The MLP as chainrule Values: each neuron's weighted sum is one ``autograd.sum`` node."""

    def __init__(self, layers) -> None:
        self.layers = [([[Value(w) for w in column] for column in W.T], [Value(v) for v in b]) for W, b in layers]
        self.parameters = [p for rows, biases in self.layers for row, bias in zip(rows, biases) for p in row + [bias]]

    def score(self, point) -> Value:
        activations = list(point)
        for depth, (rows, biases) in enumerate(self.layers):
            sums = [autograd.sum([w * a for w, a in zip(row, activations)] + [bias]) for row, bias in zip(rows, biases)]
            activations = sums if depth == len(self.layers) - 1 else [z.relu() for z in sums]
        return activations[0]

    def penalty(self) -> Value:
        return ALPHA * autograd.sum([p * p for p in self.parameters])

    def update(self) -> None:
        for p in self.parameters:
            p.data -= LEARNING_RATE * p.grad
            p.grad = 0.0


def chainrule_loss(model: ChainruleMLP, X: np.ndarray, y: np.ndarray) -> Value:
    """The full-batch loss graph; the points and labels may be floats or placeholder Values."""
    hinges = [(1 - label * model.score(point)).relu() for point, label in zip(X, y)]
    return autograd.sum(hinges) * (1.0 / len(hinges)) + model.penalty()


def eager_step(model: ChainruleMLP, X: np.ndarray, y: np.ndarray) -> float:
    """Build the graph, differentiate it, update: the scalar engine as written."""
    loss = chainrule_loss(model, X.tolist(), y.tolist())
    loss.backward()
    model.update()
    return loss.data


def per_example_tape(model: ChainruleMLP):
    """One point's hinge + the penalty, traced once; replayed for every row of (x₁, x₂, y)."""
    placeholders = [Value(0.0, "x₁"), Value(0.0, "x₂"), Value(1.0, "y")]
    point, label = placeholders[:2], placeholders[2]
    hinge = (1 - label * model.score(point)).relu()
    return compile_tape(hinge + model.penalty(), inputs=placeholders)


def batch_replay_step(tape, model: ChainruleMLP, rows: np.ndarray) -> float:
    """Replay the per-example graph over all rows; the mean of (hinge + penalty) is the loss."""
    loss = float(tape.forward(rows).mean())
    tape.backward(1.0 / len(rows))
    model.update()
    return loss


def full_graph_tape(model: ChainruleMLP, X: np.ndarray, y: np.ndarray):
    """The whole full-batch loss graph traced once, with the 300 data numbers as placeholders."""
    points = [[Value(a), Value(b)] for a, b in X]
    labels = [Value(label) for label in y]
    inputs = [v for point in points for v in point] + labels
    return compile_tape(chainrule_loss(model, points, labels), inputs=inputs)


def full_replay_step(tape, model: ChainruleMLP, feed: np.ndarray) -> float:
    loss = tape.forward(feed)
    tape.backward()
    model.update()
    return loss


def micrograd_step_factory(layers, X: np.ndarray, y: np.ndarray):
    """micrograd 0.1.0's own demo code (its MLP, Python's sum), from the same weights."""
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP
    model = MLP(SIZES[0], list(SIZES[1:]))
    for layer, (W, b) in zip(model.layers, layers):
        for neuron, column, bias in zip(layer.neurons, W.T, b):
            for w, number in zip(neuron.w, column):
                w.data = float(number)
            neuron.b.data = float(bias)
    points, labels = X.tolist(), y.tolist()

    def step() -> float:
        scores = [model([MicroValue(a) for a in point]) for point in points]
        hinges = [(1 + -label * score).relu() for label, score in zip(labels, scores)]
        loss = sum(hinges) * (1.0 / len(hinges)) + ALPHA * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= LEARNING_RATE * p.grad
        return loss.data
    return step, lambda: [p.data for p in model.parameters()]


def torch_step_factory(layers, X: np.ndarray, y: np.ndarray):
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
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LEARNING_RATE * p.grad
        return loss.item()
    flat = lambda: [float(v) for W, b in zip(params[::2], params[1::2])  # noqa: E731
                    for column, bias in zip(W.detach().numpy().T, b.detach().numpy()) for v in [*column, bias]]
    return step, flat


def numpy_parameters(model: NumpyMLP) -> list[float]:
    return [float(v) for W, b in model.layers for column, bias in zip(W.T, b) for v in [*column, bias]]


def timed(build):
    start = time.perf_counter()
    result = build()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7, help="interleaved samples per candidate (median)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    X, y = moons(args.points, seed=args.seed)
    layers = initial_layers(args.seed)
    rows = np.column_stack([X, y])
    feed = np.concatenate([X.ravel(), y])

    eager_model, batch_model, full_model = ChainruleMLP(layers), ChainruleMLP(layers), ChainruleMLP(layers)
    batch_tape, batch_cost = timed(lambda: per_example_tape(batch_model))
    full_tape, full_cost = timed(lambda: full_graph_tape(full_model, X, y))
    numpy_model = NumpyMLP(layers)
    micro_step, micro_params = micrograd_step_factory(layers, X, y)
    candidates = {
        "micrograd 0.1.0": (micro_step, micro_params),
        "chainrule eager": (lambda: eager_step(eager_model, X, y), lambda: [p.data for p in eager_model.parameters]),
        "chainrule compiled, per-example graph × 100 rows": (
            lambda: batch_replay_step(batch_tape, batch_model, rows), lambda: [p.data for p in batch_model.parameters]),
        "chainrule compiled, whole full-batch graph": (
            lambda: full_replay_step(full_tape, full_model, feed), lambda: [p.data for p in full_model.parameters]),
        "hand-written numpy": (lambda: numpy_model.step(X, y, ALPHA, LEARNING_RATE),
                               lambda: numpy_parameters(numpy_model)),
    }
    torch_candidate = torch_step_factory(layers, X, y)
    if torch_candidate:
        candidates["PyTorch (CPU, float64)"] = torch_candidate
    check_agreement(candidates)
    seconds = interleaved_medians({name: step for name, (step, _) in candidates.items()}, repeats=args.repeats)
    report(seconds, args, batch_tape, full_tape, batch_cost, full_cost, torch_candidate is not None)


def check_agreement(candidates) -> None:
    """One step of each candidate gives the eager step's loss and parameters (relative 1e-9)."""
    losses = {name: step() for name, (step, _) in candidates.items()}
    parameters = {name: np.array(read()) for name, (_, read) in candidates.items()}
    reference = "chainrule eager"
    for name in candidates:
        np.testing.assert_allclose(losses[name], losses[reference], rtol=1e-9, err_msg=f"{name}: loss")
        np.testing.assert_allclose(parameters[name], parameters[reference], rtol=1e-9, atol=1e-12,
                                   err_msg=f"{name}: parameters after one step")


def report(seconds, args, batch_tape, full_tape, batch_cost, full_cost, has_torch) -> None:
    micro, numpy_time = seconds["micrograd 0.1.0"], seconds["hand-written numpy"]
    rows = [[name, format_duration(t), f"{micro / t:,.1f}×", f"{t / numpy_time:,.1f}×"] for name, t in seconds.items()]
    print(f"micrograd's demo step: {args.points} moons points, MLP(2, [16, 16, 1]), hinge + 1e-4·L2, "
          f"forward + backward + update; median of {args.repeats} interleaved samples.")
    print("All candidates agree with chainrule eager after one step (loss and parameters, rtol 1e-9).\n")
    print(markdown_table(["step", "median time", "speed-up vs micrograd", "time vs numpy"], rows))
    if not has_torch:
        print("\nPyTorch: skipped (import torch failed; it is optional and never installed by chainrule).")
    print(f"\nOne-off trace + compile: per-example graph {format_duration(batch_cost)} ({batch_tape}); "
          f"whole graph {format_duration(full_cost)} ({full_tape}).")


if __name__ == "__main__":
    main()
