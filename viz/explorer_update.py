"""The explorer's update step: the rule of the optimiser that trains, applied once to this graph's gradients.

Without an optimiser the step is plain gradient descent, w ← w − lr·∂C/∂w. With one (``nn.SGD``, with or
without momentum, or ``nn.Adam``) its own ``update`` runs on a copy of its state, so the page shows
exactly what training would do (momentum's velocity; Adam's moments m and v and its bias-corrected step)
and the optimiser itself is left as it was.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np

from autograd import Value
from nn.optim import SGD, Adam, Optimizer

from .explorer_numbers import number


def _description(optimizer: Optimizer | None, learning_rate: float, loss: str) -> tuple[str, list[str], list[str]]:
    """(the optimiser's name, its update formulas, the names of the state it keeps per parameter)."""
    g = f"∂{loss}/∂w"
    if isinstance(optimizer, Adam):
        beta1, beta2 = optimizer.betas
        return (f"Adam (β₁ = {beta1:g}, β₂ = {beta2:g}, ε = {optimizer.eps:g}, step t = {optimizer.t + 1})",
                [f"m ← β₁·m + (1 − β₁)·{g}", f"v ← β₂·v + (1 − β₂)·({g})²",
                 "w ← w − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)"], ["m", "v"])
    if isinstance(optimizer, SGD) and optimizer.momentum:
        first = " (the first step: v = ∂C/∂w)" if optimizer.buffer is None else ""
        return (f"SGD with momentum μ = {optimizer.momentum:g}{first}",
                [f"v ← μ·v + {g}", "w ← w − lr · v"], ["v"])
    return "gradient descent", [f"w ← w − lr · {g}"], []


def _state(optimizer, names: list[str]) -> list[np.ndarray]:
    return [optimizer.buffer if name == "v" and isinstance(optimizer, SGD) else getattr(optimizer, name)
            for name in names]


def update_step(parameters: Sequence[Value], gradients: dict, learning_rate: float, loss: str,
                optimizer: Optimizer | None = None) -> tuple[dict, list[float]]:
    """The update's description and one row per parameter (its number, gradient, the optimiser's state
    after the step, the step and the new number), and the new numbers in ``parameters`` order."""
    name, formulas, state_names = _description(optimizer, learning_rate, loss)
    grads = [gradients.get(p, 0.0) for p in parameters]
    if optimizer is None:
        new = [p.data - learning_rate * g for p, g in zip(parameters, grads, strict=True)]
        state = []
    else:
        position = {id(p): k for k, p in enumerate(optimizer.params)}
        missing = [p for p in parameters if id(p) not in position]
        if missing:
            raise ValueError(f"explore: the optimizer does not update {missing[0].label or 'a parameter'}; "
                             f"give it the parameters being explored")
        trial = copy.copy(optimizer)  # update() replaces its state arrays, never writes into them
        data = np.array([p.data for p in optimizer.params], dtype=float)
        all_grads = np.zeros(len(optimizer.params))
        for p, g in zip(parameters, grads, strict=True):
            all_grads[position[id(p)]] = g
        trial.update(data, all_grads)
        chosen = [position[id(p)] for p in parameters]
        new = data[chosen].tolist()
        state = [values[chosen].tolist() for values in _state(trial, state_names)]
        learning_rate = trial.lr
    rows = [{"data": number(p.data), "grad": number(g), "state": [number(values[k]) for values in state],
             "step": number(p.data - new_value), "new": number(new_value)}
            for k, (p, g, new_value) in enumerate(zip(parameters, grads, new, strict=True))]
    return {"optimizer": name, "formulas": formulas, "state_names": state_names, "learning_rate": learning_rate,
            "rows": rows}, new
