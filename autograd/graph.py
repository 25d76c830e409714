"""Reverse-mode differentiation over the recorded graph: order, backward, grad."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NoReturn

from .conventions import argument_checks as check
from .modes import check_finite, enable_grad
from .modes import current as current_mode
from .ops import OPS, ieee_power, sends_nothing, wrong_derivative_count
from .value import Literal, Value, as_value, op_of, operand_data, record, require_value, require_values


class _Floats:
    """The rules' math over floats: NaN/inf where the derivative does not exist."""

    @staticmethod
    def log(a: float) -> float:
        return math.log(a) if a > 0 else (-math.inf if a == 0 else math.nan)

    @staticmethod
    def step(a: float) -> float:
        return 1.0 if a > 0 else 0.0

    pow = staticmethod(ieee_power)


class _Values:
    """The rules' math over Values, so that derivatives are graphs too (``create_graph``).

    Where the float rules give NaN or ±inf (a derivative that does not exist, such as ln 0),
    the result is that number, the same answer as ``_Floats``, no error: a power stays a recorded node
    (its own derivative is then ±inf or NaN too, never a silent 0), a logarithm a constant.
    """

    @staticmethod
    def log(a: Value) -> Value:
        a = as_value(a)
        return a.log() if a.data > 0 else as_value(FLOATS.log(a.data))

    @staticmethod
    def step(a: Value) -> float:
        return 1.0 if a.data > 0 else 0.0

    @staticmethod
    def pow(a: Value, b: Value | float) -> Value:
        try:
            return a ** b
        except (ValueError, ZeroDivisionError):
            op = OPS["pow_value"] if isinstance(b, Value) else OPS["pow"]
            return record(op, (a, as_value(b)), FLOATS.pow(a.data, b.data if isinstance(b, Value) else b))


FLOATS, VALUES = _Floats(), _Values()

# on_step(node, upstream, local_grads, operand_grads_before), called as each node is visited,
# before its contributions are added (backward_steps derives each edge's before/after from it)
StepHook = Callable[[Value, object, tuple, list], None]


_RECURSION_BUDGET = 100  # levels walked by recursion (fastest); deeper parts continue on a stack


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after its parents, operands in order (depth-first).

    Shallow parts are walked recursively; below ``_RECURSION_BUDGET`` levels the same walk goes
    on with an explicit stack, so a chain of any depth is ordered without RecursionError, whatever
    the depth of the caller's own stack. A cycle (``parents`` edited by hand so that a node depends on
    itself) is a ValueError naming a node on it: no order exists.
    """
    require_value(root, "topological_order: root")
    order: list[Value] = []
    placed: dict[Value, bool] = {}  # every node seen: False while its parents are walked, True once placed
    place = order.append

    def visit(node: Value, depth: int) -> None:
        placed[node] = False
        for parent in node.parents:
            if parent not in placed:
                if depth < _RECURSION_BUDGET:
                    visit(parent, depth + 1)
                else:
                    _visit_on_a_stack(parent, placed, order)
            elif not placed[parent]:  # seen but not placed: an ancestor of this node
                raise _cycle(parent)
        placed[node] = True
        place(node)

    try:
        visit(root, 0)
    except RecursionError:  # the caller's own stack was nearly full: walk on the explicit stack only
        order.clear()
        placed.clear()
        _visit_on_a_stack(root, placed, order)
    return order


def _cycle(node: Value) -> ValueError:
    return ValueError(f"the graph has a cycle: {node.label or 'an unlabelled node'} (data={node.data!r}) "
                      f"depends on itself, so it cannot be differentiated; a node's parents were edited by hand")


def _visit_on_a_stack(start: Value, placed: dict[Value, bool], order: list[Value]) -> None:
    """``topological_order``'s walk from ``start`` without recursion (for deep graphs)."""
    stack: list[Value | None] = [start]  # holds no per-node tuples: deep graphs stay cheap for the GC
    push, pop, place = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        if node is None:  # a marker: the node below it has all its parents placed
            node = pop()
            assert node is not None  # a marker is pushed right above its node
            placed[node] = True
            place(node)
        elif node not in placed:
            placed[node] = False
            push(node)
            push(None)
            for parent in reversed(node.parents):  # reversed: the first operand is placed first
                if parent not in placed:
                    push(parent)
                elif not placed[parent]:  # seen but not placed: an ancestor of this node
                    raise _cycle(parent)


def constant_leaves(order: Sequence[Value]) -> set[Value]:
    """Leaves used only where an op takes a constant (``pow``'s exponent): never differentiated."""
    as_constant: set[Value] = set()
    as_operand: set[Value] = set()
    for node in require_values(order, "constant_leaves: order"):
        if node.parents:
            constant = op_of(node).constant_inputs
            for index, parent in enumerate(node.parents):
                (as_constant if index in constant else as_operand).add(parent)
    return as_constant - as_operand


def constants_of(order: Sequence[Value]) -> set[Value]:
    """The leaves a reader sees as constants: ``constant_leaves`` and the numbers written in an expression
    (``Literal`` leaves: the 1 of ``1 - y``). The eager engine still gives the numbers a ``.grad``."""
    return constant_leaves(order) | {node for node in order if type(node) is Literal}


