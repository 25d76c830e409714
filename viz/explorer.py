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
from autograd import argument_checks as check
from autograd.conventions.files import writable_target, write_file

from .dot import DEFAULT_MAX_NODES, draw
from .explorer_data import page_data
from .render import INSTALL_HINT, GraphvizMissingError, layout, write_source

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
IFRAME_HEIGHTS = (560, 800)  # px: the least the panels need, the most a laptop screen shows of a notebook
PAGE_CHROME_PX = 190  # the header, the zoom bar and the padding around the drawing
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


SCRIPTS = ("page_helpers.js", "explorer_common.js", "explorer_scalar.js", "explorer_neuron.js", "explorer_layer.js",
           "explorer_panels.js", "explorer.js")  # one script, in this order: helpers, the views, the controller


def page_html(data: dict, svg: str | None) -> str:
    """The page: the template with the title, style, drawing (none when the scalar view is left out),
    data and script filled in (in one pass)."""
    parts = {
        "title": html.escape(data["title"], quote=True),
        "style": _asset("explorer.css"),
        "graph": inline_svg(svg) if svg is not None else "",
        "data": embedded_json(data),
        "script": "\n".join(_asset(name) for name in SCRIPTS),
    }
    return PLACEHOLDER.sub(lambda match: parts[match.group(1)], _asset("explorer.html"))


def _digraph(output: Value, nodes: list[dict], max_nodes: int, max_edges: int | None):
    """The graph drawn top-down, with grad cells sized for the final gradients of ``nodes`` (the
    page's node records); the page rewrites those cells step by step."""
    final = {node: float(record["grad"]) for node, record in zip(topological_order(output), nodes, strict=True)
             if record["grad"] is not None}
    return draw(output, rankdir="TB", show_grad=True, gradients=final, max_nodes=max_nodes, max_edges=max_edges)


def _svg(output: Value, path: Path | None, nodes: list[dict], max_nodes: int, max_edges: int | None) -> str:
    """The drawing as SVG text; without Graphviz, its DOT source is saved beside ``path`` (if any)."""
    digraph = _digraph(output, nodes, max_nodes, max_edges)
    try:
        return layout(digraph, "svg", path or "the explorer page").decode("utf-8")
    except GraphvizMissingError:
        if path is None:
            raise GraphvizMissingError(f"Graphviz is missing: the 'dot' program is not on PATH and the explorer "
                                       f"needs its drawing. {INSTALL_HINT}") from None
        source = write_source(digraph, path)
        raise GraphvizMissingError(
            f"Graphviz is missing: the 'dot' program is not on PATH and the page needs its drawing, "
            f"so {path} was not written; the DOT source is saved in {source}. {INSTALL_HINT}") from None


class Explorer:
    """The explorer page in memory: shown inline in a notebook, written to a file by ``save``.

    Jupyter, VS Code and Colab show ``_repr_html_``: the self-contained page inside an
    ``<iframe srcdoc>`` (JupyterLab does not run scripts in plain HTML output; in an iframe they run).
    """

    def __init__(self, document: str, height: int) -> None:
        self.html = document
        self.height = height

    def __repr__(self) -> str:
        return f"<chainrule explorer page, {len(self.html):,} characters; .save(path) writes it>"

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="chainrule backprop explorer" '
                f'sandbox="allow-scripts" style="width: 100%; height: {self.height}px; border: 1px solid #d0d4dc; '
                f'border-radius: 6px"></iframe>')

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (atomically) and return the path."""
        writable_target(path)
        return write_file(path, self.html)


def fitting_height(svg: str) -> int:
    """The iframe's height in pixels: the drawing's own height plus the page's header and bars, bounded."""
    match = re.search(r'<svg[^>]*?\bheight="([\d.]+)pt"', svg)
    drawing = float(match.group(1)) * 4 / 3 if match else IFRAME_HEIGHTS[1]
    return round(min(max(drawing + PAGE_CHROME_PX, IFRAME_HEIGHTS[0]), IFRAME_HEIGHTS[1]))


