"""Model files carry what prediction needs (inputs, features, classes); version-1 files still load; init."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import nn
from nn import Signature, features
from tests.support.counting import CountedName, comparisons_made


def test_a_signature_round_trips_through_the_file(tmp_path):
    model = nn.MLP(3, [4, 3], seed=2)
    model.signature = Signature(("a", "b"), features=("x1", "x2^2", "sin(x2)"), classes=("red", "green", "blue"))
    model.save(tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert loaded.signature == model.signature
    raw = np.array([[0.5, -2.0], [1.0, 3.0]])
    assert np.allclose(loaded.signature.prepare(raw), np.column_stack([raw[:, 0], raw[:, 1] ** 2, np.sin(raw[:, 1])]))
    assert json.loads((tmp_path / "m.json").read_text())["signature"]["classes"] == ["red", "green", "blue"]


def test_a_version_one_file_still_loads(tmp_path):
    old = {"format": "chainrule.mlp", "version": 1,
           "architecture": {"nin": 2, "nouts": [1], "activation": "relu", "output_activation": "linear",
                            "bias": True},
           "layers": [{"weights": [[0.5, -1.5]], "biases": [0.25]}]}
    (tmp_path / "old.json").write_text(json.dumps(old))
    model = nn.load(tmp_path / "old.json")
    assert model.signature is None
    assert model.get_weights() == [([[0.5, -1.5]], [0.25])]
    old["signature"] = None
    (tmp_path / "odd.json").write_text(json.dumps(old))
    with pytest.raises(ValueError, match="unexpected \\['signature'\\]"):
        nn.load(tmp_path / "odd.json")


def saved_with(tmp_path, signature: dict):
    model = nn.MLP(2, [3], seed=0)
    model.save(tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    document["signature"] = signature
    (tmp_path / "m.json").write_text(json.dumps(document))
    return tmp_path / "m.json"


@pytest.mark.parametrize(("signature", "message"), [
    ({"inputs": ["a", "b"]}, 'signature must be an object with "inputs", "features" and "classes"'),
    ({"inputs": "ab", "features": None, "classes": None}, "signature.inputs must be a list of names"),
    ({"inputs": ["a", "b", "c"], "features": None, "classes": None}, "gives 3 model inputs but the model takes 2"),
    ({"inputs": ["a", "a"], "features": None, "classes": None}, "the name 'a' appears twice"),
    ({"inputs": ["a", 7], "features": None, "classes": None}, "every name must be text"),
    ({"inputs": ["a", "b"], "features": ["x1", "cos(x1)"], "classes": None}, "unknown feature 'cos\\(x1\\)'"),
    ({"inputs": ["a"], "features": ["x1", "x2"], "classes": None}, "features transform two inputs"),
    ({"inputs": ["a", "b"], "features": None, "classes": ["p", "q"]}, "2 class names for a model of 3 outputs"),
    ({"inputs": ["a", "b"], "features": None, "classes": ["p", "q", "x" * 300]}, "300 characters, more than 200"),
    ({"inputs": ["a", "b"], "features": [["x1"]], "classes": None}, "signature: unknown feature \\[.x1.\\]"),
    ({"inputs": ["a", "b"], "features": None, "classes": ["p", "q\x1b[2J", "r"]},
     "signature: classes: the name .* is not printable"),
])
def test_bad_signatures_are_named(tmp_path, signature, message):
    with pytest.raises(ValueError, match=message):
        nn.load(saved_with(tmp_path, signature))


def test_prepare_checks_the_raw_width():
    with pytest.raises(ValueError, match=r"rows of 2 numbers \(x1, x2\)"):
        Signature(("x1", "x2"), features=tuple(features.NAMES)).prepare(np.zeros((3, 3)))


def test_the_default_init_is_micrograds_uniform_and_the_others_are_glorot_and_he():
    assert nn.MLP(3, [4, 2], seed=1).get_weights() == nn.MLP(3, [4, 2], seed=1, init="uniform").get_weights()
    for init, bound in (("uniform", lambda i, o: 1.0), ("xavier", lambda i, o: math.sqrt(6 / (i + o))),
                        ("he", lambda i, o: math.sqrt(6 / i))):
        model = nn.MLP(200, [100, 50], seed=3, init=init)
        for (weights, biases), (nin, nout) in zip(model.get_weights(), [(200, 100), (100, 50)], strict=True):
            w = np.array(weights)
            assert np.abs(w).max() <= bound(nin, nout)
            assert np.abs(w).max() > 0.99 * bound(nin, nout)
            assert w.var() == pytest.approx(bound(nin, nout) ** 2 / 3, rel=0.05)  # the variance of U(−b, b)
            assert biases == [0.0] * nout
    with pytest.raises(ValueError, match="MLP: init must be one of uniform, xavier, he, got str: 'glorot'"):
        nn.MLP(2, [1], init="glorot")


def test_a_repeated_input_or_class_name_is_found_in_linear_time():
    names = [CountedName(f"column {i}") for i in range(3_000)] + [CountedName("column 2999")]
    assert comparisons_made(lambda n: nn.Signature(tuple(n)), names) < 100  # was 3,000² (one count per name)
    assert comparisons_made(lambda n: nn.Signature(("a", "b"), classes=tuple(n)), names) < 100
