"""A model as JSON: the file's layout and its atomic write, which ``MLP.save`` uses.

Nothing is eval'ed or unpickled: a file is plain JSON that must match the format exactly::

    {"format": "chainrule.mlp", "version": 2,
     "architecture": {"nin": 2, "nouts": [16, 1], "activation": "relu",
                      "output_activation": "linear", "bias": true},
     "layers": [{"weights": [[w, ...], ...], "biases": [b, ...]}, ...],
     "signature": {"inputs": ["x1", "x2"], "features": ["x1", "x1^2"], "classes": ["no", "yes"]}}

``weights`` has one row per neuron of the layer (nout × nin); ``biases`` is null without biases.
``signature`` (``nn.Signature``) is null for a model without one; it holds ``"standardize"`` (the inputs'
mean and std) and ``"loss"`` only when they are set. Version 1 files (no signature) still load.
An optional ``"training": {"steps": N}`` records the optimiser steps trained (files without it load
with 0), so a resumed run carries on the step count and the learning-rate schedule.
This module sits below ``nn.module`` (it reads a model's attributes, never its class), so ``MLP.save``
needs no import back up; ``nn.io`` reads a file back, checking every field.
"""
from __future__ import annotations

import json
from pathlib import Path

from autograd.conventions.files import atomic_write

FORMAT, VERSION = "chainrule.mlp", 2


def to_dict(model) -> dict:
    """The JSON-ready description of ``model`` (an ``nn.MLP``)."""
    return {"format": FORMAT, "version": VERSION,
            "architecture": {"nin": model.nin, "nouts": list(model.nouts), "activation": model.activation,
                             "output_activation": model.output_activation, "bias": model.bias},
            "layers": [{"weights": weights, "biases": biases} for weights, biases in model.get_weights()],
            "signature": None if model.signature is None else model.signature.to_dict(),
            "training": {"steps": model.trained_steps}}


def write(model, path: str | Path) -> None:
    """Write ``model`` (an ``nn.MLP``) to ``path`` as JSON, atomically."""
    text = json.dumps(to_dict(model), indent=1, allow_nan=False)
    with atomic_write(path) as file:
        file.write(text.encode("utf-8"))
