"""The bridge refuses what is not a chain of Linear layers, naming the key and what was expected."""
from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest
import safetensors.numpy

import nn
from autograd.conventions import files
from nn.__main__ import main

RNG = np.random.default_rng(0)


def chain(*shapes, bias=True, dtype=np.float64) -> dict:
    """A Sequential(Linear, act, Linear, …) state_dict with these weight shapes."""
    tensors = {}
    for number, shape in enumerate(shapes):
        tensors[f"{2 * number}.weight"] = RNG.normal(size=shape).astype(dtype)
        if bias:
            tensors[f"{2 * number}.bias"] = RNG.normal(size=shape[0]).astype(dtype)
    return tensors


def edited(tensors: dict, **changes) -> dict:
    """``tensors`` with keys replaced (a value) or removed (None); keys are given with _ for ."""
    result = dict(tensors)
    for key, value in changes.items():
        key = key.replace("_", ".").lstrip("k")
        if value is None:
            del result[key]
        else:
            result[key] = value
    return result


def with_value(tensors: dict, key: str, index: tuple, value: float) -> dict:
    result = {name: tensor.copy() for name, tensor in tensors.items()}
    result[key][index] = value
    return result


GOOD = chain((3, 2), (1, 3))
BAD_STATE_DICTS = {
    "missing bias": (edited(GOOD, k2_bias=None), "missing key '2.bias'"),
    "missing layer": ({**chain((3, 2)), "4.weight": GOOD["2.weight"], "4.bias": GOOD["2.bias"]},
                      "missing key '2.weight'"),
    "missing weight": (edited(GOOD, k0_weight=None), "missing key '0.weight'"),
    "odd position": ({**GOOD, "1.weight": np.ones((3, 3))}, "unexpected key '1.weight'"),
    "foreign key": ({**GOOD, "fc.weight": np.ones((1, 1))}, "unexpected key 'fc.weight'"),
    "batch norm buffer": ({**GOOD, "0.running_mean": np.ones(3)}, "unexpected key '0.running_mean'"),
    "mixed biases": (edited(chain((3, 2), (1, 3), bias=False), k2_bias=np.ones(1)), "unexpected key '2.bias'"),
    "shapes do not chain": (edited(GOOD, k2_weight=np.ones((1, 4))), "2.weight has shape (1, 4); expected (1, 3)"),
    "bias of the wrong size": (edited(GOOD, k0_bias=np.ones(2)), "0.bias has shape (2,); expected (3,)"),
    "weight not a matrix": (edited(GOOD, k0_weight=np.ones(3)), "0.weight has shape (3,); expected (out, in)"),
    "empty weight": (edited(GOOD, k0_weight=np.ones((3, 0))), "0.weight has shape (3, 0)"),
    "integer dtype": (edited(GOOD, k2_weight=np.ones((1, 3), dtype=np.int32)), "2.weight has dtype I32"),
    "bool dtype": (edited(GOOD, k0_bias=np.ones(3, dtype=bool)), "0.bias has dtype BOOL"),
    "NaN": (with_value(GOOD, "0.weight", (1, 0), np.nan), "0.weight[1, 0] is nan"),
    "infinity": (with_value(GOOD, "2.bias", (0,), -np.inf), "2.bias[0] is -inf"),
    "no tensors": ({}, "no tensors"),
    "too many parameters": (chain((1001, 1000), dtype=np.float16), "more than the limit of 1,000,000"),
}


@pytest.mark.parametrize("case", BAD_STATE_DICTS)
def test_a_state_dict_that_is_not_a_chain_of_linear_layers_is_refused_by_name(tmp_path, case):
    tensors, message = BAD_STATE_DICTS[case]
    path = tmp_path / "bad.safetensors"
    safetensors.numpy.save_file(tensors, str(path))
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        nn.import_weights(path)
    assert str(path) in str(error.value)


def test_a_non_float_dtype_error_says_which_dtypes_are_read(tmp_path):
    path = tmp_path / "ints.safetensors"
    safetensors.numpy.save_file(chain((3, 2), dtype=np.int64), str(path))
    with pytest.raises(ValueError, match=r"0\.(weight|bias) has dtype I64; expected floating point \(F16, F32, F64"):
        nn.import_weights(path)


