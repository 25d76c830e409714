"""Correctness tools: gradients checked against central differences."""
from __future__ import annotations

from typing import Callable, Sequence

from .graph import grad
from .modes import no_grad
from .value import Value


ATOL, RTOL = 1e-5, 1e-3  # gradcheck's agreement: |analytic − numerical| <= ATOL + RTOL·|numerical|


class GradcheckError(AssertionError):
    """The analytic gradient disagrees with the numerical one."""


def tolerance(numerical: float, atol: float = ATOL, rtol: float = RTOL) -> float:
    """How far an analytic gradient may be from ``numerical`` and still agree: atol + rtol·|numerical|."""
    return atol + rtol * abs(numerical)


def gradients_agree(analytic: float, numerical: float, atol: float = ATOL, rtol: float = RTOL) -> bool:
    """True when ``analytic`` is within ``tolerance(numerical)`` of ``numerical`` (gradcheck's test)."""
    return abs(analytic - numerical) <= tolerance(numerical, atol, rtol)


def central_differences(function: Callable[[list[float]], float], point: Sequence[float], eps: float = 1e-6,
                        indices: Sequence[int] | None = None) -> list[float]:
    """(f(x + ε·eᵢ) − f(x − ε·eᵢ)) / 2ε for each coordinate ``i`` of ``point`` (or those in ``indices``).

    ``function`` takes a list of floats; it is called on copies of ``point``, never on anything
    the caller holds, so nothing another thread could read is changed.
    """
    slopes = []
    for i in range(len(point)) if indices is None else indices:
        nudged = [float(x) for x in point]
        nudged[i] = point[i] + eps
        above = function(nudged)
        nudged[i] = point[i] - eps
        below = function(nudged)
        slopes.append((above - below) / (2 * eps))
    return slopes


def numerical_gradient(fn: Callable[..., Value], inputs: Sequence[Value], eps: float = 1e-6) -> list[float]:
    """Central differences of ``fn(*inputs)``, one slope per input, for ``gradcheck``.

    Each input's ``.data`` is nudged in turn and restored afterwards, because ``fn`` may read
    the inputs through a closure (a model's own parameters). A function of plain numbers that
    must leave every Value alone (another thread may read it) goes to ``central_differences``.
    """
    originals = [item.data for item in inputs]

    def at(point: list[float]) -> float:
        for item, number in zip(inputs, point):
            item.data = number
        return _evaluate(fn, inputs)

    try:
        with no_grad():
            return central_differences(at, originals, eps)
    finally:
        for item, number in zip(inputs, originals):
            item.data = number


def _evaluate(fn: Callable[..., Value], inputs: Sequence[Value]) -> float:
    result = fn(*inputs)
    if not isinstance(result, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(result).__name__}")
    return result.data


def gradcheck(fn: Callable[..., Value], inputs: Sequence[Value | float], eps: float = 1e-6,
              atol: float = ATOL, rtol: float = RTOL) -> bool:
    """True when ``grad(fn(*inputs))`` matches central differences within atol + rtol·|numerical|.

    Otherwise raises GradcheckError naming the worst input, both values and the tolerance.
    """
    values = [x if isinstance(x, Value) else Value(x) for x in inputs]
    output = fn(*values)
    if not isinstance(output, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(output).__name__}")
    analytic = grad(output, values)
    numeric = numerical_gradient(fn, values, eps)
    excess = [abs(a - n) - tolerance(n, atol, rtol) for a, n in zip(analytic, numeric)]
    worst = max(range(len(values)), key=lambda i: excess[i], default=None)
    if worst is not None and not excess[worst] <= 0:
        name = values[worst].label or "unlabelled"
        allowed = tolerance(numeric[worst], atol, rtol)
        raise GradcheckError(
            f"gradcheck failed for input {worst} ({name}, data={values[worst].data!r}): "
            f"analytic {analytic[worst]!r} vs numerical {numeric[worst]!r}, "
            f"|difference| {abs(analytic[worst] - numeric[worst]):.3g} > tolerance {allowed:.3g} "
            f"(atol={atol}, rtol={rtol})")
    return True
