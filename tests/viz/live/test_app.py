"""The playground's app through Starlette's TestClient: every control, its numbers against a numpy
re-implementation of the network, and every bad request refused with the field it names."""
from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest
from starlette.testclient import TestClient

import nn
from autograd import backward_steps
from viz.live.app import build_app
from viz.live.sessions import Sessions

TOKEN = "a-test-token"
ORIGIN = "http://testserver"
ACTIVATIONS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "linear": lambda z: z,
               "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z))}


def numpy_forward(layers: list[dict], activation: str, output: str, rows: np.ndarray, upto: int | None = None):
    """The MLP by hand: every layer's activations for ``rows`` (a list, one array per layer)."""
    a, seen = rows, []
    for number, layer in enumerate(layers):
        z = a @ np.array(layer["weights"]).T + np.array(layer["biases"])
        a = ACTIVATIONS[output if number == len(layers) - 1 else activation](z)
        seen.append(a)
    return seen


def numpy_features(X: np.ndarray, names: list[str]) -> np.ndarray:
    by_name = {"x1": X[:, 0], "x2": X[:, 1], "x1^2": X[:, 0] ** 2, "x2^2": X[:, 1] ** 2, "x1*x2": X[:, 0] * X[:, 1],
               "sin(x1)": np.sin(X[:, 0]), "sin(x2)": np.sin(X[:, 1])}
    return np.column_stack([by_name[name] for name in names])


def numpy_mse(state: dict, points: dict, split: bool) -> float:
    X, labels, test = np.array(points["x"]), np.array(points["label"]), np.array(points["test"])
    rows = numpy_features(X[test == split], state["setup"]["features"])
    out = numpy_forward(state["layers"], state["setup"]["activation"], "sigmoid", rows)[-1][:, 0]
    return float(np.mean((out - labels[test == split]) ** 2))


def decoded(heatmap: dict) -> np.ndarray:
    cells = np.frombuffer(base64.b64decode(heatmap["data"]), dtype=np.uint8).astype(float)
    return (cells - 128.0) / 127.0 * heatmap["scale"]


@pytest.fixture
def client():
    app = build_app(TOKEN, {"testserver"}, Sessions(limit=4))
    with TestClient(app, headers={"x-chainrule-token": TOKEN, "origin": ORIGIN}) as test_client:
        yield test_client


@pytest.fixture
def session(client):
    answer = client.post("/api/session", json={"setup": {"dataset": "circle", "points": 200, "seed": 3}})
    assert answer.status_code == 200, answer.text
    return answer.json()


def post(client, path: str, session: dict, **body) -> dict:
    answer = client.post(path, json={"session": session["session"], **body})
    assert answer.status_code == 200, answer.text
    return answer.json()["state"]


def test_a_new_session_shows_the_engines_losses_heatmaps_and_gradients(session):
    state, points = session["state"], session["state"]["points"]
    assert state["epoch"] == 0
    assert state["playing"] is False
    assert len(points["x"]) == 200
    assert state["loss_train"] == pytest.approx(numpy_mse(state, points, False), rel=1e-12)
    assert state["loss_test"] == pytest.approx(numpy_mse(state, points, True), rel=1e-12)
    pictures = state["pictures"]
    size, extent = pictures["size"], pictures["extent"]
    assert size >= 40
    centres = (np.arange(size) + 0.5) / size * 2 * extent - extent
    grid = np.column_stack([np.tile(centres, size), np.repeat(centres[::-1], size)])
    by_hand = numpy_forward(state["layers"], "tanh", "sigmoid", grid)
    for layer, maps in zip(by_hand, pictures["neurons"], strict=True):
        for k, heatmap in enumerate(maps):
            assert heatmap["scale"] == pytest.approx(np.abs(layer[:, k]).max(), rel=1e-9)  # the bytes' full range
            assert decoded(heatmap) == pytest.approx(layer[:, k], abs=heatmap["scale"] / 127)
    assert decoded(pictures["output"]["channels"][0]) == pytest.approx(2 * by_hand[-1][:, 0] - 1, abs=1 / 127)


