"""Your own data, trained honestly (issue 22): a CSV in real-world units is standardized by its training rows,
the statistics travel with the model (predict, viz, ONNX, the playground), row ids are pointed out, and a
run never silently replaces an earlier one. References: numpy, onnxruntime, the labelling rule itself."""
from __future__ import annotations

import json
import re

import numpy as np
import onnxruntime
import pytest

import nn
from nn import datasets
from nn.__main__ import main
from viz.sources import resolve

TALL_FROM = 175.0  # the label: tall when the height is above this


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def forward(document: dict, raw: np.ndarray) -> np.ndarray:
    """The saved ReLU network over raw rows with numpy, standardized by the file's own statistics."""
    scaling = document["signature"]["standardize"]
    a = (np.asarray(raw, dtype=float) - scaling["mean"]) / np.array(scaling["std"])
    layers = document["layers"]
    for number, layer in enumerate(layers):
        a = a @ np.array(layer["weights"]).T + np.array(layer["biases"])
        a = a if number == len(layers) - 1 else np.maximum(a, 0.0)
    return a


@pytest.fixture
def people(tmp_path):
    """The issue's case: 200 people, height 150–200 cm and weight 45–110 kg, labelled by height."""
    rng = np.random.default_rng(22)
    X = np.column_stack([rng.uniform(150, 200, 200), rng.uniform(45, 110, 200)]).round(1)
    tall = X[:, 0] > TALL_FROM
    path = tmp_path / "people.csv"
    path.write_text("height,weight,size\n" + "".join(
        f"{h},{w},{'tall' if t else 'short'}\n" for (h, w), t in zip(X.tolist(), tall, strict=True)))
    return path, X, tall.astype(int)


@pytest.fixture
def trained(people, tmp_path, capsys):
    path, X, labels = people
    code, out, err = run(capsys, "train", path, "--target", "size", "--quiet", "--no-plots", "--out", tmp_path / "run")
    assert code == 0, err
    assert err == "", err
    return out, tmp_path / "run" / "model.json", X, labels


def test_a_csv_in_real_units_trains_to_high_accuracy_on_standardized_inputs(trained, people):
    out, model_path, X, labels = trained
    assert float(re.search(r"val acc ([0-9.]+)% on 40 held out", out).group(1)) >= 95
    assert "standardized by the training rows' mean and standard deviation" in out
    X_train = datasets.stratified_split(X, labels, 0.2, seed=1337)[0]  # the run's training rows, not the 40 held out
    saved = json.loads(model_path.read_text())["signature"]["standardize"]
    assert saved["mean"] == pytest.approx(X_train.mean(axis=0), rel=1e-12)
    assert saved["std"] == pytest.approx(X_train.std(axis=0), rel=1e-12)
    assert saved["mean"] != pytest.approx(X.mean(axis=0), rel=1e-9)


def test_predict_takes_raw_values(trained, capsys):
    _, model_path, _, _ = trained
    document = json.loads(model_path.read_text())
    for height, weight in [(192.0, 58.0), (158.0, 104.0), (185.5, 47.0), (152.0, 66.0)]:
        code, out, _ = run(capsys, "predict", model_path, height, weight)
        logits = forward(document, [[height, weight]])[0]
        probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        expected = "tall" if height > TALL_FROM else "short"
        assert code == 0
        assert out.splitlines()[0] == f"{expected} (p = {probabilities.max():.4f})"


def test_the_onnx_export_takes_raw_values(trained, tmp_path, capsys):
    _, model_path, X, labels = trained
    code, _, _ = run(capsys, "export", model_path, "-o", tmp_path / "people.onnx")
    assert code == 0
    session = onnxruntime.InferenceSession(str(tmp_path / "people.onnx"), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {"input": X})[0]
    assert outputs == pytest.approx(forward(json.loads(model_path.read_text()), X), rel=1e-9, abs=1e-9)
    assert np.mean(outputs.argmax(axis=1) == labels) >= 0.95


def test_viz_takes_raw_values_and_shows_the_standardized_inputs(trained):
    _, model_path, _, _ = trained
    scaling = json.loads(model_path.read_text())["signature"]["standardize"]
    source = resolve(str(model_path), [190.0, 70.0], [1])
    expected = (np.array([190.0, 70.0]) - scaling["mean"]) / np.array(scaling["std"])
    assert [source.find(f"a0_{k}").data for k in range(2)] == pytest.approx(expected, rel=1e-12)
    assert "standardized" in source.title


def test_no_standardize_and_built_in_datasets_feed_the_numbers_as_they_are(people, tmp_path, capsys):
    path, _, _ = people
    code, _, _ = run(capsys, "train", path, "--target", "size", "--no-standardize", "--epochs", "1", "--quiet",
                     "--no-plots", "--out", tmp_path / "raw")
    assert code == 0
    assert "standardize" not in json.loads((tmp_path / "raw" / "model.json").read_text())["signature"]
    code, _, _ = run(capsys, "train", "moons", "--steps", "1", "--quiet", "--no-plots", "--out", tmp_path / "moons")
    assert code == 0
    assert "standardize" not in json.loads((tmp_path / "moons" / "model.json").read_text())["signature"]
    code, _, err = run(capsys, "train", "moons", "--no-standardize")
    assert code == 2
    assert err == "python -m nn: error: --no-standardize applies to a CSV (a .csv file), not moons\n"


def test_a_resumed_run_keeps_the_scaling_it_was_trained_with(trained, people, tmp_path, capsys):
    _, model_path, _, _ = trained
    path, _, _ = people
    code, _, _ = run(capsys, "train", path, "--target", "size", "--resume", model_path, "--seed", "5", "--epochs", "1",
                     "--quiet", "--no-plots", "--out", tmp_path / "more")
    assert code == 0
    before, after = (json.loads(p.read_text())["signature"] for p in (model_path, tmp_path / "more" / "model.json"))
    assert after["standardize"] == before["standardize"]


