"""Saving and loading models: round trips, atomic writes, resuming, and every kind of bad file."""
from __future__ import annotations

import copy
import json
import os

import pytest

import nn
from autograd.conventions import files
from nn import io, model_json


@pytest.fixture
def saved(tmp_path):
    model = nn.MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=11)
    path = tmp_path / "model.json"
    model.save(path)
    return model, path


def test_round_trip_keeps_architecture_and_exact_weights(saved):
    model, path = saved
    loaded = nn.load(path)
    assert (loaded.nin, loaded.nouts, loaded.activation, loaded.output_activation, loaded.bias) == \
        (3, [4, 2], "tanh", "sigmoid", True)
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]
    x = [0.1, -0.2, 0.3]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]


def test_file_is_plain_json_with_format_version_architecture_and_weights(saved):
    model, path = saved
    document = json.loads(path.read_text())
    assert (document["format"], document["version"], document["signature"]) == ("chainrule.mlp", 2, None)
    assert document["architecture"] == {"nin": 3, "nouts": [4, 2], "activation": "tanh",
                                        "output_activation": "sigmoid", "bias": True}
    first = model.layers[0].neurons[1]
    assert document["layers"][0]["weights"][1] == [w.data for w in first.w]
    assert document["layers"][0]["biases"][1] == first.b.data


def test_model_without_biases_round_trips(tmp_path):
    model = nn.MLP(2, [2, 1], bias=False, seed=0)
    nn.save(model, tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert not loaded.bias
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]


def interrupted_write(path) -> None:
    """A Ctrl-C halfway through writing ``path``."""
    with files.atomic_write(path) as file:
        file.write(b'{"partial": ')
        raise KeyboardInterrupt


def test_a_crash_mid_save_leaves_the_old_file_and_no_temporary(saved, monkeypatch):
    model, path = saved
    before = path.read_bytes()

    def power_cut(fd):
        raise OSError("power cut")

    monkeypatch.setattr(files.os, "fsync", power_cut)  # the new text is written, not yet in place
    with pytest.raises(OSError, match="power cut"):
        nn.MLP(3, [4, 2], seed=12).save(path)
    with pytest.raises(KeyboardInterrupt):
        interrupted_write(path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.json"]
    assert nn.load(path).nouts == model.nouts


def test_resuming_from_a_saved_model_continues_the_same_training(tmp_path):
    X, y = nn.datasets.xor_table()

    def train(model, steps):
        nn.fit(model, (X, y), loss="sse", optimizer=nn.SGD(model.parameters(), lr=1.0), steps=steps, progress=False)

    straight = nn.MLP(3, [4, 1], activation="sigmoid", output_activation="sigmoid", seed=2)
    train(straight, 20)
    halfway = nn.MLP(3, [4, 1], activation="sigmoid", output_activation="sigmoid", seed=2)
    train(halfway, 10)
    halfway.save(tmp_path / "half.json")
    resumed = nn.load(tmp_path / "half.json")
    train(resumed, 10)
    assert [p.data for p in resumed.parameters()] == [p.data for p in straight.parameters()]


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No such file or directory: '.*/nope\.json'"):
        nn.load(tmp_path / "nope.json")


def test_truncated_file_says_so(saved):
    _, path = saved
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(ValueError, match="not valid JSON, perhaps truncated"):
        nn.load(path)


def test_binary_file_is_not_a_model(saved):
    _, path = saved
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(ValueError, match="not UTF-8"):
        nn.load(path)


def tamper(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def _set(keys, value):
    def change(document):
        target = document
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.clear() or d.update({"name": "someone else's json"}), "not a chainrule model"),
    (_set(["format"], "keras"), "not a chainrule model"),
    (_set(["version"], 3), "unsupported version 3"),
    (_set(["version"], True), "unsupported version True"),
    (lambda d: d.pop("layers"), "missing \\['layers'\\]"),
    (_set(["extra"], 1), "unexpected \\['extra'\\]"),
    (_set(["architecture", "activation"], "gelu"), "architecture.activation 'gelu' is unknown"),
    (_set(["architecture", "output_activation"], "__import__('os')"), "output_activation"),
    (_set(["architecture", "nin"], 2.5), "nin must be a positive integer"),
    (_set(["architecture", "nouts"], [4, -2]), "nouts must be a non-empty list"),
    (_set(["architecture", "bias"], "yes"), "bias must be true or false"),
    (_set(["layers", 0, "weights"], [[0.0, 0.0, 0.0]] * 3), "layers\\[0\\].weights must be 4 rows"),
    (_set(["layers", 1, "weights", 0], [0.0] * 3), "layers\\[1\\].weights\\[0\\] must be a list of 4 numbers"),
    (_set(["layers", 0, "weights", 2, 1], "0.5"), "layers\\[0\\].weights\\[2\\]\\[1\\] must be a finite number"),
    (_set(["layers", 0, "weights", 2, 1], None), "must be a finite number"),
    (_set(["layers", 0, "weights", 2, 1], False), "must be a finite number"),
    (_set(["layers", 1, "biases"], [0.0]), "layers\\[1\\].biases must be a list of 2"),
    (_set(["layers", 1, "biases"], None), "biases must be a list"),
    (lambda d: d["layers"].pop(), "layers must be a list of 2"),
])
def test_tampered_files_raise_value_error_naming_the_problem(saved, change, message):
    _, path = saved
    tamper(path, change)
    with pytest.raises(ValueError, match=message):
        nn.load(path)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_rejected(saved, constant):
    _, path = saved
    text = path.read_text()
    document = json.loads(text)
    first = document["layers"][0]["weights"][0][0]
    path.write_text(text.replace(json.dumps(first), constant, 1))
    with pytest.raises(ValueError, match=f"{constant} is not a valid number"):
        nn.load(path)


