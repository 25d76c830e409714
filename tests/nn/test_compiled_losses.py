"""Every built-in loss traced on the tape with the model gives eager's loss and gradients (1e-9);
custom losses and batches the traced loss cannot stand for run the eager loss, errors included."""
from __future__ import annotations

import numpy as np
import pytest

import nn

TOLERANCE = {"rtol": 1e-9, "atol": 1e-12}


def targets_for(loss: str, rows: int, outputs: int, rng) -> list:
    if loss == "cross_entropy":
        return rng.integers(0, outputs, rows).tolist()
    if loss == "hinge":
        labels = rng.choice([-1, 1], size=(rows, outputs))
    elif loss == "bce":
        labels = rng.uniform(0, 1, size=(rows, outputs))
    else:
        labels = rng.normal(size=(rows, outputs))
    return labels[:, 0].tolist() if outputs == 1 else labels.tolist()


def both_ways(model, loss, X, targets, l2, l1=0.0):
    """(loss, outputs, gradients) eagerly and compiled, from the same weights."""
    results = []
    for step in (lambda *args, **kw: nn.loss_and_grads(model, *args, **kw), nn.CompiledModel(model).loss_and_grads):
        model.zero_grad()
        value, outputs = step(loss, X, targets, l1=l1, l2=l2)
        results.append((value, np.array(outputs, dtype=float), [p.grad for p in model.parameters()]))
    return results


@pytest.mark.parametrize(("name", "outputs", "last"), [
    ("mse", 1, "sigmoid"), ("mse", 3, "tanh"), ("sse", 2, "linear"), ("hinge", 1, "linear"),
    ("hinge", 2, "linear"), ("bce", 1, "sigmoid"), ("bce", 3, "sigmoid"), ("cross_entropy", 4, "linear")])
@pytest.mark.parametrize(("l1", "l2"), [(0.0, 0.0), (0.0, 1e-3), (2e-3, 1e-3)])
def test_each_built_in_loss_traced_with_the_model_matches_eager(name, outputs, last, l1, l2):
    rng = np.random.default_rng(7)
    model = nn.MLP(5, [6, outputs], activation="relu", output_activation=last, seed=1)
    X = rng.normal(size=(13, 5))
    targets = targets_for(name, 13, outputs, rng)
    loss = nn.LOSSES[name]
    compiled = nn.CompiledModel(model)
    compiled.loss_and_grads(loss, X, targets, l1=l1, l2=l2)
    assert compiled.loss_tapes, "the built-in loss was traced"
    (eager, eager_outputs, eager_grads), (fast, fast_outputs, fast_grads) = both_ways(model, loss, X, targets, l2, l1)
    assert fast == pytest.approx(eager, rel=1e-9)
    np.testing.assert_allclose(fast_outputs, eager_outputs, **TOLERANCE)
    np.testing.assert_allclose(fast_grads, eager_grads, **TOLERANCE)


def test_a_custom_loss_keeps_the_eager_path_and_agrees():
    def cubed_error(outputs, targets):
        return nn.sse(outputs, targets) * 0.5 + (outputs[0] - targets[0]) ** 3

    model = nn.MLP(3, [4, 1], activation="tanh", seed=0)
    rng = np.random.default_rng(1)
    X, targets = rng.normal(size=(6, 3)), rng.normal(size=6).tolist()
    compiled = nn.CompiledModel(model)
    compiled.loss_and_grads(cubed_error, X, targets)
    assert not compiled.loss_tapes
    (eager, _, eager_grads), (fast, _, fast_grads) = both_ways(model, cubed_error, X, targets, 0.0)
    assert fast == pytest.approx(eager, rel=1e-9)
    np.testing.assert_allclose(fast_grads, eager_grads, **TOLERANCE)


