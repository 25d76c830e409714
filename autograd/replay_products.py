"""The replay's one lowering: sums of products ``Σₖ wₖ·xₖ (+ c)`` replayed as matrix products.

A product qualifies when one factor is a parameter (``w``: one value for every row) and the other depends
on the inputs (``x``: a value per row), the sum is its only user, and no earlier product of the sum has the
same ``x``. A sum with such products over two ``x`` or more becomes a ``Products`` node (plus a plain ``sum``
of it and its other operands, unless the only other one is a parameter, its bias ``c``). Sums at one level
reading the same ``x`` form a matrix ``W``, matrices of one shape at one level are stacked, and one matmul
gives every sum for every row: ``Z = W @ X (+ c)``. Backward, the ops table's ``sum`` rule (∂/∂pₖ = 1, the
declared ``constant_grads``) and ``mul`` rule (the declared ``product``: ∂(w·x)/∂w = x, ∂/∂x = w) compose
into ``dW = U @ Xᵀ`` and ``dX = Wᵀ @ U``; without those declarations nothing is lowered.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from .ops import OPS
from .replay_source import Expr, comment
from .value import Value

NAME = "Σa·b"
_MUL, _SUM, _SUMMABLE = OPS["mul"], OPS["sum"], (OPS["add"], OPS["sum"])


RULES_COMPOSE = _MUL.product and _SUM.constant_grads == (1.0,)  # the ops table's declared facts (see the module)


@dataclass(frozen=True, eq=False)
class Products:
    """The qualifying products of one sum as (w, x) pairs, and its bias ``c`` when its only other
    operand is a parameter; ``columns`` are its distinct x in order."""

    pairs: tuple[tuple[Value, Value], ...]
    bias: Value | None = None

    @property
    def columns(self) -> tuple[Value, ...]:
        return tuple(x for _, x in self.pairs)  # one product per x (``lowered``)

    @property
    def factors(self) -> list[Value]:
        return list(chain.from_iterable(self.pairs)) + ([self.bias] if self.bias is not None else [])


Entry = tuple  # (node, op or Products, operands)
Index = slice | np.ndarray  # rows of a buffer: a slice when they are contiguous, else their numbers


def rows(slots: Sequence[int] | np.ndarray) -> Index:
    """``slots`` as a slice when they are consecutive (a view, no copy), else as an index array."""
    slots = np.asarray(slots, dtype=np.intp)
    count = len(slots)
    if count and int(slots[-1]) - int(slots[0]) == count - 1 and (count < 3 or (np.diff(slots) == 1).all()):
        return slice(int(slots[0]), int(slots[0]) + count)
    return slots


def lowered(kept: list[Entry], outputs: Sequence[Value], varying: set[Value], parameters: set[Value]) -> list[Entry]:
    """``kept`` with each qualifying sum rewritten (see the module); everything else as it was. ``varying``:
    the nodes that depend on an input; ``parameters``: the leaves that get gradients (not constants)."""
    if not RULES_COMPOSE:
        return kept
    uses = Counter(chain(outputs, chain.from_iterable(operands for _, _, operands in kept)))
    rewritten: dict[Value, list[Entry]] = {}
    absorbed: set[Value] = set()
    for node, op, operands in kept:
        if op not in _SUMMABLE:
            continue
        pairs, rest, seen = [], [], set()
        for operand in operands:
            pair = _pair(operand, varying, parameters) if uses[operand] == 1 else None
            if pair and pair[1] not in seen:  # one product per x: each cell of the matrix holds one weight
                seen.add(pair[1])
                pairs.append(pair)
            else:
                rest.append(operand)
        products = Products(tuple(pairs))
        if len(products.columns) < 2:
            continue
        absorbed.update(operand for operand in operands if operand not in rest)
        if len(rest) == 1 and rest[0] in parameters:  # Σ w·x + c, c a parameter
            products, rest = Products(products.pairs, rest[0]), []
        if rest:
            partial = Value(0.0, NAME)  # a slot of the replay only: never part of the graph
            rewritten[node] = [(partial, products, products.factors), (node, _SUM, [partial, *rest])]
        else:
            rewritten[node] = [(node, products, products.factors)]
    return [entry for node, op, operands in kept if node not in absorbed
            for entry in rewritten.get(node, [(node, op, operands)])]


def _pair(operand: Value, varying: set[Value], parameters: set[Value]) -> tuple[Value, Value] | None:
    """(w, x) for a product of a parameter w and a factor x that depends on the inputs, else None."""
    if operand.op is not _MUL:
        return None
    a, b = operand.parents
    w, x = (b, a) if a in varying else (a, b)
    return (w, x) if x in varying and w in parameters else None


class ProductGroup:
    """Stacked matrices of one shape at one level: ``blocks`` × (``sums`` × ``columns``).

    Its results fill slots ``start:stop`` block by block; ``operand_slots`` are the columns' slots
    (block-major, ``x_rows`` as an index). ``entries`` are the positions of its parameters among the
    plan's, row by row: each sum's products in column order, then its bias (so that a layer's weights
    and biases lie in the model's own order, and ``P[entries]`` is the matrix ``[W | c]`` itself).
    """

    name = NAME
    varying = every_row = True

    def __init__(self, blocks: list[list[tuple[Value, Products]]], slot: dict[Value, int],
                 position: dict[Value, int], inputs: Sequence[Value], alone: bool) -> None:
        """The group of ``blocks`` (each: sums reading the same x, with their Products), slots assigned;
        ``position``: each parameter's in the plan's; ``alone``: no weight is read by two cells."""
        columns = [block[0][1].columns for block in blocks]
        self.shape = (len(blocks), len(blocks[0]), len(columns[0]))
        self.start = slot[blocks[0][0][0]]
        self.stop = self.start + self.shape[0] * self.shape[1]
        self.biased = blocks[0][0][1].bias is not None
        self.entries = rows([position[p] for p in matrix_weights(blocks)])
        self.operand_slots = np.array([slot[x] for x in chain.from_iterable(columns)], dtype=np.intp)
        self.x_rows = rows(self.operand_slots)
        self.inputs_only = set(inputs).issuperset(chain.from_iterable(columns))  # dX is then d output / d input only
        self.in_place = alone and isinstance(self.entries, slice)  # dW may be written straight into dP[entries]

    @property
    def size(self) -> int:
        return self.stop - self.start


def matrix_weights(blocks: list[list[tuple[Value, Products]]]) -> list[Value]:
    """The parameters of a group's stacked matrices row by row: each sum's products in the order of its
    block's columns, then its bias (the order the group reads them in, so they can sit in a row)."""
    entries = []
    for block in blocks:
        for _, products in block:
            weight_of = {x: w for w, x in products.pairs}
            bias = [products.bias] if products.bias is not None else []
            entries += [weight_of[x] for x in block[0][1].columns] + bias
    return entries


def _matrix(emitter, group: ProductGroup, array: str) -> tuple[str, str, str]:
    """(``array``'s entries of ``[W | c]``, them reshaped as the stacked matrices, the index's leading axes)."""
    blocks, sums, columns = group.shape
    entries = group.entries
    at = (f"{array}[{entries.start}:{entries.stop}]" if isinstance(entries, slice)
          else f"{array}[{emitter.constant('E', entries)}]")
    shape = f"{sums}, " if blocks == 1 else f"{blocks}, {sums}, "
    return at, f"{at}.reshape({shape}{columns + group.biased})", ":, " if blocks == 1 else "..., "


def product_forward(emitter, number_: int, group: ProductGroup) -> list[str]:
    """``z = W @ X + c`` for every block and row (X: the feed's rows, read in place, for inputs only)."""
    blocks, sums, columns = group.shape
    name, weights = emitter.names[number_], f"W_{emitter.names[number_]}"
    x = (f"F{emitter.program.feed_index[number_]}" if group.inputs_only
         else emitter.read(group.operand_slots, True).text)
    lines = []
    if blocks > 1 or not x.isidentifier():  # else a group's results by name, or one of the feed's
        lines.append(f"X_{name} = {x}" + ("" if blocks == 1 else f".reshape({blocks}, {columns}, -1)"))
        x = f"X_{name}"
    emitter.program.x_names[number_] = x
    _, matrix, cut = _matrix(emitter, group, "P")
    lines.append(f"{weights} = {matrix}")
    w = f"{weights}[{cut}:{columns}]" if group.biased else weights
    # (Xᵀ Wᵀ)ᵀ: the batch-major product BLAS runs fastest on the feed
    total = f"({x}.T @ {w}.T).T" if blocks == 1 and group.inputs_only else f"{w} @ {x}"
    total += f" + {weights}[{cut}{columns}:]" if group.biased else ""
    if blocks > 1:
        total = f"({total}).reshape({blocks * sums}, -1)"
    lines.append(f"{name} = {total}  {comment(emitter.program.titles[number_])}")
    return lines + emitter.checks(number_, name, "forward")


def product_backward(emitter, number_: int, group: ProductGroup) -> list[str]:
    """sum's rule then mul's over every product and row: dW = U @ Xᵀ, dX = Wᵀ @ U, dc = U summed."""
    blocks, sums, columns = group.shape
    t = ".T" if blocks == 1 else ".transpose(0, 2, 1)"
    lines, upstream = emitter.upstream(number_, group, "" if blocks == 1 else f".reshape({blocks}, {sums}, -1)")
    at, matrix, cut = _matrix(emitter, group, "dP")
    w_part = f"[{cut}:{columns}]" if group.biased else ""
    if group.in_place:  # [W | c] is a run of dP no other cell adds to: dW is written there
        lines += [f"dW = {matrix}", f"np.matmul({upstream}, {emitter.program.x_names[number_]}{t}, "
                  f"out=dW{w_part})"]
        if group.biased:
            lines.append(f"np.add.reduce({upstream}, axis={1 if blocks == 1 else 2}, out=dW[{cut}{columns}])")
    else:  # [dW | dc] added at the entries (np.add.at sums where a weight sits in several cells)
        d_w = f"({upstream} @ {emitter.program.x_names[number_]}{t})"
        if group.biased:
            d_w = f"np.concatenate([{d_w}, {upstream}.sum(axis=-1, keepdims=True)], axis=-1)"
        entries = group.entries
        lines.append(f"{at} += {d_w}.ravel()" if isinstance(entries, slice)
                     else f"np.add.at(dP, {emitter.constant('E', entries)}, {d_w}.ravel())")
    lines += emitter.checks(number_, "dP", "backward")
    if emitter.input_grads or not group.inputs_only:
        d_x = f"W_{emitter.names[number_]}{w_part}{t} @ {upstream}"
        d_x = d_x if blocks == 1 else f"({d_x}).reshape({blocks * columns}, -1)"
        lines += emitter.add(group.operand_slots, Expr(d_x), False, number_)
    return lines
