"""3Blue1Brown's 784-16-16-10 network: one training step and one MNIST-sized epoch (``python -m bench.mnist_step``).

The step: a batch of 100 rows of 784 numbers, sigmoid hidden layers, linear logits, mean
cross-entropy, forward + backward + SGD update (float64). The epoch: 60,000 generated rows in
shuffled batches of 100. Candidates: chainrule's compiled step (model and loss traced on one tape,
sums of products replayed as matrix products), PyTorch's CPU eager mode (if installed; it is never
a dependency) and a hand-written numpy network. All run in one process from the same weights, and
one step of each is checked against the numpy step (loss and every updated parameter, 1e-9)
before anything is timed; times are medians of interleaved repeats, with one BLAS thread and with
the default threads.
"""
from __future__ import annotations

import itertools
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

import nn
from autograd.conventions.command_line import Parser, non_negative_number, positive_int, run, whole_number
from nn.compiled import CompiledStep

from .common import (
    THREAD_SETTINGS,
    blas_description,
    format_duration,
    interleaved_medians,
    markdown_table,
    threads,
    torch_sgd_step,
)
from .numpy_digit_net import NumpyDigitNet

SIZES = (784, 16, 16, 10)
LEARNING_RATE = 0.5
BATCH = 100


class Candidate(NamedTuple):
    step: Callable[[], float]  # one step on the fixed batch; returns the loss before the update
    epoch: Callable[[], object]  # one pass over the epoch data in shuffled batches
    parameters: Callable[[], np.ndarray]  # every weight and bias: per layer W (outputs × inputs), then b


