"""The explorer page's data and file, checked against the calculus done by hand in the tests."""
from __future__ import annotations

import html.parser
import json
import math
import re
import subprocess
import sys

import pytest

from autograd import Value, backward_steps, topological_order
from viz import GraphvizMissingError, explore, four_neuron, node_ids
from viz.explorer import embedded_json
from viz.explorer_data import FORMAT_VERSION, page_data

A0, Y, W, B = 0.5, 1.0, (1.5, -2.0, 2.5), (0.5, 1.0, -0.5)
HOSTILE = '<script>alert(1)</script><!--{{script}}"\'&'


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def lesson_forward(w, b, a0=A0):
    """The four-neuron network's activations, written out with math (no engine)."""
    zs, activations = [], [a0]
    for weight, bias in zip(w, b, strict=True):
        zs.append(weight * activations[-1] + bias)
        activations.append(sigmoid(zs[-1]))
    return zs, activations


def lesson_gradients(w, b):
    """∂C₀/∂w⁽ᴸ⁾ and ∂C₀/∂b⁽ᴸ⁾ by 3Blue1Brown's chain rule, layer by layer from the cost."""
    _zs, a = lesson_forward(w, b)
    upstream = 2 * (a[3] - Y)  # ∂C₀/∂a⁽³⁾
    grads = {}
    for layer in (3, 2, 1):
        dz = upstream * a[layer] * (1 - a[layer])  # σ'(z) = σ(z)(1 − σ(z))
        grads[f"w{layer}"], grads[f"b{layer}"] = dz * a[layer - 1], dz
        upstream = dz * w[layer - 1]
    return grads


def network():
    return four_neuron(a0=A0, y=Y, w=W, b=B)


def by_name(data):
    return {node["name"]: node for node in data["nodes"]}


def test_four_neuron_replays_forward_backward_and_update_in_order():
    net = network()
    data = page_data(net.output, net.parameters)
    phases = [step["phase"] for step in data["steps"]]
    interior = [node for node in topological_order(net.output) if node.parents]
    records = backward_steps(net.output)
    assert phases == ["start"] + ["forward"] * len(interior) + ["backward"] * len(records) + ["update"]
    assert len(data["steps"]) - 1 >= 10
    order = topological_order(net.output)
    visited = [order[step["node"]] for step in data["steps"] if step["phase"] == "backward"]
    assert visited == [record.node for record in records]
    computed = [step["node"] for step in data["steps"] if step["phase"] == "forward"]
    for position, node_index in enumerate(computed):  # every operand is known before it is used
        assert all(parent not in computed[position:] for parent in data["nodes"][node_index]["parents"])


def test_gradients_update_and_new_loss_match_the_lesson_by_hand():
    net, lr = network(), 0.5
    data = page_data(net.output, net.parameters, learning_rate=lr)
    expected = lesson_gradients(W, B)
    nodes = by_name(data)
    for layer in (1, 2, 3):
        assert nodes[f"w⁽{'¹²³'[layer - 1]}⁾"]["grad"] == pytest.approx(expected[f"w{layer}"], rel=1e-12)
        assert nodes[f"b⁽{'¹²³'[layer - 1]}⁾"]["grad"] == pytest.approx(expected[f"b{layer}"], rel=1e-12)
    rows = {data["nodes"][row["node"]]["name"]: row for row in data["update"]["rows"]}
    new_w = [W[i] - lr * expected[f"w{i + 1}"] for i in range(3)]
    new_b = [B[i] - lr * expected[f"b{i + 1}"] for i in range(3)]
    for i, sup in enumerate("¹²³"):
        assert rows[f"w⁽{sup}⁾"]["new"] == pytest.approx(new_w[i], rel=1e-12)
        assert rows[f"b⁽{sup}⁾"]["step"] == pytest.approx(lr * expected[f"b{i + 1}"], rel=1e-12)
    _, a = lesson_forward(new_w, new_b)
    assert data["update"]["new_loss"] == pytest.approx((a[3] - Y) ** 2, rel=1e-12)
    assert data["update"]["new_loss"] < data["update"]["loss"]


