"""The network a setup describes, its trainer, and what the page reads off it (loss, accuracy, ∂L/∂w).

Training is ``nn.Trainer``'s (the one training loop); the measures replay the engine's tapes.
"""
from __future__ import annotations

import math

import numpy as np

import autograd
import nn
from autograd import Value
from nn import features
from nn.compiled import CompiledModel

from .config import Setup
from .points import Points

HISTORY_WINDOW = 100  # steps and epochs a session's Trainer keeps (the page's curve is the session's own)


def output_activation(loss: str) -> str:
    """A sigmoid output for squared error and binary cross-entropy; raw scores for hinge and softmax."""
    return "sigmoid" if loss in ("mse", "bce") else "linear"


def build_model(setup: Setup) -> nn.MLP:
    """The MLP of the setup: its features in, its hidden layers, one output (two classes) or one per class."""
    outputs = setup.classes if setup.loss == "cross_entropy" else 1
    return nn.MLP(len(setup.features), [*setup.hidden, outputs], activation=setup.activation,
                  seed=setup.seed, output_activation=output_activation(setup.loss))


def targets(labels: np.ndarray, loss: str) -> list:
    """Class labels as the loss wants them: ±1 for hinge, class indices for cross-entropy, 0/1 otherwise."""
    if loss == "hinge":
        return [2 * int(label) - 1 for label in labels]
    return [int(label) for label in labels]


def inputs(points: Points, setup: Setup, mask: np.ndarray | None = None) -> np.ndarray:
    """The network's input rows: the chosen features of the (masked) points."""
    X = points.X if mask is None else points.X[mask]
    return np.asarray(features.transform(X, list(setup.features)), dtype=float).reshape(len(X), -1)


def build_trainer(model: nn.MLP, points: Points, setup: Setup, start_step: int = 0) -> nn.Trainer:
    """``nn.Trainer`` on the training points with the setup's loss, optimiser, batch size and penalty."""
    parameters = model.parameters()
    if setup.optimizer == "adam":
        optimizer = nn.Adam(parameters, lr=setup.learning_rate)
    else:
        optimizer = nn.SGD(parameters, lr=setup.learning_rate, momentum=setup.momentum)
    train = ~points.test
    penalty = {} if setup.regularization == "none" else {setup.regularization: setup.regularization_rate}
    return nn.Trainer(model, (inputs(points, setup, train), targets(points.labels[train], setup.loss)),
                      loss=setup.loss, optimizer=optimizer, batch_size=setup.batch_size,
                      seed=setup.seed, start_step=start_step, history_window=HISTORY_WINDOW, **penalty)


def _finite(number: float | None) -> float | None:
    return number if number is not None and math.isfinite(number) else None


class Measures:
    """Loss and accuracy on the train and test points and the full-batch ∂L/∂w, at the current weights.

    The loss of one point is traced once per class (a label is a constant of the loss's graph, as
    cross-entropy's class index must be) and replayed over the points of that class; the batch loss
    is the mean of the per-point losses, as every loss here is a mean over samples.
    """

    def __init__(self, model: nn.MLP, setup: Setup) -> None:
        self.model, self.setup = model, setup
        self.compiled = CompiledModel(model)
        placeholders = [Value(0.0, name) for name in setup.features]
        output = model(placeholders)
        loss = nn.LOSSES[setup.loss]
        self.tapes = [autograd.compile(loss([output], targets(np.array([label]), setup.loss)), inputs=placeholders)
                      for label in range(setup.classes)]
        self.threshold = 0.0 if setup.loss == "hinge" else 0.5

    def _pass(self, rows: np.ndarray, labels: np.ndarray, gradients: bool) -> tuple[float | None, float | None]:
        """The mean loss and the accuracy over ``rows``; ``gradients`` adds d mean loss / dw to each ``.grad``."""
        if not len(rows):
            return None, None
        total = 0.0
        with np.errstate(all="ignore"):
            for label, tape in enumerate(self.tapes):
                chosen = rows[labels == label]
                if len(chosen):
                    total += float(np.sum(tape.forward(chosen)))
                    if gradients:
                        tape.backward(1.0 / len(rows))
            outputs = self.compiled.per_sample(self.compiled.outputs(rows).tolist())
        return _finite(total / len(rows)), nn.accuracy(outputs, targets(labels, self.setup.loss), self.threshold)

    def measure(self, points: Points) -> dict:
        """The numbers the page shows; the parameters' ``.grad`` end up holding the training set's gradient."""
        test = points.test
        test_loss, test_accuracy = self._pass(inputs(points, self.setup, test), points.labels[test], False)
        self.model.zero_grad()
        train_loss, train_accuracy = self._pass(inputs(points, self.setup, ~test), points.labels[~test], True)
        layers = [{"weights": [[w.data for w in neuron.w] for neuron in layer.neurons],
                   "biases": [neuron.b.data for neuron in layer.neurons],
                   "weight_grads": [[_finite(w.grad) for w in neuron.w] for neuron in layer.neurons],
                   "bias_grads": [_finite(neuron.b.grad) for neuron in layer.neurons],
                   "weight_labels": [[w.label for w in neuron.w] for neuron in layer.neurons],
                   "bias_labels": [neuron.b.label for neuron in layer.neurons]}
                  for layer in self.model.layers]
        return {"loss_train": train_loss, "loss_test": test_loss, "accuracy_train": train_accuracy,
                "accuracy_test": test_accuracy, "layers": layers}
