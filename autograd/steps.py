"""Backward steps: the backward pass as records, each node's local derivatives times its upstream gradient."""
from __future__ import annotations

from dataclasses import dataclass

from .conventions import argument_checks as check
from .graph import FLOATS, propagate
from .names import Names
from .ops import sends_nothing
from .value import Value, op_of, operand_data, require_value


def local_derivative(node: Value, index: int) -> float:
    """The ops table's local derivative ∂node/∂(its input ``index``), as a float."""
    require_value(node, "local_derivative: node")
    if node.is_leaf:
        raise ValueError("local_derivative: node must be computed by an op (a leaf has no local derivatives), "
                         f"got {check.shown(node)}")
    index = check.integer(index, "local_derivative: index", at_least=0, at_most=len(node.parents) - 1)
    return op_of(node).local_grads(operand_data(node.parents), node.data, FLOATS)[index]


@dataclass(frozen=True)
class Contribution:
    """What one backward step adds to one operand: local derivative × upstream gradient."""

    parent: Value
    index: int
    rule: str  # the ops table's formula, e.g. "∂(a·b)/∂a = b"
    formula: str  # in the nodes' names, e.g. "∂z⁽³⁾/∂w⁽³⁾ = a⁽²⁾"
    local: float
    added: float
    before: float  # the operand's gradient before this step (non-zero: a reused node, +=)
    after: float


@dataclass(frozen=True)
class Step:
    """One node visited by the backward pass, with what it sends to each operand."""

    node: Value
    upstream: float
    contributions: tuple[Contribution, ...]


def backward_steps(output: Value, names: Names | None = None) -> list[Step]:
    """The backward pass as records, in the order the engine visits nodes (``.grad`` untouched).

    Formulas use ``names`` (default ``autograd.Names(output)``), as explain and the drawing do.
    """
    require_value(output, "backward_steps: output")
    check.instance(names, "backward_steps: names", (Names, type(None)), "None or an autograd.Names")
    names = Names(output) if names is None else names
    steps: list[Step] = []

    def record(node, upstream, local, before):
        running = dict(zip(node.parents, before, strict=True))  # a reused operand receives twice: +=
        rules, texts = node.op.formulas, names.texts(node)
        contributions = []
        for index, (parent, derivative) in enumerate(zip(node.parents, local, strict=True)):
            if derivative is None:
                continue
            added = 0.0 if sends_nothing(node.op, derivative) else derivative * upstream  # as the engine adds
            previous, running[parent] = running[parent], running[parent] + added
            contributions.append(Contribution(
                parent, index, rules[min(index, len(rules) - 1)],
                f"{names.partial(node, parent)} = {texts[index]}",
                derivative, added, previous, running[parent]))
        steps.append(Step(node, upstream, tuple(contributions)))

    propagate(output, on_step=record)
    return steps
