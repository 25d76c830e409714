"""Where a tape's parameters sit among an optimiser's, so that a compiled step reads and updates one array."""
from __future__ import annotations

import numpy as np

from autograd import Value


class ParameterMap:
    """Where a tape's parameters sit among an optimiser's (the rest, such as the 1 of a traced hinge, read apart)."""

    def __init__(self, tape_parameters: tuple[Value, ...], optimized: list[Value]) -> None:
        index_of = {p: i for i, p in enumerate(optimized)}
        self.count, self.optimized = len(tape_parameters), len(optimized)
        self.in_optimizer = _run([i for i, p in enumerate(tape_parameters) if p in index_of])
        self.elsewhere = _run([i for i, p in enumerate(tape_parameters) if p not in index_of])
        self.from_optimizer = _run([index_of[p] for p in tape_parameters if p in index_of])
        self.others = [p for p in tape_parameters if p not in index_of]
        self._covers = _is_run(self.from_optimizer, 0, self.optimized)  # all the optimiser's, in its order
        self._same = self._covers and _is_run(self.in_optimizer, 0, self.count)

    def tape_values(self, data: np.ndarray) -> np.ndarray:
        """The tape's parameter values from the optimiser's: ``data`` itself when they are the same list."""
        if self._same:
            return data
        values = np.empty(self.count)
        values[self.in_optimizer] = data[self.from_optimizer]
        values[self.elsewhere] = [p.data for p in self.others]
        return values

    def optimizer_grads(self, tape_grads: np.ndarray) -> np.ndarray:
        """The optimiser's gradients from the tape's (0 for a parameter the tape does not read)."""
        if self._covers:
            return tape_grads[self.in_optimizer]
        grads = np.zeros(self.optimized)
        grads[self.from_optimizer] = tape_grads[self.in_optimizer]
        return grads


def _run(positions: list[int]) -> slice | np.ndarray:
    """Positions as a slice when they run one after another (indexing then makes no copy)."""
    if positions and positions == list(range(positions[0], positions[0] + len(positions))):
        return slice(positions[0], positions[0] + len(positions))
    return np.array(positions, dtype=np.intp)


def write_parameters(parameters: list[Value], data: np.ndarray, grads: np.ndarray) -> None:
    """Each parameter's ``.data`` and ``.grad`` from the arrays (in the optimiser's order)."""
    for parameter, number, grad in zip(parameters, data.tolist(), grads.tolist(), strict=True):
        parameter.data, parameter.grad = number, grad


def _is_run(positions: slice | np.ndarray, start: int, stop: int) -> bool:
    """Whether ``positions`` (from ``_run``) are exactly ``start:stop`` (an array of positions never is)."""
    return isinstance(positions, slice) and positions == slice(start, stop)