def test_a_bce_batch_that_hits_the_clamped_log_is_computed_as_eager_does():
    model = nn.MLP(2, [1], output_activation="sigmoid", seed=0)
    model.layers[0].neurons[0].w[0].data = 400.0  # sigmoid(±400·x) is 0 or 1 to float precision
    X = np.array([[-1.0, 0.0], [0.0, 0.1]])  # p = e⁻⁴⁰⁰ in the first row: log p is clamped at −100
    targets = [1.0, 0.5]
    (eager, _, eager_grads), (fast, _, fast_grads) = both_ways(model, nn.binary_cross_entropy, X, targets, 0.0)
    assert 50 < eager < 51  # (100 + about 0.7) / 2, where the unclamped log would give about 200
    assert fast == pytest.approx(eager, rel=1e-9)
    np.testing.assert_allclose(fast_grads, eager_grads, **TOLERANCE)


def test_bce_traces_even_when_the_model_gives_exactly_0_or_1_at_zero_inputs():
    """The loss is traced on placeholders whose inputs are 0: a bias of 40 gives p = sigmoid(40) = 1.0 there,
    where log(1 − p) is undefined; tracing used to raise, while the eager loss clamps log 0 at −100."""
    model = nn.MLP(2, [1], output_activation="sigmoid", seed=0)
    model.layers[0].neurons[0].b.data = 40.0
    X = np.array([[0.5, -0.5], [0.1, 0.2], [-0.3, 0.0]])  # |w·x| < 2: p is 1.0 to float precision in every row
    (eager, _, eager_grads), (fast, _, fast_grads) = both_ways(model, nn.binary_cross_entropy, X, [0.0, 1.0, 1.0], 0.0)
    assert eager == pytest.approx(100 / 3, rel=1e-12)  # (−log 0 clamped to 100, −log 1, −log 1) / 3
    assert fast == pytest.approx(eager, rel=1e-9)
    np.testing.assert_allclose(fast_grads, eager_grads, **TOLERANCE)


def test_bce_on_a_linear_output_says_to_use_a_sigmoid_output_compiled_as_eagerly():
    model = nn.MLP(2, [1], seed=0)  # a linear output: p = 0 at zero inputs, and negative for some rows
    X, targets = np.array([[1.0, -1.0], [-1.0, 1.0]]), [0.0, 1.0]
    assert min(model(list(row)).data for row in X) < 0
    assert model.layers[0].neurons[0].b.data == 0.0
    for compiled in (False, True):
        with pytest.raises(ValueError, match=r"in \[0, 1\].*use a sigmoid output"):
            nn.Trainer(model, (X, targets), loss="bce", compiled=compiled).step()


@pytest.mark.parametrize("scale", [900.0, -740.0])
def test_logits_whose_unshifted_exp_overflows_or_underflows_fall_back_to_eager_and_agree(scale):
    model = nn.MLP(2, [3], seed=0)
    for k, neuron in enumerate(model.layers[0].neurons):
        neuron.w[0].data, neuron.w[1].data = 1.0, 0.1 * k
    X = np.array([[scale, 0.0], [0.5, 0.1]])  # the first row's logits: exp is inf, or subnormal (3 digits)
    (eager, _, eager_grads), (fast, _, fast_grads) = both_ways(model, nn.cross_entropy, X, [0, 2], 0.0)
    assert np.isfinite(eager)
    assert fast == pytest.approx(eager, rel=1e-9)
    np.testing.assert_allclose(fast_grads, eager_grads, **TOLERANCE)


@pytest.mark.parametrize(("name", "targets", "message"), [
    ("hinge", [0, 1], "hinge needs labels -1 or \\+1"), ("bce", [0.5, 2.0], "in \\[0, 1\\]"),
    ("cross_entropy", [0, 3], "a class index"), ("mse", [[1.0, 2.0], [1.0]], "a target of 1"),
])
def test_targets_the_eager_loss_rejects_raise_its_error(name, targets, message):
    outputs = 3 if name == "cross_entropy" else (2 if name == "mse" else 1)
    model = nn.MLP(2, [outputs], output_activation="sigmoid" if name == "bce" else "linear", seed=0)
    with pytest.raises(ValueError, match=message):
        nn.CompiledModel(model).loss_and_grads(nn.LOSSES[name], np.ones((2, 2)), targets)


