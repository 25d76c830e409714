"""The computation graph as a ``graphviz.Digraph``: one record per Value, one node per operation.

Node names are part of the interface (the explorer relies on them): the Value at index ``i`` of
``autograd.topological_order(output)`` is DOT node ``v{i}`` and its op node ``v{i}_op``; the
edge into input ``k`` of node ``i`` is ``v{i}_in{k}`` and the edge from the op to its result
``v{i}_out``. The same strings are set as ``id`` attributes, so ``dot -Tsvg`` emits
``<g id="v{i}" class="node value">`` (``class="node op"`` for op nodes, ``class="edge"`` for
edges). Inside a value's ``<g>`` the ``<text>`` elements are, in order: its name from
``autograd.Names`` (absent for an unlabelled leaf, whose number is its data), ``data …`` and,
with ``show_grad``, ``grad …`` — so the grad is the last one. A constant (a number written in the
expression, ``class="node value constant"``) is one dashed cell with its number and no gradient.
"""
from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping

import graphviz

from autograd import Names, Value, backward_steps, local_derivative, topological_order
from autograd import argument_checks as check
from autograd.conventions.errors import LimitError

DEFAULT_MAX_NODES = 3000
SATURATED_BELOW = 0.01  # a sigmoid/tanh whose local derivative is below this is called saturated
FONT = "DejaVu Sans"
HIGHLIGHT_FILL = "#fff2a8"
# (share of the largest |gradient| on an edge, colour, pen width), strongest first
FLOW_SCALE = ((0.3, "#b2182b", "3.0"), (0.03, "#ef8a62", "2.2"), (0.003, "#67a9cf", "1.6"),
              (0.0, "#2166ac", "1.0"))
NO_FLOW = "#bbbbbb"
LEGEND_SLACK = 12  # points of room after the legend's text
UNIT_FILL, UNIT_LINE = "#e7d4e8", "#762a83"  # dead/saturated units: purple, a colour the edge scale never uses


def visible_text(text: str) -> str:
    """Control characters spelled out (a newline reads ``\\n``), so a label stays one line of text."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "".join(ch if ch.isprintable() else named.get(ch, f"\\u{ord(ch):04x}") for ch in text)


def html_text(text: str) -> str:
    """``text`` safe inside a Graphviz HTML-like label: shown as written, never markup.

    Graphviz reads ``\\\\`` in a label as one backslash, so each backslash is doubled.
    """
    return html.escape(visible_text(text), quote=True).replace("\\", "\\\\")


def format_number(x: float) -> str:
    """Four decimals, like ``autograd.explain``; scientific notation when that would hide the value."""
    if x == 0 or not math.isfinite(x) or 1e-3 <= abs(x) < 1e6:
        return f"{x:.4f}"
    return f"{x:.3e}"


def numbered(order: list[Value]) -> dict[Value, int]:
    """Each Value's index in ``order`` (a ``topological_order``): the ``i`` of its drawing id."""
    return {node: i for i, node in enumerate(order)}


def drawing_id(index: int) -> str:
    """The DOT node name and SVG id of the Value at ``index``: ``v{index}`` (see the module docstring)."""
    return f"v{index}"


def node_ids(output: Value) -> dict[Value, str]:
    """Each Value's DOT node name and SVG id: ``v{i}``, i its index in ``topological_order``."""
    check.instance(output, "output", Value, "a Value")
    return {node: drawing_id(i) for node, i in numbered(topological_order(output)).items()}


def check_size(output: Value, max_nodes: int = DEFAULT_MAX_NODES, max_edges: int | None = None) -> None:
    """ValueError naming the limit when the graph behind ``output`` has more values than ``max_nodes``
    or more edges (operand links) than ``max_edges`` (default: twice ``max_nodes``).

    The walk stops at ten times the limit, so even a graph of millions of values is refused at once.
    """
    max_nodes, max_edges = checked_limits(max_nodes, max_edges)
    seen, waiting, edges = {output}, [output], 0
    while waiting and len(seen) <= 10 * max_nodes and edges <= 10 * max_edges:
        node = waiting.pop()
        edges += len(node.parents)
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                waiting.append(parent)
    more = "at least " if waiting else ""
    within_limit("graph", f"{more}{len(seen):,} values", len(seen), "max_nodes", max_nodes)
    within_limit("graph", f"{more}{edges:,} edges", edges, "max_edges", max_edges)


