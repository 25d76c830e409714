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

# on_step(node, upstream, local_grads, grads_before, grads_after), one call per visited node;
# before/after are per input, as this node's edge into it found and left the gradient
StepHook = Callable[[Value, object, tuple, list, list], None]


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after its parents (iterative: no recursion limit)."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]  # holds no per-node tuples: deep graphs stay cheap for the GC
    while stack:
        node = stack.pop()
        if node is None:  # a marker: the node below it has all its parents placed
            order.append(stack.pop())
        elif node not in seen:
            seen.add(node)
            stack.append(node)
            stack.append(None)
            for parent in reversed(node.parents):  # reversed: the first operand is placed first
                if parent not in seen:  # a seen parent is already placed (a graph has no cycles)
                    stack.append(parent)
    return order


def _value_operands(node: Value) -> list:
    """The operands a rule sees under ``create_graph``: Values, except constant inputs as floats."""
    constant = node.op.constant_inputs
    return [p.data if i in constant else p for i, p in enumerate(node.parents)]


def propagate(output: Value, as_values: bool = False, on_step: StepHook | None = None) -> dict:
    """Gradients of ``output`` with respect to every node it depends on, keyed by node.

    The one place where local derivatives from the ops table are multiplied by the upstream
    gradient and accumulated. ``as_values`` evaluates the rules on Values (for higher order).
    """
    math_ns = VALUES if as_values else FLOATS
    detecting = state.detecting
    grads: dict = {output: _one(as_values)}
    for node in reversed(topological_order(output)):
        parents = node.parents
        upstream = grads.get(node)
        if upstream is None or not parents:
            continue
        if as_values:
            local = node.op.local_grads(_value_operands(node), node, math_ns)
        else:
            local = node.op.local_grads([p.data for p in parents], node.data, math_ns)
        if len(local) != len(parents):
            raise TypeError(f"op '{node.op.name}': local_grads returned {len(local)} derivatives "
                            f"for {len(parents)} inputs")
        trail = [] if on_step else None  # each edge's (before, after): a reused parent has two
        for index, parent in enumerate(parents):
            derivative = local[index]
            previous = grads.get(parent)
            if derivative is not None:
                contribution = derivative * upstream
                if detecting:
                    check_finite(_number(contribution), f"backward of op '{node.op.name}' "
                                 f"into operand {parent.label or 'unlabelled'}={parent.data!r}")
                grads[parent] = contribution if previous is None else previous + contribution
            if trail is not None:
                trail.append((0.0 if previous is None else previous, grads.get(parent, 0.0)))
        if on_step:
            on_step(node, upstream, local, [b for b, _ in trail], [a for _, a in trail])
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