def trainers(optimizer_of, loss="cross_entropy", outputs=3, **settings):
    """The same Trainer eagerly and compiled, from the same weights and data."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 4))
    y = rng.integers(0, outputs, 30)
    made = []
    for compiled in (False, True):
        model = nn.MLP(4, [5, outputs], activation="sigmoid", seed=2)
        made.append(nn.Trainer(model, (X, y), loss=loss, optimizer=optimizer_of(model), batch_size=8, seed=1,
                               compiled=compiled, **settings))
    return made


def state(trainer):
    return [p.data for p in trainer.model.parameters()], [p.grad for p in trainer.model.parameters()]


@pytest.mark.parametrize("optimizer_of", [
    lambda m: nn.SGD(m.parameters(), lr=0.3, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda m: nn.Adam(m.parameters(), lr=0.05, weight_decay=1e-2),
    lambda m: nn.SGD(m.layers[1].parameters(), lr=0.5),  # the first layer frozen: its grads accumulate
])
def test_compiled_trainer_steps_equal_eager_ones_for_every_optimiser(optimizer_of):
    eager, fast = trainers(optimizer_of, l1=1e-3, l2=1e-3)
    for trainer in (eager, fast):
        for _ in range(3):
            trainer.step()
    for got, wanted in zip(state(fast), state(eager), strict=True):
        np.testing.assert_allclose(got, wanted, **TOLERANCE)
    assert fast.history.loss == pytest.approx(eager.history.loss, rel=1e-9)
    assert fast.history.accuracy == eager.history.accuracy


def test_held_steps_write_the_model_when_done_or_stopped_early():
    eager, fast = trainers(lambda m: nn.SGD(m.parameters(), lr=0.5, momentum=0.9))
    for record in fast.steps(10):
        if record.step == 3:
            break  # the generator's close writes the four steps taken
    for _ in range(4):
        eager.step()
    for got, wanted in zip(state(fast), state(eager), strict=True):
        np.testing.assert_allclose(got, wanted, **TOLERANCE)
    fast.epoch(), eager.epoch()  # a second pass (30 rows are 4 batches of 8), held, then written
    for got, wanted in zip(state(fast), state(eager), strict=True):
        np.testing.assert_allclose(got, wanted, **TOLERANCE)
    assert fast.step_count == eager.step_count == 8


def test_the_model_is_written_at_every_record_steps_yields():
    """Issue 23: steps() kept the parameters in arrays while your loop ran, leaving Value.data stale."""
    eager, fast = trainers(lambda m: nn.SGD(m.parameters(), lr=0.5, momentum=0.9))
    for number, record in enumerate(fast.steps(5)):
        assert record.step == number
        eager.step()
        for got, wanted in zip(state(fast), state(eager), strict=True):
            np.testing.assert_allclose(got, wanted, **TOLERANCE)
    assert record.step == 4


def test_one_step_strategy_and_one_result_type_for_built_in_and_custom_losses():
    def halved_sse(outputs, targets):
        return nn.sse(outputs, targets) * 0.5

    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    results = {}
    for name, loss in (("built in", nn.sse), ("custom", halved_sse)):
        model = nn.MLP(3, [4, 2], activation="tanh", seed=0)
        compiled = nn.CompiledModel(model)
        results[name] = compiled.step(loss, X, y.tolist(), optimizer=nn.SGD(model.parameters(), lr=0.1))
        assert isinstance(results[name], nn.compiled.StepResult)
        assert (name == "built in") == bool(compiled.loss_tapes)  # only the built-in loss was traced
    assert results["built in"].loss == pytest.approx(2 * results["custom"].loss, rel=1e-12)
    np.testing.assert_allclose(results["built in"].outputs, results["custom"].outputs, rtol=1e-12)
    assert results["built in"].outputs.shape == (6, 2)