def _explorer(output: Value, path: Path | None, parameters, learning_rate: float, title: str | None,
              level: str | None, max_nodes: int, max_edges: int | None, optimizer=None,
              made_from: str = "python") -> Explorer:
    check.instance(output, "explore: output", Value, "a Value")
    if title is not None:
        check.text(title, "explore: title")
    data = page_data(output, parameters=parameters, learning_rate=learning_rate, title=title, level=level,
                     max_nodes=max_nodes, max_edges=max_edges, optimizer=optimizer, made_from=made_from)
    svg = None if data["scalar_refused"] else _svg(output, path, data["nodes"], max_nodes, max_edges)
    return Explorer(page_html(data, svg), fitting_height(svg) if svg else IFRAME_HEIGHTS[1])


def page(output: Value, *, parameters=None, learning_rate: float = 0.1, title: str | None = None,
         level: str | None = None, max_nodes: int = DEFAULT_MAX_NODES, max_edges: int | None = None,
         optimizer=None, made_from: str = "python") -> str:
    """The explorer page for the graph of ``output`` as HTML text (what ``explore`` writes to a file);
    ``optimizer`` (an ``nn.SGD`` or ``nn.Adam``) makes the update step its rule, as the playground's does."""
    return _explorer(output, None, parameters, learning_rate, title, level, max_nodes, max_edges, optimizer,
                     made_from).html


def explore(output: Value, path: str | Path | None = None, *, parameters=None, learning_rate: float = 0.1,
            title: str | None = None, level: str | None = None, max_nodes: int = DEFAULT_MAX_NODES,
            max_edges: int | None = None, optimizer=None, made_from: str = "python") -> Path | Explorer:
    """The explorer page for the graph of ``output``: written to ``path`` (atomically; returns the path),
    or, without a path, an :class:`Explorer` that a notebook shows inline and ``.save(path)`` writes.

    Three views of the same backward pass, chosen with ``level`` and switched on the page: ``"scalar"``
    (every Value, node by node), and for a network (the output or loss of an ``nn.MLP``, or neurons
    written as ``autograd.sum([w·a, …, b])`` then an activation) ``"neuron"`` (one box per neuron,
    Σ w·a + b → σ) and ``"layer"`` (one box per layer, vectors and matrices as coloured cells, each
    formula beside its numpy line). The default is the most detailed view readable on a screen:
    ``scalar`` for a hand-built expression or a small graph, ``neuron`` while every layer fits a column,
    ``layer`` beyond (3Blue1Brown's 784-16-16-10 network). Every number of the neuron and layer views
    is one the scalar engine recorded (``viz.explorer_levels``).

    ``parameters`` are the Values the update step changes (default: the labelled leaves);
    ``learning_rate`` is the step size of that update, plain gradient descent unless ``optimizer`` (an
    ``nn.SGD`` with momentum or an ``nn.Adam`` over the parameters) is given: then the update is that
    optimiser's own rule on a copy of its state (velocity; m, v and the bias-corrected step). The graph
    and the optimiser are left as they were. The scalar view of
    a graph of more than ``max_nodes`` values or ``max_edges`` edges is left out (``level="scalar"``
    is then refused, before any work; ``viz.dot.check_size``); any view of a graph of more than
    ``viz.explorer_network.NETWORK_MAX_NODES`` values is refused. The page's note on a left-out scalar view
    names the limit as ``made_from`` passes it: ``"python"`` the keyword, ``"shell"`` (``python -m viz
    explore``) the option, ``"room"`` (the live apps) neither.
    """
    if path is not None:
        path = check.file_path(path)
        writable_target(path)
    inline = _explorer(output, path, parameters, learning_rate, title, level, max_nodes, max_edges, optimizer,
                       made_from)
    return inline if path is None else inline.save(path)
