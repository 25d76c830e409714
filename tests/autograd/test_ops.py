"""Every row of the ops table against sympy: values, first and second derivatives, gradcheck; domain errors.

The tests loop over ``autograd.OPS``, so an op added to the table is tested the day it is
added — and fails here until its sympy expression is written in ``tests/support/op_references.py``.
"""
from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value, gradcheck
from tests.support import op_references
from tests.support.op_references import SYMPY, derivative_functions, value_function

ANY = st.floats(-3, 3)
POSITIVE = st.floats(0.1, 4)
AWAY_FROM_ZERO = st.one_of(st.floats(-3, -0.2), st.floats(0.2, 3))
# Where each op is differentiable (operands not listed: any number in [-3, 3]).
DOMAINS = {
    "div": (ANY, AWAY_FROM_ZERO),
    "log": (POSITIVE,),
    "pow": (POSITIVE, st.floats(-2.5, 3.5)),
    "pow_value": (POSITIVE, st.floats(-2.5, 2.5)),
    "relu": (AWAY_FROM_ZERO,),
    "abs": (AWAY_FROM_ZERO,),
    "exp": (st.floats(-4, 4),),
}
SUM_SIZES = st.integers(1, 5)
CLOSE = {"rel": 1e-8, "abs": 1e-10}


def test_every_op_has_a_sympy_reference():
    missing = sorted(set(OPS) - set(SYMPY))
    assert not missing, f"ops without a sympy expression in {op_references.__file__}: {missing}"


def draw_point(data, name: str) -> list[float]:
    """Operands inside the op's domain, drawn by hypothesis."""
    op = OPS[name]
    arity = op.arity if op.arity is not None else data.draw(SUM_SIZES, label="operands")
    domain = DOMAINS.get(name, (ANY,) * arity)
    return [data.draw(domain[i] if i < len(domain) else ANY, label=f"x{i}") for i in range(arity)]


def build(name: str, point: list[float]) -> tuple[Value, list[Value]]:
    """The op applied to leaves (constant inputs stay plain numbers); returns (out, leaves)."""
    constant = OPS[name].constant_inputs
    operands = [x if i in constant else Value(x, label=f"x{i}") for i, x in enumerate(point)]
    return autograd.apply(OPS[name], *operands), [x for x in operands if isinstance(x, Value)]


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_value_and_first_derivatives_match_sympy(name, data):
    point = draw_point(data, name)
    value = value_function(name, len(point))
    first, _ = derivative_functions(name, len(point))
    out, leaves = build(name, point)
    assert out.op is OPS[name]
    assert out.data == pytest.approx(value(*point), **CLOSE)
    expected = [derivative(*point) for derivative in first]

    assert list(autograd.grad(out, leaves)) == pytest.approx(expected, **CLOSE)
    assert all(leaf.grad == 0.0 for leaf in leaves), "grad() must not touch .grad"
    out.backward()
    assert [leaf.grad for leaf in leaves] == pytest.approx(expected, **CLOSE)
    for index in OPS[name].constant_inputs:
        assert out.parents[index].grad == 0.0, "a constant input is not differentiated"


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_second_derivatives_match_sympy(name, data):
    point = draw_point(data, name)
    first, second = derivative_functions(name, len(point))
    out, leaves = build(name, point)
    gradients = autograd.grad(out, leaves, create_graph=True)
    assert all(isinstance(g, Value) for g in gradients)
    assert [g.data for g in gradients] == pytest.approx([d(*point) for d in first], **CLOSE)
    for gradient, row in zip(gradients, second, strict=True):
        hessian_row = autograd.grad(gradient, leaves, create_graph=True)
        assert [h.data for h in hessian_row] == pytest.approx([d(*point) for d in row], **CLOSE)


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_gradcheck_passes_on_every_op(name, data):
    point = draw_point(data, name)
    constant = OPS[name].constant_inputs

    def fn(*free: Value) -> Value:
        remaining = iter(free)
        return autograd.apply(OPS[name], *[x if i in constant else next(remaining) for i, x in enumerate(point)])

    assert gradcheck(fn, [x for i, x in enumerate(point) if i not in constant]) is True


def test_every_rule_returns_one_derivative_per_input():
    for name, op in OPS.items():
        point = [0.7, 1.3, 0.4] if op.arity is None else [0.7, 1.3][:op.arity]
        out, _ = build(name, point)
        (step,) = autograd.backward_steps(out)  # the engine raises RuleError unless one derivative per input
        assert [c.index for c in step.contributions] == [i for i in range(len(point)) if i not in op.constant_inputs]
        assert len(autograd.Names(out).texts(out)) == len(point), name
        assert len(op.formulas) >= 1
        assert all("∂" in f or "constant" in f for f in op.formulas)


