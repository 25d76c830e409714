"""viz.draw: labels, ids, edge order and escaping, checked in the SVG that the real ``dot`` writes; the size
limits that refuse a huge graph before walking all of it."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

import autograd
import viz
from autograd import Value, topological_order
from tests.support.graphs import chain_of_sums
from viz import DEFAULT_MAX_NODES, draw, four_neuron, node_ids, render, resolve
from viz.dot import FLOW_SCALE, NO_FLOW, UNIT_LINE
from viz.explorer import explore

SVG = "{http://www.w3.org/2000/svg}"
LESSON_LABELS = ["a⁽⁰⁾", "w⁽¹⁾", "b⁽¹⁾", "z⁽¹⁾", "a⁽¹⁾", "w⁽²⁾", "b⁽²⁾", "z⁽²⁾", "a⁽²⁾",
                 "w⁽³⁾", "b⁽³⁾", "z⁽³⁾", "a⁽³⁾", "y", "C₀"]
HOSTILE = '<script>alert(1)</script>{a|b}"\\\nsecond | line'


def svg_of(graph, tmp_path) -> ET.Element:
    path = render(graph, tmp_path / "graph.svg")
    return ET.parse(path).getroot()


def groups(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id")}


def texts(group: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in group.iter(f"{SVG}text")]


def shown_number(text: str, prefix: str) -> float:
    assert text.startswith(prefix), text
    return float(text[len(prefix):])


@pytest.fixture(scope="module")
def lesson():
    network = four_neuron()
    network.output.backward()
    return network


def test_svg_carries_the_lessons_labels_values_and_gradients(lesson, tmp_path):
    root = svg_of(draw(lesson.output), tmp_path)
    by_id = groups(root)
    order = topological_order(lesson.output)
    shown_labels = set()
    for i, node in enumerate(order):
        group = by_id[f"v{i}"]
        assert "value" in group.get("class").split()
        if node is lesson.output.parents[1]:  # the 2 of (a⁽³⁾ − y)²: a constant, its number only
            assert "constant" in group.get("class").split()
            assert texts(group) == ["2"]
            continue
        *label, data, grad = texts(group)
        shown_labels.update(label)
        assert shown_number(data, "data ") == pytest.approx(node.data, abs=5e-5)
        assert shown_number(grad, "grad ") == pytest.approx(node.grad, abs=5e-5)
        if node.op is not None:
            op_group = by_id[f"v{i}_op"]
            assert op_group.get("class").split() == ["node", "op", node.op.name]
            assert texts(op_group) == [node.op.symbol]
    assert set(LESSON_LABELS) <= shown_labels


def test_the_sigmoid_and_the_square_draw_with_the_tables_symbols(lesson, tmp_path):
    by_id = groups(svg_of(draw(lesson.output), tmp_path))
    symbols = [texts(g)[0] for name, g in by_id.items() if name.endswith("_op")]
    assert symbols.count("σ") == 3
    assert symbols.count("Σ") == 3
    assert symbols.count("×") == 3
    assert "^" in symbols
    assert "−" in symbols


def test_node_ids_number_values_in_topological_order(lesson):
    order = topological_order(lesson.output)
    assert node_ids(lesson.output) == {node: f"v{i}" for i, node in enumerate(order)}


def test_edges_follow_the_parent_order_and_a_reused_operand_gets_two_edges(tmp_path):
    x = Value(3.0, "x")
    square = x * x
    difference = Value(1.0, "p") - Value(2.0, "q")
    out = square + difference
    ids = node_ids(out)
    by_id = groups(svg_of(draw(out), tmp_path))
    for node in (square, difference, out):
        for index, parent in enumerate(node.parents):
            edge = by_id[f"{ids[node]}_in{index}"]
            assert "".join(edge.find(f"{SVG}title").itertext()) == f"{ids[parent]}->{ids[node]}_op"
    assert list(square.parents) == [x, x]
    source = draw(out).source
    assert source.count(f"{ids[x]} -> {ids[square]}_op") == 2


def test_hostile_labels_draw_as_text_in_dot_and_svg(tmp_path):
    evil = Value(1.0, HOSTILE)
    slashes = Value(2.0, "one\\ two\\\\ \\n")
    out = evil * slashes
    out.label = "&amp; </td></tr></table>>"
    graph = draw(out)
    assert "<script>" not in graph.source
    assert graph.source.count("</table>") == 3, "only the three records' own tables"
    root = svg_of(graph, tmp_path)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    by_id = groups(root)
    ids = node_ids(out)
    assert texts(by_id[ids[evil]])[0] == '<script>alert(1)</script>{a|b}"\\\\nsecond | line'
    assert texts(by_id[ids[out]])[0] == "&amp; </td></tr></table>>"
    assert texts(by_id[ids[slashes]])[0] == slashes.label
    values = [g for g in by_id.values() if "value" in (g.get("class") or "").split()]
    assert len(values) == 3, "each record stays one node"


def test_max_nodes_names_the_limit_and_the_size_before_doing_anything_heavy(monkeypatch):
    x = Value(0.1, "x")
    for _ in range(49):
        x = x.tanh()
    with pytest.raises(ValueError, match=r"50 values.*max_nodes=10"):
        draw(x, max_nodes=10)
    assert draw(x, max_nodes=50).source.count("class=value") == 49
    ordered = []  # every graph draw orders, as the first of its heavy steps
    monkeypatch.setattr("viz.dot.topological_order", lambda output: ordered.append(output) or topological_order(output))
    additions = DEFAULT_MAX_NODES * 4
    big = Value(0.0)
    for _ in range(additions):
        big = big + 1.0  # each addition adds two values: the sum and its constant 1.0
    with pytest.raises(ValueError, match=f"has {2 * additions + 1:,} values, more than max_nodes={DEFAULT_MAX_NODES}"):
        draw(big)
    for _ in range(additions * 4):
        big = big + 1.0
    with pytest.raises(ValueError, match=f"has at least {10 * DEFAULT_MAX_NODES + 1:,} values"):  # it stopped at 10x
        draw(big)
    assert ordered == [], "the refused graphs were ordered, as drawing them would"


def test_given_gradients_are_shown_instead_of_grad(lesson):
    w3 = lesson["w3"]
    source = draw(lesson.output, gradients={w3: 0.125}).source
    ids = node_ids(lesson.output)
    line = next(line for line in source.splitlines() if line.strip().startswith(f"{ids[w3]} ["))
    assert "grad 0.1250" in line
    other = next(line for line in source.splitlines() if line.strip().startswith(f"{ids[lesson['b3']]} ["))
    assert "grad 0.0000" in other
    assert lesson["b3"].grad != 0


def test_options_hide_gradients_turn_the_layout_and_highlight(lesson, tmp_path):
    graph = draw(lesson.output, show_grad=False, rankdir="TB", highlight=[lesson["w3"]])
    assert "rankdir=TB" in graph.source
    assert "grad " not in graph.source
    by_id = groups(svg_of(graph, tmp_path))
    w3 = node_ids(lesson.output)[lesson["w3"]]
    fills = [p.get("fill") for p in by_id[w3].iter(f"{SVG}polygon")]
    assert "#fff2a8" in fills
    other = node_ids(lesson.output)[lesson["w2"]]
    assert "#fff2a8" not in [p.get("fill") for p in by_id[other].iter(f"{SVG}polygon")]
    with pytest.raises(ValueError, match="rankdir"):
        draw(lesson.output, rankdir="RL")
    with pytest.raises(TypeError, match="Value"):
        draw(3.0)


def test_gradient_flow_marks_dead_relu_and_saturated_sigmoid_and_colours_by_magnitude():
    a, b, c = Value(1.0, "a"), Value(1.0, "b"), Value(-2.0, "c")
    dead = c.relu()
    saturated = Value(20.0, "s").sigmoid()  # σ'(20) = e⁻²⁰/(1+e⁻²⁰)² ≈ 2e-9
    alive = Value(0.1, "t").tanh()  # tanh'(0.1) ≈ 0.99
    out = a * 100.0 + b * 0.01 + dead + saturated + alive
    out.backward()
    ids = node_ids(out)
    source = draw(out, gradient_flow=True).source
    lines = {line.split("[")[0].strip(): line for line in source.splitlines() if "[" in line}
    assert 'class="value dead"' in lines[ids[dead]]
    assert "dead" in lines[f"{ids[dead]}_op"]
    assert 'class="value saturated"' in lines[ids[saturated]]
    assert 'class=value ' in lines[ids[alive]] or 'class=value]' in lines[ids[alive]]
    edge = {line.split("id=")[1].split()[0].rstrip("]"): line for line in source.splitlines() if " -> " in line}
    strongest, weakest = FLOW_SCALE[0][1], FLOW_SCALE[-1][1]
    times_100 = next(n for n in ids if n.op and n.op.name == "mul" and n.parents[0] is a)
    times_001 = next(n for n in ids if n.op and n.op.name == "mul" and n.parents[0] is b)
    assert strongest in edge[f"{ids[times_100]}_in0"]  # carries ∂out/∂a = 100, the largest
    assert weakest in edge[f"{ids[times_001]}_in0"]  # carries 0.01, 1e-4 of the largest
    assert NO_FLOW in edge[f"{ids[dead]}_in0"]  # ReLU'(−2) = 0: nothing reaches c
    assert "id=legend" in source
    assert "id=legend" not in draw(out).source


def test_jupyter_shows_the_drawing_as_svg(lesson):
    bundle = draw(lesson.output)._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert "w⁽³⁾" in "".join(root.itertext())


def test_numbers_keep_four_decimals_and_switch_to_scientific_when_tiny():
    from viz.dot import format_number
    assert format_number(0.12345) == "0.1235"
    assert format_number(-2.0) == "-2.0000"
    assert float(format_number(2.5e-9)) == pytest.approx(2.5e-9, rel=1e-3)
    assert format_number(math.inf) == "inf"


def test_numbers_written_in_an_expression_draw_as_constants_without_a_gradient(tmp_path):
    source = resolve("micrograd-example")  # g = f / 2.0 + 10.0 / f with f = e ** 2
    order = topological_order(source.output)
    halving = next(n for n in order if n.op and n.op.name == "div" and n.parents[1].data == 2.0)
    cube, square = [n for n in order if n.op and n.op.name == "pow"]  # b ** 3, e ** 2
    constants = {halving.parents[1]: "2", square.parents[1]: "2", cube.parents[1]: "3"}
    by_id = groups(svg_of(draw(source.output), tmp_path))
    ids = node_ids(source.output)
    for node in constants:
        group = by_id[ids[node]]
        assert "constant" in group.get("class").split()
        assert texts(group) == [constants[node]]  # its number, no "data" cell and no "grad -12.2500"
    assert halving.parents[1].grad == -12.25, "the engine still differentiates it; only the drawing hides it"
    computed = [g for g in by_id.values() if (g.get("class") or "").split()[1:] == ["value"]]
    assert computed
    assert all(texts(g)[-1].startswith("grad ") for g in computed)


def test_a_dead_or_saturated_unit_is_marked_in_a_colour_the_edges_never_use():
    out = Value(-2.0, "c").relu() + Value(1.0, "a")
    out.backward()
    source = draw(out, gradient_flow=True).source
    dead_op = next(line for line in source.splitlines() if "class=\"op relu\"" in line)
    edge_colours = {colour for _, colour, _ in FLOW_SCALE} | {NO_FLOW}
    assert f"color=\"{UNIT_LINE}\"" in dead_op
    assert UNIT_LINE not in edge_colours
    legend = next(line for line in source.splitlines() if line.strip().startswith("legend"))
    assert f'<font color="{UNIT_LINE}">' in legend
    assert "dead ReLU or saturated" in legend


def test_a_graph_draws_top_down_by_default(lesson):
    assert "rankdir=TB" in draw(lesson.output).source
    assert "rankdir=LR" in draw(lesson.output, rankdir="LR").source


def test_a_huge_graph_is_refused_by_draw_and_explore_after_walking_only_ten_times_the_limit(tmp_path):
    _, y = chain_of_sums(400_000)
    for attempt in (lambda: viz.draw(y), lambda: explore(y, tmp_path / "page.html")):
        with pytest.raises(ValueError, match=r"at least 30,001 values, more than max_nodes=3000"):
            attempt()
    assert list(tmp_path.iterdir()) == []


def test_edges_are_limited_as_well_as_values(tmp_path):
    leaves = [Value(float(k)) for k in range(100)]
    wide = autograd.sum([leaves[k % 100] for k in range(20_000)])  # 101 values, 20,000 edges
    for attempt in (lambda: viz.draw(wide), lambda: explore(wide, tmp_path / "page.html")):
        with pytest.raises(ValueError, match=r"20,000 edges, more than max_edges=6000"):
            attempt()
    assert viz.draw(wide, max_edges=20_000).source.count(" -> v100_op") == 20_000
