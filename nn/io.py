"""Saving and loading models as JSON: atomic writes, and every field validated on load.

Nothing is eval'ed or unpickled: a file is plain JSON that must match the format exactly::

    {"format": "chainrule.mlp", "version": 1,
     "architecture": {"nin": 2, "nouts": [16, 1], "activation": "relu",
                      "output_activation": "linear", "bias": true},
     "layers": [{"weights": [[w, ...], ...], "biases": [b, ...]}, ...]}

``weights`` has one row per neuron of the layer (nout × nin); ``biases`` is null without biases.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

from .module import ACTIVATIONS, MLP

FORMAT, VERSION = "chainrule.mlp", 1
_ARCHITECTURE_KEYS = {"nin", "nouts", "activation", "output_activation", "bias"}


@contextlib.contextmanager
def atomic_write(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` only once fully written (a crash leaves the old file)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; a saved file reads like any other
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def to_dict(model: MLP) -> dict:
    """The JSON-ready description of ``model``."""
    return {"format": FORMAT, "version": VERSION,
            "architecture": {"nin": model.nin, "nouts": list(model.nouts), "activation": model.activation,
                             "output_activation": model.output_activation, "bias": model.bias},
            "layers": [{"weights": weights, "biases": biases} for weights, biases in model.get_weights()]}


def save(model: MLP, path: str | Path) -> None:
    """Write ``model`` to ``path`` as JSON, atomically."""
    if not isinstance(model, MLP):
        raise TypeError(f"save needs an nn.MLP, got {type(model).__name__}")
    text = json.dumps(to_dict(model), indent=1, allow_nan=False)
    with atomic_write(path) as file:
        file.write(text.encode("utf-8"))


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a valid number in a model file")


def load(path: str | Path) -> MLP:
    """Read a model saved by ``save``; FileNotFoundError if missing, ValueError naming any defect."""
    raw = Path(path).read_bytes()
    try:
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


def from_dict(document: object) -> MLP:
    """Build an MLP from ``to_dict``'s layout, checking every field first."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not a chainrule model (expected \"format\": \"{FORMAT}\")")
    if document.get("version") != VERSION or isinstance(document.get("version"), bool):
        raise ValueError(f"unsupported version {document.get('version')!r}; this chainrule reads version {VERSION}")
    _exact_keys(document, {"format", "version", "architecture", "layers"}, "the file")
    architecture = document["architecture"]
    _exact_keys(architecture, _ARCHITECTURE_KEYS, "architecture")
    nin, nouts = architecture["nin"], architecture["nouts"]
    if not _is_count(nin):
        raise ValueError(f"architecture.nin must be a positive integer, got {nin!r}")
    if not isinstance(nouts, list) or not nouts or not all(_is_count(n) for n in nouts):
        raise ValueError(f"architecture.nouts must be a non-empty list of positive integers, got {nouts!r}")
    for key in ("activation", "output_activation"):
        if architecture[key] not in ACTIVATIONS:
            raise ValueError(f"architecture.{key} {architecture[key]!r} is unknown; "
                             f"expected one of {', '.join(ACTIVATIONS)}")
    if not isinstance(architecture["bias"], bool):
        raise ValueError(f"architecture.bias must be true or false, got {architecture['bias']!r}")
    layers = _checked_layers(document["layers"], [nin] + nouts, architecture["bias"])
    model = MLP(nin, nouts, architecture["activation"], seed=0,
                output_activation=architecture["output_activation"], bias=architecture["bias"])
    model.set_weights(layers)
    return model


def _exact_keys(mapping: object, keys: set, where: str) -> None:
    if not isinstance(mapping, dict):
        raise ValueError(f"{where} must be a JSON object")
    missing, extra = keys - mapping.keys(), mapping.keys() - keys
    if missing or extra:
        raise ValueError(f"{where}: missing {sorted(missing)}, unexpected {sorted(extra)}")


def _is_count(number: object) -> bool:
    return isinstance(number, int) and not isinstance(number, bool) and number >= 1


def _finite_floats(items: object, count: int, where: str) -> list[float]:
    """A saved list of ``count`` finite numbers as floats, or a ValueError naming ``where``."""
    if not isinstance(items, list) or len(items) != count:
        raise ValueError(f"{where} must be a list of {count} numbers")
    for position, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(item):
            raise ValueError(f"{where}[{position}] must be a finite number, got {item!r:.40}")
    return [float(item) for item in items]


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
