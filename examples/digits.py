"""3Blue1Brown's digit network, shrunk to scikit-learn's 8x8 digits: 64-16-16-10 with sigmoid.

Mini-batch stochastic gradient descent (batches of 32, reshuffled every epoch, momentum 0.9) on the
cross-entropy of the 10 outputs, then the accuracy on held-out test images. The eager engine builds a
graph per image, so by default this trains on a subset (500 of the 1,438 training images, about a
minute); ``--samples 1438`` trains on all of them, slowly.
"""
from __future__ import annotations

import argparse

import nn

TEST_FRACTION = 0.2


def train(samples: int = 500, epochs: int = 3, seed: int = 0, test_samples: int | None = None,
          progress: bool = False):
    """Train on ``samples`` training images; return the model, the History and the test accuracy."""
    X, y = nn.datasets.digits()
    X_train, y_train, X_test, y_test = nn.datasets.split(X, y, TEST_FRACTION, seed=seed)
    model = nn.MLP(64, [16, 16, 10], activation="sigmoid", seed=seed)
    optimizer = nn.SGD(model.parameters(), lr=0.5, momentum=0.9)
    history = nn.fit(model, (X_train[:samples], y_train[:samples]), loss="cross_entropy", optimizer=optimizer,
                     epochs=epochs, batch_size=32, seed=seed, progress=progress)
    test = slice(0, test_samples)
    return model, history, nn.evaluate(model, (X_test[test], y_test[test]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=500, help="training images to use (default %(default)s)")
    parser.add_argument("--epochs", type=int, default=3, help="passes over them (default %(default)s)")
    args = parser.parse_args(argv)
    model, history, test_accuracy = train(args.samples, args.epochs, progress=True)
    print(model)
    per_epoch = len(history) // args.epochs
    for epoch in range(args.epochs):
        steps = slice(epoch * per_epoch, (epoch + 1) * per_epoch)
        loss, acc = history.loss[steps], history.accuracy[steps]
        print(f"epoch {epoch + 1}: mean loss {sum(loss) / len(loss):.4f}, "
              f"mean batch accuracy {100 * sum(acc) / len(acc):.1f}%")
    print(f"trained eagerly on {args.samples} training images; test acc {100 * test_accuracy:.1f}%")


if __name__ == "__main__":
    main()
