"""The cost a saved classifier is drawn, explained and explored with is the loss it was trained with (issue 20):
equal to nn's training loop's loss for that sample (its compiled replay) and to a numpy formula, with a
gradient that agrees with central differences; the README's iris run no longer pushes the right logit down."""
from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn
from nn.__main__ import main as nn_main
from viz import draw_model, resolve
from viz.__main__ import main as viz_main

ROOT = Path(__file__).resolve().parents[2]
ACTIVATIONS = {"tanh": np.tanh, "linear": lambda z: z, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}


def numpy_outputs(model: nn.MLP, x, weights: list[float] | None = None) -> np.ndarray:
    """The model's outputs for x by hand, from its parameters in order (or ``weights`` in their place)."""
    numbers = iter(weights if weights is not None else [p.data for p in model.parameters()])
    a = np.asarray(x, dtype=float)
    for number, layer in enumerate(model.layers):
        rows = [([next(numbers) for _ in neuron.w], next(numbers)) for neuron in layer.neurons]
        z = np.array([np.dot(w, a) + b for w, b in rows])
        a = ACTIVATIONS[model.output_activation if number == len(model.layers) - 1 else model.activation](z)
    return a


def numpy_cost(loss: str, outputs: np.ndarray, k: int) -> float:
    """Each loss for one sample of class k, written out with numpy."""
    if loss == "cross_entropy":
        return float(np.log(np.exp(outputs).sum()) - outputs[k])
    if loss == "hinge":
        return float(max(0.0, 1.0 - (2 * k - 1) * outputs[0]))
    if loss == "bce":
        return float(-(k * np.log(outputs[0]) + (1 - k) * np.log(1 - outputs[0])))
    wanted = np.eye(len(outputs))[k] if len(outputs) > 1 else np.array([k])
    return float(np.sum((outputs - wanted) ** 2) / (len(outputs) if loss == "mse" else 1))


CASES = [  # loss, classes, output activation
    ("cross_entropy", 3, "linear"), ("hinge", 2, "linear"), ("bce", 2, "sigmoid"), ("mse", 2, "sigmoid"),
    ("mse", 3, "sigmoid"), ("sse", 4, "sigmoid"),
]


@pytest.mark.parametrize(("loss", "classes", "output"), CASES)
def test_the_cost_is_the_models_own_training_loss_and_its_gradient_is_right(loss, classes, output, tmp_path):
    outputs = 1 if loss in ("hinge", "bce") or (loss == "mse" and classes == 2) else classes
    model = nn.MLP(3, [4, outputs], activation="tanh", output_activation=output, seed=7)
    names = tuple(f"c{j}" for j in range(classes))
    model.signature = nn.Signature(("p", "q", "r"), classes=names, loss=loss)
    model.save(tmp_path / "model.json")
    x, k = [0.4, -1.1, 0.7], classes - 1
    source = resolve(str(tmp_path / "model.json"), x, [k])
    expected = numpy_cost(loss, numpy_outputs(model, x), k)
    assert source.output.data == pytest.approx(expected, rel=1e-12)
    # nn's training loop on this one sample (its compiled replay), with a step that changes nothing
    _, targets = nn.recipes.outputs_and_targets(loss, np.array([k]), classes)
    trainer = nn.Trainer(nn.load(tmp_path / "model.json"), (np.array([x]), targets), loss=loss,
                         optimizer=nn.SGD(model.parameters(), lr=0.0), batch_size=1)
    assert trainer.step().loss == pytest.approx(source.output.data, rel=1e-12)
    # the gradient backward() left on the drawn graph's parameters, against central differences
    point = [p.data for p in source.parameters]
    slopes = autograd.central_differences(lambda w: numpy_cost(loss, numpy_outputs(model, x, w), k), point)
    assert [p.grad for p in source.parameters] == pytest.approx(slopes, rel=1e-5, abs=1e-8)
    assert source.output.label == "C₀"
    assert "the loss it was trained with" in source.title


