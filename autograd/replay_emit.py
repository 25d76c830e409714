"""The code generator's last pass: each group printed as numpy source by running the op's rules over text.

A group is one assignment in the forward (``a1 = 1.0 / (1.0 + np.exp(-z1))``) and its gradient lines in
the backward (``G[810:826] += a1 * (1.0 - a1) * U``). ``V`` holds a value per slot and row, ``G`` a
gradient, ``P`` and ``dP`` the parameters and their gradients, ``F`` the feed's rows that matrix products
read in place. Every decision shows in the text: a result read by name or from ``V``, a gradient kept in
a name or added to ``G`` through a slice, an index or a scatter, relu's upstream selected where a > 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .ops import wrong_derivative_count
from .replay_products import ProductGroup, product_backward, product_forward, rows
from .replay_source import SOURCE, Expr, Operands, as_expr, comment

if TYPE_CHECKING:
    from .replay_program import Program

BLOCK_ARITY = 4  # a group with more operands (a long Σ) reads them as one block


@dataclass
class Emitter:
    """The text of the groups ``first:stop`` of the ``program`` (names, titles, what every chunk shares);
    ``checked``: with ``check`` lines (``detect_anomaly``); ``input_grads``: gradients for the inputs too."""

    program: Program
    first: int
    stop: int
    checked: bool = False
    input_grads: bool = True
    local: set = field(default_factory=set)  # groups whose gradient this backward keeps in a name, not in G
    leaves: dict = field(default_factory=dict)  # labelled leaves this chunk reads by name: name -> their row of V

    @property
    def names(self) -> list[str]:
        return self.program.names

    def constant(self, prefix: str, array: np.ndarray) -> str:
        """The name of ``array`` (an index, factors; for ``S`` a ``Scatter`` to those targets) in the program's
        namespace: one name for equal arrays in every chunk, variant and printing."""
        constants, key = self.program.constants, (prefix, array.dtype.str, array.shape, array.tobytes())
        if key not in constants:
            constants[key] = (f"{prefix}{len(constants)}", Scatter(array) if prefix == "S" else array)
        return constants[key][0]

    # --- reading values --------------------------------------------------------------
    def read(self, slots: np.ndarray, varying: bool) -> Expr:
        """The values of ``slots`` (one row per slot): a group's name when they are exactly its results in
        this chunk, else from V (the first column only for a group that is the same in every row)."""
        self.program.read_slots.append(slots)  # each read sends a gradient back: one alone may be kept in a name
        plan = self.program.plan
        if plan.only_constants(slots):  # their values: one number, or an array of them
            values = plan.constants[slots - plan.constant_slots.start]
            if (values == values[0]).all() and np.isfinite(values[0]):
                return as_expr(float(values[0]))
            return Expr(self.constant("K", values.reshape(-1, 1)))
        index = rows(slots)
        column = "" if varying else ", :1"
        if isinstance(index, slice):
            name = self.program.leaf_name(index.start, varying) if index.stop == index.start + 1 else None
            if name:  # a labelled input, parameter or constant
                self.leaves[name] = f"V[{index.start}:{index.stop}{column}]"
                return Expr(name)
            source = self.program.by_range.get((index.start, index.stop))
            if (source is not None and self.first <= source < self.stop  # a group of this chunk
                    and self.program.groups[source].varying == varying):
                return Expr(self.names[source])
        self.program.read_in_v[slots] = True  # the groups among them write V too
        if isinstance(index, slice):
            return Expr(f"V[{index.start}:{index.stop}{column}]")
        name = self.constant("I", index)
        return Expr(f"V.take({name}, axis=0)" if varying else f"V[{name}, :1]")

    def operands(self, number_: int, group) -> tuple[Operands, list[str]]:
        """The group's operands for its rules, and the lines that gather them."""
        slots = group.operands.reshape(group.arity, group.size)
        if group.arity > BLOCK_ARITY:
            block = f"O{number_}"
            line = f"{block} = {self.read(group.operands, group.varying).text}.reshape({group.arity}, {group.size}, -1)"
            operands = Operands(Expr(f"{block}[{i}]") for i in range(group.arity))
            operands.block = Expr(block)
            return operands, [line]
        return Operands([self.read(slots[i], group.varying) for i in range(group.arity)]), []

    # --- forward ---------------------------------------------------------------------
    def forward(self, number_: int, group) -> list[str]:
        """The group's forward lines (its operands are kept for its backward)."""
        if isinstance(group, ProductGroup):
            return product_forward(self, number_, group)
        operands, lines = self.operands(number_, group)
        self.program.operands[number_] = operands
        result = as_expr(group.op.forward(operands, SOURCE))
        lines.append(f"{self.names[number_]} = {result.text}  {comment(self.program.titles[number_])}")
        return lines + self.checks(number_, self.names[number_], "forward")

    def checks(self, number_: int, array: str, direction: str) -> list[str]:
        if not self.checked:
            return []
        group = self.program.groups[number_]
        return [f"check({array}, {group.name!r}, {group.size}, {direction!r})"]

    # --- backward --------------------------------------------------------------------
    def backward(self, number_: int, group) -> list[str]:
        """The group's gradient lines: its upstream, then each operand's local derivative × upstream."""
        if isinstance(group, ProductGroup):
            return product_backward(self, number_, group)
        receiving = self.receivers(group)
        if not receiving:
            return []
        lines, upstream = self.upstream(number_, group)
        numbers, first_column = group.op.numbers(group.arity), not group.varying
        if numbers is not None and len(receiving) > BLOCK_ARITY:  # a long Σ: one line for all its operands
            factors = np.array([numbers[i] for i in receiving], dtype=float).reshape(-1, 1, 1)
            contribution = Expr(f"({self.constant('K', factors)} * {upstream}).reshape(-1, {upstream}.shape[1])")
            return lines + self.add(np.concatenate(list(receiving.values())), contribution, first_column, number_)
        operands, result = self.program.operands[number_], Expr(self.names[number_])
        local = numbers or tuple(group.op.local_grads(operands, result, SOURCE))
        if len(local) != group.arity:
            raise wrong_derivative_count(group.op, len(local), group.arity)
        for i, slots in receiving.items():
            derivative = as_expr(local[i])
            if group.op.selects and derivative.condition:  # step(a) selects the upstream where a > 0 (relu)
                contribution = Expr(f"np.where({derivative.condition}, {upstream}, 0.0)")
            elif group.op.selects:  # abs: where the derivative is 0 nothing is sent, even from an infinite upstream
                lines.append(f"S = {derivative.text}")
                contribution = Expr("S") * Expr(f"np.where(S == 0, 0.0, {upstream})")
            else:
                contribution = derivative * Expr(upstream)
            lines += self.add(slots, contribution, first_column, number_)
        return lines

    def receivers(self, group) -> dict[int, np.ndarray]:
        """The operand positions a plain group's backward sends gradients to, with their slots: not an op's
        constant inputs, not constants only, not inputs only unless ``input_grads``."""
        slots, plan = group.operands.reshape(group.arity, group.size), self.program.plan
        return {i: slots[i] for i in range(group.arity)
                if i not in group.op.constant_inputs and not plan.only_constants(slots[i])
                and (self.input_grads or slots[i].max() >= len(plan.inputs))}  # the inputs' slots come first

    def upstream(self, number_: int, group, reshape: str = "") -> tuple[list[str], str]:
        """(the line naming the group's upstream gradient ``U``, reshaped by ``reshape``, and its name): none
        and ``d_<name>`` when this backward gave it a name, else its rows of G (summed over the rows for a
        group evaluated once)."""
        if number_ in self.local and not reshape:
            return [], f"d_{self.names[number_]}"
        title = comment("∂/∂" + self.program.heads[number_])
        grads = f"d_{self.names[number_]}" if number_ in self.local else f"G[{group.start}:{group.stop}]"
        if not group.varying:  # one value for all rows: its gradient sums over them (or is the first column's)
            grads = f"{grads}.sum(axis=1, keepdims=True)" if group.every_row else f"G[{group.start}:{group.stop}, :1]"
        return [f"U = {grads}{reshape}  {title}"], "U"

    def add(self, slots: np.ndarray, contribution: Expr, first_column: bool, number_: int) -> list[str]:
        """Lines adding ``contribution`` (a row per slot) to the gradients of ``slots``: into a local name when
        they are one group's results of this chunk and receive nothing else, else into G."""
        index = rows(slots)
        column = ", :1" if first_column else ""
        lines = []
        if self.checked:
            lines += [f"C = {contribution.text}", *self.checks(number_, "C", "backward")]
            contribution = Expr("C")
        if isinstance(index, slice):
            receiver = self.program.by_range.get((index.start, index.stop))
            if (receiver is not None and self.first <= receiver < self.stop and not first_column
                    and self.program.groups[receiver].varying
                    and (self.program.reads[index] == 1).all()):
                self.local.add(receiver)
                return [*lines, f"d_{self.names[receiver]} = {contribution.text}"]
            target = f"G[{index.start}:{index.stop}{column}]"
        elif len(np.unique(slots)) == len(slots):  # no target twice: a fancy-indexed += adds every row
            target = f"G[{self.constant('I', index)}{column}]"
        else:  # rows that share a target are summed first (np.bincount)
            scatter = self.constant("S", slots)
            return [*lines, f"{scatter}.add(G{'[:, :1]' if first_column else ''}, {contribution.text})"]
        if contribution.text.startswith("-") and contribution.precedence > 1 and contribution.text[1:].isidentifier():
            return [*lines, f"{target} -= {contribution.text[1:]}"]
        return [*lines, f"{target} += {contribution.text}"]


class Scatter:
    """Adds rows of contributions into ``grads[targets]``, the rows that share a target summed first by one
    ``np.bincount`` (far faster than ``np.add.at``): what the program calls where a group's targets repeat."""

    def __init__(self, targets: np.ndarray) -> None:
        unique, self._bin = np.unique(targets, return_inverse=True)  # each contribution's bin: 0, 1, …
        self._targets, self._count, self._bins = rows(unique), len(unique), (1, self._bin)

    def add(self, grads: np.ndarray, contributions: np.ndarray) -> None:
        batch, bins = contributions.shape[1], self._bins  # read once: a tape may be replayed from several threads
        if bins[0] != batch:
            bins = self._bins = (batch, (self._bin[:, None] * batch + np.arange(batch)).ravel())
        grads[self._targets] += np.bincount(bins[1], contributions.ravel(), self._count * batch).reshape(-1, batch)
