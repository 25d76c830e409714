"""gradcheck (``autograd.checks``): a correct gradient passes, a wrong one names its worst input."""
from __future__ import annotations

import re

import pytest

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
