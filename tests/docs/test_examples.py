"""The seed programs, reproduced with chainrule: the articles' printed figures and numpy re-implementations."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import nn
from examples import digits, eleven_lines, loy_network, moons_demo, single_neuron

XOR_X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
XOR_Y = np.array([[0, 1, 1, 0]], dtype=float).T


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_single_neuron_prints_the_articles_figures(capsys):
    single_neuron.main()
    out = capsys.readouterr().out
    assert "[-0.16595599, 0.44064899, -0.99977125]" in out  # starting weights
    assert "[9.67299303, -0.2078435, -4.62963669]" in out  # after 10,000 steps
    assert "0.99993704" in out  # the answer for [1, 0, 0]


def article_eleven_lines(iterations: int, every: int) -> list[float]:
    """The 3-layer program of "a neural network in 11 lines", in numpy: hand-written backprop."""
    np.random.seed(1)
    syn0 = 2 * np.random.random((3, 4)) - 1
    syn1 = 2 * np.random.random((4, 1)) - 1
    printed = []
    for j in range(iterations):
        l1 = sigmoid(XOR_X @ syn0)
        l2 = sigmoid(l1 @ syn1)
        l2_error = XOR_Y - l2
        if j % every == 0:
            printed.append(float(np.mean(np.abs(l2_error))))
        l2_delta = l2_error * l2 * (1 - l2)
        l1_delta = (l2_delta @ syn1.T) * l1 * (1 - l1)
        syn1 += l1.T @ l2_delta
        syn0 += XOR_X.T @ l1_delta
    return printed


def test_eleven_lines_matches_the_articles_program():
    errors = eleven_lines.train(steps=2001, report_every=1000)
    assert f"{errors[0]:.10f}" == "0.4964100319"  # the article's first printed line
    assert errors == pytest.approx(article_eleven_lines(2001, 1000), rel=1e-9)
    assert errors[-1] < 0.05


def loy_reference(steps: int, seed: int) -> tuple[list[float], np.ndarray]:
    """James Loy's NeuralNetwork class as numpy code: feedforward, then backprop adding d_weights."""
    np.random.seed(seed)
    weights1, weights2 = np.random.rand(3, 4), np.random.rand(4, 1)
    losses = []
    for _ in range(steps):
        layer1 = sigmoid(XOR_X @ weights1)
        output = sigmoid(layer1 @ weights2)
        losses.append(float(np.sum((XOR_Y - output) ** 2)))
        delta = 2 * (XOR_Y - output) * output * (1 - output)
        d_weights2 = layer1.T @ delta
        d_weights1 = XOR_X.T @ ((delta @ weights2.T) * layer1 * (1 - layer1))
        weights1 += d_weights1
        weights2 += d_weights2
    return losses, sigmoid(sigmoid(XOR_X @ weights1) @ weights2)


def test_loy_network_matches_his_feedforward_and_backprop_for_1500_steps():
    model, losses = loy_network.train(1500, seed=1)
    expected_losses, expected_output = loy_reference(1500, seed=1)
    assert losses == pytest.approx(expected_losses, rel=1e-9)
    assert [model(x).data for x in XOR_X.tolist()] == pytest.approx(expected_output[:, 0].tolist(), rel=1e-9)
    assert all(b <= a for a, b in itertools.pairwise(losses))  # falls steadily after the first step


def test_loy_example_writes_its_loss_curve(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    loy_network.main(["--out", str(tmp_path), "--steps", "20"])
    assert "loss at step 20" in capsys.readouterr().out
    assert (tmp_path / "loy_loss.png").read_bytes().startswith(b"\x89PNG")


def numpy_outputs(model: nn.MLP, X, hidden) -> np.ndarray:
    """The trained network in numpy: ``hidden`` after every layer but the last, a linear output."""
    a = np.asarray(X, dtype=float)
    for number, (weights, biases) in enumerate(model.get_weights(), start=1):
        z = a @ np.array(weights).T + np.array(biases)
        a = z if number == len(model.layers) else hidden(z)
    return a


def test_moons_demo_separates_the_moons():
    model, history, X, signs = moons_demo.train()  # micrograd's full recipe: 100 steps, lr 1.0 → 0.1
    assert len(model.parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    assert len(history) == 100
    assert history.lr == pytest.approx([1.0 - 0.9 * k / 100 for k in range(100)])
    scores = numpy_outputs(model, X, lambda z: np.maximum(z, 0.0))[:, 0]  # micrograd's MLP: ReLU hidden layers
    right = np.mean(np.sign(scores) == np.asarray(signs))  # scored by the sign, as micrograd does
    assert nn.evaluate(model, (X, signs)) == pytest.approx(right, abs=1e-12)
    assert right >= 0.95


def test_digits_network_reaches_93_percent_on_held_out_images():
    metrics = pytest.importorskip("sklearn.metrics")
    model, history, test_accuracy = digits.train()
    assert model.nouts == [16, 16, 10]
    assert model.activation == "sigmoid"
    assert len(history) == 20 * math.ceil(1437 / digits.BATCH)  # mini-batches of 100, 20 epochs
    X, y = nn.datasets.digits()
    *_, X_test, y_test = nn.datasets.split(X, y, digits.TEST_FRACTION, seed=0)  # the rows train() held out
    by_hand = metrics.accuracy_score(y_test, numpy_outputs(model, X_test, sigmoid).argmax(axis=1))
    assert test_accuracy == pytest.approx(by_hand, abs=1e-12)
    assert by_hand >= 0.93
