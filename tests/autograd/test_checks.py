"""gradcheck (``autograd.checks``): a correct gradient passes, a wrong one names its worst input."""
from __future__ import annotations

import math
import re

import pytest

import autograd
from autograd import GradcheckError, Value, gradcheck


def test_gradcheck_accepts_a_correct_gradient():
    assert gradcheck(lambda x, y: (x * y).sigmoid() / (y + x.exp()), [Value(0.3), Value(-1.2)])


def test_gradcheck_names_the_worst_input_of_a_wrong_gradient():
    # Value(x.data ** 2) cuts the graph: the analytic gradient misses 2x for x only.
    def wrong(x, y):
        return Value(x.data ** 2) + x * y

    x, y = Value(3.0, "x"), Value(0.5, "y")
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda y, x: wrong(x, y), [y, x])  # the wrong input second: "worst" is searched
    message = str(caught.value)
    assert "input 1" in message
    assert "x" in message
    assert "data=3.0" in message
    analytic, numerical = (float(v) for v in re.findall(r"analytic (\S+) vs numerical (\S+),", message)[0])
    assert analytic == y.data
    assert numerical == pytest.approx(2 * x.data + y.data, rel=1e-6)
    assert "tolerance" in message
    assert x.data == 3.0, "gradcheck restores every input"
    assert y.data == 0.5, "gradcheck restores every input"


def test_central_differences_are_the_symmetric_quotient_with_the_step_given():
    """Other tests take autograd.central_differences as their reference: here it meets closed forms.
    For x³ the symmetric quotient is exactly 3x² + ε² (a one-sided one would be 3x² ± 3xε + ε²)."""
    point = [1.5, -2.0, 0.25]
    cube = autograd.central_differences(lambda p: p[0] ** 3 * p[2] + p[1], point, eps=0.1)
    assert cube == pytest.approx([(3 * 1.5 ** 2 + 0.1 ** 2) * 0.25, 1.0, 1.5 ** 3], rel=1e-12)
    smooth = autograd.central_differences(lambda p: math.sin(p[0]) * p[1] ** 2, point[:2])
    assert smooth == pytest.approx([math.cos(1.5) * 4.0, 2 * math.sin(1.5) * -2.0], rel=1e-8)
    given = [3.0, 4.0]
    assert autograd.central_differences(lambda p: p[0] * p[1], given, indices=[1]) == pytest.approx([3.0], rel=1e-9)
    assert given == [3.0, 4.0], "the caller's point is never changed"
