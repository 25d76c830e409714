"""The replay's one lowering: sums of products ``Σₖ wₖ·xₖ (+ c)`` replayed as matrix products.

A product qualifies when one factor is a parameter (``w``, a leaf that is not an input: one
value for every row, such as a weight) and the other depends on the inputs (``x``, a value per
row), and the sum is its only user. A sum with qualifying products over at least two distinct
``x`` becomes a ``Products`` node (its qualifying products, as (w, x) pairs, and its bias ``c``
when its only other operand is a parameter), or a ``Products`` node plus a plain ``sum`` of it and
its other operands. Sums at one level reading the same ``x`` form a matrix ``W`` (one row per
sum, one column per ``x``); matrices of one shape at one level are stacked, and one
``numpy.matmul`` gives every sum for every row of a batch: ``Z = W @ X (+ c)``.

This is the identity ``Σₖ wₖ·xₖ``, not a new rule: its derivatives are the ops table's ``mul`` and
``sum`` rules composed. ``sum`` passes the upstream ``U`` to each product unchanged
(∂(Σ pₖ)/∂pₖ = 1) and ``mul`` multiplies it by the other factor (∂(w·x)/∂w = x, ∂(w·x)/∂x = w);
adding those contributions over the products and the rows is the two transposed matrix products
``dW = U @ Xᵀ`` and ``dX = Wᵀ @ U``. ``RULES_COMPOSE`` checks, on import, that the table's rules are
still these; if they ever change, nothing is lowered and every sum replays as before.
Graphs that do not match replay as before, and the eager engine, ``explain`` and the explorer
never see this rewrite.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Sequence

import numpy as np

from .ops import OPS
from .replay_scatter import Index, Scatter, rows
from .value import Value

NAME = "Σa·b"
_MUL, _SUM, _SUMMABLE = OPS["mul"], OPS["sum"], (OPS["add"], OPS["sum"])


def _rules_compose() -> bool:
    """True while mul's rule is (b, a) and sum's passes 1 to each operand (see the module)."""
    first, second = object(), object()
    mul_rule = _MUL.local_grads((first, second), None, None)
    sum_rule = _SUM.local_grads((first, second, first), None, None)
    return tuple(mul_rule) == (second, first) and tuple(sum_rule) == (1.0, 1.0, 1.0)


RULES_COMPOSE = _rules_compose()


@dataclass(frozen=True, eq=False)
class Products:
    """The qualifying products of one sum as (w, x) pairs, and its bias ``c`` when its only other
    operand is a parameter; ``columns`` are its distinct x in order."""

    pairs: tuple[tuple[Value, Value], ...]
    bias: Value | None = None

    @property
    def columns(self) -> tuple[Value, ...]:
        return tuple(dict.fromkeys(x for _, x in self.pairs))

    @property
    def factors(self) -> list[Value]:
        return list(chain.from_iterable(self.pairs)) + ([self.bias] if self.bias is not None else [])


Entry = tuple  # (node, op or Products, operands)


def lowered(kept: list[Entry], outputs: Sequence[Value], inputs: Sequence[Value]) -> list[Entry]:
    """``kept`` with each qualifying sum rewritten (see the module); everything else as it was."""
    if not RULES_COMPOSE:
        return kept
    varying = set(inputs)
    for node, _, operands in kept:
        if not varying.isdisjoint(operands):
            varying.add(node)
    uses = Counter(chain(outputs, chain.from_iterable(operands for _, _, operands in kept)))
    rewritten: dict[Value, list[Entry]] = {}
    absorbed: set[Value] = set()
    for node, op, operands in kept:
        if op not in _SUMMABLE:
            continue
        pairs, rest = [], []
        for operand in operands:
            pair = _pair(operand, varying) if uses[operand] == 1 else None
            (pairs if pair else rest).append(pair or operand)
        products = Products(tuple(pairs))
        if len(products.columns) < 2:
            continue
        absorbed.update(operand for operand in operands if operand not in rest)
        if len(rest) == 1 and not rest[0].parents and rest[0] not in varying:  # Σ w·x + c, c a parameter
            products, rest = Products(products.pairs, rest[0]), []
        if rest:
            partial = Value(0.0, NAME)  # a slot of the replay only: never part of the graph
            rewritten[node] = [(partial, products, products.factors), (node, _SUM, [partial, *rest])]
        else:
            rewritten[node] = [(node, products, products.factors)]
    return [entry for node, op, operands in kept if node not in absorbed
            for entry in rewritten.get(node, [(node, op, operands)])]


def _pair(operand: Value, varying: set[Value]) -> tuple[Value, Value] | None:
    """(w, x) for a product of a parameter w and a factor x that depends on the inputs, else None."""
    if operand.op is not _MUL:
        return None
    a, b = operand.parents
    w, x = (b, a) if a in varying else (a, b)
    return (w, x) if x in varying and not w.parents and w not in varying else None


class ProductGroup:
    """Stacked matrices of one shape at one level: ``blocks`` × (``sums`` × ``columns``).

    Its results fill slots ``start:stop`` block by block; ``x_rows`` are the columns' slots
    (block-major), ``w_rows`` each product's w in the plan's weight vector, in matrix order, ``cells`` their flat cell
    when several products share one (their w are added) or None when each cell has one product.
    """

    name = NAME
    varying = True

    def __init__(self, start: int, shape: tuple[int, int, int], x_rows: Index, w_rows: Index,
                 cells: np.ndarray | None, x_scatter: Scatter, w_scatter: Scatter, inputs_only: bool,
                 bias_rows: Index | None = None, bias_scatter: Scatter | None = None) -> None:
        self.start, self.stop = start, start + shape[0] * shape[1]
        self.shape, self.x_rows, self.w_rows, self.cells = shape, x_rows, w_rows, cells
        self.x_scatter, self.w_scatter = x_scatter, w_scatter
        self.bias_rows, self.bias_scatter = bias_rows, bias_scatter  # each sum's c in the weight vector
        self.inputs_only = inputs_only  # every column is an input: dX is only d output / d input

    @property
    def size(self) -> int:
        return self.stop - self.start

    def forward(self, values: np.ndarray, weights: np.ndarray, inputs: np.ndarray
                ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """``W @ X`` for every block and row: (results as slots × rows, (W, X) for the backward).

        ``inputs`` are the feed's columns (input × row): a group that reads only inputs reads them there.
        """
        blocks, sums, columns = self.shape
        batch = values.shape[1]
        source = inputs if self.inputs_only else values
        x = source[self.x_rows] if isinstance(self.x_rows, slice) else source.take(self.x_rows, axis=0)
        x = x[None] if blocks == 1 else x.reshape(blocks, columns, batch)
        w = weights[self.w_rows]
        if self.cells is not None:
            w = np.bincount(self.cells, w, blocks * sums * columns)
        w = w.reshape(blocks, sums, columns)
        result = (w[0] @ x[0] if blocks == 1 else np.matmul(w, x)).reshape(blocks * sums, batch)
        if self.bias_rows is not None:
            result += weights[self.bias_rows][:, None]
        return result, (w, x)

    def backward(self, saved: tuple[np.ndarray, np.ndarray], grads: np.ndarray, weight_grads: np.ndarray,
                 input_grads: bool = True) -> None:
        """sum's rule then mul's, over every product and row: ``dW = U @ Xᵀ`` and ``dX = Wᵀ @ U``."""
        w, x = saved
        blocks, sums, columns = self.shape
        upstream = grads[self.start:self.stop]
        if self.bias_rows is not None:  # sum's rule alone: ∂(… + c)/∂c = 1
            self.bias_scatter.add(weight_grads[:, None], upstream.sum(axis=1, keepdims=True))
        upstream = upstream.reshape(blocks, sums, -1)
        if blocks == 1:
            d_w = (upstream[0] @ x[0].T).reshape(-1)
        else:
            d_w = np.matmul(upstream, x.transpose(0, 2, 1)).reshape(-1)
        self.w_scatter.add(weight_grads[:, None], (d_w if self.cells is None else d_w[self.cells])[:, None])
        if input_grads or not self.inputs_only:
            d_x = w[0].T @ upstream[0] if blocks == 1 else np.matmul(w.transpose(0, 2, 1), upstream)
            self.x_scatter.add(grads, d_x.reshape(blocks * columns, -1))


def _cells(blocks: list[list[tuple[Value, Products]]]) -> tuple[np.ndarray, list[Value], list[Value]]:
    """Each product's flat cell in the stacked matrices, sorted; their w in that order; the biases."""
    columns = [block[0][1].columns for block in blocks]
    sums, width = len(blocks[0]), len(columns[0])
    cells, ws = [], []
    for number, (block, block_columns) in enumerate(zip(blocks, columns)):
        column_of = {x: k for k, x in enumerate(block_columns)}
        for j, (_, products) in enumerate(block):
            for w, x in products.pairs:
                cells.append((number * sums + j) * width + column_of[x])
                ws.append(w)
    order = np.argsort(np.array(cells, dtype=np.intp), kind="stable")
    biases = [products.bias for block in blocks for _, products in block if products.bias is not None]
    return np.array(cells, dtype=np.intp)[order], [ws[i] for i in order], biases