def test_the_gradients_shown_are_central_differences_of_the_training_loss(session):
    state, points = session["state"], session["state"]["points"]
    layers = state["layers"]

    def loss_with(layer: int, j: int, k: int, w: float) -> float:
        changed = json.loads(json.dumps(layers))
        changed[layer]["weights"][j][k] = w
        return numpy_mse({**state, "layers": changed}, points, False)

    for layer, j, k in [(0, 0, 0), (1, 1, 2), (2, 0, 1)]:
        w, h = layers[layer]["weights"][j][k], 1e-6
        numeric = (loss_with(layer, j, k, w + h) - loss_with(layer, j, k, w - h)) / (2 * h)
        assert layers[layer]["weight_grads"][j][k] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def reference_epoch(points: dict, **penalty) -> tuple[nn.MLP, list]:
    """The session's first epoch done directly with nn.Trainer: the defaults' network, data and optimiser."""
    model = nn.MLP(2, [4, 2, 1], activation="tanh", seed=3, output_activation="sigmoid")
    train = ~np.array(points["test"])
    X, y = np.array(points["x"])[train], np.array(points["label"])[train].tolist()
    trainer = nn.Trainer(model, (X, y), loss="mse", optimizer=nn.SGD(model.parameters(), lr=0.03, momentum=0.9),
                         batch_size=10, seed=3, **penalty)
    return model, trainer.epoch()


def assert_same_weights(model: nn.MLP, state: dict) -> None:
    for (weights, biases), layer in zip(model.get_weights(), state["layers"], strict=True):
        assert np.ravel(layer["weights"]) == pytest.approx(np.ravel(weights), rel=1e-12)
        assert layer["biases"] == pytest.approx(biases, rel=1e-12)


def test_step_trains_exactly_one_epoch_of_nn_trainer(client, session):
    state = post(client, "/api/step", session)
    assert state["epoch"] == 1
    points = session["state"]["points"]
    model, records = reference_epoch(points)
    assert len(records) == math.ceil((len(points["test"]) - sum(points["test"])) / 10)
    assert_same_weights(model, state)
    assert state["loss_train"] == pytest.approx(numpy_mse(state, points, False), rel=1e-12)


def test_play_pause_reset(client, session):
    assert post(client, "/api/play", session, playing=True)["playing"] is True
    assert post(client, "/api/play", session, playing=False)["playing"] is False
    post(client, "/api/step", session)
    state = post(client, "/api/reset", session)
    assert state["epoch"] == 0
    assert state["layers"] == session["state"]["layers"]


def test_editing_a_weight_or_a_bias_changes_the_loss_to_the_networks(client, session):
    state = post(client, "/api/edit", session, layer=0, neuron=1, source=0, value=2.5)
    assert state["layers"][0]["weights"][1][0] == 2.5
    state = post(client, "/api/edit", session, layer=1, neuron=0, source=None, value=-1.25)
    assert state["layers"][1]["biases"][0] == -1.25
    assert state["loss_train"] == pytest.approx(numpy_mse(state, session["state"]["points"], False), rel=1e-12)
    assert state["loss_train"] != session["state"]["loss_train"]


def test_setup_changes_rebuild_what_they_must(client, session):
    state = post(client, "/api/setup", session, setup={"features": ["x1", "x2", "x1^2", "sin(x2)"],
                                                        "hidden": [3, 3, 2], "activation": "relu"})
    assert [len(layer["weights"]) for layer in state["layers"]] == [3, 3, 2, 1]
    assert len(state["layers"][0]["weights"][0]) == 4
    assert len(state["pictures"]["features"]) == 4
    points = session["state"]["points"]
    rows = numpy_features(np.array(points["x"])[~np.array(points["test"])], state["setup"]["features"])
    out = numpy_forward(state["layers"], "relu", "sigmoid", rows)[-1][:, 0]
    labels = np.array(points["label"])[~np.array(points["test"])]
    assert state["loss_train"] == pytest.approx(float(np.mean((out - labels) ** 2)), rel=1e-12)
    kept = post(client, "/api/setup", session, setup={"learning_rate": 0.3, "optimizer": "adam"})
    assert kept["layers"] == state["layers"]  # new training settings keep the weights
    state = post(client, "/api/setup", session, setup={"dataset": "blobs3", "loss": "cross_entropy", "hidden": []})
    assert state["classes"] == 3
    assert len(state["pictures"]["output"]["channels"]) == 3
    probabilities = np.array([decoded(channel) for channel in state["pictures"]["output"]["channels"]])
    assert probabilities.sum(axis=0) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("dataset", list(nn.datasets.GENERATORS))
def test_every_dataset_trains(client, session, dataset):
    loss = "cross_entropy" if nn.datasets.CLASSES[dataset] > 2 else "bce"
    state = post(client, "/api/setup", session, setup={"dataset": dataset, "loss": loss})
    state = post(client, "/api/step", session)
    assert state["epoch"] == 1
    assert state["loss_train"] > 0
    assert state["setup"]["dataset"] == dataset