def test_backward_records_carry_the_engine_numbers_and_mark_reuse():
    x = Value(3.0, "x")
    y = x * x + x  # x is used three times: its gradient accumulates
    data = page_data(y)
    contributions = [c for step in data["steps"] if step["phase"] == "backward" for c in step["contributions"]]
    into_x = [c for c in contributions if data["nodes"][c["parent"]]["name"] == "x"]
    assert [c["accumulates"] for c in into_x] == [False, True, True]
    assert into_x[-1]["after"] == 2 * 3.0 + 1  # d(x² + x)/dx
    for c in into_x:
        assert c["after"] == c["before"] + c["added"]
        assert c["added"] == c["local"] * 1.0
        assert c["formula"].startswith("∂")
        assert c["gradient_name"] == "∂(x·x + x)/∂x"


def test_each_parameter_has_its_chain_and_a_numerical_gradient_that_agrees():
    net = network()
    data = page_data(net.output, net.parameters)
    expected = lesson_gradients(W, B)
    chain = data["chains"][str(topological_order(net.output).index(net["w3"]))]
    assert chain["text"].startswith("∂C₀/∂w⁽³⁾ = ∂z⁽³⁾/∂w⁽³⁾ · ∂a⁽³⁾/∂z⁽³⁾ · ∂C₀/∂a⁽³⁾")
    assert chain["total"] == pytest.approx(expected["w3"], rel=1e-12)
    assert math.prod(f["value"] for f in chain["terms"][0]) == pytest.approx(expected["w3"], rel=1e-12)
    assert len(data["chains"]) == len(net.parameters)
    for key, chain in data["chains"].items():
        assert chain["agrees"] is True
        assert chain["numerical"] == pytest.approx(data["nodes"][int(key)]["grad"], rel=1e-5, abs=1e-8)


def test_a_numerical_gradient_that_disagrees_is_marked():
    x = Value(0.0, "x")  # ReLU's kink: the rule says 0, central differences see 1/2
    data = page_data(x.relu() + 0.0)
    chain = data["chains"]["0"]
    assert data["nodes"][0]["grad"] == 0.0
    assert chain["numerical"] == pytest.approx(0.5)
    assert chain["agrees"] is False


def test_infinite_gradients_survive_as_text_in_strict_json():
    x = Value(0.0, "x")
    data = page_data(x ** 0.5)  # d√x/dx = 1/(2√x) is infinite at 0
    assert by_name(data)["x"]["grad"] == "inf"
    json.loads(embedded_json(data))  # allow_nan=False inside: would raise on a bare inf


def test_default_parameters_are_the_labelled_leaves_not_constants():
    a, b = Value(2.0, "a"), Value(-1.0, "b")
    out = (a * b + 3.0) ** 2
    rows = page_data(out)["update"]["rows"]
    names = [page_data(out)["nodes"][row["node"]]["name"] for row in rows]
    assert sorted(names) == ["a", "b"]


def test_numbers_written_in_the_expression_are_constants_without_gradients():
    x, w, b = Value(2.0, "x"), Value(-0.5, "w"), Value(0.1, "b")
    loss = ((w * x + b).tanh() - 1.0) ** 2  # the README's graph: 1.0 and the exponent 2 are written numbers
    data = page_data(loss)
    constants = [i for i, node in enumerate(data["nodes"]) if node["kind"] == "constant"]
    assert [data["nodes"][i]["name"] for i in constants] == ["1", "2"]
    assert all(data["nodes"][i]["grad"] is None for i in constants)
    received = [c["parent"] for step in data["steps"] for c in step.get("contributions", [])]
    assert received
    assert not set(received) & set(constants)
    assert sorted(data["nodes"][row["node"]]["name"] for row in data["update"]["rows"]) == ["b", "w", "x"]


def test_a_chain_is_sent_as_its_head_and_aligned_rows():
    net = network()
    data = page_data(net.output, net.parameters)
    index = topological_order(net.output).index(net["w3"])
    chain = data["chains"][str(index)]
    assert chain["head"] == "∂C₀/∂w⁽³⁾"
    assert chain["rows"][:2] == ["∂z⁽³⁾/∂w⁽³⁾ · ∂a⁽³⁾/∂z⁽³⁾ · ∂C₀/∂a⁽³⁾", "a⁽²⁾ · σ'(z⁽³⁾) · 2(a⁽³⁾ − y)"]
    grads = lesson_gradients(W, B)
    assert chain["rows"][-1] == f"{grads['w3']:.4f}"