def matrix_weights(blocks: list[list[tuple[Value, Products]]]) -> list[Value]:
    """The parameters a group's matrices read, in the order it reads them (so they can sit in a row)."""
    _, ws, biases = _cells(blocks)
    return ws + biases


def product_group(blocks: list[list[tuple[Value, Products]]], slot: dict[Value, int], weight_of: dict[Value, int],
                  inputs: Sequence[Value]) -> ProductGroup:
    """The group of ``blocks`` (each: sums reading the same x, with their Products), slots assigned."""
    columns = [block[0][1].columns for block in blocks]
    shape = (len(blocks), len(blocks[0]), len(columns[0]))
    cells, ws, biases = _cells(blocks)
    w_slots = np.array([weight_of[w] for w in ws], dtype=np.intp)
    bias_slots = np.array([weight_of[c] for c in biases], dtype=np.intp)
    one_each = len(cells) == shape[0] * shape[1] * shape[2]  # every cell filled once, in order
    x_slots = np.array([slot[x] for x in chain.from_iterable(columns)], dtype=np.intp)
    inputs_only = set(inputs).issuperset(chain.from_iterable(columns))
    return ProductGroup(slot[blocks[0][0][0]], shape, rows(x_slots), rows(w_slots), None if one_each else cells,
                        Scatter(x_slots), Scatter(w_slots), inputs_only,
                        rows(bias_slots) if biases else None, Scatter(bias_slots) if biases else None)
