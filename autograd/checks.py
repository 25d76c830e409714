"""Correctness tools: gradients checked against central differences."""
from __future__ import annotations

from typing import Callable, Sequence

from .graph import grad
from .modes import no_grad
from .value import Value


class GradcheckError(AssertionError):
    """The analytic gradient disagrees with the numerical one."""


def numerical_gradient(fn: Callable[..., Value], inputs: Sequence[Value], eps: float = 1e-6) -> list[float]:
    """Central differences (f(x+ε) − f(x−ε)) / 2ε for each input, restoring every ``.data``."""
    slopes = []
    with no_grad():
        for item in inputs:
            original = item.data
            try:
                item.data = original + eps
                above = _evaluate(fn, inputs)
                item.data = original - eps
                below = _evaluate(fn, inputs)
            finally:
                item.data = original
            slopes.append((above - below) / (2 * eps))
    return slopes


def _evaluate(fn: Callable[..., Value], inputs: Sequence[Value]) -> float:
    result = fn(*inputs)
    if not isinstance(result, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(result).__name__}")
    return result.data


def gradcheck(fn: Callable[..., Value], inputs: Sequence[Value | float], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """True when ``grad(fn(*inputs))`` matches central differences within atol + rtol·|numerical|.

    Otherwise raises GradcheckError naming the worst input, both values and the tolerance.
    """
    values = [x if isinstance(x, Value) else Value(x) for x in inputs]
    output = fn(*values)
    if not isinstance(output, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(output).__name__}")
    analytic = grad(output, values)
    numeric = numerical_gradient(fn, values, eps)
    excess = [abs(a - n) - (atol + rtol * abs(n)) for a, n in zip(analytic, numeric)]
    worst = max(range(len(values)), key=lambda i: excess[i], default=None)
    if worst is not None and not excess[worst] <= 0:
        name = values[worst].label or "unlabelled"
        tolerance = atol + rtol * abs(numeric[worst])
        raise GradcheckError(
            f"gradcheck failed for input {worst} ({name}, data={values[worst].data!r}): "
            f"analytic {analytic[worst]!r} vs numerical {numeric[worst]!r}, "
            f"|difference| {abs(analytic[worst] - numeric[worst]):.3g} > tolerance {tolerance:.3g} "
            f"(atol={atol}, rtol={rtol})")
    return True
