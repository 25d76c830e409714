"""One digit's forward and backward on the engine's replay: activations, cost, nudges and ∂C/∂W⁽¹⁾.

The network and one example's loss are traced once (``autograd.compile``), with a probe added after
every activation: ``a + e`` with ``e`` an input held at 0. The probe changes no value, and its
gradient is ∂C/∂a, so one replay backward gives the nudges of every layer (−∂C/∂a) beside the
parameters' gradients. The same tape scores a batch of images (their costs and outputs).
"""
from __future__ import annotations

import numpy as np

import autograd
import nn
from autograd import Value
from nn.losses import TRACED
from nn.recipes import outputs_and_targets

CHUNK = 2000  # rows replayed at once when scoring many images


def targets(loss: str, labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """What the loss compares the outputs with: one-hot rows for squared error, class indices for cross-entropy."""
    return outputs_and_targets(loss, np.asarray(labels, dtype=int), classes)[1]


class Examiner:
    """The tape of one network and loss; ``examine(image, label)`` and ``score(images, labels)``."""

    def __init__(self, model: nn.MLP, loss: str) -> None:
        self.model, self.loss = model, loss
        self.traced = TRACED[nn.LOSSES[loss]]
        self.sizes = list(model.nouts)
        pixels = [Value(0.0, f"x{i}") for i in range(model.nin)]
        probes = [[Value(0.0, f"e{layer}_{j}") for j in range(size)] for layer, size in enumerate(self.sizes)]
        wanted = [Value(0.0, f"y{j}") for j in range(self.sizes[-1])]
        columns, a = [], pixels
        self.linear = [layer.neurons[0].activation == "linear" for layer in model.layers]
        for layer, layer_probes, linear in zip(model.layers, probes, self.linear, strict=True):
            outputs = layer(a)  # a = activation(z): z is the activation's operand, or a itself when linear
            columns += outputs if linear else [out.parents[0] for out in outputs] + outputs
            a = [out + probe for out, probe in zip(outputs, layer_probes, strict=True)]
        cost = self.traced.row(a, wanted)
        self.tape = autograd.compile([cost, *columns], inputs=pixels + [p for row in probes for p in row] + wanted)
        self.probe_count, self.width = sum(self.sizes), 1 + len(columns)
        position = {parameter: i for i, parameter in enumerate(self.tape.parameters)}
        self.first_layer = np.array([[position[w] for w in neuron.w] for neuron in model.layers[0].neurons])
        self.bias_positions = [np.array([position[n.b] for n in layer.neurons]) for layer in model.layers]

    def _feed(self, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
        encoded = self.traced.encode(list(targets(self.loss, labels, self.sizes[-1])), self.sizes[-1])
        return np.hstack([images, np.zeros((len(images), self.probe_count)), encoded])

    def _layers(self, row: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(z, a) of every layer from one replayed row."""
        layers, start = [], 1
        for size, linear in zip(self.sizes, self.linear, strict=True):
            z = row[start:start + size]
            start += size
            layers.append((z, z if linear else row[start:start + size]))
            start += 0 if linear else size
        return layers

    def _upstream(self) -> np.ndarray:
        """One row's weights on the tape's columns: 1 on the cost, 0 on the z and a read out beside it."""
        upstream = np.zeros((1, self.width))
        upstream[0, 0] = 1.0
        return upstream

    def examine(self, image: np.ndarray, label: int) -> dict:
        """Everything the page shows about one image (side² numbers) against the digit ``label``."""
        values = self.tape.forward(self._feed(image.reshape(1, -1), np.array([label])))
        parameter_grads = np.empty(len(self.tape.parameters))
        input_grads = self.tape.backward(self._upstream(), parameter_grads=parameter_grads)[0]
        probe_grads = input_grads[self.model.nin:self.model.nin + self.probe_count]
        parameters = np.array([p.data for p in self.tape.parameters])
        layers, start = [], 0
        for (z, a), size, biases in zip(self._layers(values[0]), self.sizes, self.bias_positions, strict=True):
            layers.append({"z": z, "a": a, "b": parameters[biases], "nudge": -probe_grads[start:start + size]})
            start += size
        return {"cost": float(values[0, 0]), "layers": layers, "gradient": parameter_grads[self.first_layer]}

    def score(self, images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each image's cost and the network's outputs (a⁽ᴸ⁾ of the last layer), replayed in chunks."""
        costs, outputs = [], []
        for start in range(0, len(images), CHUNK):
            values = self.tape.forward(self._feed(images[start:start + CHUNK], labels[start:start + CHUNK]))
            costs.append(values[:, 0])
            outputs.append(values[:, -self.sizes[-1]:])
        return np.concatenate(costs), np.concatenate(outputs)

    def check(self, image: np.ndarray, label: int, count: int, rng: np.random.Generator,
              eps: float = 1e-6) -> list[dict]:
        """Central differences of the cost for ``count`` random parameters (ones this digit moves, when it
        moves that many), beside the engine's gradient."""
        feed = self._feed(image.reshape(1, -1), np.array([label]))
        parameters = np.array([p.data for p in self.tape.parameters])
        self.tape.forward(feed)
        grads = np.empty(len(parameters))
        self.tape.backward(self._upstream(), input_grads=False, parameter_grads=grads)
        moved = np.flatnonzero(grads)
        pool = moved if len(moved) >= count else np.arange(len(parameters))
        chosen = np.sort(rng.choice(pool, min(count, len(pool)), replace=False))

        def cost(values: list[float]) -> float:
            nudged = parameters.copy()
            nudged[chosen] = values
            return float(self.tape.forward(feed, nudged)[0, 0])
        numeric = autograd.central_differences(cost, parameters[chosen].tolist(), eps=eps)
        return [{"name": self.tape.parameters[i].label, "engine": float(grads[i]), "numeric": slope}
                for i, slope in zip(chosen, numeric, strict=True)]