def test_biases_must_be_null_without_biases(tmp_path):
    path = tmp_path / "m.json"
    nn.MLP(2, [1], bias=False).save(path)
    tamper(path, _set(["layers", 0, "biases"], [0.0]))
    with pytest.raises(ValueError, match="must be null"):
        nn.load(path)


def test_to_dict_and_from_dict_are_inverse():
    model = nn.MLP(2, [3, 1], seed=4)
    document = model_json.to_dict(model)
    again = model_json.to_dict(io.from_dict(copy.deepcopy(document)))
    assert again == document


def test_save_refuses_non_models(tmp_path):
    with pytest.raises(TypeError, match=r"nn\.MLP"):
        nn.save(nn.Neuron(2), tmp_path / "m.json")


@pytest.mark.parametrize("version", [[2], {"v": 2}, 2.0, "2", None])
def test_a_version_that_is_not_a_whole_number_is_one_clear_error(version, tmp_path):
    document = nn.model_json.to_dict(nn.MLP(2, [1], seed=0))
    document["version"] = version
    with pytest.raises(ValueError, match=r"unsupported version .*reads versions 1 to 2"):
        nn.io.from_dict(document)


def _model_file(tmp_path, weight: str) -> str:
    path = tmp_path / "model.json"
    nn.MLP(1, [1], seed=0).save(path)
    document = json.loads(path.read_text())
    text = json.dumps(document).replace(repr(document["layers"][0]["weights"][0][0]), weight, 1)
    path.write_text(text)
    return str(path)


def test_a_weight_past_the_float_range_names_the_file_and_the_field(tmp_path, capsys):
    from nn.__main__ import main as nn_main
    from viz.__main__ import main as viz_main

    path = _model_file(tmp_path, "1" + "0" * 400)
    with pytest.raises(ValueError, match=r"model.json: layers\[0\].weights\[0\]\[0\] must be a finite number"):
        nn.load(path)
    nn_main(["predict", path, "1"])
    for command in (["draw", path, "--input", "1", "-o", str(tmp_path / "a.svg")],
                    ["explore", path, "--input", "1", "-o", str(tmp_path / "a.html")]):
        assert viz_main(command) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert all("layers[0].weights[0][0] must be a finite number" in line for line in lines)
    assert all(len(line) < 300 for line in lines)  # the 401-digit number is cut, not echoed
