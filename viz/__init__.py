"""viz: drawings of the computation graph, the chain rule and the explorer.

``draw(output)`` gives a ``graphviz.Digraph`` (shown inline as SVG in Jupyter), ``draw_model(model)``
the collapsed view of an ``nn`` model, ``render(digraph, "graph.svg")`` writes SVG/PNG/PDF
through the system ``dot``, ``explore(output, "page.html")`` writes the step-by-step page
(``explore(output)`` shows it inline in a notebook), ``playground()`` starts the live training page,
``digits()`` the digit lab, and ``four_neuron()`` builds 3Blue1Brown's four-neuron network.
"""
import autograd  # noqa: F401 — first: an early Ctrl-C of `python -m viz` is one line (autograd.conventions.interrupts)
from nn.plots import decision_boundary, loss_curve, sigmoid_and_derivative  # training's pictures, drawn in nn

from . import chain
from .chain import four_neuron
from .collapsed import draw_model
from .dot import DEFAULT_MAX_NODES, draw, node_ids
from .explorer import Explorer, explore
from .live import digits, playground
from .render import GraphvizFailedError, GraphvizMissingError, render
from .sources import Source, resolve

__all__ = ["DEFAULT_MAX_NODES", "Explorer", "GraphvizFailedError", "GraphvizMissingError", "Source", "chain",
           "decision_boundary", "digits", "draw", "draw_model", "explore", "four_neuron", "loss_curve", "node_ids",
           "playground", "render", "resolve", "sigmoid_and_derivative"]
