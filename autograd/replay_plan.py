"""The compiling passes: a traced scalar graph becomes a plan of numbered slots and groups of same-op nodes.

``_rewritten`` flattens chains of additions used nowhere else into one n-ary ``sum``; ``lowered``
(``replay_products``) turns sums of weight × per-row value into matrix products; ``_families`` groups
the nodes of one op and arity at one level (the longest path from the leaves), so one vectorised line
computes a group for every row of a batch, once if it does not depend on the inputs; ``_layout`` and
``plan`` give every node a slot (a row of the value buffer: inputs, parameters, constants, then each
group's results in one contiguous range).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

import numpy as np

from .graph import constants_of, topological_order
from .names import MAX_OPERANDS, Names, name_of
from .ops import OPS, Op
from .replay_products import NAME as PRODUCTS
from .replay_products import Index, ProductGroup, Products, lowered, matrix_weights, rows
from .value import Value, op_of

_SUM = OPS["sum"]
_SUMMABLE = (OPS["add"], _SUM)


@dataclass(frozen=True, eq=False)
class Group:
    """Nodes of one op and arity at one level, replayed by one vectorised line of the op's rules."""

    op: Op
    start: int  # the group's results fill slots start:stop
    stop: int
    arity: int
    varying: bool  # depends on an input; otherwise the same for every row, evaluated once
    every_row: bool  # its results fill every row of the buffer (else the first only: no group reads the others)
    operands: np.ndarray  # operand slots, operand-major: entry i·size + j is operand i of node j

    @property
    def size(self) -> int:
        return self.stop - self.start

    @property
    def name(self) -> str:
        return self.op.name


@dataclass(frozen=True, eq=False)
class Plan:
    """Slots and groups of a traced graph. The first ``buffered`` parameters have slots after the inputs
    (filled in every column for the first ``broadcast``, else in the first only), then the ``constants``;
    the matrices read the other parameters by their position in ``parameters``."""

    inputs: tuple[Value, ...]
    copied: Index | None  # the inputs copied into their slots (the others are read only from the feed)
    parameters: tuple[Value, ...]
    buffered: int
    broadcast: int
    constants: np.ndarray
    groups: tuple[Group | ProductGroup, ...]
    outputs: tuple[int, ...]  # the outputs' slots
    slots: int
    titles: tuple[str, ...]  # each group as a learner reads it (``a⁽¹⁾ = σ(z⁽¹⁾) · 16 nodes · ∂σ(a)/∂a = …``)
    leaf_labels: tuple[str, ...]  # the labels of the inputs, buffered parameters and constants, slot by slot

    @property
    def constant_slots(self) -> slice:
        """The constants' slots: after the inputs' and the buffered parameters'."""
        first = len(self.inputs) + self.buffered
        return slice(first, first + len(self.constants))

    def only_constants(self, slots: np.ndarray) -> bool:
        """Whether ``slots`` are all constants' (their values are known when the program is printed)."""
        return self.constant_slots.start <= slots.min() and slots.max() < self.constant_slots.stop


class Family(NamedTuple):
    """The nodes one group replays: ``(node, op, operands)`` of one op and arity at one level, or, for
    ``products``, blocks of lowered sums reading the same x (``(node, Products)`` each)."""

    products: bool
    varying: bool  # depends on an input (a matrix product always does)
    members: list

    @property
    def nodes(self) -> list[Value]:
        """The nodes it computes, in slot order."""
        if self.products:
            return [node for block in self.members for node, _ in block]
        return [node for node, _, _ in self.members]


def _absorbed(order: list[Value], outputs: tuple[Value, ...]) -> set[Value]:
    """Additions and sums used exactly once, by another addition or sum: flattened into it."""
    uses = Counter(chain.from_iterable(node.parents for node in order))
    return {parent for node in order if node.op in _SUMMABLE for parent in node.parents
            if parent.op in _SUMMABLE and uses[parent] == 1 and parent not in outputs}


