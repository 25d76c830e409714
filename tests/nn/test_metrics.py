"""nn.metrics: accuracy, the confusion matrix and per-class accuracy against scikit-learn."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk_metrics

import autograd
import nn
from nn import datasets
from tests.support.models import linear


def test_accuracy_of_nothing_is_a_value_error():
    with pytest.raises(ValueError, match=r"accuracy needs .* at least one: got 0 outputs and 0 targets"):
        nn.accuracy([], [])


def test_confusion_matrix_and_per_class_accuracy_match_scikit_learn():
    X, y = datasets.blobs(90, noise=0.2, seed=3)
    model = nn.MLP(2, [6, 3], seed=5)
    nn.fit(model, (X, y), loss="cross_entropy", optimizer=nn.Adam(model.parameters(), lr=0.05), steps=15,
           progress=False)
    matrix = nn.confusion_matrix(model, (X, y))
    predicted = eager_classes(model, X)
    assert matrix.tolist() == sk_metrics.confusion_matrix(y, predicted, labels=[0, 1, 2]).tolist()
    recall = sk_metrics.recall_score(y, predicted, average=None, labels=[0, 1, 2], zero_division=0)
    assert nn.per_class_accuracy(matrix) == pytest.approx(recall.tolist())


def test_one_sigmoid_output_is_thresholded_at_a_half_and_empty_classes_are_none():
    model = linear([1.0], outputs_activation="sigmoid")
    X, y = np.array([[-2.0], [-0.1], [0.3], [4.0]]), np.array([0, 1, 1, 1])
    matrix = nn.confusion_matrix(model, (X, y), classes=3)
    assert matrix.tolist() == sk_metrics.confusion_matrix(y, eager_classes(model, X), labels=[0, 1, 2]).tolist()
    assert nn.per_class_accuracy(matrix) == [1.0, pytest.approx(2 / 3), None]


def test_confusion_matrix_wants_class_indices():
    with pytest.raises(ValueError, match="one integer class index per row"):
        nn.confusion_matrix(linear([1.0]), ([[1.0]], [0.5]))


def eager_classes(model, X):
    with autograd.no_grad():
        outputs = [model(list(row)) for row in X]
    if isinstance(outputs[0], list):
        return np.array([int(np.argmax([v.data for v in out])) for out in outputs])
    return np.array([int(out.data > 0.5) for out in outputs])
