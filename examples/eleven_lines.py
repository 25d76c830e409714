"""The 3-layer network of "a neural network in 11 lines", trained with chainrule.

XOR of the first two columns (not linearly separable, so a hidden layer of 4 is needed):
``numpy.random.seed(1)``, syn0 (3x4) and syn1 (4x1) from ``2*random - 1``, sigmoid everywhere,
no biases, 60,000 full-batch steps with learning rate 1 on half the sum of squared errors,
printing the mean absolute error every 10,000 steps as the article does.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
from tqdm import tqdm

import nn
from autograd.conventions.command_line import run

PROG = "python -m examples.eleven_lines"


def build() -> nn.MLP:
    """The 3-4-1 sigmoid network with the article's starting weights (syn0, syn1 transposed per neuron)."""
    np.random.seed(1)
    syn0 = 2 * np.random.random((3, 4)) - 1
    syn1 = 2 * np.random.random((4, 1)) - 1
    model = nn.MLP(3, [4, 1], activation="sigmoid", output_activation="sigmoid", bias=False)
    model.set_weights([(syn0.T.tolist(), None), (syn1.T.tolist(), None)])
    return model


def train(steps: int = 60_000, report_every: int = 10_000, report: Callable[[float], None] | None = None,
          progress: bool = False) -> list[float]:
    """Train and return mean(|error|) measured before the update of every ``report_every``-th step.

    ``report(error)`` is called as each is measured; ``progress`` shows a bar on a terminal.
    """
    X, y = nn.datasets.xor_table()
    inputs, targets = X.tolist(), y.tolist()
    model = build()
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    errors = []
    for step in tqdm(range(steps), disable=None if progress else True, unit="step", leave=False):
        outputs = [model(x) for x in inputs]
        if step % report_every == 0:
            errors.append(float(np.mean([abs(t - out.data) for out, t in zip(outputs, targets, strict=True)])))
            if report:
                report(errors[-1])
        loss = 0.5 * nn.sse(outputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return errors


def main() -> None:
    train(report=lambda error: tqdm.write(f"Error:{error}"), progress=True)  # each line as the article prints it


if __name__ == "__main__":
    sys.exit(run(PROG, main))