def test_python_operators_route_to_their_rows_in_order():
    a, b = Value(3.0, "a"), Value(0.5, "b")
    cases = {
        "add": [a + b, a + 2, 2 + a], "sub": [a - b, a - 2, 2 - a], "mul": [a * b, a * 2, 2 * a],
        "div": [a / b, a / 2, 2 / a], "neg": [-a], "pow": [a ** 2, a ** -0.5],
        "pow_value": [a ** b, 2 ** a], "exp": [a.exp()], "log": [a.log()], "tanh": [a.tanh()],
        "sigmoid": [a.sigmoid()], "relu": [a.relu()], "abs": [a.abs(), abs(-a)], "sum": [autograd.sum([a, b, 2])],
    }
    assert set(cases) == set(OPS)
    for name, results in cases.items():
        for result in results:
            assert result.op is OPS[name]
            symbols = sp.symbols(f"x0:{len(result.parents)}", real=True)
            at = dict(zip(symbols, [p.data for p in result.parents], strict=True))
            expected = SYMPY[name](list(symbols)).subs(at)
            assert result.data == pytest.approx(float(expected), **CLOSE)
    assert [(a + b).parents, (a - b).parents, (a * b).parents, (a / b).parents] == [(a, b)] * 4
    assert (2 - a).parents[1] is a
    assert (2 - a).data == -1.0
    assert (a ** b).parents == (a, b)
    assert (2 ** a).parents[1] is a


def _miscounting_op(derivatives: int) -> autograd.Op:
    """An op whose rule returns ``derivatives`` local derivatives whatever its number of inputs."""
    return autograd.Op("miscounting", None, lambda x, m: m.sum(x), lambda x, out, m: (1.0,) * derivatives,
                       "?", ("?",), lambda n: ("1",) * len(n), lambda n: "?")


@pytest.mark.parametrize(("inputs", "derivatives"), [(2, 1), (2, 3), (3, 2), (1, 2)])
@pytest.mark.parametrize("differentiate", [
    lambda out: out.backward(),
    lambda out: autograd.grad(out, out.parents[0], create_graph=True),
    lambda out: autograd.backward_steps(out),
    lambda out: (tape := autograd.compile(out, inputs=out.parents[:1]), tape.forward([0.0]), tape.backward()),
])
def test_a_rule_returning_the_wrong_number_of_derivatives_is_named(inputs, derivatives, differentiate):
    """One error type for every backward pass, the replay's included."""
    operands = [Value(float(i)) for i in range(inputs)]
    out = autograd.apply(_miscounting_op(derivatives), *operands)
    with pytest.raises(autograd.RuleError, match=f"op 'miscounting': local_grads returned {derivatives} derivatives "
                                        f"for {inputs} inputs"):
        differentiate(out)


@pytest.mark.parametrize("data", [0.0, -1.5])
def test_log_of_a_non_positive_number_names_the_op_and_operand(data):
    with pytest.raises(ValueError, match="log") as caught:
        Value(data, "p").log()
    assert f"p={data!r}" in str(caught.value)


@pytest.mark.parametrize("divide", [lambda a, b: a / b, lambda a, b: a / 0, lambda a, b: 1 / b,
                                    lambda a, b: a.data / b])
def test_division_by_zero(divide):
    with pytest.raises(ZeroDivisionError) as caught:
        divide(Value(1.0, "a"), Value(0.0, "b"))
    assert "div" in str(caught.value)


def test_zero_to_a_negative_power_is_a_division_by_zero():
    with pytest.raises(ZeroDivisionError, match="pow"):
        Value(0.0) ** -1


@pytest.mark.parametrize(("power", "op"), [(lambda a: a ** 0.5, "pow"), (lambda a: a ** (1 / 3), "pow"),
                                       (lambda a: a ** Value(1.5), "pow_value")])
def test_a_negative_base_to_a_non_integer_power(power, op):
    with pytest.raises(ValueError, match=op) as caught:
        power(Value(-8.0, "base"))
    assert "base=-8.0" in str(caught.value)


def test_a_negative_base_to_an_integer_power_is_fine():
    base = Value(-2.0)
    cube = base ** 3
    assert cube.data == -8.0
    assert autograd.grad(cube, base) == (3 * (-2.0) ** 2,)


def test_sigmoid_and_tanh_are_stable_at_extreme_inputs():
    assert 0.0 <= Value(-1000.0).sigmoid().data < 1e-300
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).tanh().data == 1.0
    assert Value(-1000.0).tanh().data == -1.0
    for extreme in (Value(-1000.0), Value(1000.0)):
        (extreme.sigmoid() + extreme.tanh()).backward()
        assert extreme.grad == 0.0  # both flat out there, and finite


def test_exp_overflow_is_infinity_not_an_overflow_error():
    assert Value(1000.0).exp().data == math.inf