def checked_limits(max_nodes: object, max_edges: object) -> tuple[int, int]:
    """``max_nodes`` and ``max_edges`` as positive integers (``max_edges`` None: twice ``max_nodes``), so
    that no value (NaN, a str) turns a size limit off."""
    max_nodes = check.count(max_nodes, "max_nodes")
    return max_nodes, 2 * max_nodes if max_edges is None else check.count(max_edges, "max_edges")


def within_limit(thing: str, counted: str, count: int, keyword: str, limit: int) -> None:
    """LimitError (a ValueError) naming the limit when ``count`` (described as ``counted``) is over
    ``keyword`` = ``limit``."""
    if count > limit:
        raise LimitError(f"the {thing} has {counted}", keyword, limit, count, f"draw a smaller {thing.split()[-1]}")


def _record(cells: list[str], fill: str | None, dashed: bool = False) -> str:
    """A value's record: one row of cells (already escaped), dashed for a constant."""
    background = f' bgcolor="{fill}"' if fill else ""
    style = ' style="dashed"' if dashed else ""
    row = "".join(f"<td{style}>{cell}</td>" for cell in cells)
    return (f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="4"{background}>'
            f"<tr>{row}</tr></table>>")


def _cells(name: str | None, data: float, grad: float | None) -> list[str]:
    """The name (None: left out), ``data …`` and ``grad …`` (None: left out) cells."""
    cells = [html_text(name)] if name is not None else []
    cells.append(f"data {format_number(data)}")
    return cells + ([f"grad {format_number(grad)}"] if grad is not None else [])


def _flow_style(magnitude: float, largest: float) -> dict[str, str]:
    if magnitude == 0 or largest == 0 or not math.isfinite(magnitude):
        return {"color": NO_FLOW, "style": "dashed"}
    share = magnitude / largest if math.isfinite(largest) else 1.0
    for at_least, colour, width in FLOW_SCALE:
        if share >= at_least:
            return {"color": colour, "penwidth": width, "tooltip": f"|gradient| = {magnitude:.4g}"}
    raise AssertionError("FLOW_SCALE ends at 0")


def unit_state(node: Value) -> str | None:
    """``"dead"`` for a ReLU passing no gradient, ``"saturated"`` for a flat sigmoid/tanh, else None."""
    if node.is_leaf or node.op.name not in ("relu", "sigmoid", "tanh"):
        return None
    derivative = local_derivative(node, 0)
    if node.op.name == "relu":
        return "dead" if derivative == 0 else None
    return "saturated" if abs(derivative) < SATURATED_BELOW else None


def _edge_gradients(output: Value, names: Names) -> tuple[dict, dict]:
    """From the engine's backward records: what each edge carries (into inputs, out of ops)."""
    into, out_of = {}, {}
    for step in backward_steps(output, names):
        out_of[step.node] = abs(step.upstream)
        for contribution in step.contributions:
            into[(step.node, contribution.index)] = abs(contribution.added)
    return into, out_of


