"""nn.fit's compiled path agrees with eager training (to 1e-9) and is what fit uses by default."""

import functools

import numpy as np
import pytest

import nn


def train_twice(make_model, data, **settings):
    """The same training run eagerly and compiled: their histories and final weights."""
    runs = []
    for compiled in (False, True):
        model = make_model()
        optimizer = nn.SGD(model.parameters(), lr=0.5, momentum=0.9)
        history = nn.fit(model, data, optimizer=optimizer, progress=False, compiled=compiled, **settings)
        runs.append((history, [p.data for p in model.parameters()]))
    return runs


@pytest.mark.parametrize(("loss", "outputs"), [("hinge", 1), ("mse", 1), ("bce", 1), ("cross_entropy", 3)])
def test_compiled_training_matches_eager(loss, outputs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 2))
    if outputs == 1:
        y = np.where(X[:, 0] * X[:, 1] > 0, 1, -1) if loss == "hinge" else (X[:, 0] > 0).astype(float)
    else:
        y = (np.arctan2(X[:, 1], X[:, 0]) > 0).astype(int) + (X[:, 0] > 1).astype(int)
    last = "sigmoid" if loss in ("mse", "bce") else "linear"
    make = lambda: nn.MLP(2, [5, outputs], activation="tanh", output_activation=last, seed=3)  # noqa: E731
    (eager, eager_weights), (fast, fast_weights) = train_twice(
        make, (X, y), loss=loss, steps=6, batch_size=10, seed=1, l2=1e-3)
    np.testing.assert_allclose(fast.loss, eager.loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast_weights, eager_weights, rtol=1e-9, atol=1e-12)
    assert fast.accuracy == eager.accuracy


def test_evaluate_replays_the_model_like_calling_it():
    model = nn.MLP(3, [4, 2], seed=0)
    X = np.random.default_rng(1).normal(size=(9, 3))
    labels = [int(np.argmax([o.data for o in model(list(row))])) for row in X]
    assert nn.evaluate(model, (X, labels)) == 1.0
    assert nn.evaluate(model, (X, [1 - label for label in labels])) == 0.0


@pytest.mark.parametrize("loss", ["mse", "sse", "hinge", "bce", "cross_entropy"])
def test_one_input_and_several_outputs_train_compiled_as_eager_for_every_loss(loss):
    """Issue 24: hinge and bce crashed the compiled step of MLP(1, [k]) (their constants sat among
    the parameters, which the optimiser's mapping misread)."""
    X = np.array([[0.5], [-1.0], [0.25], [2.0]])
    if loss == "cross_entropy":
        y = [0, 1, 1, 0]
    elif loss == "hinge":
        y = [[1, -1], [-1, 1], [1, 1], [-1, -1]]
    else:
        y = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.25], [1.0, 1.0]]
    last = "sigmoid" if loss in ("mse", "bce") else "linear"
    for hidden in ([2], [3, 2]):  # the MLP(1, [2]), and one hidden layer before the outputs
        make = functools.partial(nn.MLP, 1, hidden, activation="tanh", output_activation=last, seed=2)
        (eager, eager_weights), (fast, fast_weights) = train_twice(make, (X, y), loss=loss, steps=4, batch_size=3,
                                                                   seed=0, l2=1e-3)
        np.testing.assert_allclose(fast.loss, eager.loss, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fast_weights, eager_weights, rtol=1e-9, atol=1e-12)


def test_a_batch_is_checked_against_the_replay_limit_and_evaluate_replays_in_chunks(monkeypatch):
    model = nn.MLP(2, [4, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(int)
    whole = nn.evaluate(model, (X, y))
    replay = nn.compiled.CompiledModel(model)
    monkeypatch.setattr(nn.compiled, "MAX_REPLAY_BYTES", 7 * replay.tape.bytes_per_row())
    with pytest.raises(ValueError, match="use a batch size of at most 7"):
        nn.Trainer(model, (X, y), loss="mse")
    assert nn.evaluate(model, (X, y)) == whole  # replayed 7 rows at a time
    nn.fit(model, (X, y), loss="mse", batch_size=7, steps=3, progress=False)