def _value_operands(node: Value) -> list:
    """The operands a rule sees under ``create_graph``: Values, except constant inputs as floats."""
    constant = op_of(node).constant_inputs
    return [p.data if i in constant else p for i, p in enumerate(node.parents)]


def _accumulate(order: list[Value], grads: dict, as_values: bool = False, on_step: StepHook | None = None) -> None:
    """Walk ``order`` backwards, adding local derivative × upstream gradient into ``grads[operand]``.

    The one place where the ops table's local derivatives meet the upstream gradient, kept in
    the caller's mapping (node -> gradient), never in ``.grad``. The caller seeds the output and
    starts the other nodes at 0.0, or leaves them out where gradients are Values (``as_values``:
    rules run on Values, so gradients can be differentiated again). Checks every contribution
    under ``detect_anomaly``.
    """
    detecting = current_mode().detecting
    for node in reversed(order):
        parents = node.parents
        upstream = grads.get(node)
        if not parents or upstream is None:
            continue
        op = node.op
        assert op is not None  # a node with operands was computed by an op
        if as_values:
            local = op.local_grads(_value_operands(node), node, VALUES)
        else:
            local = op.local_grads(operand_data(parents), node.data, FLOATS)
        if len(local) != len(parents):
            _wrong_count(node, local)
        if on_step:
            on_step(node, upstream, local, [grads.get(p) or 0.0 for p in parents])
        for parent, derivative in zip(parents, local, strict=False):  # checked above, naming the op; hot loop
            if sends_nothing(op, derivative):
                continue
            contribution = derivative * upstream
            if detecting:
                check_finite(_unwrapped(contribution), f"backward of op '{op.name}' "
                             f"into operand {parent.label or 'unlabelled'}={parent.data!r}")
            before = grads.get(parent)
            grads[parent] = contribution if before is None else before + contribution  # no "0 + g" node


def _float_pass(order: list[Value]) -> None:
    """``backward``'s walk on floats straight into ``.grad``, unrolled for two operands (most nodes).

    The engine's hot loop: the same arithmetic as ``_accumulate`` without a mapping or checks.
    """
    floats = FLOATS
    for node in reversed(order):
        parents = node.parents
        if not parents:
            continue
        op = node.op
        assert op is not None  # a node with operands was computed by an op
        upstream = node.grad
        if len(parents) == 2:
            a, b = parents
            local = op.local_grads((a.data, b.data), node.data, floats)
            try:
                da, db = local
            except ValueError:
                _wrong_count(node, local)
            if da is not None:
                a.grad += da * upstream
            if db is not None:
                b.grad += db * upstream
        else:
            local = op.local_grads(operand_data(parents), node.data, floats)
            if len(local) != len(parents):
                _wrong_count(node, local)
            for parent, derivative in zip(parents, local, strict=False):  # checked above, naming the op; hot loop
                if derivative is not None and (derivative or not op.selects):  # not sends_nothing, inlined
                    parent.grad += derivative * upstream


def _wrong_count(node: Value, local: tuple) -> NoReturn:
    raise wrong_derivative_count(op_of(node), len(local), len(node.parents))


def _unwrapped(x) -> float:
    """A gradient as a float: a Value's ``.data``, a float as it is."""
    return x.data if isinstance(x, Value) else x


def backward(output: Value) -> None:
    """Set ``.grad`` of interior nodes for this pass; accumulate into leaves until zero_grad."""
    order = topological_order(require_value(output, "backward: output"))
    if current_mode().detecting:  # checked on a mapping: an anomaly leaves every .grad as it was
        grads = {node: node.grad if node.is_leaf else 0.0 for node in order}
        grads[output] += 1.0
        _accumulate(order, grads)
        for node, gradient in grads.items():
            node.grad = gradient
        return
    for node in order:
        if node.parents:  # not is_leaf: the hot path tests the tuple it reads anyway
            node.grad = 0.0
    output.grad += 1.0
    _float_pass(order)


def propagate(output: Value, as_values: bool = False, on_step: StepHook | None = None) -> dict:
    """Gradients of ``output`` with respect to every node it depends on, keyed by node.

    Kept in a mapping of its own: no node's ``.grad`` is read or written, so another thread
    reading ``.grad`` meanwhile sees only what ``backward`` put there.
    """
    order = topological_order(output)
    grads: dict[Value, Value | float]
    if as_values:
        grads = {output: Value(1.0)}
    else:
        grads = dict.fromkeys(order, 0.0)
        grads[output] = 1.0
    _accumulate(order, grads, as_values, on_step)
    return grads


def grad(output: Value, inputs: Sequence[Value] | Value, create_graph: bool = False) -> tuple:
    """d output / d input for each input, without touching ``.grad``.

    With ``create_graph=True`` the gradients are Values whose graph can be differentiated
    again (any order); otherwise they are floats. Inputs ``output`` does not depend on get 0.
    """
    require_value(output, "grad: output")
    wanted = [inputs] if isinstance(inputs, Value) else require_values(inputs, "grad: inputs")
    check.flag(create_graph, "grad: create_graph")
    if create_graph:
        with enable_grad():
            grads = propagate(output, as_values=True)
        zero: Value | float = Value(0.0)
    else:
        grads, zero = propagate(output), 0.0
    return tuple(grads.get(item, zero) for item in wanted)