def test_points_are_added_removed_and_uploaded(client, session):
    state = post(client, "/api/point", session, x1=0.25, x2=-0.5, label=1)
    assert state["points"]["x"][-1] == [0.25, -0.5]
    assert state["points"]["label"][-1] == 1
    assert not state["points"]["test"][-1]
    state = post(client, "/api/point/remove", session, index=0)
    assert len(state["points"]["x"]) == 200
    state = post(client, "/api/csv", session, csv="x1,x2,label\n0,0,0\n1,1,1\n-1,0.5,1\n0.5,-1,0\n")
    raw, train = np.array([[0, 0], [1, 1], [-1, 0.5], [0.5, -1]]), ~np.array(state["points"]["test"])
    standardized = (raw - raw[train].mean(axis=0)) / raw[train].std(axis=0)  # by the training points
    assert np.array(state["points"]["x"]) == pytest.approx(standardized)
    assert state["points"]["label"] == [0, 1, 1, 0]


def test_export_gives_a_file_nn_load_reads_and_import_uses_it(client, session, tmp_path):
    post(client, "/api/step", session)
    exported = client.get("/api/export", params={"session": session["session"]})
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    (tmp_path / "model.json").write_bytes(exported.content)
    model = nn.load(tmp_path / "model.json")
    model.layers[0].neurons[0].w[0].data = 0.75
    state = post(client, "/api/import", session, model=nn.model_json.to_dict(model))
    assert state["layers"][0]["weights"][0][0] == 0.75
    assert state["epoch"] == 0
    other = nn.MLP(3, [2, 1], output_activation="sigmoid")
    answer = client.post("/api/import", json={"session": session["session"], "model": nn.model_json.to_dict(other)})
    assert answer.status_code == 400
    assert answer.json()["field"] == "model"


def test_step_into_a_point_serves_the_explorer_for_that_samples_graph(client, session):
    points = session["state"]["points"]
    page = client.get("/explore", params={"session": session["session"], "index": 7})
    assert page.status_code == 200
    data = json.loads(page.text.split('id="explorer-data">', 1)[1].split("</script>", 1)[0])
    for testid in ("step-counter", "next", "formula"):
        assert f'data-testid="{testid}"' in page.text
    x = numpy_features(np.array(points["x"][7:8]), ["x1", "x2"])
    out = numpy_forward(session["state"]["layers"], "tanh", "sigmoid", x)[-1][0, 0]
    assert data["update"]["loss"] == pytest.approx((out - points["label"][7]) ** 2, rel=1e-12)
    backward = [step for step in data["steps"] if step["phase"] == "backward"]
    model = nn.MLP(2, [4, 2, 1], activation="tanh", seed=3, output_activation="sigmoid")
    loss = nn.mse([model(x[0].tolist())], [points["label"][7]])
    assert len(backward) == len(backward_steps(loss))


BAD_FIELDS = [("noise", 3), ("train_ratio", 0), ("points", 5), ("seed", -1), ("features", ["x9"]), ("features", []),
              ("hidden", [9]), ("hidden", [1] * 7), ("activation", "swish"), ("loss", "cross_entropy"),
              ("optimizer", "rmsprop"), ("learning_rate", 0), ("momentum", 2), ("batch_size", 0),
              ("regularization", "l3"), ("regularization_rate", 5), ("dataset", "mnist"), ("eval", "1+1"),
              ("learning_rate", "0.1"), ("hidden", "4,4"), ("seed", True)]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
def test_each_invalid_field_is_a_400_naming_it(client, session, field, value):
    answer = client.post("/api/setup", json={"session": session["session"], "setup": {field: value}})
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field, answer.text
    assert field in answer.json()["error"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/edit", {"layer": 9, "neuron": 0, "source": 0, "value": 1}, "layer"),
    ("/api/edit", {"layer": 0, "neuron": 0, "source": 0, "value": 1e9}, "value"),
    ("/api/edit", {"layer": 0, "neuron": 0, "source": 5, "value": 1}, "source"),
    ("/api/point", {"x1": "a", "x2": 0, "label": 0}, "x1"),
    ("/api/point", {"x1": 0, "x2": 0, "label": 2}, "label"),
    ("/api/point/remove", {"index": 999}, "index"),
    ("/api/play", {"playing": "yes"}, "playing"),
    ("/api/csv", {"csv": "x1,x2,label\n1,2,<script>alert(1)</script>\n0,0,0"}, "csv"),
    ("/api/csv", {"csv": "=cmd|'/c calc'!A1,0,0\n0,0,1"}, "csv"),
    ("/api/csv", {"csv": "1,nan,0\n0,0,1"}, "csv"),
    ("/api/csv", {"csv": "0,0,0\n" * 5000}, "csv"),
    ("/api/csv", {"csv": 12}, "csv"),
    ("/api/import", {"model": {"format": "chainrule.mlp", "version": 1}}, "model"),
])
def test_each_bad_control_is_a_400_naming_its_field(client, session, path, body, field):
    answer = client.post(path, json={"session": session["session"], **body})
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field, answer.text