def test_a_row_id_column_is_named_in_a_warning_and_dropped_with_drop(tmp_path, capsys):
    rng = np.random.default_rng(1)
    rows = [(1000 + 3 * k, f"person {k}", *rng.normal(size=2).round(3)) for k in range(30)]
    path = tmp_path / "ids.csv"
    path.write_text("id,name,a,b,label\n" + "".join(f"{i},{n},{a},{b},{int(a > b)}\n" for i, n, a, b in rows))
    common = ["--epochs", "1", "--quiet", "--no-plots"]
    code, _, err = run(capsys, "train", path, "--drop", "name", *common, "--out", tmp_path / "one")
    assert code == 0
    assert err == ("python -m nn: warning: column 'id' looks like a row id (distinct whole numbers "
                                 "in order) and is used as an input; leave it out with --drop id\n")
    code, _, err = run(capsys, "train", path, "--drop", "name", "--drop", "id", *common, "--out", tmp_path / "two")
    assert code == 0
    assert err == ""
    assert nn.load(tmp_path / "two" / "model.json").signature.inputs == ("a", "b")
    code, _, err = run(capsys, "train", path, "--drop", "age", *common)
    assert code == 2
    assert err.count("\n") == 1
    assert "no column 'age' to drop; the columns are id, name, a, b, label" in err


def test_a_second_run_goes_to_a_numbered_folder_and_the_readme_follow_ups_still_work(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    quick = ["--steps", "3", "--quiet", "--no-plots"]
    assert run(capsys, "train", "moons", *quick)[0] == 0
    first = (tmp_path / "runs/moons/model.json").read_bytes()
    for number in (2, 3):
        code, out, _ = run(capsys, "train", "moons", "--seed", str(number), *quick)
        assert code == 0
        assert out.startswith(f"runs/moons holds an earlier run: this one goes to runs/moons-{number} ")
        assert (tmp_path / f"runs/moons-{number}/model.json").exists()
    assert (tmp_path / "runs/moons/model.json").read_bytes() == first  # never replaced
    code, out, _ = run(capsys, "train", "moons", "--seed", "4", "--overwrite", *quick)
    assert code == 0
    assert "earlier run" not in out
    assert (tmp_path / "runs/moons/model.json").read_bytes() != first
    code, out, _ = run(capsys, "train", "moons", "--out", "runs/moons", *quick)
    assert code == 0
    assert "earlier run" not in out
    # the README's commands after a first run: resume, predict
    code, out, _ = run(capsys, "train", "moons", "--resume", "runs/moons/model.json", "--steps", "2", "--quiet",
                       "--no-plots")
    assert code == 0
    assert (tmp_path / "runs/moons/step-5/model.json").exists()
    assert run(capsys, "predict", "runs/moons/model.json", "0.5", "-0.3")[0] == 0


def test_the_playground_standardizes_an_uploaded_csv_and_its_export_takes_raw_values(people):
    from starlette.testclient import TestClient

    from viz.live.app import build_app
    _, X, labels = people
    client = TestClient(build_app("token", {"testserver"}), headers={"x-chainrule-token": "token",
                                                                      "origin": "http://testserver"})
    key = client.post("/api/session", json={}).json()["session"]
    text = "x1,x2,label\n" + "".join(f"{h},{w},{t}\n" for (h, w), t in zip(X.tolist(), labels, strict=True))
    answer = client.post("/api/csv", json={"session": key, "csv": text})
    assert answer.status_code == 200, answer.text
    points = answer.json()["state"]["points"]
    train = ~np.array(points["test"])
    expected = (X - X[train].mean(axis=0)) / X[train].std(axis=0)  # the training points' statistics only
    assert np.array(points["x"]) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    exported = client.get("/api/export", params={"session": key}).json()
    model = nn.io.from_dict(exported)
    assert model.signature.prepare(X) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert model.signature.loss == "mse"
    assert model.signature.classes == ("0", "1")


def test_viz_draw_of_a_python_file_says_how_to_draw_your_own_expression(tmp_path, capsys):
    from viz.__main__ import main as viz_main
    (tmp_path / "my_expr.py").write_text("from autograd import Value\nloss = Value(2.0) ** 2\n")
    assert viz_main(["draw", str(tmp_path / "my_expr.py"), "-o", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is a Python file: the command line draws the built-in sources" in err
    assert "MODEL.json files saved by nn" in err
    assert "'import viz' then 'viz.render(viz.draw(loss), \"graph.svg\")'" in err
    assert not (tmp_path / "x.svg").exists()


def test_the_pytorch_state_dict_folds_the_scaling_into_the_first_layer(trained):
    _, model_path, X, _ = trained
    document = json.loads(model_path.read_text())
    model = nn.load(model_path)
    tensors = nn.state_dict(model)
    a = X
    for position in (0, 2, 4):
        a = a @ tensors[f"{position}.weight"].T + tensors[f"{position}.bias"]
        a = a if position == 4 else np.maximum(a, 0.0)
    assert a == pytest.approx(forward(document, X), rel=1e-9, abs=1e-9)  # raw rows in, the same outputs
    assert "# it takes the raw inputs: their standardization is folded into the first Linear layer" in \
        model.torch_code("people.safetensors")
    model.signature = nn.Signature(("height", "weight"), features=("x1", "x1*x2"), classes=model.signature.classes,
                                   standardize=model.signature.standardize)
    with pytest.raises(ValueError, match="standardizes its inputs before the features x1, x1\\*x2"):
        nn.state_dict(model)
