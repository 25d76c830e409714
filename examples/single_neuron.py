"""The single sigmoid neuron of "a neural network in 9 lines", trained with chainrule.

Four examples whose answer is the first input column; one neuron with three weights and no bias,
``numpy.random.seed(1)`` weights, 10,000 full-batch steps of gradient descent (learning rate 1)
on half the sum of squared errors. It prints the article's numbers.
"""
from __future__ import annotations

import sys

import numpy as np

import nn
from autograd.conventions.command_line import run

PROG = "python -m examples.single_neuron"

NEW_CASE = [1, 0, 0]


def fmt(numbers) -> str:
    """Numbers with 8 decimals and trailing zeros dropped, as numpy prints them: [9.67299303, -0.2078435]."""
    return "[" + ", ".join(f"{x:.8f}".rstrip("0") for x in numbers) + "]"


def train(steps: int = 10_000) -> tuple[list[float], list[float], float]:
    """Train the neuron; return its starting weights, final weights and its answer for [1, 0, 0]."""
    X, y = nn.datasets.neuron_table()
    np.random.seed(1)
    start = (2 * np.random.random((3, 1)) - 1)[:, 0].tolist()
    neuron = nn.Neuron(3, activation="sigmoid", bias=False)
    for w, number in zip(neuron.w, start, strict=True):
        w.data = number
    optimizer = nn.SGD(neuron.parameters(), lr=1.0)
    inputs, targets = X.tolist(), y.tolist()
    for _ in range(steps):
        loss = 0.5 * nn.sse([neuron(x) for x in inputs], targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return start, [w.data for w in neuron.w], neuron(NEW_CASE).data


def main() -> None:
    start, final, answer = train()
    print("Random starting synaptic weights:", fmt(start))
    print("New synaptic weights after training:", fmt(final))
    print(f"Considering new situation {NEW_CASE} -> ?: {answer:.8f}")


if __name__ == "__main__":
    sys.exit(run(PROG, main))
