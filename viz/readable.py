"""How large a full drawing would be, estimated before Graphviz runs, so an unreadable one is refused first.

Graphviz puts each node on a rank (a row top down, a column left to right): a computed value one
rank below its op, an op one rank below its lowest operand, and a leaf (a weight, an input) on
the rank just above its first use. A rank is as wide as its nodes' labels side by side, and the
drawing as deep as its ranks one after the other. The estimate is within about a third of what
``dot`` draws for the graphs ``viz`` makes, far closer than the factor of five between a readable
drawing and the 94,685 px of a 4-16-16-3 network drawn node by node.
"""
from __future__ import annotations

from collections import defaultdict

from autograd import Names, Value, topological_order

from .dot import format_number

READABLE_PX = 20_000  # a drawing longer than this either way cannot be read at any zoom
PX_PER_PT = 4 / 3  # Graphviz measures in points; a screen in CSS pixels
CHAR_PT = 6.3  # the average character of DejaVu Sans at 12 pt, as dot measures it
CELL_PT = 10.0  # a record cell's padding and border
RECORD_PT, OP_PT = 26.0, 30.0  # the height of a value's record, the size of an op's circle
NODE_GAP_PT, RANK_GAP_PT = 18.0, 36.0  # Graphviz's nodesep and ranksep


def estimated_size(output: Value, rankdir: str = "TB", show_grad: bool = True) -> tuple[float, float]:
    """(width, height) in pixels of ``viz.draw(output, rankdir=…)`` as ``dot`` would lay it out."""
    order = topological_order(output)
    names = Names(output, order)
    ranks = _ranks(order)
    rows: dict[int, list[tuple[float, float]]] = defaultdict(list)  # rank -> (width, height) of its nodes
    for node in order:
        rows[ranks[node]].append(_record_size(node, names, show_grad))
        if not node.is_leaf:
            rows[ranks[node] - 1].append((OP_PT, OP_PT))
    across = 0 if rankdir == "TB" else 1  # the direction a rank's nodes sit side by side
    breadth = max(sum(size[across] for size in row) + NODE_GAP_PT * (len(row) - 1) for row in rows.values())
    depth = sum(max(size[1 - across] for size in row) + RANK_GAP_PT for row in rows.values()) - RANK_GAP_PT
    width, height = (breadth, depth) if rankdir == "TB" else (depth, breadth)
    return width * PX_PER_PT, height * PX_PER_PT


def _ranks(order: list[Value]) -> dict[Value, int]:
    """Each value's rank: two below its lowest-placed operand (its op between), a leaf just above its first use."""
    ranks: dict[Value, int] = {}
    for node in order:
        ranks[node] = 0 if node.is_leaf else 2 + max(ranks[parent] for parent in node.parents)
    first_use: dict[Value, int] = {}
    for node in order:
        for parent in node.parents:
            if parent.is_leaf:
                first_use[parent] = min(first_use.get(parent, ranks[node]), ranks[node])
    return ranks | {leaf: rank - 2 for leaf, rank in first_use.items()}


def _record_size(node: Value, names: Names, show_grad: bool) -> tuple[float, float]:
    """A value's record, as ``viz.dot`` labels it: name | data … | grad … (a constant: its number)."""
    if names.is_constant(node):
        cells = [names[node]]
    else:
        cells = ([names[node]] if node.label or not node.is_leaf else []) + [f"data {format_number(node.data)}"]
        cells += [f"grad {format_number(node.grad)}"] if show_grad else []
    return sum(len(cell) * CHAR_PT + CELL_PT for cell in cells), RECORD_PT


def check_readable(output: Value, rankdir: str = "TB", show_grad: bool = True, limit: float = READABLE_PX,
                   advice: str = "") -> None:
    """ValueError when the full drawing of ``output`` would be over ``limit`` pixels either way."""
    width, height = estimated_size(output, rankdir, show_grad)
    if max(width, height) > limit:
        raise ValueError(f"the full drawing would be about {width:,.0f} × {height:,.0f} px, over the {limit:,.0f} px "
                         f"in either direction that can still be read{advice}")
