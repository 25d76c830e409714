"""The digit lab's room through Starlette's TestClient: its numbers against ``autograd.grad`` on the
shown digit's own eager graph, the batch tiles against the step the Trainer took, the preprocessing
against an independent re-implementation, and every bad request refused with the field it names."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix
from starlette.testclient import TestClient

import autograd
import nn
from autograd import Value
from tests.support.digit_lab import ORIGIN, TOKEN, cells, reference_preprocess
from viz.live.app import build_app
from viz.live.lab.data import load
from viz.live.lab.setup import LabDefaults
from viz.live.sessions import Sessions


@pytest.fixture(scope="module")
def data():
    return load(eight_by_eight=True)  # scikit-learn's 8x8 digits, split as the lab splits them


@pytest.fixture
def client():
    app = build_app(TOKEN, {"testserver"}, Sessions(limit=4), lab=LabDefaults(eight_by_eight=True))
    with TestClient(app, headers={"x-chainrule-token": TOKEN, "origin": ORIGIN}) as test_client:
        yield test_client


@pytest.fixture
def lab(client):
    answer = client.post("/digits/api/session", json={"setup": {}})
    assert answer.status_code == 200, answer.text
    return answer.json()


def post(client, path: str, lab: dict, **body) -> dict:
    answer = client.post(path, json={"session": lab["session"], **body})
    assert answer.status_code == 200, answer.text
    return answer.json()["state"]


def refused(client, path: str, lab: dict | None, field: str | None, status: int = 400, **body) -> str:
    answer = client.post(path, json=({"session": lab["session"]} if lab else {}) | body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    return answer.json()["error"]


def model_of(client, lab: dict) -> nn.MLP:
    answer = client.get("/digits/api/export", params={"session": lab["session"]})
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    return nn.io.from_dict(answer.json())


def quantised_by_hand(values: np.ndarray) -> tuple[float, np.ndarray]:
    scale = float(np.abs(values).max())
    return scale, np.clip(np.rint(values / scale * 127) + 128, 1, 255).astype(int)


def eager_digit(model: nn.MLP, image: np.ndarray, label: int, loss: str = "sse"):
    """The digit's own graph on the engine: every layer's activations, the cost, and their gradients."""
    layers, a = [], [Value(float(v)) for v in image]
    for layer in model.layers:
        a = layer(a)
        layers.append(a)
    target = [[float(j == label) for j in range(10)]] if loss == "sse" else [label]
    cost = nn.LOSSES[loss]([layers[-1]], target)
    first = [w for neuron in model.layers[0].neurons for w in neuron.w]
    grads = autograd.grad(cost, [v for layer in layers for v in layer] + first)
    return layers, cost, grads


def test_a_digit_shows_the_engines_prediction_nudges_and_gradient_tiles(client, lab, data):
    state = post(client, "/digits/api/pick", lab, index=7)
    example, model = state["example"], model_of(client, lab)
    label = int(data.y_test[7])
    assert example["label"] == example["target"] == label
    assert example["source"] == "test image 7"
    layers, cost, grads = eager_digit(model, data.X_test[7], label)
    assert example["cost"] == pytest.approx(cost.data, abs=1e-9)
    outputs = np.array([v.data for v in layers[-1]])
    assert example["prediction"] == int(outputs.argmax())
    start = 0
    for shown, eager in zip(example["layers"], layers, strict=True):
        size = len(eager)
        np.testing.assert_allclose(shown["a"], [v.data for v in eager], atol=1e-9, rtol=0)
        np.testing.assert_allclose(shown["nudge"], -np.array(grads[start:start + size]), atol=1e-9, rtol=0)
        start += size
    tile_grads = np.array(grads[start:])
    scale, expected = quantised_by_hand(tile_grads)
    assert example["gradient_tiles"]["scale"] == pytest.approx(scale, rel=1e-9)
    assert example["gradient_tiles"]["count"] == 16
    np.testing.assert_array_equal(cells(example["gradient_tiles"]), expected)
    weights = np.array([[w.data for w in neuron.w] for neuron in model.layers[0].neurons])
    scale, expected = quantised_by_hand(weights.ravel())
    assert state["tiles"]["scale"] == pytest.approx(scale, rel=1e-12)
    np.testing.assert_array_equal(cells(state["tiles"]), expected)


def test_the_batch_tiles_are_the_gradient_of_the_step_the_trainer_took(client, lab):
    before = model_of(client, lab)
    state = post(client, "/digits/api/step", lab)
    after = model_of(client, lab)
    assert state["step"] == 1
    assert state["batch_tiles"]["step"] == 0
    lr, batch = state["setup"]["learning_rate"], state["setup"]["batch_size"]
    w0 = np.array([[w.data for w in n.w] for n in before.layers[0].neurons])
    w1 = np.array([[w.data for w in n.w] for n in after.layers[0].neurons])
    averaged = (w0 - w1) / lr / batch  # SGD's first step is lr·g (the momentum buffer starts as g); sse sums the batch
    scale, expected = quantised_by_hand(averaged.ravel())
    assert state["batch_tiles"]["scale"] == pytest.approx(scale, rel=1e-6)
    assert np.abs(cells(state["batch_tiles"]) - expected).max() <= 1


def test_a_short_last_batchs_tiles_are_averaged_over_its_own_rows(client, lab, data):
    post(client, "/digits/api/setup", lab, setup={"batch_size": 1000})  # a pass: 1,000 rows, then the rest
    before = model_of(client, lab)
    post(client, "/digits/api/step", lab)
    middle = model_of(client, lab)
    state = post(client, "/digits/api/step", lab)
    after = model_of(client, lab)
    rows = len(data.y_train) - 1000
    assert state["batch_tiles"]["step"] == 1
    assert state["batch_tiles"]["batch_size"] == rows
    first = [np.array([[w.data for w in n.w] for n in model.layers[0].neurons]) for model in (before, middle, after)]
    lr = state["setup"]["learning_rate"]
    g1 = (first[0] - first[1]) / lr  # SGD with momentum 0.9, closed form: v1 = g1, v2 = 0.9·v1 + g2
    g2 = (first[1] - first[2]) / lr - 0.9 * g1
    scale, expected = quantised_by_hand((g2 / rows).ravel())  # sse sums its batch: the mean over its own rows
    assert state["batch_tiles"]["scale"] == pytest.approx(scale, rel=1e-6)
    assert np.abs(cells(state["batch_tiles"]) - expected).max() <= 1


def test_check_compares_the_engine_with_central_differences(client, lab, data):
    post(client, "/digits/api/pick", lab, index=3)
    answer = client.post("/digits/api/check", json={"session": lab["session"]})
    assert answer.status_code == 200, answer.text
    entries = answer.json()["check"]
    model = model_of(client, lab)
    by_name = {p.label: p for p in model.parameters()}
    _, cost, _ = eager_digit(model, data.X_test[3], int(data.y_test[3]))
    assert len(entries) == 4
    for entry in entries:
        (expected,) = autograd.grad(cost, [by_name[entry["name"]]])
        assert entry["engine"] == pytest.approx(expected, abs=1e-9)
        assert entry["numeric"] == pytest.approx(entry["engine"], rel=1e-4, abs=1e-8)


def test_a_drawing_is_preprocessed_as_mnist_was(client, lab):
    canvas = np.zeros((28, 28))
    canvas[3:12, 20:23] = 1.0  # a stroke in a corner, then a fainter one
    canvas[11, 14:23] = 0.5
    state = post(client, "/digits/api/draw", lab, image=canvas.tolist(), label=7)
    shown = (cells(state["example"]["image"]) - 128) / 127
    expected = reference_preprocess(canvas, 8, 8).ravel()
    assert np.abs(shown - expected).max() <= 0.5 / 127 + 1e-12
    assert state["example"]["source"] == "your drawing"
    assert state["example"]["target"] == 7
    unlabelled = post(client, "/digits/api/draw", lab, image=canvas.tolist(), label=None)["example"]
    assert unlabelled["label"] is None
    assert unlabelled["target"] == unlabelled["prediction"]


def test_preprocessing_into_28x28_matches_the_reference():
    from viz.live.lab.images import preprocess

    rng = np.random.default_rng(0)
    for _ in range(20):
        canvas = np.zeros((28, 28))
        top, left = rng.integers(0, 20, 2)
        canvas[top:top + rng.integers(1, 9), left:left + rng.integers(1, 9)] = rng.random()
        canvas[rng.integers(0, 28), rng.integers(0, 28)] = 1.0
        np.testing.assert_allclose(preprocess(canvas, 28), reference_preprocess(canvas, 28, 20), atol=1e-12)
    assert not preprocess(np.zeros((28, 28)), 28).any()


def test_training_raises_the_test_accuracy_and_the_confusion_counts_match(client, lab, data):
    first = post(client, "/digits/api/setup", lab, setup={"loss": "cross_entropy", "learning_rate": 0.5})
    for _ in range(40):
        state = post(client, "/digits/api/step", lab)
    assert state["accuracy_test"] > first["accuracy_test"] + 0.4
    model = model_of(client, lab)
    predicted = nn.metrics.outputs(model, data.X_test).argmax(axis=1)
    assert state["accuracy_test"] == pytest.approx(np.mean(predicted == data.y_test))
    np.testing.assert_array_equal(state["confusion"], confusion_matrix(data.y_test, predicted, labels=range(10)))
    wrong = np.flatnonzero(predicted != data.y_test)
    true, guess = int(data.y_test[wrong[0]]), int(predicted[wrong[0]])
    answer = client.get("/digits/api/cell", params={"session": lab["session"], "true": true, "predicted": guess})
    assert answer.status_code == 200
    indices = answer.json()["indices"]
    assert indices == np.flatnonzero((data.y_test == true) & (predicted == guess)).tolist()
    shown = post(client, "/digits/api/pick", lab, index=indices[0])["example"]
    assert shown["label"] == true
    assert shown["prediction"] == guess
    picked = post(client, "/digits/api/pick", lab, digit=true)["example"]
    assert picked["label"] == true
    assert picked["prediction"] != true


def test_play_pause_reset_and_the_stream(client, lab):
    assert post(client, "/digits/api/play", lab, playing=True)["playing"] is True
    with client.stream("GET", "/digits/api/stream", params={"session": lab["session"]}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                assert '"step":' in line
                assert len(line) < 60_000
                break
    assert post(client, "/digits/api/play", lab, playing=False)["playing"] is False
    state = post(client, "/digits/api/reset", lab)
    assert state["step"] == 0
    assert state["playing"] is False
    assert state["batch_tiles"] is None


def test_export_and_import_a_model(client, lab, data):
    model = model_of(client, lab)
    for neuron in model.layers[-1].neurons:
        neuron.b.data = 3.0 if neuron is model.layers[-1].neurons[4] else -3.0
    state = post(client, "/digits/api/import", lab, model=nn.model_json.to_dict(model))
    assert model_of(client, lab).layers[-1].neurons[4].b.data == 3.0
    assert state["example"]["prediction"] == int(nn.metrics.outputs(model, data.X_test[:1]).argmax())


def test_training_that_diverges_pauses_and_says_so(client, lab):
    model = nn.MLP(64, [16, 16, 10], activation="relu", output_activation="linear", seed=0)
    for neuron in model.layers[0].neurons:
        for w in neuron.w:
            w.data = 1e308  # each z overflows to infinity: the cost is not a number
    post(client, "/digits/api/import", lab, model=nn.model_json.to_dict(model))
    post(client, "/digits/api/play", lab, playing=True)
    state = post(client, "/digits/api/step", lab)
    assert state["playing"] is False
    assert "diverged" in state["message"]
    assert state["step"] == 0
    assert model_of(client, lab).layers[0].neurons[0].w[0].data == 1e308  # the weights of the last finite step


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/digits/api/draw", {"image": [[0.0] * 28] * 27}, "image"),
    ("/digits/api/draw", {"image": [[0.0] * 28] * 27 + [[0.0] * 27]}, "image"),
    ("/digits/api/draw", {"image": [[0.0] * 28] * 27 + [[0.0] * 27 + [1.5]]}, "image"),
    ("/digits/api/draw", {"image": [[0.0] * 28] * 27 + [[0.0] * 27 + ["1"]]}, "image"),
    ("/digits/api/draw", {"image": "a picture"}, "image"),
    ("/digits/api/draw", {"image": [[0.0] * 28] * 28, "label": 10}, "label"),
    ("/digits/api/pick", {"digit": 11}, "digit"),
    ("/digits/api/pick", {"digit": 1, "index": 2}, "digit"),
    ("/digits/api/pick", {"index": 100_000}, "index"),
    ("/digits/api/pick", {"index": -1}, "index"),
    ("/digits/api/setup", {"setup": {"learning_rate": 0}}, "learning_rate"),
    ("/digits/api/setup", {"setup": {"batch_size": 0}}, "batch_size"),
    ("/digits/api/setup", {"setup": {"hidden": [16] * 4}}, "hidden"),
    ("/digits/api/setup", {"setup": {"activation": "tanh"}}, "activation"),
    ("/digits/api/setup", {"setup": {"loss": "hinge"}}, "loss"),
    ("/digits/api/setup", {"setup": {"dataset": "mnist"}}, "dataset"),
    ("/digits/api/setup", {"setup": "fast"}, "setup"),
    ("/digits/api/play", {"playing": "yes"}, "playing"),
    ("/digits/api/import", {"model": {"format": "pickle"}}, "model"),
    ("/digits/api/import", {"model": nn.model_json.to_dict(nn.MLP(3, [10]))}, "model"),
])
def test_bad_requests_name_their_field(client, lab, path, body, field):
    message = refused(client, path, lab, field, **body)
    assert message.startswith(field)


def test_a_nan_pixel_and_a_broken_body_are_400(client, lab):
    row = ", ".join(["0"] * 27 + ["NaN"])
    body = '{{"session": "{}", "image": [{}]}}'.format(lab["session"], ", ".join([f"[{row}]"] * 28))
    answer = client.post("/digits/api/draw", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["field"] == "image"
    answer = client.post("/digits/api/draw", content=b"{not json")
    assert answer.status_code == 400
    assert answer.json()["field"] == "body"
    query = {"session": lab["session"], "true": "three", "predicted": 1}
    assert client.get("/digits/api/cell", params=query).json()["field"] == "true"


def test_guards_and_sessions_hold_for_the_lab(client, lab):
    assert client.get("/digits").status_code == 200
    assert "{{token}}" not in client.get("/digits").text
    assert client.get("/digits", headers={"x-chainrule-token": "wrong"}).status_code == 403
    assert client.get("/digits", headers={"host": "evil.example"}).status_code == 403
    answer = client.post("/digits/api/step", json={"session": lab["session"]}, headers={"origin": "http://evil.example"})
    assert answer.status_code == 403
    assert client.post("/digits/api/step", content=b"x" * 1_000_001).status_code == 413
    assert client.post("/digits/api/step", json={"session": "nope"}).status_code == 404
    playground = client.post("/api/session", json={"setup": {}}).json()["session"]
    assert client.post("/digits/api/step", json={"session": playground}).status_code == 404  # rooms keep apart
    assert client.post("/api/step", json={"session": lab["session"]}).status_code == 404
    assert client.get("/digits/api/state", params={"session": lab["session"]}).status_code == 200
    for name in ("lab.js", "lab.css"):
        assert client.get(f"/assets/{name}").status_code == 200


def test_closing_a_lab_session_frees_it_and_leaves_the_playgrounds_alone(client, lab):
    playground = client.post("/api/session", json={"setup": {}}).json()["session"]
    assert client.post("/digits/api/close", json={"session": playground}).json() == {"closed": False}
    assert client.post("/digits/api/close", json={"session": lab["session"]}).json() == {"closed": True}
    assert client.post("/digits/api/step", json={"session": lab["session"]}).status_code == 404
    assert client.post("/digits/api/close", json={"session": 3}).json()["field"] == "session"


@pytest.mark.parametrize(("arguments", "error", "named"), [
    ({"port": "8765"}, TypeError, "port"), ({"port": 70_000}, ValueError, "port"),
    ({"eight_by_eight": "yes"}, TypeError, "eight_by_eight"), ({"hidden": 16}, TypeError, "hidden"),
    ({"hidden": [100]}, ValueError, "hidden"), ({"activation": "tanh"}, ValueError, "activation"),
    ({"mnist_dir": 3}, TypeError, "mnist_dir"), ({"seed": -1}, ValueError, "seed"),
])
def test_viz_digits_checks_its_arguments_before_starting(arguments, error, named):
    import viz

    with pytest.raises(error, match=named):
        viz.digits(**arguments)


def test_step_into_opens_the_layer_level_explorer_on_the_digits_graph(client, lab, data):
    post(client, "/digits/api/pick", lab, index=5)
    answer = client.get("/digits/explore", params={"session": lab["session"]})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert "test image 5" in page
    assert "layer" in page
    model = model_of(client, lab)
    _, cost, _ = eager_digit(model, data.X_test[5], int(data.y_test[5]))
    assert f"{cost.data:.4f}"[:5] in page  # the digit's own cost, as the engine computed it
    assert "SGD with momentum μ = 0.9" in page  # the update step is the rule the lab trains with
