"""PyTorch and ONNX interop: an MLP's weights as a ``torch.nn.Sequential`` state_dict and back.

An ``nn.MLP(2, [16, 1])`` is ``Sequential(Linear(2, 16), ReLU(), Linear(16, 1))``: layer L's weights
are ``{2(L-1)}.weight`` (out × in, the rows of ``get_weights``) and ``{2(L-1)}.bias``, in float64.
Files are safetensors (``export``/``import_weights``) or an ONNX graph of Gemm and activation nodes;
nothing is ever unpickled. A model that standardizes its inputs (``nn.scaling``, kept in its signature)
is exported with the scaling folded into the first layer, so the exported network takes the raw inputs.
In the checkout, ``.venv/bin/pip install -e '.[interop]'`` brings safetensors and onnx.
"""
from __future__ import annotations

import errno
import itertools
import re
from pathlib import Path

import numpy as np

from autograd import argument_checks as check
from autograd.conventions.files import writable_target, write_file

from .module import ACTIVATIONS, MAX_PARAMETERS, MLP, checked_model
from .pytorch_code import exported_scaling

ONNX_OPS = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": None}
ONNX_OPSET, ONNX_IR_VERSION = 17, 8
FLOAT_DTYPES = {"F16": "float16", "F32": "float32", "F64": "float64"}
_KEY = re.compile(r"(\d+)\.(weight|bias)")


def _interop(module: str):
    """Import safetensors or onnx, or an ImportError naming the extra to install."""
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        raise ImportError(f"{module} is needed for this: in the checkout, run "
                          f".venv/bin/pip install -e '.[interop]'") from None


def state_dict(model: MLP) -> dict[str, np.ndarray]:
    """The weights under PyTorch's ``Sequential(Linear, activation, Linear, …)`` names, float64
    (the first layer's with the inputs' standardization folded in, when the model has one)."""
    checked_model(model)
    tensors = {}
    for number, (weights, biases) in enumerate(model.get_weights()):
        tensors[f"{2 * number}.weight"] = np.array(weights, dtype=np.float64)
        if biases is not None:
            tensors[f"{2 * number}.bias"] = np.array(biases, dtype=np.float64)
    scaling = exported_scaling(model)
    if scaling is not None:
        tensors["0.weight"], tensors["0.bias"] = scaling.folded(tensors["0.weight"], tensors["0.bias"])
    for name, tensor in tensors.items():
        if not np.isfinite(tensor).all():
            raise ValueError(f"cannot export: {name} holds NaN or infinity (the training diverged)")
    return tensors


def export(model: MLP, path: str | Path) -> Path:
    """Write ``model`` as ``.safetensors`` (a state_dict) or ``.onnx`` (by the suffix), atomically."""
    path = check.file_path(path)
    writers = {".safetensors": _safetensors_bytes, ".onnx": _onnx_bytes}
    if path.suffix.lower() not in writers:
        raise ValueError(f"cannot tell what to write for {str(path)!r}: the file name must end in "
                         f".safetensors or .onnx")
    writable_target(path)
    return write_file(path, writers[path.suffix.lower()](model))


def _safetensors_bytes(model: MLP) -> bytes:
    return _interop("safetensors.numpy").save(state_dict(model))


def _onnx_bytes(model: MLP) -> bytes:
    """An ONNX graph ``input [batch, nin] → Gemm → activation → … → output [batch, nout]`` in float64."""
    onnx = _interop("onnx")
    from onnx import helper, numpy_helper

    tensors = state_dict(model)
    nodes, current = [], "input"
    layers = len(model.nouts)
    for number in range(layers):
        position = 2 * number
        weight, bias = f"{position}.weight", f"{position}.bias"
        activation = model.output_activation if number == layers - 1 else model.activation
        gemm = f"/{position}/Gemm_output_0"
        nodes.append(helper.make_node("Gemm", [current, weight] + ([bias] if bias in tensors else []), [gemm],
                                      name=f"/{position}/Gemm", transB=1))
        current = gemm
        if ONNX_OPS[activation]:
            op, after = ONNX_OPS[activation], f"/{position + 1}/{ONNX_OPS[activation]}_output_0"
            nodes.append(helper.make_node(op, [current], [after], name=f"/{position + 1}/{op}"))
            current = after
    nodes[-1].output[0] = "output"
    graph = helper.make_graph(
        nodes, "chainrule_mlp",
        [helper.make_tensor_value_info("input", onnx.TensorProto.DOUBLE, ["batch", model.nin])],
        [helper.make_tensor_value_info("output", onnx.TensorProto.DOUBLE, ["batch", model.nouts[-1]])],
        initializer=[numpy_helper.from_array(tensor, name) for name, tensor in tensors.items()])
    document = helper.make_model(graph, producer_name="chainrule", doc_string=repr(model),
                                 opset_imports=[helper.make_opsetid("", ONNX_OPSET)])
    document.ir_version = ONNX_IR_VERSION
    return document.SerializeToString()