def _flattened(node: Value, absorbed: set[Value]) -> list[Value]:
    """The operands of ``node``'s tree of absorbed additions, left to right (iterative)."""
    operands, stack = [], list(reversed(node.parents))
    while stack:
        item = stack.pop()
        if item in absorbed:
            stack.extend(reversed(item.parents))
        else:
            operands.append(item)
    return operands


def _rewritten(order: list[Value], outputs: tuple[Value, ...]) -> list[tuple[Value, Op, Sequence[Value]]]:
    """Each computed node that is kept, with its op and operands after flattening additions (``_absorbed``)."""
    absorbed = _absorbed(order, outputs)
    kept: list[tuple[Value, Op, Sequence[Value]]] = []
    for node in order:
        if node.is_leaf or node in absorbed:
            continue
        if not absorbed.isdisjoint(node.parents):
            kept.append((node, _SUM, _flattened(node, absorbed)))
        else:
            kept.append((node, op_of(node), node.parents))
    return kept


def plan(outputs: tuple[Value, ...], inputs: tuple[Value, ...], slots: dict[Value, int] | None = None) -> Plan:
    """The replay plan of ``outputs`` with ``inputs`` as placeholders (see the module docstring); ``slots``,
    if given, receives each kept node's slot."""
    # each output's order lists parents first, so their first occurrences do too
    order = list(dict.fromkeys(chain.from_iterable(map(topological_order, outputs))))
    varying = set(inputs)  # the nodes that depend on an input: a value per row
    for node in order:
        if not varying.isdisjoint(node.parents) or (node.parents and not inputs):  # no inputs: one row
            varying.add(node)
    constant = constants_of(order).difference(outputs)  # numbers written in an expression, pow's exponents
    leaves = [node for node in order if node.is_leaf and node not in varying]  # not the inputs
    parameters = tuple(leaf for leaf in leaves if leaf not in constant)  # they get gradients
    constants = tuple(leaf for leaf in leaves if leaf in constant)
    kept = lowered(_rewritten(order, outputs), outputs, varying, set(parameters))
    families = _families(kept, varying)
    buffered, every_row, copied, in_matrices, alone = _layout(families, inputs, parameters, outputs)
    slot: dict[Value, int] = {node: i for i, node in enumerate(inputs + buffered + constants)}
    for family in families:
        for node in family.nodes:
            slot[node] = len(slot)
    if slots is not None:
        slots.update(slot)
    has_slot = set(buffered)  # built once: a penalty makes every weight a buffered parameter too
    parameters = buffered + tuple(p for p in in_matrices if p not in has_slot)
    position = {p: i for i, p in enumerate(parameters)}
    groups = tuple(ProductGroup(family.members, slot, position, inputs, alone) if family.products
                   else _group(family.members, slot, family.varying, every_row) for family in families)
    firsts = [family.nodes[0] for family in families]
    return Plan(inputs, copied, parameters, len(buffered),
                sum(p in every_row for p in buffered), np.array([c.data for c in constants], dtype=float), groups,
                tuple(slot[output] for output in outputs), len(slot),
                _titles(groups, firsts, outputs[0], order),
                tuple(leaf.label for leaf in inputs + buffered + constants))


def _layout(families: list[Family], inputs: tuple[Value, ...], parameters: tuple[Value, ...],
            outputs: tuple[Value, ...]) -> tuple:
    """Where the leaves live: (the parameters with slots: those read in every column first, matrix weights
    last in matrix order; the nodes read in every column; the inputs copied into V, which a plain group or
    a matrix over non-inputs reads there; the matrices' weights in order; no weight in two cells?)."""
    read, every_row, weights = set(outputs), set(outputs), []
    for family in families:
        if family.products:
            weights += matrix_weights(family.members)
            columns = set(chain.from_iterable(block[0][1].columns for block in family.members))
            if not columns.issubset(inputs):
                read |= columns
        else:
            operands = set(chain.from_iterable(operands for _, _, operands in family.members))
            read |= operands
            every_row |= operands if family.varying else set()
    in_matrices = list(dict.fromkeys(weights))
    matrix_order = {p: i for i, p in enumerate(in_matrices)}
    buffered = sorted((p for p in parameters if p in read or p not in matrix_order),
                      key=lambda p: (0, 0) if p in every_row else (1, matrix_order.get(p, -1)))
    copied = [i for i, x in enumerate(inputs) if x in read]
    return (tuple(buffered), every_row, rows(copied) if copied else None, in_matrices,
            len(weights) == len(in_matrices))


