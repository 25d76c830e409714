"""viz.sources and the collapsed view, against references written here or taken from micrograd."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nn
import viz
from tests.support.graphs import micrograd_readme_program
from viz import draw, draw_model, four_neuron, render, resolve
from viz.__main__ import main as viz_main
from viz.chain import ascii_alias

SVG = "{http://www.w3.org/2000/svg}"


def test_four_neuron_labels_and_parameters_follow_the_lesson():
    network = four_neuron(a0=0.3, y=0.9, w=(1.0, 2.0, 3.0), b=(0.1, 0.2, 0.3))
    assert [p.label for p in network.parameters] == ["w⁽¹⁾", "b⁽¹⁾", "w⁽²⁾", "b⁽²⁾", "w⁽³⁾", "b⁽³⁾"]
    assert network.output.label == "C₀"
    a = 0.3
    for w, b in [(1.0, 0.1), (2.0, 0.2), (3.0, 0.3)]:
        a = 1 / (1 + math.exp(-(w * a + b)))
    assert network.output.data == pytest.approx((a - 0.9) ** 2, rel=1e-12)
    assert network["z3"].op.name == "sum"
    assert network["a3"].op.name == "sigmoid"
    with pytest.raises(ValueError, match="3 numbers"):
        four_neuron(w=(1.0, 2.0))


@pytest.mark.parametrize(("label", "alias"), [("w⁽³⁾", "w3"), ("C₀", "C0"), ("a⁽⁰⁾₁", "a0_1"), ("w⁽²⁾₀,₁", "w2_0,1"),
                                            ("w⁽²⁾₀,₁", "w2_0_1")])
def test_ascii_aliases(label, alias):
    assert ascii_alias(label) == ascii_alias(alias)


def test_explain_finds_a_weight_typed_as_the_explorers_search_box_takes_it(tmp_path, capsys):
    nn.MLP(2, [3, 1], seed=0).save(tmp_path / "model.json")
    assert viz_main(["explain", str(tmp_path / "model.json"), "--input", "0.5,-1", "--wrt", "w1_2_0"]) == 0
    assert "∂z⁽²⁾₀/∂w⁽¹⁾₂,₀ = " in capsys.readouterr().out  # w1_2_0 was 'no node named'; the page's search took it


def test_karpathys_neuron_matches_the_hand_derivative():
    source = resolve("neuron")
    x1, x2, w1, w2, b = 2.0, 0.0, -3.0, 1.0, 6.8813735870195432
    o = math.tanh(x1 * w1 + x2 * w2 + b)
    slope = 1 - o * o
    assert source.output.data == pytest.approx(o)
    assert o == pytest.approx(math.sqrt(0.5), abs=1e-9)
    assert [p.grad for p in source.parameters] == pytest.approx([x1 * slope, x2 * slope, slope])
    assert source.find("x1").grad == pytest.approx(w1 * slope)


@pytest.mark.parametrize("inputs", [None, [-3.0, 1.5]])
def test_micrograd_example_matches_micrograd_itself(inputs):
    from micrograd.engine import Value as MicroValue

    a, b, g = micrograd_readme_program(MicroValue, *(inputs or [-4.0, 2.0]))
    g.backward()
    source = resolve("micrograd-example", inputs)
    assert source.output.data == pytest.approx(g.data, rel=1e-12)
    assert [p.grad for p in source.parameters] == pytest.approx([a.grad, b.grad], rel=1e-12)


def numpy_forward(model, x):
    """The saved model's forward pass re-implemented with numpy from its weights."""
    activations = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
                   "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "linear": lambda z: z}
    layers = [np.asarray(x, dtype=float)]
    for number, (weights, biases) in enumerate(model.get_weights(), start=1):
        name = model.output_activation if number == len(model.layers) else model.activation
        layers.append(activations[name](np.asarray(weights) @ layers[-1] + np.asarray(biases)))
    return layers


@pytest.fixture
def saved_model(tmp_path):
    model = nn.MLP(2, [3, 1], activation="tanh", seed=3)
    path = tmp_path / "model.json"
    model.save(path)
    return model, path


