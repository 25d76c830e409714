"""Reverse-mode differentiation over the recorded graph: order, backward, grad."""
from __future__ import annotations

import math
from typing import Callable, Sequence

from .modes import check_finite, enable_grad, state
from .value import Value, as_value


class _Floats:
    """The rules' math over floats: NaN/inf where the derivative does not exist."""

    @staticmethod
    def log(a: float) -> float:
        return math.log(a) if a > 0 else (-math.inf if a == 0 else math.nan)

    @staticmethod
    def step(a: float) -> float:
        return 1.0 if a > 0 else 0.0

    @staticmethod
    def pow(a: float, b: float) -> float:
        try:
            return math.pow(a, b)
        except OverflowError:
            return math.inf
        except (ValueError, ZeroDivisionError):
            return math.inf if a == 0 else math.nan


class _Values:
    """The rules' math over Values, so that derivatives are graphs too (``create_graph``)."""

    @staticmethod
    def log(a: Value) -> Value:
        return as_value(a).log()

    @staticmethod
    def step(a: Value) -> float:
        return 1.0 if a.data > 0 else 0.0

    @staticmethod
    def pow(a: Value, b: object) -> Value:
        return a ** b


FLOATS, VALUES = _Floats(), _Values()

# on_step(node, upstream, local_grads, grads_before, grads_after), one call per visited node
StepHook = Callable[[Value, object, tuple, list, list], None]


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after its parents (iterative: no recursion limit)."""
    order: list[Value] = []
    seen = {root}
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _operands(node: Value, as_values: bool) -> tuple[list, object]:
    if not as_values:
        return [p.data for p in node.parents], node.data
    constant = node.op.constant_inputs
    return [p.data if i in constant else p for i, p in enumerate(node.parents)], node


def propagate(output: Value, as_values: bool = False, on_step: StepHook | None = None) -> dict:
    """Gradients of ``output`` with respect to every node it depends on, keyed by node.

    The one place where local derivatives from the ops table are multiplied by the upstream
    gradient and accumulated. ``as_values`` evaluates the rules on Values (for higher order).
    """
    order = topological_order(output)
    math_ns = VALUES if as_values else FLOATS
    grads: dict = {output: _one(as_values)}
    for node in reversed(order):
        parents = node.parents
        if not parents or node not in grads:
            continue
        upstream = grads[node]
        inputs, out = _operands(node, as_values)
        local = node.op.local_grads(inputs, out, math_ns)
        before = [grads.get(p, 0.0) for p in parents] if on_step else None
        for parent, derivative in zip(parents, local, strict=True):
            if derivative is None:
                continue
            contribution = derivative * upstream
            if state.detecting:
                check_finite(_number(contribution), f"backward of op '{node.op.name}' "
                             f"into operand {parent.label or 'unlabelled'}={parent.data!r}")
            grads[parent] = grads[parent] + contribution if parent in grads else contribution
        if on_step:
            on_step(node, upstream, local, before, [grads.get(p, 0.0) for p in parents])
    return grads


def _one(as_values: bool):
    return Value(1.0) if as_values else 1.0


def _number(x) -> float:
    return x.data if isinstance(x, Value) else x


def backward(output: Value) -> None:
    """Set ``.grad`` of interior nodes for this pass; accumulate into leaves until zero_grad."""
    grads = propagate(output)
    for node, gradient in grads.items():
        if node.parents:
            node.grad = gradient
        else:
            node.grad += gradient


def grad(output: Value, inputs: Sequence[Value] | Value, create_graph: bool = False) -> tuple:
    """d output / d input for each input, without touching ``.grad``.

    With ``create_graph=True`` the gradients are Values whose graph can be differentiated
    again (any order); otherwise they are floats. Inputs ``output`` does not depend on get 0.
    """
    wanted = [inputs] if isinstance(inputs, Value) else list(inputs)
    for position, item in enumerate(wanted):
        if not isinstance(item, Value):
            raise TypeError(f"grad() inputs must be Values, got {type(item).__name__} at position {position}")
    if create_graph:
        with enable_grad():
            grads = propagate(output, as_values=True)
        zero = Value(0.0)
    else:
        grads, zero = propagate(output), 0.0
    return tuple(grads.get(item, zero) for item in wanted)
