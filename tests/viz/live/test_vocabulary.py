"""One vocabulary: the playground's page offers exactly what its server accepts, with nn's names.

The dataset names of ``nn train``, ``nn.datasets`` and the playground are one set (the other
spelling, ``circle``/``blobs3``, accepted as an alias); the page's controls are built from the
server's vocabulary, and every choice it offers is checked against the server's answer.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from starlette.testclient import TestClient

import nn
from nn.commands import train_options
from viz.live import vocabulary
from viz.live.app import build_app
from viz.live.config import FieldError, checked_setup
from viz.live.points import generated
from viz.live.sessions import Sessions

TOKEN = "a-test-token"
ASSETS = Path(__file__).resolve().parents[3] / "viz" / "live" / "assets"


@pytest.fixture
def client():
    app = build_app(TOKEN, {"testserver"}, Sessions(limit=2))
    with TestClient(app, headers={"x-chainrule-token": TOKEN, "origin": "http://testserver"}) as test_client:
        yield test_client


def served_vocabulary(client) -> dict:
    page = client.get(f"/?token={TOKEN}").text
    found = re.search(r'<script type="application/json" id="vocabulary">(.*?)</script>', page, re.S)
    return json.loads(found[1])


@pytest.mark.parametrize("name", list(nn.datasets.GENERATORS))
def test_each_datasets_class_count_is_what_its_generator_makes(name):
    _X, y = nn.datasets.GENERATORS[name](n=90, noise=0.1, seed=1)
    assert len(set(np.asarray(y).tolist())) == nn.datasets.CLASSES[name]


@pytest.mark.parametrize(("alias", "name"), [("circle", "circles"), ("blobs3", "blobs")])
def test_the_other_spelling_is_an_alias_everywhere(alias, name):
    assert nn.datasets.canonical(alias) == name
    assert train_options._dataset(alias) == name  # python -m nn train circle trains runs/circles
    setup = checked_setup({"dataset": alias, "loss": "cross_entropy" if name == "blobs" else "mse", "points": 60})
    assert setup.dataset == name
    X, _y = nn.datasets.GENERATORS[name](n=60, noise=0.0, seed=0)
    np.testing.assert_array_equal(generated(setup).X, X)


def test_an_unknown_dataset_names_the_choices_and_the_aliases():
    with pytest.raises(FieldError, match=r"circles.*blobs.*circle for circles, blobs3 for blobs"):
        checked_setup({"dataset": "circel"})


def test_the_page_offers_exactly_what_the_server_accepts(client):
    offered = served_vocabulary(client)
    assert offered == json.loads(json.dumps(vocabulary.vocabulary()))
    choices = {field: [value for value, _ in pairs] for field, pairs in offered["choices"].items()}
    assert choices["dataset"] == list(nn.datasets.GENERATORS)
    assert [name for name, _ in offered["features"]] == list(nn.features.NAMES)
    for field, values in choices.items():
        for value in values:
            classes = offered["classes"][value] if field == "dataset" else 2
            loss = offered["losses_by_classes"][str(classes)][0] if field != "loss" else value
            base = {"dataset": "blobs"} if field == "loss" and value == "cross_entropy" else {}
            checked_setup({**base, field: value, "loss": loss})  # every offered value is accepted
    candidates = {"activation": nn.ACTIVATIONS, "optimizer": list(nn.OPTIMIZERS), "loss": list(nn.LOSSES),
                  "regularization": ["none", "l1", "l2", "elastic"]}
    for field, names in candidates.items():  # and every name of the engine's the server accepts is offered
        for name in names:
            accepted = any(_accepts({"dataset": dataset, field: name} if field == "loss" else {field: name})
                           for dataset in ("circles", "blobs"))
            assert accepted == (name in choices[field]), (field, name)
    for field, (low, high, _) in offered["sliders"].items():
        checked_setup({field: low}), checked_setup({field: high})
    assert checked_setup({"hidden": [offered["max_neurons"]] * offered["max_layers"]})
    assert not _accepts({"hidden": [1] * (offered["max_layers"] + 1)})
    assert not _accepts({"hidden": [offered["max_neurons"] + 1]})


def _accepts(changes: dict) -> bool:
    try:
        checked_setup(changes)
    except FieldError:
        return False
    return True


def test_the_page_scripts_hold_no_vocabulary_of_their_own():
    script = "".join(path.read_text(encoding="utf-8") for path in ASSETS.glob("playground*.js"))
    assert len(script) > 10_000  # the page's scripts, all of them
    page = (ASSETS / "playground.html").read_text(encoding="utf-8")
    for name in [*nn.features.NAMES[2:], "spiral3", "cross_entropy", "adam"]:
        assert f'"{name}"' not in script, name
        assert f'value="{name}"' not in page, name
    assert not re.search("[⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉]", script)  # the w⁽ᴸ⁾ⱼ,ₖ labels come from the server
    assert "<option" not in page


def test_the_state_carries_the_engines_parameter_labels(client):
    state = client.post("/api/session", json={"setup": {"points": 40}}).json()["state"]
    model = nn.MLP(2, [4, 2, 1], activation="tanh", seed=0)
    for layer, shown in zip(model.layers, state["layers"], strict=True):
        assert shown["weight_labels"] == [[w.label for w in neuron.w] for neuron in layer.neurons]
        assert shown["bias_labels"] == [neuron.b.label for neuron in layer.neurons]
