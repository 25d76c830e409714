"""3Blue1Brown's digit network, on scikit-learn's 8x8 digits: 64-16-16-10 with sigmoid.

Stochastic gradient descent on shuffled mini-batches of 100 (momentum 0.9) on the cross-entropy of
the 10 outputs, then the accuracy on held-out test images (a fifth of the 1,797 digits). Training
uses the compiled replay (``nn.fit``'s default): the network is traced once and replayed with numpy.
"""
from __future__ import annotations

import sys
import time

import nn
from autograd.conventions.command_line import Parser, positive_int, run

PROG = "python -m examples.digits"

TEST_FRACTION = 0.2
BATCH = 100


def train(epochs: int = 20, seed: int = 0, samples: int | None = None, progress: bool = False,
          compiled: bool = True):
    """Train on the training split (or its first ``samples`` images); return model, History, test acc."""
    X, y = nn.datasets.digits()
    X_train, y_train, X_test, y_test = nn.datasets.split(X, y, TEST_FRACTION, seed=seed)
    model = nn.MLP(64, [16, 16, 10], activation="sigmoid", seed=seed)
    optimizer = nn.SGD(model.parameters(), lr=1.0, momentum=0.9)
    history = nn.fit(model, (X_train[:samples], y_train[:samples]), loss="cross_entropy", optimizer=optimizer,
                     epochs=epochs, batch_size=BATCH, seed=seed, progress=progress, compiled=compiled)
    return model, history, nn.evaluate(model, (X_test, y_test))


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=positive_int, default=20,
                        help="passes over the training images (default %(default)s)")
    parser.add_argument("--eager", action="store_true", help="build every graph in Python (slow) instead of replaying")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    model, history, test_accuracy = train(args.epochs, progress=True, compiled=not args.eager)
    seconds = time.perf_counter() - started
    print(model)
    per_epoch = len(history) // args.epochs
    for epoch in range(0, args.epochs, max(1, args.epochs // 5)):
        steps = slice(epoch * per_epoch, (epoch + 1) * per_epoch)
        loss, acc = history.loss[steps], history.accuracy[steps]
        print(f"epoch {epoch + 1}: mean loss {sum(loss) / len(loss):.4f}, "
              f"mean batch accuracy {100 * sum(acc) / len(acc):.1f}%")
    mode = "eager" if args.eager else "compiled"
    print(f"test acc {100 * test_accuracy:.1f}% on held-out images; {seconds / args.epochs:.2f} s per epoch ({mode})")


if __name__ == "__main__":
    sys.exit(run(PROG, main))
