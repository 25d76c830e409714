"""The explorer's neuron and layer views: the scalar engine's own numbers, regrouped (issue 20).

Each number must equal a sum of the gradients the scalar view shows (1e-12), and a backprop written by
hand in numpy's matrix form, as Trask and Loy write it (1e-9), on random MLPs for every activation and
every built-in loss.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, subscript
from viz import explore, four_neuron
from viz.explorer_data import page_data
from viz.explorer_network import default_level, read_network

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
LOSSES = ("mse", "sse", "hinge", "bce", "cross_entropy")


def random_mlp_loss(activation: str, loss: str, seed: int):
    """A random MLP (2 to 4 layers of 1 to 5 neurons) on one random input, with the loss; and its parameters."""
    rng = random.Random(seed)
    outputs = 3 if loss == "cross_entropy" else 1
    sizes = [rng.randint(1, 4)] + [rng.randint(1, 5) for _ in range(rng.randint(1, 3))] + [outputs]
    model = nn.MLP(sizes[0], sizes[1:], activation=activation, seed=seed,
                   output_activation="sigmoid" if loss == "bce" else "linear")
    inputs = [Value(rng.uniform(-2, 2), f"a⁽⁰⁾{subscript(k)}") for k in range(sizes[0])]
    out = model(inputs)
    target = {"cross_entropy": [rng.randrange(3)], "hinge": [rng.choice([-1, 1])]}.get(loss, [rng.random()])
    cost = nn.LOSSES[loss]([out], target)
    cost.label = "C"
    return cost, model, [v.data for v in inputs], target


def numpy_backprop(model, x, target, loss: str):
    """Forward and backward in matrix form, by hand: per layer (z, a, δ, ∂C/∂W, ∂C/∂a of the inputs)."""
    activations = {"relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(float)),
                   "tanh": (np.tanh, lambda z, a: 1 - a ** 2),
                   "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
                   "linear": (lambda z: z, lambda z, a: np.ones_like(z))}
    a, layers = np.array(x), []
    for (W, b), layer in zip(model.get_weights(), model.layers, strict=True):
        W, b = np.array(W), np.array(b)
        f, slope = activations[layer.neurons[0].activation]
        z = W @ a + b
        layers.append({"W": W, "a_in": a, "z": z, "a": f(z), "slope": slope})
        a = layers[-1]["a"]
    y = np.array(target, dtype=float)
    if loss == "mse":
        grad = 2 * (a - y) / a.size
    elif loss == "sse":
        grad = 2 * (a - y)
    elif loss == "hinge":
        grad = np.where(1 - y * a > 0, -y, 0.0)
    elif loss == "bce":
        grad = -(y / a - (1 - y) / (1 - a))
    else:
        p = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
        grad = p - np.eye(a.size)[int(target[0])]
    for layer in reversed(layers):
        layer["grad_a"] = grad
        layer["delta"] = layer["slope"](layer["z"], layer["a"]) * grad
        layer["grad_W"] = np.outer(layer["delta"], layer["a_in"])
        grad = layer["W"].T @ layer["delta"]
        layer["grad_in"] = grad
    return layers


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_layer_numbers_are_sums_of_the_scalar_gradients_and_match_numpy(activation, loss):
    for seed in range(3):
        cost, model, x, target = random_mlp_loss(activation, loss, seed)
        data = page_data(cost, parameters=model.parameters())
        net = data["network"]
        assert net is not None
        assert len(net["layers"]) == len(model.layers)
        grad_of = {node["name"]: node["grad"] for node in data["nodes"]}
        previous_names, previous_grads = net["inputs"]["names"], net["inputs"]["grad"]
        for layer in net["layers"]:
            # the scalar view's gradients, node by node
            assert layer["grad_a"] == pytest.approx([grad_of[n] for n in layer["a_names"]], abs=1e-12)
            assert layer["delta"] == pytest.approx([grad_of[n] for n in layer["z_names"]], abs=1e-12)
            for j, names in enumerate(layer["w_names"]):
                assert layer["grad_W"][j] == pytest.approx([grad_of[n] for n in names], abs=1e-12)
            # ∂C/∂a⁽ᴸ⁻¹⁾ₖ is the sum over this layer's neurons of the terms the engine sent
            sums = np.array(layer["terms"]).sum(axis=0)
            assert list(sums) == pytest.approx([grad_of[n] for n in previous_names], abs=1e-12)
            assert list(sums) == pytest.approx(previous_grads, abs=1e-12)
            previous_names, previous_grads = layer["a_names"], layer["grad_a"]
        by_hand = numpy_backprop(model, x, target, loss)
        for layer, mine in zip(net["layers"], by_hand, strict=True):
            for key in ("z", "a", "grad_a", "delta"):
                assert np.allclose(layer[key], mine[key], rtol=0, atol=1e-9), (activation, loss, seed, key)
            assert np.allclose(layer["grad_W"], mine["grad_W"], rtol=0, atol=1e-9)
            assert np.allclose(np.array(layer["terms"]).sum(axis=0), mine["grad_in"], rtol=0, atol=1e-9)


def test_the_numpy_lines_beside_the_formulas_compute_the_same_numbers():
    for activation in ACTIVATIONS:
        cost, model, _x, _target = random_mlp_loss(activation, "mse", 5)
        net = page_data(cost, parameters=model.parameters())["network"]
        scope = {"np": np, "a0": np.array(net["inputs"]["a"])}
        for layer in net["layers"]:
            n = layer["number"]
            scope.update({f"W{n}": np.array(layer["W"]), f"b{n}": np.array(layer["b"])})
            for _, line in layer["formulas"]["forward"]:
                exec(line, scope)
            assert np.allclose(scope[f"a{n}"], layer["a"], atol=1e-12)
        scope[f"dC_da{len(net['layers'])}"] = np.array(net["layers"][-1]["grad_a"])
        for layer in reversed(net["layers"]):
            n = layer["number"]
            for _, line in layer["formulas"]["backward"]:
                exec(line, scope)
            assert np.allclose(scope[f"d{n}"], layer["delta"], atol=1e-12)
            assert np.allclose(scope[f"dC_dW{n}"], layer["grad_W"], atol=1e-12)
            assert np.allclose(scope[f"dC_da{n - 1}"], np.array(layer["terms"]).sum(axis=0), atol=1e-12)


def test_the_update_step_gives_each_layer_its_new_weights():
    cost, model, x, target = random_mlp_loss("tanh", "mse", 7)
    by_hand = numpy_backprop(model, x, target, "mse")  # δ of a layer is ∂C/∂b, its outer product ∂C/∂W
    weights = model.get_weights()
    data = page_data(cost, parameters=model.parameters(), learning_rate=0.3)
    for layer, mine, (W, b) in zip(data["network"]["layers"], by_hand, weights, strict=True):
        assert np.allclose(layer["new_W"], np.array(W) - 0.3 * mine["grad_W"], rtol=0, atol=1e-9)
        assert np.allclose(layer["new_b"], np.array(b) - 0.3 * mine["delta"], rtol=0, atol=1e-9)


def test_steps_link_each_view_to_the_one_below_and_above():
    cost, model, _, _ = random_mlp_loss("relu", "sse", 2)
    data = page_data(cost, parameters=model.parameters())
    neuron, layer, scalar = data["network"]["neuron_steps"], data["network"]["layer_steps"], data["steps"]
    assert [s["phase"] for s in (neuron[0], neuron[-1], layer[0], layer[-1])] == ["start", "update"] * 2
    for step in neuron:
        above = layer[step["up"]]
        assert above["phase"] == step["phase"]
        if step["phase"] == "backward" and step["layer"] != "cost":
            assert above["layer"] == max(step["layer"], 1)
            # the scalar step it opens on is where that neuron's gradient is complete
            node = scalar[step["scalar"]]
            assert node["phase"] == "backward"
    for step in layer:
        if "down" in step:
            assert neuron[step["down"]]["phase"] == step["phase"]


def test_what_is_and_is_not_a_network():
    net = four_neuron()
    order = autograd.topological_order(net.output)
    names = autograd.Names(net.output, order)
    chain = read_network(net.output, order, names)
    assert [len(layer.neurons) for layer in chain.layers] == [1, 1, 1]
    assert default_level(order, chain) == "scalar"  # the lesson's chain is read whole
    model = nn.MLP(2, [4, 4, 1], seed=0)
    out = model([Value(0.5, "x1"), Value(-1.0, "x2")])
    penalised = nn.losses.with_penalty((out - 1.0) ** 2, model.parameters(), l2=0.1)
    order = autograd.topological_order(penalised)
    assert read_network(penalised, order, autograd.Names(penalised, order)) is None  # each weight is used twice
    plain = (out - 1.0) ** 2
    order = autograd.topological_order(plain)
    found = read_network(plain, order, autograd.Names(plain, order))
    assert default_level(order, found) == "neuron"
    assert [n.a.label for n in found.layers[0].neurons] == [f"a⁽¹⁾{subscript(j)}" for j in range(4)]


def test_a_wrong_level_is_named_before_any_work(tmp_path):
    x = Value(2.0, "x")
    with pytest.raises(ValueError, match="level must be one of scalar, neuron, layer"):
        explore(x * x, tmp_path / "x.html", level="neurons")
    with pytest.raises(ValueError, match="needs a network"):
        explore(x * x, tmp_path / "x.html", level="layer")
    assert not (tmp_path / "x.html").exists()


def test_a_penalised_loss_is_refused_a_network_view_with_the_reason_and_what_to_explore_instead(tmp_path):
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([Value(0.5, "x0"), Value(-0.5, "x1")])
    penalised = nn.losses.with_penalty((out - 1.0) ** 2, model.parameters(), l2=0.1)  # micrograd's demo loss form
    with pytest.raises(ValueError, match=r"an L2 term.*explore one example.s loss without the penalty"):
        explore(penalised, tmp_path / "p.html", level="neuron", parameters=model.parameters())
    assert not (tmp_path / "p.html").exists()
    explore((out - 1.0) ** 2, tmp_path / "p.html", level="neuron", parameters=model.parameters())
    assert (tmp_path / "p.html").stat().st_size > 0


def test_the_digit_network_opens_on_the_layer_view_without_its_scalar_graph():
    model = nn.MLP(784, [16, 16, 10], activation="sigmoid", seed=0)
    rng = random.Random(1)
    out = model([Value(rng.random(), f"a⁽⁰⁾{subscript(k)}") for k in range(784)])
    cost = nn.LOSSES["cross_entropy"]([out], [7])
    data = page_data(cost, parameters=model.parameters())
    assert data["level"] == "layer"
    assert "max_nodes=3000" in data["scalar_refused"]
    assert "nodes" not in data
    assert data["network"]["inputs"]["image"] == 28
    assert [layer["size"] for layer in data["network"]["layers"]] == [16, 16, 10]
    with pytest.raises(ValueError, match="max_nodes=3000"):
        page_data(cost, level="scalar")


@pytest.mark.parametrize(("made_from", "named", "unnamed"), [
    ("python", ["more than max_nodes=5; pass a larger max_nodes", "autograd.explain(output, node)"], ["--max-nodes"]),
    ("shell", ["more than --max-nodes 5; pass --max-nodes {values} or more", "python -m viz explain"],
     ["max_nodes", "autograd."]),
    ("room", ["the graph has {values} values, more than the 5 the scalar view draws"],
     ["max_nodes", "--max-nodes", "autograd.", "python -m"]),
])
def test_the_note_on_a_left_out_scalar_view_names_what_applies_where_the_page_was_made(made_from, named, unnamed):
    net = four_neuron()
    values = len(autograd.topological_order(net.output))
    data = page_data(net.output, parameters=net.parameters, max_nodes=5, made_from=made_from)
    assert data["level"] == "neuron"
    for text in named:
        assert text.format(values=values) in data["scalar_refused"]
    for text in unnamed:
        assert text not in data["scalar_refused"]


def test_a_page_made_from_elsewhere_is_refused_naming_the_places():
    net = four_neuron()
    with pytest.raises(ValueError, match="made_from must be one of python, shell, room, got str: 'notebook'"):
        page_data(net.output, made_from="notebook")


def test_the_update_step_is_the_training_optimisers_rule_and_leaves_it_as_it_was():
    cost, model, _, _ = random_mlp_loss("tanh", "mse", 3)
    parameters = model.parameters()
    w = np.array([p.data for p in parameters])
    g = np.array(autograd.grad(cost, parameters))
    momentum = nn.SGD(parameters, lr=0.1, momentum=0.9)
    momentum.buffer = np.linspace(-1, 1, len(parameters))  # as after earlier steps
    adam = nn.Adam(parameters, lr=0.01)
    adam.t, adam.m, adam.v = 3, np.linspace(-0.1, 0.1, len(parameters)), np.linspace(0.01, 0.02, len(parameters))
    before = [(momentum.buffer.copy(),), (adam.t, adam.m.copy(), adam.v.copy())]
    velocity = 0.9 * momentum.buffer + g  # PyTorch's SGD: buf = μ·buf + g, w -= lr·buf
    m, v = 0.9 * adam.m + 0.1 * g, 0.999 * adam.v + 0.001 * g * g
    adam_new = w - 0.01 * (m / (1 - 0.9 ** 4)) / (np.sqrt(v / (1 - 0.999 ** 4)) + 1e-8)
    for optimizer, state, expected, name in ((momentum, [velocity], w - 0.1 * velocity, "SGD with momentum μ = 0.9"),
                                             (adam, [m, v], adam_new, "Adam (β₁ = 0.9")):
        update = page_data(cost, parameters=parameters, optimizer=optimizer)["update"]
        assert update["optimizer"].startswith(name)
        assert np.allclose([row["new"] for row in update["rows"]], expected, rtol=0, atol=1e-12)
        for k, values in enumerate(state):
            assert np.allclose([row["state"][k] for row in update["rows"]], values, rtol=0, atol=1e-12)
    assert np.array_equal(momentum.buffer, before[0][0])
    assert (adam.t, list(adam.m), list(adam.v)) == (before[1][0], list(before[1][1]), list(before[1][2]))