def import_weights(path: str | Path, activation: str = "relu", output_activation: str = "linear") -> MLP:
    """An ``nn.MLP`` from a safetensors state_dict of ``Sequential(Linear, activation, Linear, …)``.

    ``activation`` is the hidden layers' (a state_dict does not record it), ``output_activation``
    the last layer's. ValueError names any key, shape, dtype or number that does not fit.
    """
    for name, value in (("activation", activation), ("output_activation", output_activation)):
        if value not in ACTIVATIONS:
            raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(ACTIVATIONS)}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "no such file", str(path))
    if not path.is_file():
        raise ValueError(f"{path} is not a regular file")
    safetensors = _interop("safetensors")
    try:
        with safetensors.safe_open(str(path), framework="np") as file:
            header = {key: (file.get_slice(key).get_dtype(), tuple(file.get_slice(key).get_shape()))
                      for key in file.keys()}  # noqa: SIM118 - safe_open is no mapping: it has keys(), no iteration
            sizes, bias = _checked_layout(header)
            tensors = {key: file.get_tensor(key) for key in header}
    except safetensors.SafetensorError as error:
        what = "an ONNX model is not read back" if path.suffix.lower() == ".onnx" else f"not safetensors ({error})"
        raise ValueError(f"{path}: {what}; import reads a state_dict saved in PyTorch with "
                         f"safetensors.torch.save_file(model.state_dict(), path)") from None
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    return _model(tensors, sizes, bias, activation, output_activation, path)


def _checked_layout(header: dict[str, tuple[str, tuple[int, ...]]]) -> tuple[list[int], bool]:
    """Layer sizes ``[nin, n1, …]`` and whether there are biases, from the tensors' names, dtypes, shapes."""
    layers, bias = _checked_names(header)
    for key, (dtype, _) in header.items():
        if dtype not in FLOAT_DTYPES:
            raise ValueError(f"{key} has dtype {dtype}; expected floating point "
                             f"({', '.join(FLOAT_DTYPES)}; in PyTorch, model.double() before saving)")
    sizes: list[int] = []
    for number in range(layers):
        key, shape = f"{2 * number}.weight", header[f"{2 * number}.weight"][1]
        if len(shape) != 2 or min(shape) < 1:
            raise ValueError(f"{key} has shape {shape}; expected (out, in) with positive sizes")
        if not sizes:
            sizes.append(shape[1])
        elif shape[1] != sizes[-1]:
            raise ValueError(f"{key} has shape {shape}; expected ({shape[0]}, {sizes[-1]}): its inputs are "
                             f"the {sizes[-1]} outputs of the layer before")
        sizes.append(shape[0])
        if bias and header[f"{2 * number}.bias"][1] != (shape[0],):
            raise ValueError(f"{2 * number}.bias has shape {header[f'{2 * number}.bias'][1]}; "
                             f"expected ({shape[0]},), one per output of {key}")
    count = sum(a * b + b * bias for a, b in itertools.pairwise(sizes))
    if count > MAX_PARAMETERS:
        raise ValueError(f"{count:,} parameters, more than the limit of {MAX_PARAMETERS:,} (nn.MAX_PARAMETERS)")
    return sizes, bias


def _checked_names(keys) -> tuple[int, bool]:
    """How many Linear layers the keys name, and whether they have biases (all of them or none)."""
    positions: dict[int, set[str]] = {}
    for key in keys:
        match = _KEY.fullmatch(key)
        if not match or int(match.group(1)) % 2:
            raise ValueError(f"unexpected key {key!r}: expected only N.weight and N.bias with N = 0, 2, 4, … "
                             f"(a Sequential of Linear layers with an activation between each pair)")
        positions.setdefault(int(match.group(1)), set()).add(match.group(2))
    if not positions:
        raise ValueError("no tensors: expected 0.weight, 0.bias, 2.weight, … of a Sequential of Linear layers")
    layers = max(positions) // 2 + 1
    bias = "bias" in positions.get(0, set())
    for position in range(0, 2 * layers, 2):
        for part in ("weight", "bias") if bias else ("weight",):
            if part not in positions.get(position, set()):
                raise ValueError(f"missing key '{position}.{part}' (Linear layer {position // 2 + 1}'s {part})")
        if not bias and "bias" in positions[position]:
            raise ValueError(f"unexpected key '{position}.bias': layer 1 has no bias, so no layer may have one")
    return layers, bias


def _model(tensors, sizes, bias, activation, output_activation, path) -> MLP:
    for key, tensor in tensors.items():
        bad = np.flatnonzero(~np.isfinite(tensor.astype(np.float64)))
        if bad.size:
            index = np.unravel_index(bad[0], tensor.shape)
            where = ", ".join(str(int(i)) for i in index)
            raise ValueError(f"{path}: {key}[{where}] is {float(tensor[index])}; expected finite numbers")
    model = MLP(sizes[0], sizes[1:], activation, seed=0, output_activation=output_activation, bias=bias)
    model.set_weights([(tensors[f"{2 * n}.weight"].astype(np.float64).tolist(),
                        tensors[f"{2 * n}.bias"].astype(np.float64).tolist() if bias else None)
                       for n in range(len(sizes) - 1)])
    return model