_WHOLE = safetensors.numpy.save(nn.state_dict(nn.MLP(2, [3, 1], seed=0)))
NOT_SAFETENSORS = {
    "JSON text": json.dumps({"format": "chainrule.mlp", "version": 1, "layers": []}).encode(),
    "empty": b"",
    "random bytes": bytes(RNG.integers(0, 256, size=200, dtype=np.uint8)),
    "truncated": _WHOLE[:len(_WHOLE) // 2],
    "header only": _WHOLE[:8],
}


@pytest.mark.parametrize("case", NOT_SAFETENSORS)
def test_a_file_that_is_not_safetensors_is_a_clear_error(tmp_path, case):
    path = tmp_path / "weights.safetensors"
    path.write_bytes(NOT_SAFETENSORS[case])
    with pytest.raises(ValueError, match="not safetensors.*import reads a state_dict saved in PyTorch with "
                                         r"safetensors\.torch\.save_file"):
        nn.import_weights(path)


def test_an_onnx_file_is_not_taken_for_weights(tmp_path):
    path = nn.export(nn.MLP(2, [3, 1], seed=0), tmp_path / "model.onnx")
    with pytest.raises(ValueError, match="an ONNX model is not read back; import reads a state_dict"):
        nn.import_weights(path)


def test_missing_files_folders_and_unknown_activations(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no such file: '.*/nowhere\.safetensors'"):
        nn.import_weights(tmp_path / "nowhere.safetensors")
    with pytest.raises(ValueError, match="is not a regular file"):
        nn.import_weights(tmp_path)
    path = tmp_path / "good.safetensors"
    safetensors.numpy.save_file(GOOD, str(path))
    with pytest.raises(ValueError, match="unknown activation 'gelu'; choose one of relu, tanh, sigmoid, linear"):
        nn.import_weights(path, activation="gelu")


def test_export_refuses_other_suffixes_missing_folders_non_models_and_diverged_weights(tmp_path):
    model = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=r"must end in \.safetensors or \.onnx"):
        nn.export(model, tmp_path / "model.pt")
    with pytest.raises(ValueError, match=r"the folder .* does not exist"):
        nn.export(model, tmp_path / "no" / "model.onnx")
    with pytest.raises(TypeError, match=r"model must be an nn\.MLP"):
        nn.export({"0.weight": 1}, tmp_path / "model.onnx")
    model.layers[1].neurons[0].w[2].data = float("nan")
    with pytest.raises(ValueError, match=r"2\.weight holds NaN or infinity"):
        nn.export(model, tmp_path / "model.onnx")


@pytest.mark.parametrize("suffix", [".onnx", ".safetensors"])
def test_export_replaces_a_file_whole_or_not_at_all(tmp_path, suffix):
    path = tmp_path / f"model{suffix}"
    path.write_bytes(b"the old file")
    diverged = nn.MLP(2, [3, 1], seed=0)
    diverged.layers[0].neurons[1].b.data = float("inf")
    with pytest.raises(ValueError, match="holds NaN or infinity"):
        nn.export(diverged, path)
    assert path.read_bytes() == b"the old file"
    nn.export(nn.MLP(2, [3, 1], seed=0), path)
    assert path.read_bytes() != b"the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize(("argv", "message"), [
    (["export", "{model}", "-o", "{tmp}/model.txt"], "must end in .safetensors or .onnx"),
    (["export", "{tmp}/nowhere.json", "-o", "{tmp}/model.onnx"], "no such file"),
    (["import", "{model}", "-o", "{tmp}/back.json"], "not safetensors"),
    (["import", "{tmp}/nowhere.safetensors", "-o", "{tmp}/back.json"], "no such file"),
    (["import", "{bad}", "-o", "{tmp}/back.json"], "missing key '2.bias'"),
    (["import", "{good}", "-o", "{tmp}/nowhere/back.json"], "the folder {tmp}/nowhere does not exist"),
])
def test_command_line_mistakes_are_one_line(tmp_path, capsys, argv, message):
    model = tmp_path / "model.json"
    nn.MLP(2, [3, 1], seed=0).save(model)
    bad = tmp_path / "bad.safetensors"
    safetensors.numpy.save_file(edited(GOOD, k2_bias=None), str(bad))
    good = tmp_path / "good.safetensors"
    safetensors.numpy.save_file(GOOD, str(good))
    code = main([part.format(model=model, tmp=tmp_path, bad=bad, good=good) for part in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message.format(tmp=tmp_path) in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "back.json").exists()


def test_export_never_replaces_a_directory(tmp_path):
    (tmp_path / "model.onnx").mkdir()
    with pytest.raises(files.NotARegularFileError, match="directory"):
        nn.export(nn.MLP(2, [3, 1], seed=0), tmp_path / "model.onnx")
    assert (tmp_path / "model.onnx").is_dir()
    assert list((tmp_path / "model.onnx").iterdir()) == []


def test_without_the_interop_extra_the_command_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    nn.MLP(2, [3, 1], seed=0).save(tmp_path / "model.json")
    monkeypatch.setitem(sys.modules, "onnx", None)  # what an environment without onnx looks like to import
    code = main(["export", str(tmp_path / "model.json"), "-o", str(tmp_path / "model.onnx")])
    err = capsys.readouterr().err
    assert code == 3
    assert "onnx is needed for this" in err
    assert ".venv/bin/pip install -e '.[interop]'" in err
    assert not (tmp_path / "model.onnx").exists()
