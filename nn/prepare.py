"""The data of one ``python -m nn train`` run: a built-in dataset or your CSV, its input features,
the held-out test and validation rows, and the Signature the saved model keeps (with the training
rows' standardization when the recipe asks for it: a CSV's, unless ``--no-standardize``)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from . import datasets, recipes
from .scaling import Standardization
from .signature import Signature, listed

Pair = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class RunData:
    """Raw rows and labels (class indices, or floats for a regression) per part; ``inputs`` turns raw
    rows into the model's inputs (the features)."""

    train: Pair
    validation: Pair | None
    test: Pair | None
    signature: Signature
    row_ids: tuple[str, ...] = ()  # a CSV's feature columns that look like row ids

    @property
    def regression(self) -> bool:
        return self.signature.classes is None

    @property
    def classes(self) -> int:
        return 0 if self.regression else len(self.signature.classes)

    def inputs(self, part: Pair) -> np.ndarray:
        return self.signature.prepare(part[0])

    def reported(self) -> tuple[str, Pair]:
        """The rows a report is about, and what they are: the test rows, else the validation rows, else all."""
        if self.test is not None:
            return "test", self.test
        return ("validation", self.validation) if self.validation is not None else ("training", self.train)


def is_csv(source: str) -> bool:
    return source.lower().endswith(".csv")


def load(source: str, s, features: list[str] | None, target: str, regression: bool, mnist_dir=None,
         drop: Sequence[str] = ()) -> RunData:
    """``source`` (a dataset name or a .csv path, without its ``drop`` columns) with the settings ``s`` (a recipe
    with the options laid over); ``mnist`` reads the folder ``mnist_dir``: ``samples`` training images, the
    10,000 test images as the test rows. With ``s.standardize`` the raw inputs are scaled by the training rows'
    mean and standard deviation (the signature keeps them)."""
    test, row_ids = None, ()
    if is_csv(source):
        table = datasets.load_csv(source, target=target, regression=regression or None, drop=drop)
        X, y, names, classes, row_ids = table.X, table.y, table.feature_names, table.class_names, table.row_ids
        if classes is not None and len(classes) < 2:
            raise ValueError(f"{source}: the column {target!r} holds one class ({classes[0]}); "
                             f"a classifier needs two or more (for numbers to predict use --regression)")
    elif regression:
        raise ValueError(f"--regression applies to a CSV; {source} is a classification dataset")
    else:
        if source == "mnist":
            X, y, *test = datasets.mnist(mnist_dir)
            X, y, test = X[:s.samples], y[:s.samples], tuple(test)
        else:
            X, y = recipes.load(source, s.samples, s.noise, s.seed)
        names = tuple(f"x{i + 1}" for i in range(X.shape[1]))
        classes = tuple(str(k) for k in range(10 if source == "mnist" else max(int(y.max()) + 1, 2)))
    if features is not None and X.shape[1] != 2:
        raise ValueError(f"--features transform two input columns; {source} has {X.shape[1]} ({listed(names)})")
    signature = Signature(names, None if features is None else tuple(features), classes)
    train = (X, y)
    if s.test_fraction:
        X_train, y_train, X_test, y_test = datasets.split(X, y, s.test_fraction, seed=s.seed)
        train, test = (X_train[:s.samples], y_train[:s.samples]), (X_test, y_test)
    validation = None
    if s.val_fraction:
        cut = datasets.split if classes is None else datasets.stratified_split
        try:
            X_train, y_train, X_val, y_val = cut(*train, s.val_fraction, seed=s.seed)
        except ValueError as error:  # a CSV holds out 0.2 unless told: say which option did
            raise ValueError(f"--val-fraction {s.val_fraction:g}: {error} (--val-fraction 0 holds out none)") from None
        train, validation = (X_train, y_train), (X_val, y_val)
    if s.standardize:
        signature = replace(signature, standardize=Standardization.fit(train[0]))
    return RunData(train, validation, test, signature, row_ids)