def test_malformed_and_unknown_requests(client, session):
    assert client.post("/api/step", content=b"{not json").json()["field"] == "body"
    assert client.post("/api/step", content=b"[1, 2]").status_code == 400
    assert client.post("/api/step", json={"session": "nope"}).status_code == 404
    assert client.get("/api/state", params={"session": "nope"}).status_code == 404
    assert client.get("/explore", params={"session": session["session"], "index": "-1"}).status_code == 400
    assert client.get("/assets/../../etc/passwd").status_code == 404
    nan = b'{"session": "%s", "setup": {"noise": NaN}}' % session["session"].encode()
    answer = client.post("/api/setup", content=nan)
    assert answer.status_code == 400
    assert answer.json()["field"] == "noise"
    assert post(client, "/api/step", session)["epoch"] == 1  # the session is untouched


def test_the_guards_refuse_tokens_hosts_origins_and_large_bodies(client, session):
    plain = TestClient(client.app)
    assert plain.get("/").status_code == 403
    assert plain.get("/", params={"token": "wrong"}).status_code == 403
    assert plain.get("/", params={"token": TOKEN}).status_code == 200
    assert plain.get("/", params={"token": TOKEN}, headers={"host": "evil.example:80"}).status_code == 403
    body = {"session": session["session"]}
    assert plain.post("/api/step", params={"token": TOKEN}, json=body).status_code == 403  # no Origin
    assert plain.post("/api/step", params={"token": TOKEN}, json=body,
                      headers={"origin": "http://evil.example"}).status_code == 403
    assert plain.post("/api/step", params={"token": TOKEN}, json=body, headers={"origin": ORIGIN}).status_code == 200
    big = {"session": session["session"], "csv": "0,0,0\n" * 200_000}
    assert client.post("/api/csv", json=big).status_code == 413

    def chunks():
        yield b'{"session": "x", "csv": "'
        for _ in range(20):
            yield b"0" * 100_000
        yield b'"}'
    assert client.post("/api/csv", content=chunks()).status_code == 413
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_sessions_are_capped_and_idle_ones_expire():
    sessions = Sessions(limit=2, idle_seconds=3600)
    app = build_app(TOKEN, {"testserver"}, sessions)
    with TestClient(app, headers={"x-chainrule-token": TOKEN, "origin": ORIGIN}) as client:
        first = client.post("/api/session", json={"setup": {"points": 20}}).json()["session"]
        client.post("/api/session", json={"setup": {"points": 20}})
        full = client.post("/api/session", json={"setup": {"points": 20}})
        assert full.status_code == 503
        assert "sessions" in full.json()["error"]
        again = client.post("/api/session", json={"setup": {"points": 20}, "replaces": first})
        assert again.status_code == 200  # a reload hands its old session back
        sessions.idle_seconds = 0
        assert client.post("/api/session", json={"setup": {"points": 20}}).status_code == 200
        assert len(sessions) == 1


def test_divergence_pauses_with_a_message_and_no_nan(client, session):
    post(client, "/api/setup", session, setup={"activation": "linear", "loss": "hinge", "learning_rate": 10.0,
                                                "hidden": [8, 8, 8, 8, 8, 8]})
    for layer in range(7):
        post(client, "/api/edit", session, layer=layer, neuron=0, source=0, value=100.0)
    post(client, "/api/play", session, playing=True)
    for _ in range(30):
        state = post(client, "/api/step", session)
        if state["message"]:
            break
    assert "diverged" in state["message"]
    assert state["playing"] is False
    weights = [w for layer in state["layers"] for row in layer["weights"] for w in row]
    assert all(math.isfinite(w) for w in weights)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_a_penalty_trains_as_nn_trainer_does(client, session, penalty):
    post(client, "/api/setup", session, setup={"regularization": penalty, "regularization_rate": 0.01})
    state = post(client, "/api/step", session)
    model, _ = reference_epoch(session["state"]["points"], **{penalty: 0.01})
    assert_same_weights(model, state)

