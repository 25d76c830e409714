"""Compiled training equals eager training on random set-ups: model shape, activations, bias or none, every
built-in loss with targets of its kind, SGD (momentum, Nesterov, weight decay) or Adam, L1 and L2, batch
sizes. The eager engine (``compiled=False``) is the reference; where it raises, the compiled step raises
the same error. (L1 is left to tests/nn/test_compiled_losses.py: its gradient jumps at 0, so a weight the
two ways leave at 0 and at 1e-18, by rounding, would take steps of l1 apart.)"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nn

LOSS_OUTPUTS = {"mse": ("linear", "tanh", "sigmoid"), "sse": ("linear", "relu"), "hinge": ("linear", "tanh"),
                "bce": ("sigmoid", "linear"), "cross_entropy": ("linear",)}


@st.composite
def setups(draw):
    loss = draw(st.sampled_from(sorted(LOSS_OUTPUTS)))
    outputs = draw(st.integers(2, 4)) if loss == "cross_entropy" else draw(st.sampled_from([1, 1, 2]))
    return {
        "nin": draw(st.integers(1, 4)), "hidden": draw(st.lists(st.integers(1, 5), max_size=2)), "outputs": outputs,
        "activation": draw(st.sampled_from(["tanh", "sigmoid", "relu"])), "loss": loss,
        "output_activation": draw(st.sampled_from(LOSS_OUTPUTS[loss])), "bias": draw(st.booleans()),
        "optimizer": draw(st.sampled_from(["sgd", "momentum", "nesterov", "adam"])),
        "l2": draw(st.sampled_from([0.0, 0.02])), "batch_size": draw(st.sampled_from([None, 1, 3])),
        "steps": draw(st.integers(1, 4)), "seed": draw(st.integers(0, 99)),
    }


def data_for(setup: dict, rows: int = 7):
    rng = np.random.default_rng(setup["seed"])
    X = rng.normal(size=(rows, setup["nin"]))
    shape = (rows,) if setup["outputs"] == 1 else (rows, setup["outputs"])
    targets = {"cross_entropy": lambda: rng.integers(0, setup["outputs"], rows),
               "hinge": lambda: rng.choice([-1.0, 1.0], size=shape),
               "bce": lambda: rng.integers(0, 2, size=shape).astype(float)}
    y = targets.get(setup["loss"], lambda: rng.normal(size=shape))()
    return X, y.tolist()


def optimizer_for(setup: dict, parameters):
    kind = setup["optimizer"]
    if kind == "adam":
        return nn.Adam(parameters, lr=0.01, weight_decay=0.01)
    return nn.SGD(parameters, lr=0.05, momentum=0.0 if kind == "sgd" else 0.9, nesterov=kind == "nesterov",
                  weight_decay=0.0 if kind == "sgd" else 0.01)


def trained(setup: dict, compiled: bool):
    """(weights, step losses, gradients) after ``steps`` steps, or the error the first step raised."""
    model = nn.MLP(setup["nin"], [*setup["hidden"], setup["outputs"]], activation=setup["activation"],
                   seed=setup["seed"], output_activation=setup["output_activation"], bias=setup["bias"])
    trainer = nn.Trainer(model, data_for(setup), loss=setup["loss"], optimizer=optimizer_for(setup, model.parameters()),
                         batch_size=setup["batch_size"], seed=setup["seed"], l2=setup["l2"],
                         compiled=compiled)
    try:
        losses = [trainer.step().loss for _ in range(setup["steps"])]
    except nn.TrainingDiverged:
        return "diverged"
    except ValueError as error:
        return f"ValueError: {str(error).split(' got ')[0]}"  # the rows' numbers may differ in their last digits
    parameters = model.parameters()
    return np.array([p.data for p in parameters]), np.array(losses), np.array([p.grad for p in parameters])


@settings(max_examples=40, deadline=None)
@given(setups())
def test_compiled_training_equals_eager_training(setup):
    eager, compiled = trained(setup, compiled=False), trained(setup, compiled=True)
    assume(eager != "diverged")
    if isinstance(eager, str):
        assert compiled == eager
        return
    assert not isinstance(compiled, str), compiled
    for name, got, expected in zip(("weights", "losses", "gradients"), compiled, eager, strict=True):
        assert got == pytest.approx(expected, rel=1e-8, abs=1e-10), name
