"""Numbers and gradients at the edges of the ops' domains (overflow, NaN, ln 0, non-finite exponents; issue 24):
eager, ``create_graph``, the compiled replay and the Value rules agree with each other, with Python's and numpy's
float arithmetic and with the mathematical limits (sympy) that PyTorch's conventions also follow."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import sympy as sp

import autograd
import viz
from autograd import OPS, Value

s, t = sp.symbols("s t", real=True)


def _eager(build, *point):
    leaves = [Value(p) for p in point]
    return list(autograd.grad(build(*leaves), leaves))


def _graph(build, *point):
    leaves = [Value(p) for p in point]
    return [g.data for g in autograd.grad(build(*leaves), leaves, create_graph=True)]


def _compiled(build, *point):
    leaves = [Value(1.0) for _ in point]  # traced away from the edge, replayed at it
    tape = autograd.compile(build(*leaves), leaves)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy RuntimeWarning either
        tape.forward(list(point))
        return [float(g) for g in np.ravel(tape.backward())]


def _three_ways(build, *point):
    return _eager(build, *point), _graph(build, *point), _compiled(build, *point)


def _limit(expression, symbol, at, side="+"):
    return float(sp.limit(expression, symbol, at, side))


@pytest.mark.parametrize(("build", "point", "reference"), [
    # d(x⁰)/dx at 0 is 0 (chainrule gave 0·∞ = NaN)
    (lambda x: x ** 0, (0.0,), [float(sp.diff(s ** 0, s))]),
    # d(0ˣ)/dx at x = 2 is 0: the limit a → 0⁺ of ∂(aˣ)/∂x = aˣ·ln a
    (lambda x: Value(0.0) ** x, (2.0,), [_limit(sp.diff(t ** s, s).subs(s, 2), t, 0)]),
    # ∂(aᵇ)/∂a and ∂(aᵇ)/∂b at (0, 2): 2·0 and the limit of aᵇ·ln a, both 0
    (lambda a, b: a ** b, (0.0, 2.0), [_limit(2 * t, t, 0), _limit(t ** 2 * sp.log(t), t, 0)]),
    # d√ReLU(x)/dx at −1 is 0: the function is 0 all around −1 (chainrule gave 0·∞ = NaN)
    (lambda x: x.relu() ** 0.5, (-1.0,),
     [float(sp.diff(sp.sqrt(sp.Piecewise((s, s > 0), (0, True))), s).subs(s, -1))]),
])
def test_pow_and_relu_at_the_edge_match_the_limits_three_ways(build, point, reference):
    for way in _three_ways(build, *point):
        assert way == reference


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_the_derivative_past_a_powers_degree_is_zero_at_zero(k):
    x = Value(0.0, "x")
    derivative = x ** k
    for order in range(k + 1):
        (derivative,) = autograd.grad(derivative, [x], create_graph=True)
        assert derivative.data == float(sp.diff(s ** k, s, order + 1).subs(s, 0))  # k!, then 0 (was NaN)


def test_a_tiny_power_of_minus_zero_has_the_ieee_slope_eager_and_compiled():
    with np.errstate(divide="ignore"):  # k·x^(k−1) at x = −0.0: k − 1 rounds to −1, an odd power
        ieee = 1e-300 * float(np.power(-0.0, -1.0))
    assert ieee == -math.inf
    assert _three_ways(lambda x: x ** 1e-300, -0.0) == ([ieee], [ieee], [ieee])  # eager gave +inf


def test_abs_sends_nothing_back_from_an_infinite_upstream_at_its_kink():
    # √|x| has no derivative at 0; the engine's convention (abs' = 0 there, the subgradient L1 uses)
    # selects nothing, as relu does: eager, create_graph and compiled agree on 0, not NaN
    assert _three_ways(lambda x: abs(x) ** 0.5, 0.0) == ([0.0], [0.0], [0.0])
    assert _three_ways(lambda x: abs(x) ** 0.5, 4.0) == ([0.25], [0.25], [0.25])  # a one passes it through


def test_a_zero_local_derivative_of_another_op_still_multiplies():
    # only the selecting ops (relu, abs) drop a zero derivative's product: 0·∞ from mul stays NaN, as in PyTorch
    assert [op.name for op in OPS.values() if op.selects] == ["relu", "abs"]
    (gradient,) = _eager(lambda x: (x * Value(0.0)) ** 0.5, 1.0)
    assert math.isnan(gradient)


def test_the_selecting_ops_derivatives_are_zero_or_plus_minus_one():
    for op in (op for op in OPS.values() if op.selects):
        for point in (-3.0, -0.5, 0.0, 0.25, 7.0):
            assert autograd.local_derivative(autograd.apply(op, Value(point)), 0) in (-1.0, 0.0, 1.0)


@pytest.mark.parametrize(("base", "exponent"), [(-0.5, math.inf), (-0.5, -math.inf), (-2.0, math.inf),
                                            (-1.0, math.inf), (-0.5, math.nan), (0.5, math.nan)])
def test_a_negative_base_to_an_infinite_or_nan_power_is_math_pows_value(base, exponent):
    expected = math.pow(base, exponent)
    result = (Value(base) ** exponent).data
    assert result == expected or (math.isnan(expected) and math.isnan(result))
    value_result = (Value(base) ** Value(exponent)).data
    assert value_result == expected or (math.isnan(expected) and math.isnan(value_result))


def test_a_negative_base_to_a_finite_fraction_is_still_refused_naming_pow_and_both_operands():
    with pytest.raises(ValueError, match=r"pow: a negative base -0.5 to the non-integer power 1.5 .*operands"):
        Value(-0.5) ** 1.5


def test_a_second_derivative_through_an_infinite_first_one_is_not_silently_finite():
    reference = _limit(sp.diff(sp.sqrt(s), s, 2), s, 0)  # −∞ (chainrule gave 0.0)
    x = Value(0.0, "x")
    (first,) = autograd.grad(x ** 0.5, [x], create_graph=True)
    assert first.data == _limit(sp.diff(sp.sqrt(s), s), s, 0) == math.inf
    (second,) = autograd.grad(first, [x])
    assert second == reference == -math.inf
    (second_graph,) = autograd.grad(first, [x], create_graph=True)
    assert second_graph.data == reference
    tape = autograd.compile(first, [x])
    tape.forward([0.0])
    assert tape.backward().tolist() == [reference]


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
    expected = float(sp.diff(sp.Symbol("w") ** 402, sp.Symbol("w")).subs("w", -10))  # -402e401 → -inf
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


def test_value_rules_give_what_the_float_rules_give_where_ln_is_not_finite():
    b, c = sp.symbols("b c")
    first = sp.simplify(sp.diff(b ** c, b).subs(c, 2))  # 2·b
    base = Value(0.0, "b")
    out = base ** Value(2.0, "c")
    (as_float,) = autograd.grad(out, [base])
    (as_value,) = autograd.grad(out, [base], create_graph=True)
    assert as_float == as_value.data == float(first.subs(b, 0)) == 0.0
    (second,) = autograd.grad(as_value, [base])
    assert second == float(sp.diff(first, b).subs(b, 0)) == 2.0


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