def _families(kept: list, varying: set[Value]) -> list[Family]:
    """The families in replay order, by (level, op, arity, varying); lowered sums in blocks reading one x."""
    level: dict[Value, int] = {}  # a leaf's is 0
    families: dict[tuple, list] = defaultdict(list)
    blocks: dict[tuple, list] = defaultdict(list)  # (level, the x they read, bias): sums forming one matrix
    for node, op, operands in kept:
        level[node] = depth = 1 + max(level.get(operand, 0) for operand in operands)
        if isinstance(op, Products):
            blocks[(depth, frozenset(op.columns), op.bias is not None)].append((node, op))
        else:
            families[(depth, op.name, len(operands), 0, node in varying)].append((node, op, operands))
    for (depth, columns, biased), block in blocks.items():
        families[(depth, PRODUCTS, len(block), len(columns), biased)].append(block)
    return [Family(key[1] == PRODUCTS, key[1] == PRODUCTS or key[-1], members)
            for key, members in sorted(families.items())]


def _group(members: list, slot: dict[Value, int], varying: bool, every_row: set[Value]) -> Group:
    """The group of a plain family's ``members``, its nodes' slots assigned."""
    op, arity = members[0][1], len(members[0][2])
    every_operand = chain.from_iterable(operands for _, _, operands in members)
    operand_slots = np.fromiter(map(slot.__getitem__, every_operand), np.intp, len(members) * arity)
    operand_slots = operand_slots.reshape(len(members), arity).T.ravel()
    start = slot[members[0][0]]
    filled = varying or any(node in every_row for node, _, _ in members)
    return Group(op, start, start + len(members), arity, varying, filled, operand_slots)


NAMED_NODES = 20_000  # graphs up to this size name their nodes as explain does (autograd.Names); larger, by name_of


def _titles(groups, firsts: list[Value], output: Value, order: list[Value]) -> tuple[str, ...]:
    """How each group reads in a comment of the program: its first node's name and expression, without the
    node's index when there are several (``a⁽¹⁾ = σ(z⁽¹⁾)``), the count, and the ops-table formula; nodes
    named as ``explain`` names them (up to ``NAMED_NODES`` nodes)."""
    name = Names(output, order).__getitem__ if len(order) <= NAMED_NODES else name_of
    titles = []
    for group, first in zip(groups, firsts, strict=True):
        if isinstance(group, ProductGroup):
            expression, formulas = "W·x + b" if group.biased else "W·x", OPS["sum"].formulas + OPS["mul"].formulas
        else:  # a long Σ is not written out (as Names does)
            shown = len(first.parents) <= MAX_OPERANDS
            expression = group.op.show([name(p) for p in first.parents]) if shown else f"Σ of {len(first.parents)}"
            formulas = group.op.formulas
        own = name(first)
        if group.size > 1:
            own, expression = _INDEX.sub("", own), _INDEX.sub("", expression)
        equation = own if own == expression else f"{own} = {expression}"
        titles.append(f"{equation} · {group.size} node{'s' if group.size > 1 else ''} · {'; '.join(formulas)}")
    return tuple(titles)


_INDEX = re.compile("[₀₁₂₃₄₅₆₇₈₉]+(?:,[₀₁₂₃₄₅₆₇₈₉]+)*")  # a node's index in its layer: ₀, ₁₂,₃