@pytest.mark.parametrize(('parameters', 'error', 'words'), [
    ([1.0], TypeError, r"parameters\[0\] must be a Value"),
    ([Value(1.0, "elsewhere")], ValueError, r"\(elsewhere\) is not in the graph"),
])
def test_bad_parameters_are_named(parameters, error, words):
    with pytest.raises(error, match=words):
        page_data(Value(1.0, "a") * 2.0, parameters)


def test_computed_nodes_and_bad_learning_rates_are_refused():
    a = Value(1.0, "a")
    hidden = a * 2.0
    out = hidden.tanh()
    with pytest.raises(ValueError, match=r"must be a leaf.*computed by op mul"):
        page_data(out, [hidden])
    for bad in (-0.1, math.nan, math.inf, "0.1", True):
        with pytest.raises((TypeError, ValueError), match="learning_rate must be a finite number >= 0"):
            page_data(out, learning_rate=bad)
    with pytest.raises(TypeError, match="output must be a Value"):
        page_data(3.0)


def test_embedded_json_cannot_close_the_script_or_open_a_comment():
    document = {"label": "</script><!--<script>&\u2028\u2029", "n": [1.5, None]}
    text = embedded_json(document)
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == document


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_a_hostile_label_stays_text_in_the_page(tmp_path):
    x = Value(2.0, HOSTILE)
    page = explore(x * x, tmp_path / "page.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "explorer-data"}, {}]
    assert not any(name.startswith("on") for _, attrs in parser.tags for name in attrs)
    assert page.count("The explorer's replay") == 1  # {{script}} inside a label was not filled in
    data = page.split('id="explorer-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["nodes"][0]["name"] == HOSTILE


def test_explore_writes_one_file_and_leaves_the_graph_as_it_was(tmp_path):
    net = network()
    nodes = topological_order(net.output)
    for node in nodes:
        node.grad = 7.0  # whatever the user had
    before = [(node.data, node.grad) for node in nodes]
    target = tmp_path / "explorer.html"
    target.write_text("old")
    assert explore(net.output, target, parameters=net.parameters, learning_rate=0.2) == target
    assert [(node.data, node.grad) for node in nodes] == before
    assert [p.name for p in tmp_path.iterdir()] == ["explorer.html"]
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert 'id="v0"' in page
    assert 'id="v1_op"' not in page[:100]
    namespaces = ('"http://www.w3.org/2000/svg"', '"http://www.w3.org/1999/xlink"')  # names, never fetched
    assert "http://" not in page.replace(namespaces[0], "").replace(namespaces[1], "")


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"the folder .*nowhere does not exist"):
        explore(network().output, tmp_path / "nowhere" / "page.html")


def test_without_graphviz_the_dot_source_is_kept_and_no_page_written(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-dot-here"))
    with pytest.raises(GraphvizMissingError, match=r"Graphviz is missing.*page\.gv"):
        explore(network().output, tmp_path / "page.html")
    assert not (tmp_path / "page.html").exists()
    assert "digraph" in (tmp_path / "page.gv").read_text(encoding="utf-8")


def test_the_command_line_writes_the_page(tmp_path):
    target = tmp_path / "explorer.html"
    done = subprocess.run([sys.executable, "-m", "viz", "explore", "four-neuron", "-o", str(target)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'data-testid="step-counter"' in target.read_text(encoding="utf-8")


def test_the_data_carries_its_format_version_and_each_nodes_drawing_id(tmp_path):
    net = network()
    data = page_data(net.output, net.parameters)
    assert data["format"] == FORMAT_VERSION
    ids = node_ids(net.output)
    assert [node["id"] for node in data["nodes"]] == [ids[node] for node in topological_order(net.output)]
    page = explore(net.output, tmp_path / "page.html", parameters=net.parameters).read_text(encoding="utf-8")
    svg_ids = set(re.findall(r'<g id="(v\d+)" class="node value', page))
    assert {node["id"] for node in data["nodes"]} == svg_ids
