"""The PyTorch lines that rebuild an MLP as ``torch.nn.Sequential`` and load its exported weights.

Below ``nn.module`` (it reads a model's attributes, never its class), so ``MLP.torch_code`` needs no
import back up; ``nn.interop`` writes the weights these lines load.
"""
from __future__ import annotations

from pathlib import Path

TORCH_MODULES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Identity"}


def exported_scaling(model):
    """The standardization of the model's raw inputs, if any, once it is checked to fold into the first layer."""
    signature = model.signature
    if signature is None or signature.standardize is None:
        return None
    if signature.features is not None:
        raise ValueError(f"cannot export: the model standardizes its inputs before the features "
                         f"{', '.join(signature.features)}, which an exported Sequential cannot compute")
    if not model.bias:
        raise ValueError("cannot export: the inputs' standardization folds into the first layer's biases, "
                         "and this model has none")
    return signature.standardize


def torch_code(model, path: str | Path = "model.safetensors") -> str:
    """The PyTorch lines that build the matching ``nn.Sequential`` and load ``export(model, path)``."""
    sizes = [model.nin, *model.nouts]
    bias = "" if model.bias else ", bias=False"
    modules = []
    for number in range(len(model.nouts)):
        modules.append(f"torch.nn.Linear({sizes[number]}, {sizes[number + 1]}{bias})")
        last = number == len(model.nouts) - 1
        if not last or model.output_activation != "linear":
            modules.append(f"torch.nn.{TORCH_MODULES[model.output_activation if last else model.activation]}()")
    body = "".join(f"    {module},\n" for module in modules)
    raw = "" if exported_scaling(model) is None else \
        "# it takes the raw inputs: their standardization is folded into the first Linear layer\n"
    return ("import torch\nfrom safetensors.torch import load_file\n\n"
            f"{raw}model = torch.nn.Sequential(\n{body}).double()\n"
            f"model.load_state_dict(load_file({str(path)!r}))\n")
