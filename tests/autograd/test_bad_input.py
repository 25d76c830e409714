"""Every bad input named by the engine's issue: a clear error naming what is wrong and what is valid."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import Value


@pytest.mark.parametrize(("data", "type_name"), [("abc", "str"), (None, "NoneType"), ([1.0], "list"),
                                             (1j, "complex")])
def test_value_rejects_what_is_not_a_real_number(data, type_name):
    with pytest.raises(TypeError, match="int, float") as caught:
        Value(data)
    assert type_name in str(caught.value)


@pytest.mark.parametrize(("operand", "type_name"), [("abc", "str"), (None, "NoneType"), (1j, "complex")])
def test_operators_reject_what_is_not_a_real_number(operand, type_name):
    for combine in (lambda v: v + operand, lambda v: operand * v, lambda v: v ** operand):
        with pytest.raises(TypeError, match="int, float") as caught:
            combine(Value(2.0))
        assert type_name in str(caught.value)


@pytest.mark.parametrize("data", [np.float64(2.5), np.float32(0.5), np.int64(-3), 7, 2.0])
def test_value_accepts_real_numbers_and_numpy_scalars(data):
    value = Value(data)
    assert type(value.data) is float
    assert value.data == float(data)


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


def test_grad_rejects_inputs_that_are_not_values():
    x = Value(1.0)
    out = x * 2
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Value .*got float: 3.0"):
        autograd.grad(out, [x, 3.0])
    with pytest.raises(TypeError, match="Value"):
        autograd.grad(out, ["x"])


def test_sum_of_nothing():
    with pytest.raises(ValueError, match="at least one"):
        autograd.sum([])
