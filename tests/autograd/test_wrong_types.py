"""A non-Value where a Value belongs, and numbers past a float in a model file: a clear error, no traceback."""
from __future__ import annotations

import json

import pytest

import autograd
import nn
import viz
from autograd import Value


def _x() -> Value:
    return Value(2.0, "x")


@pytest.mark.parametrize(("name", "call"), [
    ("backward: output", lambda: autograd.backward(5)),
    ("grad: output", lambda: autograd.grad(5, [_x()])),
    ("topological_order: root", lambda: autograd.topological_order(5)),
    ("backward_steps: output", lambda: autograd.backward_steps(5)),
    ("explain: wrt", lambda: str(autograd.explain(_x() * 2, 5))),
    ("explain: output", lambda: autograd.explain(5, _x())),
])
def test_the_engine_refuses_a_number_where_a_value_belongs(name, call):
    with pytest.raises(TypeError, match=f"{name} must be a Value .*got int: 5"):
        call()


def test_resolve_refuses_what_is_neither_a_name_nor_a_path():
    with pytest.raises(TypeError, match=r"four-neuron.*MODEL\.json, got float"):
        viz.resolve(0.5)


def test_a_custom_loss_that_returns_a_float_is_a_type_error_naming_what_is_needed():
    model = nn.MLP(2, [1], seed=0)
    for compiled in (True, False):
        with pytest.raises(TypeError, match=r"must return a Value .*got float: 0\.0"):
            nn.fit(model, ([[0.0, 1.0]], [1.0]), loss=lambda outputs, targets: 0.0, steps=1, progress=False,
                   compiled=compiled)


def test_hinge_takes_plain_numbers_as_the_other_losses_do():
    assert nn.hinge([0.5], [1]).data == max(0.0, 1 - 1 * 0.5)
    assert nn.hinge([0.5, -2.0], [1, -1]).data == (0.5 + 0.0) / 2


def test_one_hot_refuses_labels_that_are_not_class_indices():
    with pytest.raises(ValueError, match=r"whole class indices in 0..2, got \[0.5\]"):
        nn.datasets.one_hot([0.5], 3)
    assert nn.datasets.one_hot([2.0, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]


def test_accuracy_of_nothing_is_a_value_error():
    with pytest.raises(ValueError, match=r"accuracy needs .* at least one: got 0 outputs and 0 targets"):
        nn.accuracy([], [])


def _model_file(tmp_path, weight: str) -> str:
    path = tmp_path / "model.json"
    nn.MLP(1, [1], seed=0).save(path)
    document = json.loads(path.read_text())
    text = json.dumps(document).replace(repr(document["layers"][0]["weights"][0][0]), weight, 1)
    path.write_text(text)
    return str(path)


def test_a_weight_past_the_float_range_names_the_file_and_the_field(tmp_path, capsys):
    from nn.__main__ import main as nn_main
    from viz.__main__ import main as viz_main

    path = _model_file(tmp_path, "1" + "0" * 400)
    with pytest.raises(ValueError, match=r"model.json: layers\[0\].weights\[0\]\[0\] must be a finite number"):
        nn.load(path)
    nn_main(["predict", path, "1"])
    for command in (["draw", path, "--input", "1", "-o", str(tmp_path / "a.svg")],
                    ["explore", path, "--input", "1", "-o", str(tmp_path / "a.html")]):
        assert viz_main(command) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert all("layers[0].weights[0][0] must be a finite number" in line for line in lines)
    assert all(len(line) < 300 for line in lines)  # the 401-digit number is cut, not echoed