def draw(output: Value, *, show_grad: bool = True, rankdir: str = "TB", highlight: Iterable[Value] = (),
         gradient_flow: bool = False, max_nodes: int = DEFAULT_MAX_NODES,
         gradients: Mapping[Value, float] | None = None, max_edges: int | None = None) -> graphviz.Digraph:
    """The graph ``output`` depends on, as a Digraph (``rankdir`` "TB", top down, or "LR").

    Records show each node's name (``autograd.Names``, as explain prints it) and its ``.grad``, or
    its entry in ``gradients`` when given (0 if absent); a constant shows its number only.
    ``highlight`` fills the given Values; ``gradient_flow`` colours edges by |gradient| (from
    ``autograd.backward_steps``) and marks dead ReLUs and saturated sigmoid/tanh units. A graph of
    more than ``max_nodes`` values or ``max_edges`` edges is refused before any work (``check_size``).
    """
    check.instance(output, "output", Value, "the Value to draw")
    show_grad, gradient_flow = check.flag(show_grad, "show_grad"), check.flag(gradient_flow, "gradient_flow")
    highlight = [check.instance(item, f"highlight[{i}]", Value, "a Value")
                 for i, item in enumerate(check.items(highlight, "highlight", "a list of Values"))]
    check.instance(gradients, "gradients", (Mapping, type(None)), "None or a mapping Value -> gradient")
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' (left to right) or 'TB' (top down), got {rankdir!r}")
    check_size(output, max_nodes, max_edges)
    order = topological_order(output)
    ids = {node: drawing_id(i) for node, i in numbered(order).items()}
    names = Names(output, order)
    marked = set(highlight)
    into, out_of = _edge_gradients(output, names) if gradient_flow else ({}, {})
    largest = max([*into.values(), *out_of.values()], default=0.0)

    graph = graphviz.Digraph("chainrule", graph_attr={"rankdir": rankdir, "fontname": FONT},
                             node_attr={"fontname": FONT, "fontsize": "12"},
                             edge_attr={"fontname": FONT, "arrowsize": "0.7"})
    for node in order:
        name = ids[node]
        state = unit_state(node) if gradient_flow else None
        fill = HIGHLIGHT_FILL if node in marked else None
        if names.is_constant(node):
            graph.node(name, _record([html_text(names[node])], fill, dashed=True), id=name, shape="plain",
                       **{"class": "value constant"})
            continue
        kind = "value leaf" if node.is_leaf else "value"
        grad = None if not show_grad else (node.grad if gradients is None else gradients.get(node, 0.0))
        shown_name = None if node.is_leaf and not node.label else names[node]
        graph.node(name, _record(_cells(shown_name, node.data, grad), fill), id=name, shape="plain",
                   **{"class": f"{kind} {state}" if state else kind})
        if node.is_leaf:
            continue
        _op_node(graph, node, name, state)
        for index, parent in enumerate(node.parents):
            style = _flow_style(into.get((node, index), 0.0), largest) if gradient_flow else {}
            if index in node.op.constant_inputs or names.is_constant(parent):
                style = {"color": NO_FLOW, "style": "dotted"} if gradient_flow else {"style": "dotted"}
            graph.edge(ids[parent], f"{name}_op", id=f"{name}_in{index}", **style)
        style = _flow_style(out_of.get(node, 0.0), largest) if gradient_flow else {}
        graph.edge(f"{name}_op", name, id=f"{name}_out", **style)
    if gradient_flow:
        _legend(graph)
    return graph


def _legend(graph: graphviz.Digraph) -> None:
    """What the gradient-flow colours mean, as a small table beside the graph.

    No cell spans columns (Graphviz 2.43 does not widen a table for one), and an empty last column
    leaves room for browsers, which set small text up to 5% wider than Graphviz measures it.
    """
    keys = [(f'<font color="{colour}">━━</font>', f"|gradient| ≥ {at_least:g} × the largest")
            for at_least, colour, _ in FLOW_SCALE[:-1]]
    keys += [(f'<font color="{FLOW_SCALE[-1][1]}">━━</font>', "smaller"),
             (f'<font color="{NO_FLOW}">╌╌</font>', "no gradient flows"),
             (f'<font color="{NO_FLOW}">┈┈</font>', "into a constant (no gradient)"),
             (f'<font color="{UNIT_LINE}">■</font>', "dead ReLU or saturated σ/tanh")]
    rows = "".join(f'<tr><td>{key}</td><td align="left">{text}</td><td width="{LEGEND_SLACK}"></td></tr>'
                   for key, text in keys)
    graph.node("legend", f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="3">{rows}</table>>',
               id="legend", shape="plain", fontsize="10")


def _op_node(graph: graphviz.Digraph, node: Value, name: str, state: str | None) -> None:
    label = node.op.symbol + (f"\\n{state}" if state else "")
    colours = {"style": "filled", "fillcolor": UNIT_FILL, "color": UNIT_LINE} if state else {}
    graph.node(f"{name}_op", label, id=f"{name}_op", shape="circle" if not state else "ellipse",
               width="0.3", margin="0.02", fontsize="11", **{"class": f"op {node.op.name}"}, **colours)