def test_a_saved_model_with_an_input_and_a_target_gives_the_cost_and_its_gradient(saved_model):
    model, path = saved_model
    source = resolve(str(path), [0.5, -1.0], [0.25])
    prediction = numpy_forward(model, [0.5, -1.0])[-1][0]
    assert source.output.label == "C₀"
    assert source.output.data == pytest.approx((prediction - 0.25) ** 2, rel=1e-12)
    output_bias = source.find("b2_0")  # linear output: ∂C₀/∂b = 2(a − y)
    assert output_bias.grad == pytest.approx(2 * (prediction - 0.25), rel=1e-12)
    assert len(source.parameters) == 13
    assert source.model is not None
    with pytest.raises(ValueError, match="give them as an input"):
        resolve(str(path))
    with pytest.raises(ValueError, match="takes 2 numbers"):
        resolve(str(path), [1.0])


@pytest.fixture
def features_model(tmp_path):
    """A model of the features x1², x1·x2, sin(x2) of two raw inputs, saved with its signature."""
    model = nn.MLP(3, [2, 1], activation="tanh", seed=3)
    model.signature = nn.Signature(("width", "height"), features=("x1^2", "x1*x2", "sin(x2)"), classes=("no", "yes"))
    model.save(tmp_path / "features.json")
    return model, tmp_path / "features.json"


def test_a_model_with_features_takes_its_raw_inputs_as_predict_does(features_model):
    model, path = features_model
    raw = [0.5, -1.2]
    features = [0.25, -0.6, math.sin(-1.2)]  # x1², x1·x2, sin(x2) by hand
    source = resolve(str(path), raw, [1.0])
    assert [source.find(f"a0_{k}").data for k in range(3)] == pytest.approx(features, rel=1e-15)
    score = numpy_forward(model, features)[-1][0]  # one linear output of a two-class file: a hinge score
    assert source.output.data == pytest.approx(max(0.0, 1.0 - score), rel=1e-12)
    assert "x1^2, x1*x2, sin(x2) of (width, height)" in source.title
    with pytest.raises(ValueError, match=r"takes 2 numbers as the input \(width, height\), got 3"):
        resolve(str(path), features)
    with pytest.raises(ValueError, match=r"--input 0.5,0.5 \(width, height\)"):
        resolve(str(path))


def test_the_collapsed_view_of_a_model_with_features_shows_each_feature_and_its_value(features_model, tmp_path):
    model, _ = features_model
    root = ET.parse(render(draw_model(model, [0.5, -1.2]), tmp_path / "features.svg")).getroot()
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for name, value in [("x1^2", "0.2500"), ("x1*x2", "-0.6000"), ("sin(x2)", "-0.9320")]:
        assert f"{name} = {value}" in text, (name, text)
    with pytest.raises(ValueError, match=r"takes 2 numbers as the input \(width, height\), got 3"):
        draw_model(model, [0.25, -0.6, 0.1])


def test_a_classifiers_target_is_its_class_and_the_cost_its_softmax_cross_entropy(tmp_path):
    model = nn.MLP(4, [5, 3], seed=2)  # a file without a recorded loss: several linear outputs are logits
    model.signature = nn.Signature(("sl", "sw", "pl", "pw"), classes=("setosa", "versicolor", "virginica"))
    model.save(tmp_path / "iris.json")
    x = [6.3, 2.9, 5.6, 1.8]
    logits = numpy_forward(model, x)[-1]
    source = resolve(str(tmp_path / "iris.json"), x, [2])
    assert source.output.data == pytest.approx(np.log(np.exp(logits).sum()) - logits[2], rel=1e-12)
    assert resolve(str(tmp_path / "iris.json"), x, [0, 0, 1]).output.data == source.output.data
    root = ET.parse(render(draw_model(model, x, target=[2]), tmp_path / "iris.svg")).getroot()
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "C₀ = −log softmax(a)ₖ" in text
    assert "class k = 2 (virginica)" in text
    with pytest.raises(ValueError, match=r"a classifier's target is one class index: 0 \(setosa\), "
                                         r"1 \(versicolor\), 2 \(virginica\); got 3"):
        resolve(str(tmp_path / "iris.json"), x, [3])


