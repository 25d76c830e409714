"""nn.features against the transforms computed here with numpy, and its refusals."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import nn
from nn import features
from tests.support.counting import CountedName, comparisons_made


def test_names_are_the_playgrounds_seven():
    assert features.NAMES == ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


def test_every_feature_matches_numpy():
    X = np.random.default_rng(0).uniform(-3, 3, size=(25, 2))
    a, b = X[:, 0], X[:, 1]
    expected = np.column_stack([a, b, a ** 2, b ** 2, a * b, np.sin(a), np.sin(b)])
    out = features.transform(X, features.NAMES)
    assert out.shape == (25, 7)
    assert out.dtype == float
    assert np.allclose(out, expected, rtol=1e-15, atol=0)


def test_a_chosen_subset_keeps_its_order():
    X = np.array([[2.0, -1.0], [0.5, 3.0]])
    out = features.transform(X.tolist(), ["x1*x2", "x1"])
    assert out.tolist() == [[-2.0, 2.0], [1.5, 0.5]]
    assert features.transform(np.zeros((0, 2)), ["x2"]).shape == (0, 1)


def test_parse_reads_the_command_line_spelling():
    assert features.parse("x1, x2,x1^2") == ["x1", "x2", "x1^2"]


@pytest.mark.parametrize(("names", "message"), [
    (["x3"], r"unknown feature 'x3'; choose from x1, x2, x1\^2, x2\^2, x1\*x2, sin\(x1\), sin\(x2\)"),
    ([], "at least one feature is needed; choose from x1, x2"),
    ("x1", "must be a list of names"),
    (["x1", "x1"], "feature x1 is listed twice"),
])
def test_bad_names_are_refused_naming_the_valid_ones(names, message):
    with pytest.raises(ValueError, match=message):
        features.transform(np.zeros((3, 2)), names)


@pytest.mark.parametrize("text", ["", " ", "x1,,x2"])
def test_parse_refuses_empty_items(text):
    with pytest.raises(ValueError, match="feature"):
        features.parse(text)


@pytest.mark.parametrize("shape", [(3,), (3, 3), (2, 1, 2)])
def test_points_must_be_two_dimensional(shape):
    with pytest.raises(ValueError, match=r"shape \(rows, 2\)"):
        features.transform(np.zeros(shape), ["x1"])


def test_a_name_that_is_not_text_is_an_unknown_feature():
    with pytest.raises(ValueError, match=r"unknown feature \['x1'\]; choose from x1, x2"):
        features.check([["x1"]])  # from a tampered model file: a list where a name belongs


def test_repeated_feature_names_are_found_in_linear_time():
    names = [CountedName(name) for name in ("x1", "x2")] * 2_000
    assert comparisons_made(nn.features.check, names) < 20  # the second "x1" is the first repeat; was 4,000²/2


def test_distinct_names_still_pass_and_a_repeat_is_named():
    assert nn.features.check(["x2", "x1", "sin(x1)"]) == ["x2", "x1", "sin(x1)"]
    with pytest.raises(ValueError, match=r"feature x1\^2 is listed twice"):
        nn.features.check(["x1^2", "x2", "x1^2"])
    with pytest.raises(ValueError, match="'b' appears twice"):
        nn.Signature(("a", "b", "c", "b"))


def test_parse_reads_names_in_any_case_and_as_the_playground_writes_them():
    assert features.parse("X1^2, SIN(x2),x1·x2, X₂², x₁") == ["x1^2", "sin(x2)", "x1*x2", "x2^2", "x1"]
    X = np.array([[0.5, -2.0]])
    assert features.transform(X, features.parse("X1²,Sin(X₂)")).tolist() == [[0.25, math.sin(-2.0)]]


@pytest.mark.parametrize(("text", "meant"), [("x1x2", "x1*x2"), ("sin x1", "sin(x1)"), ("x2^3", "x2^2")])
def test_a_near_miss_of_a_feature_is_refused_with_the_name_meant(text, meant):
    with pytest.raises(ValueError, match=re.escape(f"unknown feature {text!r}; choose from x1, x2, x1^2, x2^2, x1*x2, "
                                                   f"sin(x1), sin(x2); did you mean {meant}?")):
        features.parse(text)
