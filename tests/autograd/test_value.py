"""The Value: published examples, reused nodes, and what it accepts as a number (a clear error for the rest)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import Value
from tests.support.graphs import karpathy_neuron, micrograd_readme_program


def test_micrograd_readme_example():
    """micrograd's README prints 24.7041, 138.8338 and 645.5773 for this program."""
    a, b, g = micrograd_readme_program(Value)
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


@pytest.mark.parametrize("tanh_from_exp", [False, True])
def test_tanh_neuron_of_the_first_lecture(tanh_from_exp):
    o, (x1, w1, x2, w2) = karpathy_neuron(tanh_from_exp)
    expected_o = math.tanh(2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432)
    assert o.data == pytest.approx(expected_o, rel=1e-12)
    assert round(o.data, 4) == 0.7071
    o.backward()
    slope = 1 - expected_o**2  # d tanh(n)/dn in closed form
    assert [x1.grad, w1.grad, x2.grad, w2.grad] == pytest.approx(
        [w1.data * slope, x1.data * slope, w2.data * slope, x2.data * slope], rel=1e-9, abs=1e-12)
    assert [round(g, 4) for g in (x1.grad, w1.grad, x2.grad, w2.grad)] == [-1.5, 1.0, 0.5, 0.0]


def test_a_reused_node_draws_two_edges_and_accumulates():
    a = Value(3.0, "a")
    square, double = a * a, a + a
    assert square.parents == (a, a)
    assert double.parents == (a, a)
    assert autograd.grad(square, a) == (6.0,)  # 2a
    assert autograd.grad(double, a) == (2.0,)
    both = square * double + a  # 2a³ + a
    both.backward()
    assert a.grad == 6 * 3.0**2 + 1


def test_micrograd_doubles_interior_gradients_where_chainrule_does_not():
    """The contrast the issue names: micrograd's most reported confusion."""
    micro = pytest.importorskip("micrograd.engine")
    ours, theirs = [], []
    for kind, record in ((Value, ours), (micro.Value, theirs)):
        a, b = kind(2.0), kind(3.0)
        c = a * b
        d = c * c
        d.backward()
        d.backward()
        record += [c.grad, a.grad]
    single_c = 2 * 6.0
    assert ours == [single_c, 2 * single_c * 3.0]
    assert theirs[0] == 2 * single_c  # micrograd: c.grad keeps the first pass and adds the second


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


def test_sum_of_nothing():
    with pytest.raises(ValueError, match="at least one"):
        autograd.sum([])