def test_classes_named_by_their_index_are_not_named_twice(tmp_path, capsys):
    model = nn.MLP(2, [3, 1], seed=0)  # as nn train saves moons: classes "0" and "1", a hinge score
    model.signature = nn.Signature(("x1", "x2"), classes=("0", "1"), loss="hinge")
    model.save(tmp_path / "moons.json")
    assert viz_main(["explain", str(tmp_path / "moons.json"), "--input", "0.5,-1", "--target", "1"]) == 0
    assert "for class 1: y = 1, the hinge loss" in capsys.readouterr().out  # was "class 1 (1)"
    with pytest.raises(ValueError, match=r"a classifier's target is one class index: 0, 1; got 2$"):  # was "0 0, 1 1"
        resolve(str(tmp_path / "moons.json"), [0.5, -1.0], [2])


def test_collapsed_view_draws_layers_of_neurons_with_their_activations(tmp_path):
    model = nn.MLP(2, [16, 16, 1], activation="tanh", output_activation="sigmoid", seed=0)
    x = [0.5, -0.2]
    graph = draw_model(model, x)
    weight_edges = [line for line in graph.source.splitlines() if " -> " in line and "invis" not in line]
    assert len(weight_edges) == 2 * 16 + 16 * 16 + 16 * 1
    root = ET.parse(render(graph, tmp_path / "model.svg")).getroot()
    boxes = {g.get("id"): "\n".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
             for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    neurons = [name for name in boxes if name.startswith("L")]
    assert len(neurons) == 33
    assert {"in0", "in1"} <= set(boxes)
    assert "Σ w·a + b → tanh" in boxes["L1n0"]
    assert "Σ w·a + b → σ" in boxes["L3n0"]
    layers = numpy_forward(model, x)
    for layer, values in ((1, layers[1]), (3, layers[3])):
        for j, value in enumerate(values):
            shown = float(boxes[f"L{layer}n{j}"].split("a = ")[1])
            assert shown == pytest.approx(value, abs=5e-5)
    with pytest.raises(ValueError, match="max_nodes"):
        draw(model(x), max_nodes=100)  # the expanded view has ~700 values


def test_collapsed_view_with_a_target_draws_the_cost(tmp_path):
    model = nn.MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=1)
    x, y = [0.5, -1.0], [1.0, 0.0]
    root = ET.parse(render(draw_model(model, x, target=y), tmp_path / "cost.svg")).getroot()
    boxes = {g.get("id"): ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
             for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    outputs = numpy_forward(model, x)[-1]
    assert boxes["cost"][:3] == ["C₀ = Σ (a − y)²", "y₀ = 1.0000", "y₁ = 0.0000"]
    assert float(boxes["cost"][3].split("C₀ = ")[1]) == pytest.approx(np.sum((outputs - y) ** 2), abs=5e-5)
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    into_cost = ["".join(g.find(f"{SVG}title").itertext()) for g in edges]
    assert sorted(t for t in into_cost if t.endswith("->cost")) == ["L2n0->cost", "L2n1->cost"]
    with pytest.raises(ValueError, match="needs the inputs"):
        draw_model(model, target=y)
    with pytest.raises(ValueError, match="2 numbers"):
        draw_model(model, x, target=[1.0])


def test_the_collapsed_view_has_limits_too(tmp_path, capsys):
    model = nn.MLP(300, [300, 1])
    with pytest.raises(ValueError, match=r"90,300 edges \(one per weight\), more than max_edges=6000"):
        viz.draw_model(model)
    with pytest.raises(ValueError, match=r"601 boxes .* more than max_nodes=600"):
        viz.draw_model(model, max_nodes=600, max_edges=100_000)
    path = tmp_path / "wide.json"
    model.save(path)
    assert viz_main(["draw", str(path), "--input", ",".join(["0.1"] * 300), "--collapsed", "-o",
                     str(tmp_path / "x.svg")]) == 2
    assert "more than --max-edges 6000; pass --max-edges 90300 or more" in capsys.readouterr().err


def test_resolve_refuses_what_is_neither_a_name_nor_a_path():
    with pytest.raises(TypeError, match=r"four-neuron.*MODEL\.json, got float"):
        viz.resolve(0.5)
