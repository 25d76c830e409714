"""The backprop explorer: one self-contained HTML page replaying forward, backward and the update.

The page inlines everything (the SVG drawn by the system ``dot``, the CSS, the script and the data
as JSON), so it works offline and can be mailed. Its numbers all come from
:func:`viz.explorer_data.page_data`; the script only displays them.
"""
from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path

from autograd import Value, topological_order
from nn.files import writable_target, write_file

from .dot import DEFAULT_MAX_NODES, check_size, draw
from .explorer_data import page_data
from .render import INSTALL_HINT, GraphvizMissingError, layout, write_source

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# Characters that could end the <script> element or open a comment, or break a JavaScript string.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def embedded_json(document: object) -> str:
    """``document`` as JSON that is safe inside ``<script type="application/json">`` (no ``</script>``, ``<!--``)."""
    text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda match: _JSON_ESCAPES[match.group()], text)


def inline_svg(svg: str) -> str:
    """dot's SVG file as an element for an HTML page: the XML prolog, doctype and comments dropped."""
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("dot's output contains no <svg> element")
    body = svg[start:]
    return re.sub(r"<!--.*?-->\n?", "", body, flags=re.S)


def _asset(name: str) -> str:
    return resources.files("viz").joinpath("assets", name).read_text(encoding="utf-8")


def page_html(data: dict, svg: str) -> str:
    """The page: the template with the title, style, drawing, data and script filled in (in one pass)."""
    parts = {
        "title": html.escape(data["title"], quote=True),
        "style": _asset("explorer.css"),
        "graph": inline_svg(svg),
        "data": embedded_json(data),
        "script": _asset("explorer.js"),
    }
    return PLACEHOLDER.sub(lambda match: parts[match.group(1)], _asset("explorer.html"))


def _digraph(output: Value, nodes: list[dict], max_nodes: int, max_edges: int | None):
    """The graph drawn top-down, with grad cells sized for the final gradients of ``nodes`` (the
    page's node records); the page rewrites those cells step by step."""
    final = {node: float(record["grad"]) for node, record in zip(topological_order(output), nodes)
             if record["grad"] is not None}
    return draw(output, rankdir="TB", show_grad=True, gradients=final, max_nodes=max_nodes, max_edges=max_edges)


def _svg(output: Value, path: Path, nodes: list[dict], max_nodes: int, max_edges: int | None) -> str:
    """The drawing as SVG text; without Graphviz, its DOT source is saved beside ``path``."""
    digraph = _digraph(output, nodes, max_nodes, max_edges)
    try:
        return layout(digraph, "svg", path).decode("utf-8")
    except GraphvizMissingError:
        source = write_source(digraph, path)
        raise GraphvizMissingError(
            f"Graphviz is missing: the 'dot' program is not on PATH and the page needs its drawing, "
            f"so {path} was not written; the DOT source is saved in {source}. {INSTALL_HINT}") from None


def page(output: Value, *, parameters=None, learning_rate: float = 0.1, title: str | None = None,
         max_nodes: int = DEFAULT_MAX_NODES, max_edges: int | None = None) -> str:
    """The explorer page for the graph of ``output`` as HTML text (what ``explore`` writes to a file)."""
    if not isinstance(output, Value):
        raise TypeError(f"explore: output must be a Value, got {type(output).__name__}")
    check_size(output, max_nodes, max_edges)
    data = page_data(output, parameters=parameters, learning_rate=learning_rate, title=title)
    drawing = layout(_digraph(output, data["nodes"], max_nodes, max_edges), "svg", "the explorer page")
    return page_html(data, drawing.decode("utf-8"))


def explore(output: Value, path: str | Path, *, parameters=None, learning_rate: float = 0.1,
            title: str | None = None, max_nodes: int = DEFAULT_MAX_NODES, max_edges: int | None = None) -> Path:
    """Write the explorer page for the graph of ``output`` to ``path`` (atomically) and return the path.

    ``parameters`` are the Values the update step changes (default: the labelled leaves);
    ``learning_rate`` is the step size of that update. The graph is left as it was. A graph of more
    than ``max_nodes`` values or ``max_edges`` edges is refused before any work (``viz.dot.check_size``).
    """
    if not isinstance(output, Value):
        raise TypeError(f"explore: output must be a Value, got {type(output).__name__}")
    check_size(output, max_nodes, max_edges)
    path = Path(path)
    writable_target(path)
    data = page_data(output, parameters=parameters, learning_rate=learning_rate, title=title)
    document = page_html(data, _svg(output, path, data["nodes"], max_nodes, max_edges))
    return write_file(path, document)

