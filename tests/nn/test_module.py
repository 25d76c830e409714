"""nn.Neuron / Layer / MLP: shapes, labels, graph structure, seeds, and micrograd as a reference."""
from __future__ import annotations

import math
import random

import pytest

import autograd
import nn
from autograd import Value


def test_micrograd_demo_network_has_337_parameters():
    model = nn.MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    assert [len(layer.neurons) for layer in model.layers] == [16, 16, 1]
    assert model.nin == 2
    assert model.nouts == [16, 16, 1]


def test_defaults_follow_micrograd_relu_hidden_linear_output():
    model = nn.MLP(3, [4, 4, 2])
    assert [n.activation for n in model.layers[0].neurons] == ["relu"] * 4
    assert [n.activation for n in model.layers[-1].neurons] == ["linear"] * 2
    assert all(n.b.data == 0.0 and all(-1 <= w.data < 1 for w in n.w) for layer in model.layers for n in layer.neurons)


def test_one_output_gives_a_value_and_several_a_list():
    assert isinstance(nn.MLP(2, [3, 1])([1.0, 2.0]), Value)
    out = nn.MLP(2, [3, 2])([Value(1.0), 2])
    assert isinstance(out, list)
    assert len(out) == 2
    assert all(isinstance(v, Value) for v in out)


@pytest.mark.parametrize("inputs", [[1.0], [1.0, 2.0, 3.0]])
def test_wrong_number_of_inputs_names_both_counts(inputs):
    with pytest.raises(ValueError, match=f"expects 2 inputs, got {len(inputs)}"):
        nn.MLP(2, [3, 1])(inputs)


def test_a_bare_number_is_not_a_list_of_inputs():
    with pytest.raises(ValueError, match="list of 1 inputs"):
        nn.MLP(1, [1])(0.5)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"nin": 0, "nouts": [1]}, "nin"), ({"nin": 2, "nouts": []}, "nouts"), ({"nin": 2, "nouts": [3, 0]}, "layer size"),
    ({"nin": 2, "nouts": "16"}, "nouts"), ({"nin": 2, "nouts": [1], "activation": "softplus"}, "relu, tanh, sigmoid"),
    ({"nin": 2, "nouts": [1], "output_activation": "swish"}, "output_activation"), ({"nin": True, "nouts": [1]}, "nin"),
])
def test_bad_architecture_is_a_clear_error(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        nn.MLP(**kwargs)


def test_seed_makes_initialisation_reproducible_and_matches_micrograds_order():
    a, b, c = nn.MLP(2, [4, 1], seed=7), nn.MLP(2, [4, 1], seed=7), nn.MLP(2, [4, 1], seed=8)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    rng = random.Random(7)  # micrograd: w = uniform(-1, 1) per input, then b = 0, neuron by neuron
    expected = []
    for nin, nout in ((2, 4), (4, 1)):
        for _ in range(nout):
            expected += [rng.uniform(-1, 1) for _ in range(nin)] + [0.0]
    assert [p.data for p in a.parameters()] == expected


def test_weighted_sum_is_one_sum_node_and_linear_has_no_activation_node():
    model = nn.MLP(2, [2, 1], activation="tanh")
    out = model([0.5, -1.0])
    assert out.op.name == "sum"
    assert out.label == "z⁽²⁾₀"
    hidden = out.parents[0].parents[1]  # w⁽²⁾₀,₀ · a⁽¹⁾₀
    assert hidden.op.name == "tanh"
    assert hidden.label == "a⁽¹⁾₀"
    z = hidden.parents[0]
    assert z.op.name == "sum"
    assert z.label == "z⁽¹⁾₀"
    assert len(z.parents) == 3
    assert [p.op.name for p in z.parents[:2]] == ["mul", "mul"]
    assert z.parents[2].label == "b⁽¹⁾₀"
    assert next(p.label for p in z.parents[0].parents) == "w⁽¹⁾₀,₀"


def test_parameter_labels_follow_3blue1brown_notation():
    model = nn.MLP(3, [2, 1])
    labels = [p.label for p in model.parameters()]
    assert labels[:4] == ["w⁽¹⁾₀,₀", "w⁽¹⁾₀,₁", "w⁽¹⁾₀,₂", "b⁽¹⁾₀"]
    assert labels[-3:] == ["w⁽²⁾₀,₀", "w⁽²⁾₀,₁", "b⁽²⁾₀"]
    neuron = nn.Neuron(2, activation="sigmoid")
    assert [p.label for p in neuron.parameters()] == ["w₀", "w₁", "b"]
    out = neuron([1.0, 2.0])
    assert (out.label, out.parents[0].label) == ("a", "z")


def test_neuron_computes_activation_of_weighted_sum():
    for activation, f in [("relu", lambda z: max(z, 0.0)), ("tanh", math.tanh),
                          ("sigmoid", lambda z: 1 / (1 + math.exp(-z))), ("linear", lambda z: z)]:
        neuron = nn.Neuron(3, activation=activation, rng=random.Random(1))
        neuron.b.data = 0.25
        x = [0.5, -1.5, 2.0]
        z = sum(w.data * xi for w, xi in zip(neuron.w, x, strict=True)) + 0.25
        assert neuron(x).data == pytest.approx(f(z), rel=1e-12, abs=1e-15)


def test_no_bias_leaves_b_out_of_graph_and_parameters():
    neuron = nn.Neuron(2, activation="linear", bias=False)
    assert neuron.b is None
    assert len(neuron.parameters()) == 2
    assert len(neuron([1.0, 1.0]).parents) == 2


def test_zero_grad_resets_accumulated_gradients():
    model = nn.MLP(2, [3, 1], seed=0)
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_get_and_set_weights_round_trip_and_check_shapes():
    model, other = nn.MLP(2, [3, 1], seed=1), nn.MLP(2, [3, 1], seed=2)
    other.set_weights(model.get_weights())
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]
    weights = model.get_weights()
    assert len(weights[0][0]) == 3
    assert len(weights[0][0][0]) == 2
    with pytest.raises(ValueError, match="layer 1: weights must be 3 rows of 2"):
        other.set_weights([([[1.0, 2.0]] * 2, [0.0] * 3), weights[1]])
    with pytest.raises(TypeError, match="layer 2: biases must be 1 numbers"):
        other.set_weights([weights[0], (weights[1][0], None)])
    with pytest.raises(ValueError, match=r"2 \(weights, biases\) pairs, one per layer"):
        other.set_weights(weights[:1])


