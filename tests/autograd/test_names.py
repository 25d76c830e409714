"""The chain rule on a learner's own graph: automatic names for unlabelled intermediates, one per node,
the same in explain, backward_steps, the drawing and the explorer (the README's viz.explore block)."""
from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd
from autograd import Names, Value, topological_order
from viz import draw, render
from viz.explorer_data import page_data

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SVG = "{http://www.w3.org/2000/svg}"
# The README graph's nodes in topological order, named by hand: what a learner would write.
README_NAMES = ["w", "x", "w·x", "b", "w·x + b", "tanh(w·x + b)", "1", "tanh(w·x + b) − 1", "2", "C"]


@pytest.fixture
def readme_graph(tmp_path, monkeypatch):
    """The README's own ``viz.explore`` block, run as written (it writes explorer.html in tmp_path)."""
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    (block,) = [code for code in blocks if 'viz.explore(loss, "explorer.html"' in code]
    monkeypatch.chdir(tmp_path)
    scope: dict = {"__name__": "readme"}
    exec(compile(block, "README.md viz.explore block", "exec"), scope)
    assert (tmp_path / "explorer.html").stat().st_size > 0
    return scope["loss"], scope["w"], scope["x"], scope["b"]


def test_the_readme_graph_reads_one_factor_per_op(readme_graph):
    loss, w, x, b = readme_graph
    t = math.tanh(w.data * x.data + b.data)
    explanation = autograd.explain(loss, w)
    (term,) = explanation.terms
    assert [f.formula for f in term] == ["∂(w·x + b)/∂w = x",
                                         "∂tanh(w·x + b)/∂(w·x + b) = 1 − tanh(w·x + b)²",
                                         "∂C/∂tanh(w·x + b) = 2(tanh(w·x + b) − 1)"]
    assert [f.value for f in term] == pytest.approx([x.data, 1 - t * t, 2 * (t - 1.0)], rel=1e-12)
    lines = str(explanation).splitlines()
    assert lines[0] == "∂C/∂w = ∂(w·x + b)/∂w · ∂tanh(w·x + b)/∂(w·x + b) · ∂C/∂tanh(w·x + b)"
    assert lines[-1].endswith(f"= {x.data * (1 - t * t) * 2 * (t - 1.0):.4f}")
    (b_term,) = autograd.explain(loss, b).terms
    assert [f.formula for f in b_term] == ["∂tanh(w·x + b)/∂b = 1 − tanh(w·x + b)²",
                                           "∂C/∂tanh(w·x + b) = 2(tanh(w·x + b) − 1)"]


def test_every_view_gives_each_node_of_the_readme_graph_one_name(readme_graph, tmp_path):
    loss, w, _, b = readme_graph
    order = topological_order(loss)
    assert [Names(loss)[node] for node in order] == README_NAMES
    data = page_data(loss, parameters=[w, b])
    assert [node["name"] for node in data["nodes"]] == README_NAMES
    assert "…" not in json.dumps(data, ensure_ascii=False)
    root = ET.parse(render(draw(loss), tmp_path / "readme.svg")).getroot()
    first_cells = {g.get("id"): "".join(next(g.iter(f"{SVG}text")).itertext()) for g in root.iter(f"{SVG}g")
                   if "value" in (g.get("class") or "").split()}
    assert [first_cells[f"v{i}"] for i in range(len(order))] == README_NAMES  # constants: their number
    formulas = [c.formula.split(" = ")[0] for step in autograd.backward_steps(loss) for c in step.contributions]
    assert formulas == ["∂C/∂(tanh(w·x + b) − 1)", "∂(tanh(w·x + b) − 1)/∂tanh(w·x + b)",
                        "∂(tanh(w·x + b) − 1)/∂1", "∂tanh(w·x + b)/∂(w·x + b)", "∂(w·x + b)/∂(w·x)",
                        "∂(w·x + b)/∂b", "∂(w·x)/∂w", "∂(w·x)/∂x"]


def test_names_are_display_only(readme_graph, tmp_path):
    loss, w, _, b = readme_graph
    labels = [node.label for node in topological_order(loss)]
    autograd.explain(loss, w)
    autograd.backward_steps(loss)
    page_data(loss, parameters=[w, b])
    draw(loss, gradient_flow=True)
    assert [node.label for node in topological_order(loss)] == labels == ["w", "x", "", "b", "", "", "", "", "", "C"]


def test_a_long_expression_is_named_u1_u2_in_graph_order_skipping_a_users_label():
    x, y = Value(0.3, "x"), Value(0.7, "y")
    first = (x * y + x.exp()).sigmoid() * (y - x.tanh())  # σ(x·y + exp(x))·(y − tanh(x)): too long
    taken = first + y
    taken.label = "u₁"  # a user's label is kept; the automatic names go around it
    second = (taken * first).log() + (first + 2.0).relu()
    names = Names(second)
    numbered = [names[node] for node in topological_order(second) if re.fullmatch("u[₀-₉]+", names[node])]
    assert numbered == ["u₂", "u₁", "u₃"]
    assert names[first] == "u₂"
    assert names[second] == "u₃"
    assert names.expression(first) == "σ(x·y + exp(x))·(y − tanh(x))"
    assert names[taken] == "u₁"
    assert names.expression(taken) == "u₂ + y"
    explanation = autograd.explain(second, x)
    assert explanation.total == pytest.approx(autograd.grad(second, [x])[0], rel=1e-12)
    assert "…" not in str(explanation)


def test_one_factor_explanations_do_not_repeat_their_head():
    w = Value(1.5, "w")
    out = w * 3.0
    out.label = "C"
    assert str(autograd.explain(out, w)).splitlines() == ["∂C/∂w = 3", "      = 3.0000"]


def test_a_sum_of_many_operands_is_named_not_spelled_out():
    xs = [Value(float(k), f"x{k}") for k in range(6)]
    total = autograd.sum(xs).tanh()
    names = Names(total)
    assert names[total.parents[0]] == "u₁"
    assert names[total] == "tanh(u₁)"

