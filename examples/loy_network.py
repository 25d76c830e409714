"""James Loy's 3-4-1 network ("How to build your own neural network from scratch"), with chainrule.

``weights1 = rand(3, 4)``, ``weights2 = rand(4, 1)`` (uniform in [0, 1); the article sets no
seed, we use ``numpy.random.seed(seed)``), sigmoid on both layers, biases taken as zero,
sum-of-squared-errors loss, 1,500 full-batch steps with learning rate 1. Prints the final loss
and predictions and writes the loss curve as a PNG.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import nn
from autograd.conventions.command_line import Parser, positive_int, run
from autograd.conventions.files import writable_folder

PROG = "python -m examples.loy_network"


def build(seed: int = 1) -> nn.MLP:
    """The 3-4-1 sigmoid network with Loy's starting weights drawn after ``numpy.random.seed(seed)``."""
    np.random.seed(seed)
    weights1, weights2 = np.random.rand(3, 4), np.random.rand(4, 1)
    model = nn.MLP(3, [4, 1], activation="sigmoid", output_activation="sigmoid", bias=False)
    model.set_weights([(weights1.T.tolist(), None), (weights2.T.tolist(), None)])
    return model


def train(steps: int = 1500, seed: int = 1) -> tuple[nn.MLP, list[float]]:
    """Train; return the model and the SSE loss of every step (measured before its update)."""
    X, y = nn.datasets.xor_table()
    inputs, targets = X.tolist(), y.tolist()
    model = build(seed)
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    losses = []
    for _ in range(steps):
        loss = nn.sse([model(x) for x in inputs], targets)
        losses.append(loss.data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model, losses


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/examples", help="folder for the loss curve (default %(default)s)")
    parser.add_argument("--steps", type=positive_int, default=1500, help="training steps (default %(default)s)")
    args = parser.parse_args(argv)
    writable_folder(args.out, "--out")  # before training, not after
    model, losses = train(args.steps)
    X, y = nn.datasets.xor_table()
    print(f"loss at step {len(losses)}: {losses[-1]:.6f} (step 1: {losses[0]:.6f})")
    for x, target in zip(X.tolist(), y.tolist(), strict=True):
        print(f"input {x} -> {model(x).data:.4f} (target {target})")
    from nn.plots import loss_curve
    Path(args.out).mkdir(parents=True, exist_ok=True)
    print("loss curve:", loss_curve(losses, Path(args.out) / "loy_loss.png", title="James Loy's 3-4-1 network"))


if __name__ == "__main__":
    sys.exit(run(PROG, main))
