"""micrograd's demo with chainrule: a 2-16-16-1 ReLU network separates two moons.

100 points, hinge loss on labels −1/+1 plus 1e-4·Σp² (L2), full-batch gradient descent with the
learning rate falling from 1.0 (lr = 1 − 0.9·k/100), 100 steps. Prints the loss and accuracy as
micrograd does and writes the decision boundary and the loss curve.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nn
from autograd.conventions.command_line import Parser, run
from autograd.conventions.files import writable_folder

PROG = "python -m examples.moons_demo"

ALPHA = 1e-4  # micrograd's L2 strength


def train(steps: int = 100, seed: int = 1337, progress: bool = False, compiled: bool = True):
    """Train micrograd's network for ``steps`` steps; return the model, the History and the data."""
    X, y = nn.datasets.moons(100, noise=0.1, seed=seed)
    signs = 2 * y - 1
    model = nn.MLP(2, [16, 16, 1], seed=seed)
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    history = nn.fit(model, (X, signs), loss="hinge", optimizer=optimizer, steps=steps, l2=ALPHA,
                     lr_schedule=nn.linear_decay(1.0, steps), progress=progress, compiled=compiled)
    return model, history, X, signs


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/examples", help="folder for the pictures (default %(default)s)")
    args = parser.parse_args(argv)
    writable_folder(args.out, "--out")  # before training, not after
    model, history, X, signs = train(progress=True)
    print(model)
    for step in range(0, len(history), 10):
        print(f"step {step} loss {history.loss[step]:.6f}, accuracy {100 * history.accuracy[step]:.1f}%")
    print(f"final: loss {history.loss[-1]:.6f}, acc {100 * nn.evaluate(model, (X, signs)):.1f}%")
    from nn.plots import decision_boundary, loss_curve
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("decision boundary:", decision_boundary(model, X, signs, out / "moons_boundary.png"))
    print("loss curve:", loss_curve(history, out / "moons_loss.png", title="micrograd's moons demo"))


if __name__ == "__main__":
    sys.exit(run(PROG, main))
