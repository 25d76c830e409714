"""The one module of argument checks (``autograd.argument_checks``) and the calls issue 24 found failing
inside chainrule or accepted silently: each is refused first, naming the argument and what is valid."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Value
from autograd import argument_checks as check


@pytest.mark.parametrize(("call", "kind", "message"), [
    (lambda: check.real("1", "lr"), TypeError, "lr must be a finite number .*got str: '1'"),
    (lambda: check.real(True, "lr"), TypeError, "lr must be a finite number .*got bool: True"),
    (lambda: check.real(math.inf, "lr"), ValueError, "lr must be a finite number, got float: inf"),
    (lambda: check.real(-1, "lr", at_least=0), ValueError, "lr must be a finite number >= 0, got int: -1"),
    (lambda: check.real(10**400, "x", finite=False), ValueError, "x must be a number within the float range"),
    (lambda: check.count(0, "steps"), ValueError, "steps must be a positive integer, got int: 0"),
    (lambda: check.count(2.0, "steps"), TypeError, "steps must be a positive integer, got float: 2.0"),
    (lambda: check.probability(1.5, "p"), ValueError, "p must be a finite number >= 0 and <= 1, got float: 1.5"),
    (lambda: check.seed("a"), TypeError, "seed must be an integer >= 0 and <= 2\\^128|seed must be an integer"),
    (lambda: check.seed(-1), ValueError, "seed must be an integer >= 0"),
    (lambda: check.flag("no", "bias"), TypeError, "bias must be True or False, got str: 'no'"),
    (lambda: check.path(None), TypeError, "path must be a file path .*got NoneType: None"),
    (lambda: check.path(2**53 + 1), TypeError, "path must be a file path .*got int: 9007199254740993"),
    (lambda: check.path(""), ValueError, "path must be a file path .*not empty"),
    (lambda: check.choice("exp", "schedule", ("linear", "step")), ValueError,
     "schedule must be one of linear, step, got str: 'exp'"),
])
def test_one_message_style_names_the_argument_and_what_is_valid(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_what_is_valid_comes_back_as_it_will_be_used():
    assert check.real(np.float32(0.5), "x") == 0.5
    assert type(check.real(3, "x")) is float
    assert check.count(np.int64(3), "n") == 3
    assert type(check.count(np.int64(3), "n")) is int
    assert check.seed(None) is None
    assert check.seed(7) == 7
    assert check.flag(np.bool_(True), "f") is True
    assert check.numbers((1, 2.5), "w") == [1.0, 2.5]
    assert check.path("model.json").name == "model.json"


def test_a_message_never_echoes_a_huge_value():
    with pytest.raises(TypeError) as caught:
        check.real("x" * 10_000, "lr")
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(("call", "name"), [
    (lambda: nn.load(None), "path"),
    (lambda: nn.load(2**53 + 1), "path"),  # not taken as a file descriptor
    (lambda: nn.datasets.moons(10, seed="a"), "seed"),
    (lambda: autograd.name_of(3), "name_of: node"),
    (lambda: autograd.local_derivative(3, 0), "local_derivative: node"),
    (lambda: autograd.local_derivative(Value(1.0) * 2, 2), "local_derivative: index"),
    (lambda: autograd.apply("mul", 1.0, 2.0), "apply: op"),
    (lambda: autograd.apply(autograd.OPS["mul"], 1.0), "apply: operands"),
    (lambda: autograd.constant_leaves([1.0]), "constant_leaves: order"),
    (lambda: autograd.numerical_gradient(lambda x: x, [1.0]), "numerical_gradient: inputs"),
    (lambda: autograd.gradcheck(lambda x: x * x, [1.0], eps=0), "gradcheck: eps"),
    (lambda: nn.MLP(2, [1]).set_weights([1, 2]), "set_weights: layers"),
    (lambda: nn.MLP(2, [1]).set_weights([1]), "set_weights: layer 1"),
    (lambda: Value(10**400), "Value: data"),
    (lambda: nn.mse(0.5, "1"), "mse: targets"),
    (lambda: nn.binary_cross_entropy(object(), 1.0), "binary_cross_entropy: probabilities"),
    (lambda: nn.datasets.load_csv("data.csv", max_bytes=2**53 + 0.5), "max_bytes"),
    (lambda: viz.decision_boundary(nn.MLP(2, [1]), [[0.0, 0.0], [1.0, 1.0]], [0, 1], "b.png", resolution=100_000),
     "resolution"),
])
def test_wrong_arguments_issue_24_found_are_refused_at_the_boundary(call, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises((TypeError, ValueError), match=name):
        call()


def test_a_huge_max_bytes_reads_no_more_than_the_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,label\n1,0\n2,1\n")
    table = nn.datasets.load_csv(path, max_bytes=2**53)  # was a MemoryError: a 2**53-byte read buffer
    assert table.X.tolist() == [[1.0], [2.0]]


@pytest.mark.parametrize(("call", "name"), [
    (lambda: nn.MLP(2, [3, 1], bias="no"), "MLP: bias"),
    (lambda: nn.Signature("abc"), "inputs"),
    (lambda: nn.confusion_matrix(nn.MLP(2, [1]), ([[0.0, math.nan]], [0])), "row 0 holds nan"),
    (lambda: nn.fit(nn.MLP(1, [1]), ([[0.0], [1.0]], [0.0, 1.0]), steps=1, progress=False,
                    validation=([[0.0], [1.0]], [math.nan, 1.0])), "validation data: target 0 is nan"),
    (lambda: nn.SGD([Value(0.0)], momentum=math.inf), "momentum"),
    (lambda: nn.Adam([Value(0.0)], eps=math.inf), "eps"),
    (lambda: nn.Adam([Value(0.0)], eps=0), "eps"),
    (lambda: viz.draw(Value(1.0) + 1, max_nodes=math.nan), "max_nodes"),
    (lambda: viz.explore(Value(1.0) + 1, max_nodes=math.nan), "max_nodes"),
    (lambda: viz.draw_model(nn.MLP(2, [1]), max_edges=math.nan), "max_edges"),
    (lambda: viz.playground(port=True), "port"),
    (lambda: viz.playground(port=70000), "port"),
])
def test_bad_input_is_no_longer_accepted_silently(call, name):
    with pytest.raises((TypeError, ValueError), match=name):
        call()


def test_backward_through_a_graph_made_cyclic_says_so():
    a = Value(1.0, "a")
    b = a * 2
    b.label = "b"
    c = b + 1
    b.parents = (c, b.parents[1])  # edited by hand: b depends on c, which depends on b
    for differentiate in (c.backward, lambda: autograd.grad(c, [a]), lambda: autograd.backward_steps(c)):
        with pytest.raises(ValueError, match=r"the graph has a cycle: .* depends on itself"):
            differentiate()


def test_a_cycle_below_the_recursion_budget_is_found_too():
    x = Value(1.0, "x")
    y = x
    for _ in range(1000):
        y = y + 1
    y.label = "top"
    bottom = y
    while bottom.parents[0].parents:
        bottom = bottom.parents[0]
    bottom.parents = (y, bottom.parents[1])
    with pytest.raises(ValueError, match="the graph has a cycle"):
        y.backward()


def test_a_feature_that_overflows_is_one_error_and_no_numpy_warning(recwarn):
    with pytest.raises(ValueError, match=r"feature x1\^2 of row 0 overflows to inf for the point \(1e\+200, 2\)"):
        nn.features.transform([[1e200, 2.0]], ["x1", "x1^2"])
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_predict_on_an_input_whose_feature_overflows_prints_one_line(tmp_path, capsys):
    from nn.__main__ import main

    model = nn.MLP(3, [1], seed=0)
    model.signature = nn.Signature(("x", "y"), features=("x1", "x2", "x1^2"))
    model.save(tmp_path / "m.json")
    assert main(["predict", str(tmp_path / "m.json"), "1e200", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "feature x1^2 of row 0 overflows to inf" in err
