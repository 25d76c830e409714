"""Numbers at the edges (overflow, NaN, ln 0, non-finite exponents): eager, replay and Value rules agree.

References are independent of the engine: Python's own float arithmetic, numpy and sympy.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

import autograd
import viz
from autograd import Value


@pytest.mark.parametrize(("base", "power"), [(-10.0, 401), (-10.0, 400), (10.0, 401), (-0.1, -401), (-0.1, -402)])
def test_an_overflowing_power_has_the_sign_numpy_gives_eagerly_and_in_the_replay(base, power):
    with np.errstate(over="ignore"):
        expected = np.power(np.float64(base), np.float64(power))  # numpy: ±inf with the sign of the result
    assert math.isinf(expected)
    x = Value(base, "x")
    eager = x ** power
    assert eager.data == expected
    tape = autograd.compile(x ** power, inputs=[x])
    with np.errstate(over="ignore"):
        assert tape.forward(np.array([[base]]))[0] == expected


def test_the_derivative_of_an_overflowing_power_has_the_right_sign():
    w = Value(-10.0, "w")
    expected = float(sympy.diff(sympy.Symbol("w") ** 402, sympy.Symbol("w")).subs("w", -10))  # -402e401 → -inf
    assert expected == -math.inf
    assert autograd.grad(w ** 402, [w]) == (expected,)
    (as_value,) = autograd.grad(w ** 402, [w], create_graph=True)
    assert as_value.data == expected
    w.grad = 0.0
    (w ** 402).backward()
    assert w.grad == expected


def test_relu_lets_nan_through_eagerly_and_in_the_replay():
    x = Value(math.nan, "x")
    assert math.isnan(x.relu().data)
    assert math.isnan(np.maximum(np.nan, 0.0))  # numpy's reference: NaN propagates
    tape = autograd.compile(x.relu(), inputs=[x])
    assert math.isnan(tape.forward(np.array([[math.nan]]))[0])
    assert Value(-math.inf).relu().data == 0.0
    assert Value(math.inf).relu().data == math.inf
    assert Value(-0.5).relu().data == 0.0
    assert Value(0.5).relu().data == 0.5


def test_detect_anomaly_flags_a_nan_through_relu():
    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError, match=r"relu.*nan"):
        Value(math.nan, "x").relu()


def test_value_rules_give_what_the_float_rules_give_where_ln_is_not_finite():
    b, c = sympy.symbols("b c")
    first = sympy.simplify(sympy.diff(b ** c, b).subs(c, 2))  # 2·b
    base = Value(0.0, "b")
    out = base ** Value(2.0, "c")
    (as_float,) = autograd.grad(out, [base])
    (as_value,) = autograd.grad(out, [base], create_graph=True)
    assert as_float == as_value.data == float(first.subs(b, 0)) == 0.0
    (second,) = autograd.grad(as_value, [base])
    assert second == float(sympy.diff(first, b).subs(b, 0)) == 2.0


@pytest.mark.parametrize(("base", "exponent"), [(0.0, 0.5), (-2.0, 0.5), (0.0, 2.0)])
def test_value_rules_match_float_rules_for_every_operand_of_a_power(base, exponent):
    a, k = Value(base, "a"), Value(exponent, "k")
    out = a ** k if base != -2.0 else (a * a) ** k  # (−2)·(−2) = 4: a real power, whose rule meets no ln
    floats = autograd.grad(out, [a, k])
    values = autograd.grad(out, [a, k], create_graph=True)
    for from_floats, from_values in zip(floats, values, strict=True):
        assert from_values.data == from_floats or (math.isnan(from_values.data) and math.isnan(from_floats))


@pytest.mark.parametrize(("exponent", "shown"), [(math.inf, "x^(inf)"), (-math.inf, "x^(-inf)"), (math.nan, "x^(nan)"),
                                             (1e-7, "x^(1e-07)"), (123456789, "x¹²³⁴⁵⁶⁷⁸⁹"), (2.5, "x²·⁵")])
def test_any_exponent_is_drawn_explained_and_stepped_without_an_error(exponent, shown, tmp_path):
    x = Value(0.5, "x")
    out = x ** exponent
    heads = (f"∂{shown}/∂x", f"∂({shown})/∂x")  # grouped when the name reads as more than one symbol
    assert str(autograd.explain(out, x)).startswith(heads)
    assert autograd.backward_steps(out)[0].contributions[0].formula.startswith(heads)
    out.backward()
    assert "class=\"op pow\"" in viz.draw(out, gradient_flow=True).source
    viz.explore(out, tmp_path / "page.html", parameters=[x])
    assert tmp_path.joinpath("page.html").stat().st_size > 0


def test_a_whole_exponent_is_shown_exactly_in_the_derivative():
    x = Value(1.0, "x")
    formula = str(autograd.explain(x ** 123456789, x)).splitlines()[0]
    assert formula == "∂x¹²³⁴⁵⁶⁷⁸⁹/∂x = 123456789·x¹²³⁴⁵⁶⁷⁸⁸"


def test_the_sum_over_paths_past_the_float_range_is_inf_not_an_error():
    x = Value(1.0, "x")
    out = x * 1e308 + x * 1e308
    explanation = autograd.explain(out, x)
    assert explanation.total == 1e308 + 1e308 == math.inf
    assert str(explanation).endswith("= inf")