def test_same_outputs_and_gradients_as_micrograd():
    micrograd = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    reference = micrograd.MLP(2, [4, 4, 1])
    model = nn.MLP(2, [4, 4, 1], seed=1337)
    assert [p.data for p in model.parameters()] == [p.data for p in reference.parameters()]
    x = [0.3, -0.7]
    ours, theirs = model(x), reference(x)
    ours.backward()
    theirs.backward()
    assert ours.data == pytest.approx(theirs.data, rel=1e-12)
    assert [p.grad for p in model.parameters()] == pytest.approx([p.grad for p in reference.parameters()], rel=1e-12)


def test_gradients_of_a_network_pass_gradcheck():
    """backward through every layer agrees with central differences (the model uses the Values given)."""
    for activation in ("tanh", "sigmoid"):
        model = nn.MLP(2, [3, 2], activation=activation, output_activation="sigmoid", seed=3)
        assert autograd.gradcheck(lambda *params, m=model: autograd.sum(m([0.2, -0.8])), model.parameters())


def test_layer_sizes_past_the_parameter_limit_are_refused_before_allocating():
    with pytest.raises(ValueError, match=f"more than the limit of {nn.MAX_PARAMETERS:,}"):
        nn.MLP(2, [2 ** 63])
    with pytest.raises(ValueError, match=r"nn\.MAX_PARAMETERS"):
        nn.Layer(2 ** 40, 2)


def test_set_weights_changes_nothing_when_a_value_of_the_last_layer_is_bad():
    model = nn.MLP(2, [3, 2], seed=5)
    before = [p.data for p in model.parameters()]
    for bad in (float("nan"), "0.5", None, float("inf")):
        weights = model.get_weights()
        weights[-1][1][-1] = bad
        with pytest.raises((TypeError, ValueError), match=r"layer 2: bias \[1\] must be a finite number"):
            model.set_weights(weights)
        assert [p.data for p in model.parameters()] == before
