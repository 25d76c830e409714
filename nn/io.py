"""Saving and loading models as JSON (the layout: ``nn.model_json``): every field validated on load.

Nothing is eval'ed or unpickled; a file too large, nested too deep or off the format by one field
is refused with a ValueError naming the defect.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from autograd import argument_checks as check
from autograd.conventions.files import read_file
from autograd.conventions.terminal import echo

from .model_json import FORMAT, VERSION
from .module import ACTIVATIONS, MAX_PARAMETERS, MLP, checked_model
from .nesting import nesting_depth
from .signature import Signature

_TOP_KEYS = {1: {"format", "version", "architecture", "layers"},
             2: {"format", "version", "architecture", "layers", "signature"}}
MAX_MODEL_BYTES = 64 * MAX_PARAMETERS  # a saved parameter takes about 26 bytes of JSON
MAX_NESTING = 16  # brackets inside brackets; a model file needs 4
MAX_TRAINED_STEPS = 10**12  # a resumed run's step count: far past any run, small enough to print
_ARCHITECTURE_KEYS = {"nin", "nouts", "activation", "output_activation", "bias"}


def save(model: MLP, path: str | Path) -> None:
    """Write ``model`` to ``path`` as JSON, atomically (``model.save(path)``)."""
    checked_model(model).save(path)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a valid number in a model file")


def load(path: str | Path) -> MLP:
    """Read a model saved by ``save``; FileNotFoundError if missing, ValueError naming any defect."""
    raw = read_file(path, MAX_MODEL_BYTES)
    try:
        _check_nesting(raw)
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a model file (not UTF-8 text)") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON, perhaps truncated ({error})") from None
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    try:
        return from_dict(document)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def _check_nesting(raw: bytes) -> None:
    """ValueError when brackets nest deeper than MAX_NESTING (one linear pass before json.loads recurses)."""
    depth = nesting_depth(raw)
    if depth > MAX_NESTING:
        raise ValueError(f"JSON nested {depth:,} levels deep, more than the {MAX_NESTING} "
                         f"levels a model file may use")


def from_dict(document: object) -> MLP:
    """Build an MLP from ``model_json.to_dict``'s layout, checking every field first."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not a chainrule model (expected \"format\": \"{FORMAT}\")")
    version = document.get("version")
    if not check.is_integer(version) or version not in _TOP_KEYS:
        raise ValueError(f"unsupported version {echo(version)}; this chainrule reads versions 1 to {VERSION}")
    _exact_keys(document, _TOP_KEYS[version] | ({"training"} & document.keys()), "the file")
    trained_steps = _trained_steps(document.get("training", {"steps": 0}))
    architecture = document["architecture"]
    _exact_keys(architecture, _ARCHITECTURE_KEYS, "architecture")
    nin, nouts = architecture["nin"], architecture["nouts"]
    if not _is_count(nin):
        raise ValueError(f"architecture.nin must be a positive integer, got {echo(nin)}")
    if not isinstance(nouts, list) or not nouts or not all(_is_count(n) for n in nouts):
        raise ValueError(f"architecture.nouts must be a non-empty list of positive integers, got {echo(nouts)}")
    for key in ("activation", "output_activation"):
        if architecture[key] not in ACTIVATIONS:
            raise ValueError(f"architecture.{key} {echo(architecture[key])} is unknown; "
                             f"expected one of {', '.join(ACTIVATIONS)}")
    if not isinstance(architecture["bias"], bool):
        raise ValueError(f"architecture.bias must be true or false, got {echo(architecture['bias'])}")
    layers = _checked_layers(document["layers"], [nin, *nouts], architecture["bias"])
    model = MLP(nin, nouts, architecture["activation"], seed=0,
                output_activation=architecture["output_activation"], bias=architecture["bias"])
    model.set_weights(layers)
    if document.get("signature") is not None:
        signature = Signature.from_dict(document["signature"])
        signature.check_model(nin, nouts[-1])
        model.signature = signature
    model.trained_steps = trained_steps
    return model


def _trained_steps(training: object) -> int:
    _exact_keys(training, {"steps"}, "training")
    steps = training["steps"]
    if not check.is_integer(steps) or not 0 <= steps <= MAX_TRAINED_STEPS:
        raise ValueError(f"training.steps must be a whole number from 0 to {MAX_TRAINED_STEPS:,}, got {echo(steps)}")
    return steps


def _exact_keys(mapping: object, keys: set, where: str) -> None:
    if not isinstance(mapping, dict):
        raise ValueError(f"{where} must be a JSON object")
    missing, extra = keys - mapping.keys(), mapping.keys() - keys
    if missing or extra:
        raise ValueError(f"{where}: missing {sorted(missing)}, unexpected {echo(sorted(extra))}")


def _is_count(number: object) -> bool:
    return check.is_integer(number) and number >= 1


def _finite_floats(items: object, count: int, where: str) -> list[float]:
    """A saved list of ``count`` finite numbers as floats, or a ValueError naming ``where``."""
    if not isinstance(items, list) or len(items) != count:
        raise ValueError(f"{where} must be a list of {count} numbers")
    for position, item in enumerate(items):
        if not _is_finite_number(item):
            raise ValueError(f"{where}[{position}] must be a finite number, got {echo(item)}")
    return [float(item) for item in items]


def _is_finite_number(item: object) -> bool:
    """A JSON number a float holds: integers of any size compare exactly, NaN compares false."""
    return check.is_real(item) and abs(item) <= sys.float_info.max


def _checked_layers(layers: object, sizes: list[int], bias: bool) -> list:
    if not isinstance(layers, list) or len(layers) != len(sizes) - 1:
        raise ValueError(f"layers must be a list of {len(sizes) - 1} layers (one per entry of nouts)")
    checked = []
    for number, layer in enumerate(layers, start=1):
        where = f"layers[{number - 1}]"
        _exact_keys(layer, {"weights", "biases"}, where)
        nin, nout = sizes[number - 1], sizes[number]
        weights = layer["weights"]
        if not isinstance(weights, list) or len(weights) != nout:
            raise ValueError(f"{where}.weights must be {nout} rows (one per neuron) of {nin} numbers")
        rows = [_finite_floats(row, nin, f"{where}.weights[{j}]") for j, row in enumerate(weights)]
        if bias:
            biases = _finite_floats(layer["biases"], nout, f"{where}.biases")
        elif layer["biases"] is not None:
            raise ValueError(f"{where}.biases must be null: the architecture has no biases")
        else:
            biases = None
        checked.append((rows, biases))
    return checked
