"""Optimisers with PyTorch's update rules and defaults: SGD (momentum, Nesterov) and Adam.

Each rule is written once, over arrays (``update``); ``step()`` reads the parameters' ``.data`` and
``.grad`` into arrays, applies it and writes ``.data`` back. The compiled training step calls
``update`` on the arrays it already holds.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from operator import attrgetter

import numpy as np

from autograd import Value
from autograd import argument_checks as check

_data, _grad = attrgetter("data"), attrgetter("grad")


class Optimizer:
    """Holds the parameters and the learning rate ``lr`` (a schedule may change it between steps)."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise check.wrong_type("params", "a list of Values (model.parameters())", params)
        self.params = list(params)
        if not self.params:
            raise ValueError("params must be at least one parameter (model.parameters()), got an empty list")
        for position, p in enumerate(self.params):
            check.instance(p, f"params[{position}]", Value, "a Value (a parameter)")
        self.lr = check.real(lr, "lr", at_least=0)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to 0 before the next backward pass."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its current ``.grad``."""
        data = np.fromiter(map(_data, self.params), float, len(self.params))
        self.update(data, np.fromiter(map(_grad, self.params), float, len(self.params)))
        for p, number in zip(self.params, data.tolist(), strict=True):
            p.data = number

    def update(self, data: np.ndarray, grads: np.ndarray) -> None:
        """The update rule over arrays (one entry per parameter, in ``params`` order): changes ``data``."""
        raise NotImplementedError


class SGD(Optimizer):
    """p ← p − lr·g, with g = grad + weight_decay·p, optionally through a momentum buffer.

    As in PyTorch: the buffer starts as the first g, then ``buf = momentum·buf + (1 − dampening)·g``;
    Nesterov uses ``g + momentum·buf`` instead of ``buf``.
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, lr)
        self.momentum = check.real(momentum, "momentum", at_least=0)
        self.dampening = check.real(dampening, "dampening", at_least=0)
        self.weight_decay = check.real(weight_decay, "weight_decay", at_least=0)
        nesterov = check.flag(nesterov, "nesterov")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("nesterov needs momentum > 0 and dampening = 0")
        self.nesterov = nesterov
        self.buffer: np.ndarray | None = None  # the momentum buffer, one entry per parameter

    def update(self, data: np.ndarray, grads: np.ndarray) -> None:
        g = grads + self.weight_decay * data if self.weight_decay else grads
        if self.momentum:
            if self.buffer is None:
                self.buffer = g.copy()
            else:
                self.buffer = self.momentum * self.buffer + (1 - self.dampening) * g
            g = g + self.momentum * self.buffer if self.nesterov else self.buffer
        data -= self.lr * g


class Adam(Optimizer):
    """Adam with bias correction, ε added after the square root (PyTorch's Adam, amsgrad off).

    m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        pair = check.sequence(betas, "betas", "two numbers in [0, 1)", length=2)
        self.betas = tuple(check.real(beta, f"betas[{i}]", at_least=0, below=1) for i, beta in enumerate(pair))
        self.eps = check.real(eps, "eps", above=0)
        self.weight_decay = check.real(weight_decay, "weight_decay", at_least=0)
        self.t = 0
        self.m = np.zeros(len(self.params))
        self.v = np.zeros(len(self.params))

    def update(self, data: np.ndarray, grads: np.ndarray) -> None:
        self.t += 1
        beta1, beta2 = self.betas
        correction1 = 1 - beta1 ** self.t
        correction2_sqrt = math.sqrt(1 - beta2 ** self.t)
        g = grads + self.weight_decay * data if self.weight_decay else grads
        self.m = beta1 * self.m + (1 - beta1) * g
        self.v = beta2 * self.v + (1 - beta2) * g * g
        denominator = np.sqrt(self.v) / correction2_sqrt + self.eps
        data -= (self.lr / correction1) * self.m / denominator


OPTIMIZERS = {"sgd": SGD, "adam": Adam}