def test_the_collapsed_view_shows_the_same_cost(tmp_path):
    model = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=4)
    model.signature = nn.Signature(("u", "v"), classes=("no", "yes"), loss="bce")
    source_text = draw_model(model, [0.3, 0.9], target=[0]).source
    p = numpy_outputs(model, [0.3, 0.9])[0]
    assert "−[y·log a + (1 − y)·log(1 − a)]" in source_text
    assert "class 0 (no): y = 0" in source_text
    assert f"C₀ = {-math.log(1 - p):.4f}" in source_text


def test_a_regression_keeps_squared_error(tmp_path):
    model = nn.MLP(2, [3, 1], activation="tanh", seed=5)
    model.signature = nn.Signature(("u", "v"), loss="mse")
    model.save(tmp_path / "price.json")
    source = resolve(str(tmp_path / "price.json"), [0.2, -0.4], [1.5])
    assert source.output.data == pytest.approx((numpy_outputs(model, [0.2, -0.4])[0] - 1.5) ** 2, rel=1e-12)


def test_the_readmes_iris_drawing_pulls_the_right_class_up(tmp_path, capsys, monkeypatch):
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "iris.csv", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    assert nn_main(["train", "examples/iris.csv", "--target", "species", "--epochs", "20", "--quiet",
                    "--no-plots"]) == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`python -m viz\s+draw\s+(runs/iris/model\.json --input \S+ --target 2)", readme).group(1)
    source = resolve("runs/iris/model.json", [6.3, 2.9, 5.6, 1.8], [2])
    logits = [source.find(f"z3_{j}") for j in range(3)]
    probabilities = np.exp([z.data for z in logits]) / np.exp([z.data for z in logits]).sum()
    assert source.output.data == pytest.approx(-math.log(probabilities[2]), rel=1e-9)
    assert logits[2].grad < 0 < logits[0].grad
    assert logits[1].grad > 0
    assert [z.grad for z in logits] == pytest.approx(probabilities - np.eye(3)[2], rel=1e-9, abs=1e-12)
    capsys.readouterr()
    assert viz_main(["explain", *command.split(), "--wrt", "b3_2"]) == 0
    out = capsys.readouterr().out
    assert "C₀ = −log softmax(a)ₖ for class k = 2 (virginica)" in out
    assert "softmax cross-entropy, the loss it was trained with" in out
    by_name = command.replace("--target 2", "--target virginica")  # iris.csv's third species, sorted by name
    assert viz_main(["explain", *by_name.split(), "--wrt", "b3_2"]) == 0
    assert capsys.readouterr().out == out


def test_a_class_named_wrongly_or_a_name_where_numbers_are_due_is_refused_naming_what_would_do(tmp_path):
    model = nn.MLP(2, [3, 3], activation="tanh", seed=2)
    model.signature = nn.Signature(("u", "v"), classes=("cat", "dog", "owl"), loss="cross_entropy")
    model.save(tmp_path / "pets.json")
    assert resolve(str(tmp_path / "pets.json"), [0.1, 0.2], "owl").output.data == pytest.approx(
        numpy_cost("cross_entropy", numpy_outputs(model, [0.1, 0.2]), 2), rel=1e-12)
    with pytest.raises(ValueError, match=r"'Owl' is not one of its classes: 0 \(cat\), 1 \(dog\), 2 \(owl\)"):
        resolve(str(tmp_path / "pets.json"), [0.1, 0.2], "Owl")
    regression = nn.MLP(2, [3, 1], seed=2)
    regression.save(tmp_path / "price.json")
    with pytest.raises(ValueError, match="not a classifier with named classes: its target is 1 number, got 'owl'"):
        resolve(str(tmp_path / "price.json"), [0.1, 0.2], "owl")
    with pytest.raises(ValueError, match="four-neuron's target y is a number, got 'owl'"):
        resolve("four-neuron", None, "owl")
