"""What a model's inputs and outputs mean, kept with it in its file so prediction needs nothing else.

``inputs`` names the raw numbers a user gives (``["x1", "x2"]``, a CSV's feature columns);
``features`` the ``nn.features`` transforms that turn two raw inputs into the model's inputs
(None: the inputs go in as they are); ``classes`` the class names, output by output (one output:
the names for "not passed" and "passed"; None for a regression); ``standardize`` the scaling of the
raw inputs learnt from the training rows (``nn.scaling``; None: none); ``loss`` the loss the model was
trained with (a key of ``nn.LOSSES``; None: not recorded), which says what its outputs are.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograd import argument_checks as check

from . import features as feature_transforms
from .data_rows import ScaledRows
from .losses import LOSSES
from .scaling import Standardization

MAX_NAME = 200  # characters in one input or class name
_OPTIONAL = ("standardize", "loss")  # keys a file holds only when they are set (older files have neither)


@dataclass(frozen=True)
class Signature:
    inputs: tuple[str, ...]
    features: tuple[str, ...] | None = None
    classes: tuple[str, ...] | None = None
    standardize: Standardization | None = None
    loss: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", _names(self.inputs, "inputs"))
        if self.features is not None:
            object.__setattr__(self, "features", tuple(feature_transforms.check(self.features)))
            if len(self.inputs) != 2:
                raise ValueError(f"features transform two inputs, got {len(self.inputs)} input names")
        if self.classes is not None:
            object.__setattr__(self, "classes", _names(self.classes, "classes"))
            if len(self.classes) < 2:
                raise ValueError("classes needs at least two class names")
        if self.standardize is not None and (not isinstance(self.standardize, Standardization)
                                             or len(self.standardize.mean) != len(self.inputs)):
            raise ValueError(f"standardize must be an nn.scaling.Standardization of {len(self.inputs)} columns, "
                             f"got {self.standardize!r:.60}")
        if self.loss is not None and (not isinstance(self.loss, str) or self.loss not in LOSSES):
            raise ValueError(f"loss {self.loss!r:.40} is unknown; expected one of {', '.join(LOSSES)}")

    @property
    def width(self) -> int:
        """How many inputs the model itself takes."""
        return len(self.features) if self.features is not None else len(self.inputs)

    def prepare(self, X) -> np.ndarray:
        """Raw rows (rows, len(inputs)) as the model's inputs: standardized, then the feature transforms
        applied (ScaledRows with neither stay compact: MNIST's bytes are converted a batch at a time)."""
        compact = isinstance(X, ScaledRows) and self.standardize is None and self.features is None
        X = X if compact else np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != len(self.inputs):
            raise ValueError(f"expected rows of {len(self.inputs)} numbers ({', '.join(self.inputs)}), "
                             f"got an array of shape {X.shape}")
        X = X if self.standardize is None else self.standardize.apply(X)
        return X if self.features is None else feature_transforms.transform(X, self.features)

    def check_model(self, nin: int, nout: int) -> None:
        """ValueError unless this signature fits a model of ``nin`` inputs and ``nout`` outputs."""
        if self.width != nin:
            raise ValueError(f"the signature gives {self.width} model inputs but the model takes {nin}")
        if self.classes is not None and len(self.classes) != max(nout, 2):
            raise ValueError(f"{len(self.classes)} class names for a model of {nout} outputs "
                             f"(one name per output, or two for one output)")
        if (self.loss in ("hinge", "bce", "binary_cross_entropy") and nout != 1) \
                or (self.loss == "cross_entropy" and nout < 2):
            raise ValueError(f"a model trained with {self.loss} cannot have {nout} outputs")

    def to_dict(self) -> dict:
        document = {"inputs": list(self.inputs),
                    "features": None if self.features is None else list(self.features),
                    "classes": None if self.classes is None else list(self.classes)}
        if self.standardize is not None:
            document["standardize"] = self.standardize.to_dict()
        if self.loss is not None:
            document["loss"] = self.loss
        return document

    @classmethod
    def from_dict(cls, document: object) -> Signature:
        """The signature in ``to_dict``'s layout, every field checked (ValueError naming the defect)."""
        if not isinstance(document, dict) or not {"inputs", "features", "classes"} <= set(document) \
                or not set(document) <= {"inputs", "features", "classes", *_OPTIONAL}:
            raise ValueError('signature must be an object with "inputs", "features" and "classes" '
                             '(and optionally "standardize" and "loss")')
        for key in ("inputs", "features", "classes"):
            value = document[key]
            if value is not None and not isinstance(value, list):
                raise ValueError(f"signature.{key} must be a list of names{'' if key == 'inputs' else ' or null'}")
        if document["inputs"] is None:
            raise ValueError("signature.inputs must be a list of names")
        try:
            standardize = document.get("standardize")
            return cls(tuple(document["inputs"]),
                       None if document["features"] is None else tuple(document["features"]),
                       None if document["classes"] is None else tuple(document["classes"]),
                       None if standardize is None else Standardization.from_dict(standardize),
                       document.get("loss"))
        except ValueError as error:
            raise ValueError(f"signature: {error}") from None


def listed(names, most: int = 24) -> str:
    """``names`` joined by commas for a message: the first ``most``, then how many there are in all."""
    names = list(names)
    return ", ".join(names[:most]) + (f", … ({len(names):,} in all)" if len(names) > most else "")


def name_problem(name: str) -> str | None:
    """What keeps ``name`` from being an input or class name (a phrase), or None if it can be one."""
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters, more than {MAX_NAME}"
    if not name.isprintable():
        return "is not printable (it holds a line break or another control character)"
    return None


def _names(names, what: str) -> tuple[str, ...]:
    names = tuple(check.sequence(names, what, "a list of names (not one str: its letters would be the names)"))
    if not names:
        raise ValueError(f"{what} needs at least one name")
    seen = set()
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"{what}: every name must be text of 1 to {MAX_NAME} characters, got {name!r:.60}")
        if name_problem(name):
            raise ValueError(f"{what}: the name {name!r:.60} {name_problem(name)}")
        if name in seen:
            raise ValueError(f"{what}: the name {name!r} appears twice")
        seen.add(name)
    return names
