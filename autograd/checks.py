"""Correctness tools: gradients checked against central differences."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from .conventions import argument_checks as check
from .graph import grad
from .modes import no_grad
from .value import Value, as_value, require_values

ATOL, RTOL = 1e-5, 1e-3  # gradcheck's agreement: |analytic − numerical| <= ATOL + RTOL·|numerical|


class GradcheckError(AssertionError):
    """The analytic gradient disagrees with the numerical one."""


def tolerance(numerical: float, atol: float = ATOL, rtol: float = RTOL) -> float:
    """How far an analytic gradient may be from ``numerical`` and still agree: atol + rtol·|numerical|."""
    return atol + rtol * abs(numerical)


def gradients_agree(analytic: float, numerical: float, atol: float = ATOL, rtol: float = RTOL) -> bool:
    """True when ``analytic`` is within ``tolerance(numerical)`` of ``numerical`` (gradcheck's test)."""
    analytic, numerical = check.real(analytic, "gradients_agree: analytic", finite=False), \
        check.real(numerical, "gradients_agree: numerical", finite=False)
    return abs(analytic - numerical) <= tolerance(numerical, *_tolerances(atol, rtol, "gradients_agree"))


def _tolerances(atol: object, rtol: object, where: str) -> tuple[float, float]:
    return check.real(atol, f"{where}: atol", at_least=0), check.real(rtol, f"{where}: rtol", at_least=0)


def _step(eps: object, where: str) -> float:
    """A central difference's step: a finite number > 0 (a step of 0 divides by zero)."""
    return check.real(eps, f"{where}: eps", above=0)


def central_differences(function: Callable[[list[float]], float], point: Sequence[float], eps: float = 1e-6,
                        indices: Sequence[int] | None = None) -> list[float]:
    """(f(x + ε·eᵢ) − f(x − ε·eᵢ)) / 2ε for each coordinate ``i`` of ``point`` (or those in ``indices``).

    ``function`` takes a list of floats; it is called on copies of ``point``, never on anything
    the caller holds, so nothing another thread could read is changed.
    """
    check.function(function, "central_differences: function")
    point = _numbers(point, "central_differences: point")
    eps = _step(eps, "central_differences")
    if indices is not None:
        indices = [check.integer(i, f"central_differences: indices[{n}]", at_least=0, at_most=len(point) - 1)
                   for n, i in enumerate(_sequence(indices, "central_differences: indices", "whole numbers"))]
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
    check.function(fn, "numerical_gradient: fn")
    inputs = require_values(inputs, "numerical_gradient: inputs")
    eps = _step(eps, "numerical_gradient")
    originals = [item.data for item in inputs]

    def at(point: list[float]) -> float:
        for item, number in zip(inputs, point, strict=True):
            item.data = number
        return _evaluate(fn, inputs)

    try:
        with no_grad():
            return central_differences(at, originals, eps)
    finally:
        for item, number in zip(inputs, originals, strict=True):
            item.data = number


def _sequence(items: object, name: str, of: str) -> list:
    if isinstance(items, (str, bytes, Value)) or not isinstance(items, Sequence):
        raise check.wrong_type(name, f"a sequence of {of}", items)
    return list(items)


def _numbers(items: object, name: str) -> list[float]:
    return [check.real(x, f"{name}[{i}]") for i, x in enumerate(_sequence(items, name, "numbers"))]


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
    check.function(fn, "gradcheck: fn")
    items = _sequence(inputs, "gradcheck: inputs", "Values or numbers")
    values = [as_value(x) if isinstance(x, Value) else Value(check.real(x, f"gradcheck: inputs[{i}]"))
              for i, x in enumerate(items)]
    eps = _step(eps, "gradcheck")
    atol, rtol = _tolerances(atol, rtol, "gradcheck")
    output = fn(*values)
    if not isinstance(output, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(output).__name__}")
    analytic = grad(output, values)
    numeric = numerical_gradient(fn, values, eps)
    excess = [abs(a - n) - tolerance(n, atol, rtol) for a, n in zip(analytic, numeric, strict=True)]
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