def initial_layers(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Weights uniform in [−1, 1) and zero biases, as ``(W, b)`` with W of shape (inputs, outputs)."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, size=(n_in, n_out)), np.zeros(n_out)) for n_in, n_out in itertools.pairwise(SIZES)]


def generated_data(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of 784 numbers in [0, 1) like MNIST's scaled pixels, and labels 0–9."""
    rng = np.random.default_rng(seed + 1)
    return rng.random((rows, SIZES[0])), rng.integers(0, 10, rows)


def _flat(layers) -> np.ndarray:
    return np.concatenate([part for W, b in layers for part in (np.asarray(W).T.ravel(), np.asarray(b))])


def _batches(count: int, rng: np.random.Generator):
    order = rng.permutation(count)
    return [order[start:start + BATCH] for start in range(0, count, BATCH)]


def chainrule(layers, batch, data, hold: bool) -> tuple[Candidate, float]:
    """The compiled step as the Trainer runs it; ``hold``: parameters kept in arrays between steps and the
    targets encoded once (an epoch, fit) rather than the 13,002 Values read and written at each step (a lone
    ``Trainer.step()``). Also returns the one-off cost: tracing and compiling the model, then the loss, and a
    first step."""
    model = nn.MLP(SIZES[0], list(SIZES[1:]), activation="sigmoid")
    model.set_weights([(W.T, b) for W, b in layers])
    X, labels = batch[0], batch[1].tolist()
    start = time.perf_counter()
    compiled = nn.CompiledModel(model)
    compiled.step(nn.cross_entropy, X, labels, 0.0, 0.0, nn.SGD(model.parameters(), lr=LEARNING_RATE))
    trace_cost = time.perf_counter() - start
    model.set_weights([(W.T, b) for W, b in layers])  # undo that first step
    trainer = nn.Trainer(model, data, loss="cross_entropy", optimizer=nn.SGD(model.parameters(), lr=LEARNING_RATE),
                         batch_size=BATCH, seed=0)
    optimizer = nn.SGD(model.parameters(), lr=LEARNING_RATE)
    held = CompiledStep(compiled, nn.cross_entropy, optimizer)
    encoded = held.encode(labels)

    def parameters() -> np.ndarray:
        held.write()
        return np.concatenate([part for W, b in model.get_weights() for part in (np.ravel(W), b)])
    if hold:
        step = lambda: held(X, labels, encoded).loss  # noqa: E731
    else:
        step = lambda: compiled.step(nn.cross_entropy, X, labels, 0.0, 0.0, optimizer).loss  # noqa: E731
    return Candidate(step, trainer.epoch, parameters), trace_cost


def hand_written_numpy(layers, batch, data) -> Candidate:
    model, rng = NumpyDigitNet(layers), np.random.default_rng(0)
    epoch_net = NumpyDigitNet(layers)

    def epoch() -> None:
        for rows in _batches(len(data[1]), rng):
            epoch_net.step(data[0][rows], data[1][rows], LEARNING_RATE)
    return Candidate(lambda: model.step(batch[0], batch[1], LEARNING_RATE), epoch, lambda: _flat(model.layers))


def pytorch(layers, batch, data) -> Candidate | None:
    """The same step in PyTorch's eager mode on the CPU (float64), or None without torch."""
    try:
        import torch
    except ImportError:
        return None

    def network():
        return [torch.tensor(array, dtype=torch.float64, requires_grad=True) for W, b in layers for array in (W, b)]

    def step(params, X, labels) -> float:
        activations = X
        for i in range(0, len(params), 2):
            activations = activations @ params[i] + params[i + 1]
            activations = activations if i == len(params) - 2 else torch.sigmoid(activations)
        loss = torch.nn.functional.cross_entropy(activations, labels)
        return torch_sgd_step(params, loss, LEARNING_RATE)

    params, epoch_params, rng = network(), network(), np.random.default_rng(0)
    X, labels = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
    all_X, all_labels = torch.from_numpy(data[0]), torch.from_numpy(data[1])

    def epoch() -> None:
        for rows in _batches(len(data[1]), rng):
            index = torch.from_numpy(rows)
            step(epoch_params, all_X[index], all_labels[index])

    def values() -> np.ndarray:
        arrays = [p.detach().numpy() for p in params]
        return _flat(list(zip(arrays[::2], arrays[1::2], strict=True)))
    return Candidate(lambda: step(params, X, labels), epoch, values)


def check_agreement(candidates: dict[str, Candidate], reference: str) -> None:
    """One step of each candidate gives the reference's loss and parameters (relative 1e-9)."""
    losses = {name: candidate.step() for name, candidate in candidates.items()}
    expected = candidates[reference].parameters()
    for name, candidate in candidates.items():
        np.testing.assert_allclose(losses[name], losses[reference], rtol=1e-9, err_msg=f"{name}: loss")
        np.testing.assert_allclose(candidate.parameters(), expected, rtol=1e-9, atol=1e-12,
                                   err_msg=f"{name}: parameters after one step")


def replay_memory(layers, batch) -> tuple[int, int]:
    """Bytes a step on ``batch`` leaves allocated (the replay's buffers sized for it), and its peak beyond.

    The tapes are traced first on one row, outside the measurement."""
    model = nn.MLP(SIZES[0], list(SIZES[1:]), activation="sigmoid")
    model.set_weights([(W.T, b) for W, b in layers])
    step = CompiledStep(nn.CompiledModel(model), nn.cross_entropy, nn.SGD(model.parameters(), lr=LEARNING_RATE))
    step(batch[0][:1], batch[1][:1].tolist())
    tracemalloc.start()
    try:
        step(batch[0], batch[1].tolist())
        kept, peak = tracemalloc.get_traced_memory()
        return kept, peak - kept
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog="python -m bench.mnist_step", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=positive_int, default=60_000, help="rows in the generated epoch (MNIST: 60,000)")
    parser.add_argument("--repeats", type=positive_int, default=7, help="interleaved samples per step (median)")
    parser.add_argument("--epoch-repeats", type=positive_int, default=3,
                        help="interleaved epochs per candidate (median)")
    parser.add_argument("--seed", type=whole_number, default=0)
    parser.add_argument("--sample-seconds", type=non_negative_number, default=0.05,
                        help="least time of one timing sample")
    args = parser.parse_args(argv)
    layers = initial_layers(args.seed)
    data = generated_data(args.rows, args.seed)
    batch = (data[0][:BATCH], data[1][:BATCH])
    held, trace_cost = chainrule(layers, batch, data, hold=True)
    candidates = {"chainrule compiled (steps of an epoch: parameters held in arrays)": held,
                  "chainrule compiled (a lone Trainer.step(): writes the 13,002 Values)":
                      chainrule(layers, batch, data, hold=False)[0],
                  "hand-written numpy (`bench/numpy_digit_net.py`)": hand_written_numpy(layers, batch, data)}
    torch_candidate = pytorch(layers, batch, data)
    if torch_candidate:
        candidates["PyTorch (CPU eager, float64)"] = torch_candidate
    check_agreement(candidates, reference="hand-written numpy (`bench/numpy_digit_net.py`)")
    kept, peak = replay_memory(layers, batch)
    print(f"784-16-16-10 sigmoid, cross-entropy, SGD; batch of {BATCH}; epoch of {args.rows:,} generated rows; "
          f"{blas_description()}.")
    print("Every candidate agrees with the numpy step (loss and parameters, rtol 1e-9).")
    print(f"chainrule's trace + compile (model and loss tapes) and its first step: {format_duration(trace_cost)}; "
          f"the replay's buffers for a batch of {BATCH} take {kept / 1e6:.1f} MB, and a step "
          f"allocates at most {peak / 1e6:.1f} MB more while it runs.\n")
    step_candidates = {name: c.step for name, c in candidates.items()}
    epoch_candidates = {name: c.epoch for name, c in candidates.items() if "lone" not in name}
    for setting, count in THREAD_SETTINGS.items():
        with threads(count):
            steps = interleaved_medians(step_candidates, repeats=args.repeats, min_seconds=args.sample_seconds,
                                        label=f"one step, {setting}")
            epochs = interleaved_medians(epoch_candidates, repeats=args.epoch_repeats, min_seconds=0,
                                         label=f"one epoch, {setting}")
        print(f"{setting}:\n")
        print(_table(steps, epochs, torch_candidate is not None))
        print()
    if torch_candidate is None:
        print("PyTorch: skipped (import torch failed; it is optional and never installed by chainrule).")


def _table(steps: dict[str, float], epochs: dict[str, float], with_torch: bool) -> str:
    numpy_name = next(name for name in steps if name.startswith("hand-written"))
    torch_name = "PyTorch (CPU eager, float64)"
    header = ["candidate", "step (batch of 100)", "epoch", "step vs numpy", "epoch vs numpy"]
    header += ["step vs PyTorch"] if with_torch else []
    rows = []
    for name, seconds in steps.items():
        epoch, epoch_ratio = ((format_duration(epochs[name]), f"{epochs[name] / epochs[numpy_name]:.2f}×")
                              if name in epochs else ("—", "—"))
        row = [name, format_duration(seconds), epoch, f"{seconds / steps[numpy_name]:.2f}×", epoch_ratio]
        rows.append(row + ([f"{seconds / steps[torch_name]:.2f}×"] if with_torch else []))
    return markdown_table(header, rows)


if __name__ == "__main__":
    sys.exit(run("python -m bench.mnist_step", main))
