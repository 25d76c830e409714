"""Issue 23: the compiled Trainer keeps its parameters in arrays, yet no code of yours ever sees a stale
``Value.data`` or ``.grad``. Each check runs the same training compiled and eagerly (``compiled=False``
builds every graph on the Values themselves, so they are always current: the reference) and compares what
user code reads at the moment it runs: a callback, a ``steps()`` record, after ``fit``, after an error."""
from __future__ import annotations

import numpy as np
import pytest

import nn

TOLERANCE = {"rtol": 1e-9, "atol": 1e-12}


def data(rows: int = 30, bad_label_at: int | None = None):
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(rows, 4)), rng.integers(0, 3, rows).tolist()
    if bad_label_at is not None:
        y[bad_label_at] = 7  # not a class of three outputs: cross-entropy refuses the batch that holds it
    return X, y


def model_and_optimizer():
    model = nn.MLP(4, [5, 3], activation="sigmoid", seed=2)
    return model, nn.SGD(model.parameters(), lr=0.5, momentum=0.9)


def state(model) -> np.ndarray:
    return np.array([[p.data, p.grad] for p in model.parameters()])


def weights(model) -> np.ndarray:
    return np.array([p.data for p in model.parameters()])


def both(run) -> list:
    """``run(model, optimizer, compiled)`` compiled and eagerly; what it returned each way."""
    results = []
    for compiled in (True, False):
        model, optimizer = model_and_optimizer()
        results.append(run(model, optimizer, compiled))
    return results


def assert_same(compiled, eager) -> None:
    assert len(compiled) == len(eager)
    for got, wanted in zip(compiled, eager, strict=True):
        np.testing.assert_allclose(got, wanted, **TOLERANCE)


def test_a_schedule_of_yours_reads_the_weights_of_every_step_so_far():
    def run(model, optimizer, compiled):
        seen = []

        def schedule(step):
            seen.append(state(model))
            return 0.5

        nn.fit(model, data(), loss="cross_entropy", optimizer=optimizer, epochs=3, batch_size=8, seed=1,
               lr_schedule=schedule, compiled=compiled, progress=False)
        return [*seen, state(model)]

    compiled, eager = both(run)
    assert len(compiled) == 3 * 4 + 1
    assert not np.allclose(compiled[1], compiled[-1])  # the weights moved between the calls
    assert_same(compiled, eager)


def test_a_loss_of_yours_reads_the_current_weights_inside_an_epoch():
    def run(model, optimizer, compiled):
        seen = []

        def loss(outputs, targets):
            seen.append(weights(model))  # (mid-step, the eager step has zeroed .grad: not compared)
            return nn.cross_entropy(outputs, targets)

        trainer = nn.Trainer(model, data(), loss=loss, optimizer=optimizer, batch_size=8, seed=1, compiled=compiled)
        trainer.epoch()
        return [*seen, weights(model)]

    assert_same(*both(run))


def test_every_record_steps_yields_and_every_return_of_step_epoch_and_fit_sees_written_values():
    def run(model, optimizer, compiled):
        trainer = nn.Trainer(model, data(), loss="cross_entropy", optimizer=optimizer, batch_size=8, seed=1,
                             compiled=compiled, l2=1e-3)
        seen = [state(model) for _ in trainer.steps(3)]
        trainer.step()
        seen.append(state(model))
        trainer.epoch()
        seen.append(state(model))
        nn.fit(model, data(), loss="cross_entropy", optimizer=optimizer, epochs=2, batch_size=8, seed=2,
               compiled=compiled, progress=False)
        return [*seen, state(model)]

    assert_same(*both(run))


def test_weights_you_set_between_steps_are_the_ones_trained():
    def run(model, optimizer, compiled):
        trainer = nn.Trainer(model, data(), loss="cross_entropy", optimizer=optimizer, batch_size=8, seed=1,
                             compiled=compiled)
        trainer.epoch()
        model.layers[0].neurons[0].w[0].data = 3.0  # between two calls: the next ones start from it
        trainer.step()
        trainer.epoch()
        return [state(model)]

    assert_same(*both(run))


def test_an_error_mid_epoch_leaves_the_values_of_the_steps_taken():
    def run(model, optimizer, compiled):
        trainer = nn.Trainer(model, data(bad_label_at=17), loss="cross_entropy", optimizer=optimizer, batch_size=8,
                             seed=1, compiled=compiled)
        with pytest.raises(ValueError, match="class index"):
            trainer.epoch()
        return [weights(model), [trainer.step_count]]  # (.grad: the eager step zeroed it before the error)

    compiled, eager = both(run)
    assert compiled[1][0] > 0  # some steps were taken before the batch that holds the bad label
    assert_same(compiled, eager)


class Interrupted(nn.SGD):
    """SGD whose third update is interrupted (as by Ctrl-C), after that step's gradients were found."""

    def update(self, data, grads):
        self.updates = getattr(self, "updates", 0) + 1
        if self.updates == 3:
            raise KeyboardInterrupt
        super().update(data, grads)


def test_ctrl_c_inside_fit_writes_the_two_steps_taken_and_the_third_ones_gradients():
    def run(model, _, compiled):
        optimizer = Interrupted(model.parameters(), lr=0.5, momentum=0.9)
        with pytest.raises(KeyboardInterrupt):
            nn.fit(model, data(), loss="cross_entropy", optimizer=optimizer, epochs=2, batch_size=8, seed=1,
                   compiled=compiled, progress=False)
        return [state(model)]

    assert_same(*both(run))


def test_a_diverged_step_leaves_the_weights_as_they_were():
    def run(_, __, compiled):
        model = nn.MLP(4, [5, 1], activation="sigmoid", seed=2)
        X, _ = data()
        trainer = nn.Trainer(model, (X, X[:, 0]), optimizer=nn.SGD(model.parameters(), lr=1e200), batch_size=8,
                             seed=1, compiled=compiled)
        trainer.step()  # weights near 1e200: the next batch's squared error overflows
        before = weights(model)
        with pytest.raises(nn.TrainingDiverged, match="step 1"):
            trainer.epoch()
        return [before, weights(model)]

    compiled, eager = both(run)
    np.testing.assert_array_equal(compiled[1], compiled[0])
    assert_same(compiled, eager)
