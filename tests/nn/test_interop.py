"""The bridge: exports read back by safetensors.numpy and run by onnxruntime, imports checked key by key."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import safetensors.numpy

import nn
from autograd import no_grad
from nn.__main__ import main

NUMPY_ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
                     "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "linear": lambda z: z}
NETWORKS = [  # (nin, nouts, activation, output_activation, bias)
    (2, [16, 16, 1], "relu", "linear", True),
    (3, [4, 5, 2], "tanh", "sigmoid", True),
    (4, [3], "sigmoid", "tanh", False),
    (2, [5, 3], "linear", "relu", True),
]


def network(nin, nouts, activation, output_activation, bias) -> nn.MLP:
    return nn.MLP(nin, nouts, activation, seed=7, output_activation=output_activation, bias=bias)


def chainrule_outputs(model: nn.MLP, batch: np.ndarray) -> np.ndarray:
    with no_grad():
        outputs = [model(row.tolist()) for row in batch]
    return np.array([[v.data for v in out] if isinstance(out, list) else [out.data] for out in outputs])


def numpy_forward(tensors: dict, batch: np.ndarray, activation: str, output_activation: str) -> np.ndarray:
    """A Sequential(Linear, activation, …) state_dict evaluated with numpy, independently of nn."""
    layers = sorted({int(key.split(".")[0]) for key in tensors})
    a = batch
    for position in layers:
        a = a @ tensors[f"{position}.weight"].astype(np.float64).T + tensors.get(f"{position}.bias", 0)
        a = NUMPY_ACTIVATIONS[output_activation if position == layers[-1] else activation](a)
    return a


@pytest.fixture
def batch():
    return np.random.default_rng(3).normal(size=(9, 4))


@pytest.mark.parametrize("spec", NETWORKS)
def test_safetensors_export_has_pytorch_names_shapes_and_values(tmp_path, spec):
    model = network(*spec)
    path = nn.export(model, tmp_path / "model.safetensors")
    tensors = safetensors.numpy.load_file(str(path))
    nin, nouts, _, _, bias = spec
    sizes = [nin, *nouts]
    expected = {f"{2 * n}.weight": (sizes[n + 1], sizes[n]) for n in range(len(nouts))}
    if bias:
        expected.update({f"{2 * n}.bias": (sizes[n + 1],) for n in range(len(nouts))})
    assert {name: tensor.shape for name, tensor in tensors.items()} == expected
    assert all(tensor.dtype == np.float64 for tensor in tensors.values())
    for n, (weights, biases) in enumerate(model.get_weights()):
        assert tensors[f"{2 * n}.weight"].tolist() == weights
        if bias:
            assert tensors[f"{2 * n}.bias"].tolist() == biases


@pytest.mark.parametrize("spec", NETWORKS)
def test_onnx_export_passes_the_checker_and_onnxruntime_matches_chainrule(tmp_path, spec, batch):
    model = network(*spec)
    path = nn.export(model, tmp_path / "model.onnx")
    document = onnx.load(str(path))
    onnx.checker.check_model(document, full_check=True)
    assert document.opset_import[0].version >= 13
    ops = [node.op_type for node in document.graph.node]
    activation, output_activation = spec[2], spec[3]
    onnx_op = {"relu": ["Relu"], "tanh": ["Tanh"], "sigmoid": ["Sigmoid"], "linear": []}
    wanted = []
    for n in range(len(spec[1])):
        wanted += ["Gemm"] + onnx_op[output_activation if n == len(spec[1]) - 1 else activation]
    assert ops == wanted
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rows = batch[:, :spec[0]]
    (ran,) = session.run(None, {"input": rows})
    assert ran.dtype == np.float64
    assert ran.shape == (len(rows), spec[1][-1])
    np.testing.assert_allclose(ran, chainrule_outputs(model, rows), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec", NETWORKS)
def test_import_then_export_is_the_identity(tmp_path, spec):
    first = nn.export(network(*spec), tmp_path / "first.safetensors")
    model = nn.import_weights(first, activation=spec[2], output_activation=spec[3])
    second = nn.export(model, tmp_path / "second.safetensors")
    assert second.read_bytes() == first.read_bytes()


def test_import_of_a_state_dict_written_elsewhere_computes_what_numpy_computes(tmp_path, batch):
    rng = np.random.default_rng(0)
    tensors = {"0.weight": rng.normal(size=(6, 4)).astype(np.float32), "0.bias": rng.normal(size=6).astype(np.float32),
               "2.weight": rng.normal(size=(3, 6)).astype(np.float32), "2.bias": rng.normal(size=3).astype(np.float32)}
    path = tmp_path / "torch.safetensors"
    safetensors.numpy.save_file(tensors, str(path))
    model = nn.import_weights(path, activation="tanh", output_activation="sigmoid")
    assert (model.nin, model.nouts, model.activation, model.output_activation) == (4, [6, 3], "tanh", "sigmoid")
    np.testing.assert_allclose(chainrule_outputs(model, batch), numpy_forward(tensors, batch, "tanh", "sigmoid"),
                               rtol=1e-12, atol=1e-12)
    again = safetensors.numpy.load_file(str(nn.export(model, tmp_path / "again.safetensors")))
    assert all(np.array_equal(again[key], tensors[key].astype(np.float64)) for key in tensors)


class _Linear:
    def __init__(self, nin, nout, bias=True):
        self.parameters = {"weight": (nout, nin)} | ({"bias": (nout,)} if bias else {})
        self.values = {}


class _Activation:
    def __init__(self, function):
        self.function = function
        self.parameters = {}


class _Sequential:
    """Just enough of torch.nn.Sequential to run torch_code: names by position, strict load_state_dict."""

    def __init__(self, *modules):
        self.modules = modules

    def double(self):
        return self

    def load_state_dict(self, tensors):
        names = {f"{i}.{name}": shape for i, m in enumerate(self.modules) for name, shape in m.parameters.items()}
        assert set(tensors) == set(names), (sorted(tensors), sorted(names))
        for name, tensor in tensors.items():
            assert tensor.shape == names[name], name
            position, part = name.split(".")
            self.modules[int(position)].values[part] = tensor

    def __call__(self, a):
        for module in self.modules:
            if isinstance(module, _Linear):
                a = a @ module.values["weight"].T + module.values.get("bias", 0)
            else:
                a = module.function(a)
        return a


def test_torch_code_builds_a_sequential_that_loads_the_export_and_computes_the_same(tmp_path, batch, monkeypatch):
    torch = types.ModuleType("torch")
    modules = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Identity": "linear"}
    torch.nn = types.SimpleNamespace(Sequential=_Sequential, Linear=_Linear, **{
        module: (lambda name=name: _Activation(NUMPY_ACTIVATIONS[name])) for module, name in modules.items()})
    loader = types.ModuleType("safetensors.torch")
    loader.load_file = safetensors.numpy.load_file
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "safetensors.torch", loader)
    for spec in NETWORKS:
        model = network(*spec)
        path = nn.export(model, tmp_path / "model.safetensors")
        namespace: dict = {}
        exec(model.torch_code(str(path)), namespace)
        rows = batch[:, :spec[0]]
        np.testing.assert_allclose(namespace["model"](rows), chainrule_outputs(model, rows), rtol=1e-12, atol=1e-12)


def test_torch_code_names_each_layer_and_the_file():
    code = nn.MLP(2, [16, 16, 1], seed=0).torch_code("runs/moons.safetensors")
    assert code.splitlines()[:2] == ["import torch", "from safetensors.torch import load_file"]
    assert code.count("torch.nn.Linear(") == 3
    assert code.count("torch.nn.ReLU()") == 2
    assert "torch.nn.Linear(2, 16)" in code
    assert "torch.nn.Linear(16, 1)" in code
    assert "model.load_state_dict(load_file('runs/moons.safetensors'))" in code


def test_the_command_line_exports_both_formats_and_imports_back(tmp_path, capsys, batch):
    model = network(3, [4, 5, 2], "tanh", "sigmoid", True)
    model.save(tmp_path / "model.json")
    assert main(["export", str(tmp_path / "model.json"), "-o", str(tmp_path / "model.onnx")]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'model.onnx'}: MLP(3")
    session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"input": batch[:, :3]})[0], chainrule_outputs(model, batch[:, :3]),
                               rtol=1e-12, atol=1e-12)
    assert main(["export", str(tmp_path / "model.json"), "-o", str(tmp_path / "model.safetensors")]) == 0
    out = capsys.readouterr().out
    assert "load it in PyTorch with:" in out
    assert model.torch_code(tmp_path / "model.safetensors") in out
    assert main(["import", str(tmp_path / "model.safetensors"), "--activation", "tanh", "--output-activation",
                 "sigmoid", "-o", str(tmp_path / "back.json")]) == 0
    assert (tmp_path / "back.json").read_bytes() == (tmp_path / "model.json").read_bytes()


def test_the_readmes_pytorch_lines_are_what_torch_code_prints():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"```py\n{nn.MLP(2, [16, 16, 1]).torch_code('model.safetensors')}```" in readme
