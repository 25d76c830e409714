"""python -m nn end to end on data the tests write: a CSV of named classes, features, a regression,
schedules, early stopping; reports checked against numpy forwards and scikit-learn."""
from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as sk_metrics
from sklearn.model_selection import train_test_split

import nn
from nn import datasets
from nn.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"
ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
               "linear": lambda z: z}
COLOURS = ("red", "green", "blue")


def forward(document: dict, X: np.ndarray) -> np.ndarray:
    """The saved network over raw rows X from its JSON with numpy, independently of nn: (rows, outputs)."""
    architecture, a = document["architecture"], np.asarray(X, dtype=float)
    scaling = (document["signature"] or {}).get("standardize")
    if scaling is not None:
        a = (a - np.array(scaling["mean"])) / np.array(scaling["std"])
    for number, layer in enumerate(document["layers"]):
        last = number == len(document["layers"]) - 1
        a = a @ np.array(layer["weights"]).T + np.array(layer["biases"])
        a = ACTIVATIONS[architecture["output_activation" if last else "activation"]](a)
    return a


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def colours_csv(tmp_path):
    X, y = datasets.blobs(100, noise=0.3, seed=8)
    path = tmp_path / "colours.csv"
    lines = ["width,height,colour"] + [f"{a},{b},{COLOURS[c]}" for (a, b), c in zip(X.tolist(), y, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path, X, y


def test_a_csv_of_named_classes_trains_validates_and_reports_per_class(tmp_path, capsys, colours_csv):
    path, X, y = colours_csv
    code, out, err = run(capsys, "train", path, "--target", "colour", "--epochs", "15", "--quiet", "--out",
                         tmp_path / "run")
    assert code == 0
    assert err == ""
    document = json.loads((tmp_path / "run" / "model.json").read_text())
    labels = np.array([sorted(COLOURS).index(COLOURS[c]) for c in y])  # the file's classes, in sorted order
    X_train = datasets.stratified_split(X, labels, 0.2, seed=1337)[0]  # the statistics of the training rows only
    assert document["signature"] == {"inputs": ["width", "height"], "features": None,
                                     "classes": ["blue", "green", "red"], "loss": "cross_entropy",
                                     "standardize": {"mean": pytest.approx(X_train.mean(axis=0).tolist()),
                                                     "std": pytest.approx(X_train.std(axis=0).tolist())}}
    assert document["architecture"]["nouts"][-1] == 3
    assert document["architecture"]["output_activation"] == "linear"
    held = len(train_test_split(X, y, test_size=0.2, stratify=y)[1])
    assert f"on {held} held out" in out
    assert f"per-class accuracy on the {held} validation rows:" in out
    # the report's rows: the recipe's seeded stratified split, scored here with numpy and scikit-learn
    _, _, X_val, y_val = datasets.stratified_split(X, labels, 0.2, seed=1337)
    predicted = forward(document, X_val).argmax(axis=1)
    recall = sk_metrics.recall_score(y_val, predicted, average=None, labels=[0, 1, 2])
    matrix = sk_metrics.confusion_matrix(y_val, predicted, labels=[0, 1, 2])
    for index, name in enumerate(sorted(COLOURS)):
        row = f"{matrix[index, index]}/{matrix[index].sum()}"
        assert re.search(rf"^  {name}\s+{100 * recall[index]:.1f}%  \({row}\)$", out, re.M), out
    assert (tmp_path / "run" / "confusion.png").read_bytes().startswith(PNG)
    assert (tmp_path / "run" / "boundary.png").read_bytes().startswith(PNG)

    code, out, _ = run(capsys, "predict", tmp_path / "run" / "model.json", "0.1", "0.5")
    probabilities = np.exp(forward(document, [[0.1, 0.5]])[0])
    probabilities /= probabilities.sum()
    best = int(probabilities.argmax())
    assert out.splitlines()[0] == f"{sorted(COLOURS)[best]} (p = {probabilities[best]:.4f})"
    for name, p in zip(sorted(COLOURS), probabilities, strict=True):
        assert f"  {name:<5}  {p:.4f}" in out.splitlines()


def test_features_are_applied_in_training_and_in_predict(tmp_path, capsys):
    code, out, _ = run(capsys, "train", "circles", "--features", "x1^2,x2^2,x1*x2", "--hidden", "4", "--steps",
                       "20", "--quiet", "--no-plots", "--out", tmp_path)
    assert code == 0
    assert "3 features" in out
    document = json.loads((tmp_path / "model.json").read_text())
    assert document["signature"]["features"] == ["x1^2", "x2^2", "x1*x2"]
    code, out, _ = run(capsys, "predict", tmp_path / "model.json", "0.3", "-2")
    score = forward(document, [[0.09, 4.0, -0.6]])[0, 0]  # features computed by hand
    assert out.strip() == f"{int(score > 0)} (output {score:.6g})"


def test_a_regression_csv_trains_with_mse_and_predicts_a_number(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(60, 2))
    price = 0.5 * X[:, 0] - X[:, 1] + 0.25
    path = tmp_path / "prices.csv"
    rows = "".join(f"{a},{b},{p}\n" for (a, b), p in zip(X.tolist(), price.tolist(), strict=True))
    path.write_text("a,b,price\n" + rows)
    code, out, _ = run(capsys, "train", path, "--target", "price", "--hidden", "8", "--epochs", "40", "--quiet",
                       "--out", tmp_path / "run")
    assert code == 0
    assert "train mse" in out
    assert "val mse" in out
    assert "per-class" not in out
    document = json.loads((tmp_path / "run" / "model.json").read_text())
    assert document["signature"]["classes"] is None
    assert document["architecture"]["output_activation"] == "linear"
    val_mse = float(re.search(r"val mse ([0-9.e-]+)", out).group(1))
    assert val_mse < 0.1 * np.var(price)
    code, out, _ = run(capsys, "predict", tmp_path / "run" / "model.json", "0.2", "0.4")
    assert float(out) == pytest.approx(forward(document, [[0.2, 0.4]])[0, 0], rel=1e-5)


def test_more_than_two_classes_pick_softmax_cross_entropy(tmp_path, capsys):
    code, _out, _ = run(capsys, "train", "spiral3", "--samples", "30", "--steps", "2", "--quiet", "--no-plots",
                       "--out", tmp_path)
    model = nn.load(tmp_path / "model.json")
    assert code == 0
    assert (model.nouts[-1], model.output_activation) == (3, "linear")
    assert model.signature.classes == ("0", "1", "2")


def test_patience_stops_early_and_the_model_is_the_best_epoch(tmp_path, capsys, monkeypatch):
    seen = {}
    real_fit = nn.fit

    def spy(*args, **kwargs):
        seen["history"] = real_fit(*args, **kwargs)
        seen["model"], seen["kwargs"] = args[0], kwargs
        return seen["history"]

    monkeypatch.setattr(nn, "fit", spy)
    code, out, _ = run(capsys, "train", "blobs", "--val-fraction", "0.3", "--patience", "2", "--epochs", "60",
                       "--batch-size", "10", "--lr", "0.5", "--quiet", "--no-plots", "--out", tmp_path)
    history = seen["history"]
    assert code == 0
    assert seen["kwargs"]["patience"] == 2
    assert len(history.epochs) < 60
    assert history.best_epoch == len(history.epochs) - 2
    assert f"kept epoch {history.best_epoch} of {len(history.epochs)}" in out
    best = history.epochs[history.best_epoch - 1].val_loss
    assert best == min(e.val_loss for e in history.epochs)


@pytest.mark.parametrize(("argv", "expected"), [
    (["--schedule", "cosine", "--warmup", "2", "--lr", "0.4", "--steps", "10"],
     [0.4 / 3, 0.8 / 3] + [0.4 * (0.1 + 0.9 * (1 + np.cos(np.pi * k / 8)) / 2) for k in range(8)]),  # to lr-end 0.1
    (["--schedule", "step", "--decay-every", "3", "--decay-factor", "0.5", "--lr", "1", "--steps", "7"],
     [1.0] * 3 + [0.5] * 3 + [0.25]),
    (["--lr", "1", "--steps", "4"], [1 - 0.9 * k / 4 for k in range(4)]),  # moons: micrograd's decay
    (["--lr", "1", "--lr-end", "1", "--steps", "3"], [1.0] * 3),
])
def test_schedules_reach_the_history(tmp_path, capsys, monkeypatch, argv, expected):
    seen = {}
    real_fit = nn.fit
    monkeypatch.setattr(nn, "fit", lambda *a, **k: seen.setdefault("history", real_fit(*a, **k)))
    assert run(capsys, "train", "moons", "--samples", "10", "--quiet", "--no-plots", "--out", tmp_path, *argv)[0] == 0
    assert seen["history"].lr == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_l1_and_init_reach_training(tmp_path, capsys, monkeypatch):
    seen = {}
    real_fit = nn.fit
    monkeypatch.setattr(nn, "fit", lambda *a, **k: seen.setdefault("call", (a, k, real_fit(*a, **k)))[2])
    run(capsys, "train", "xor", "--samples", "10", "--steps", "1", "--l1", "0.01", "--init", "he", "--lr", "0",
        "--lr-end", "1", "--quiet", "--no-plots", "--out", tmp_path)
    (model, *_), kwargs, _ = seen["call"]
    assert kwargs["l1"] == 0.01
    first = np.array(nn.MLP(2, [16, 16, 1], seed=1337, init="he").get_weights()[0][0])
    assert np.array(model.get_weights()[0][0]).tolist() == first.tolist()  # lr 0: the He initial weights
    assert np.abs(first).max() <= np.sqrt(6 / 2)


@pytest.mark.parametrize(("argv", "message"), [
    (["train", "{csv}", "--target", "colour", "--features", "x1,x2"], None),
    (["train", "{csv}", "--target", "shade"], "no target column 'shade'; the columns are width, height, colour"),
    (["train", "{tmp}/three.csv", "--features", "x1^2"], "--features transform two input columns"),
    (["train", "{tmp}/bad.csv"], "row 2 (line 3), column 'b': 'x' is not a number"),
    (["train", "{tmp}/named.csv"], "row 1 (line 2), column 'first name': 'Ada' is not a number; every column but "
                                   "the target is an input, a number: leave out a column of text with --drop "
                                   "'first name' (drop= in Python)"),
    (["train", "{tmp}/missing.csv"], "no such file: {tmp}/missing.csv"),
    (["train", "moons", "--patience", "3"], "--patience watches the validation loss: give --val-fraction"),
    (["train", "{csv}", "--target", "colour", "--loss", "hinge"], "--loss hinge needs a two-class dataset"),
    (["train", "{tmp}/three.csv", "--loss", "cross_entropy", "--regression"], "a regression trains with --loss mse"),
    (["predict", "{tmp}/m.json", "1"], "takes 2 inputs, got 1 (the inputs are x1, x2)"),
    (["train", "{tmp}/one.csv"], "the column 'label' holds one class (cat); a classifier needs two or more"),
    (["train", "moons", "--regression"], "--regression applies to a CSV"),
    (["train", "moons", "--target", "label"], "--target applies to a CSV (a .csv file), not moons"),
    (["train", "moons", "--decay-factor", "0.5"], "--decay-factor applies to --schedule step"),
    (["train", "moons", "--schedule", "step", "--decay-factor", "5"], "--decay-factor is a decay: a multiplier of at "
     "most 1, got 5"),
    (["train", "moons", "--warmup", "1000"], "--warmup 1000 must be shorter than the run's 1 steps"),
])
def test_mistakes_with_data_are_one_line(tmp_path, capsys, colours_csv, argv, message):
    (tmp_path / "three.csv").write_text("a,b,c,label\n1,2,3,4.5\n2,3,4,5.5\n3,4,5,6\n4,5,6,7\n5,6,7,8\n")
    (tmp_path / "bad.csv").write_text("a,b,label\n1,2,x\n3,x,y\n")
    (tmp_path / "named.csv").write_text("first name,age,label\nAda,36,x\nAlan,41,y\n")
    (tmp_path / "one.csv").write_text("a,label\n1,cat\n2,cat\n")
    model = nn.MLP(2, [2], seed=0)
    model.signature = nn.Signature(("x1", "x2"), classes=("a", "b"))
    model.save(tmp_path / "m.json")
    argv = [a.format(tmp=tmp_path, csv=colours_csv[0]) for a in argv]
    extra = ["--steps", "1", "--quiet", "--no-plots", "--out", str(tmp_path / "out")] if argv[0] == "train" else []
    code, _out, err = run(capsys, *argv, *extra)
    if message is None:  # two columns: features work on any CSV of two numeric columns
        assert code == 0
        return
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("python -m nn: error:")
    assert message.format(tmp=tmp_path) in err


@pytest.mark.parametrize(("argv", "message"), [
    (["train", "iris"], "expected a .csv file or one of moons"),
    (["train", "moons", "--features", "x1,x3"], "unknown feature 'x3'"),
    (["train", "moons", "--val-fraction", "1"], "expected a fraction from 0 up to"),
    (["train", "moons", "--schedule", "exp"], "invalid choice: 'exp'"),
    (["train", "moons", "--init", "glorot"], "invalid choice: 'glorot'"),
])
def test_usage_mistakes_exit_2_naming_what_is_valid(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "usage:" not in err


def test_the_readmes_iris_commands_work_from_the_checkout(tmp_path, capsys, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Your own data.*?```bash\n(.*?)```", readme, flags=re.S).group(1)
    commands = [shlex.split(line.split("#")[0]) for line in block.splitlines() if "iris" in line]
    assert len(commands) == 3
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "iris.csv", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    for command in commands:
        assert command[:3] == ["python", "-m", "nn"]
        extra = ["--quiet", "--no-plots"] if command[3] == "train" else []
        code, out, err = run(capsys, *command[3:], *extra)
        assert code == 0, err
        assert err == "", err
        if command[3] == "train":
            assert float(re.search(r"val acc ([0-9.]+)% on 30 held out", out).group(1)) >= 90
    assert out.startswith("virginica (p = 0.9")


def test_a_csv_too_small_for_the_default_validation_rows_names_the_option_and_the_way_out(tmp_path, capsys):
    path = tmp_path / "four.csv"
    path.write_text("a,b,label\n0.1,2,x\n3,0.4,y\n5,6.2,x\n0.7,8,y\n")
    code, _out, err = run(capsys, "train", str(path), "--quiet", "--no-plots", "--out", str(tmp_path / "out"))
    assert code == 2  # 0.2 of 4 rows is one row: no room for both classes; the user never typed that 0.2
    assert err.count("\n") == 1
    assert err.startswith("python -m nn: error: --val-fraction 0.2: holding out 0.2 of 4 rows leaves fewer rows ")
    assert err.endswith("(--val-fraction 0 holds out none)\n")
    code, out, _err = run(capsys, "train", str(path), "--val-fraction", "0", "--steps", "2", "--quiet", "--no-plots",
                          "--out", str(tmp_path / "out"))
    assert code == 0
    assert "4 training samples" in out  # the way out the message gives works


def test_a_folder_given_as_the_dataset_is_refused_naming_the_csv_files_in_it(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "b.csv").write_text("a,label\n1,x\n")
    (tmp_path / "data" / "a.csv").write_text("a,label\n1,x\n")
    (tmp_path / "data" / "folder.csv").mkdir()  # not a file: not offered
    (tmp_path / "empty").mkdir()
    assert main(["train", f"{tmp_path / 'data'}/"]) == 2
    err = capsys.readouterr().err  # it was the list of built-in names, as for a typo
    assert err.count("\n") == 1
    assert f"argument DATASET: {tmp_path / 'data'}/ is a folder: give a .csv file in it, such as " \
           f"{tmp_path / 'data' / 'a.csv'}, {tmp_path / 'data' / 'b.csv'} (see" in err
    assert main(["train", str(tmp_path / "empty")]) == 2
    assert f"{tmp_path / 'empty'} is a folder with no .csv file in it; expected a .csv file or one of moons" \
           in capsys.readouterr().err
