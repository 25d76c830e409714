"""Reverse-mode differentiation over the graph (``autograd.graph``): the order, deep and repeated passes,
grad's floats and Values, higher orders against sympy, and what is not a Value refused by name."""
from __future__ import annotations

import math
import sys

import pytest
import sympy as sp

import autograd
from autograd import Value


def _reference_order(root: Value) -> list[Value]:
    """micrograd's ``build_topo`` (its engine.py), reading the ordered ``parents``: the reference order."""
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v.parents:
                build_topo(child)
            topo.append(v)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        build_topo(root)
    finally:
        sys.setrecursionlimit(limit)
    return topo


@pytest.mark.parametrize("levels", [5, 40, 400])
def test_topological_order_is_the_depth_first_order_at_any_depth(levels):
    x = y = Value(0.3, "x")
    for i in range(levels):  # shared branches; 40 and 400 levels outgrow the recursive walk's 100
        side = (y * Value(i / levels)).tanh()
        y = autograd.sum([side, y, x]) if i % 3 else side - y
    assert autograd.topological_order(y) == _reference_order(y)


def test_topological_order_works_when_called_near_the_recursion_limit():
    x = y = Value(0.3, "x")
    for i in range(60):
        y = autograd.sum([(y * Value(i)).tanh(), y, x])
    expected = _reference_order(y)

    def called_from_depth(depth):  # the caller's own stack nearly full
        return called_from_depth(depth - 1) if depth else autograd.topological_order(y)

    assert called_from_depth(sys.getrecursionlimit() - 60) == expected


def test_a_300000_deep_chain_differentiates_without_recursion_error():
    x = Value(0.5, "x")
    y = x
    for _ in range(300_000):
        y = -y
    y.backward()
    assert x.grad == 1.0  # (−1)^300000
    assert y.parents[0].grad == -1.0


def test_backward_twice_recomputes_interior_and_accumulates_leaves():
    a, b = Value(2.0, "a"), Value(-0.5, "b")
    c = a * b
    d = (c + 3.0).tanh()
    slope = 1 - math.tanh(2.0 * -0.5 + 3.0) ** 2
    d.backward()
    d.backward()
    assert d.grad == 1.0
    assert c.grad == pytest.approx(slope)
    assert a.grad == pytest.approx(2 * slope * b.data)
    assert b.grad == pytest.approx(2 * slope * a.data)
    a.grad = b.grad = 0.0  # zero_grad
    d.backward()
    assert a.grad == pytest.approx(slope * b.data)
    assert c.grad == pytest.approx(slope)


def test_grad_returns_floats_or_differentiable_values_without_touching_grad():
    x, y, unused = Value(0.7, "x"), Value(1.3, "y"), Value(4.0)
    out = (x * y).tanh() + x.log()
    floats = autograd.grad(out, [x, y, unused])
    assert all(type(g) is float for g in floats)
    assert floats[2] == 0.0
    values = autograd.grad(out, [x, y, unused], create_graph=True)
    assert all(isinstance(g, Value) for g in values)
    assert [g.data for g in values] == pytest.approx(list(floats))
    assert x.grad == y.grad == out.grad == 0.0


def test_third_order_derivatives_of_a_composite_match_sympy():
    sx, sy = sp.symbols("x y", positive=True)
    expression = sp.tanh(sx * sy) + sp.log(sx) ** 2 / sy + sp.exp(sx - sy) * sx**3
    point = {sx: 0.8, sy: 1.7}
    x, y = Value(0.8, "x"), Value(1.7, "y")
    out = (x * y).tanh() + x.log() ** 2 / y + (x - y).exp() * x**3
    (dx,) = autograd.grad(out, x, create_graph=True)
    (dxy,) = autograd.grad(dx, y, create_graph=True)
    dxyx = autograd.grad(dxy, x)[0]
    assert dx.data == pytest.approx(float(sp.diff(expression, sx).subs(point)), rel=1e-10)
    assert dxy.data == pytest.approx(float(sp.diff(expression, sx, sy).subs(point)), rel=1e-10)
    assert dxyx == pytest.approx(float(sp.diff(expression, sx, sy, sx).subs(point)), rel=1e-9)


def test_grad_rejects_inputs_that_are_not_values():
    x = Value(1.0)
    out = x * 2
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Value .*got float: 3.0"):
        autograd.grad(out, [x, 3.0])
    with pytest.raises(TypeError, match="Value"):
        autograd.grad(out, ["x"])


def _x() -> Value:
    return Value(2.0, "x")


@pytest.mark.parametrize(("name", "call"), [
    ("backward: output", lambda: autograd.backward(5)),
    ("grad: output", lambda: autograd.grad(5, [_x()])),
    ("topological_order: root", lambda: autograd.topological_order(5)),
    ("backward_steps: output", lambda: autograd.backward_steps(5)),
    ("explain: wrt", lambda: str(autograd.explain(_x() * 2, 5))),
    ("explain: output", lambda: autograd.explain(5, _x())),
])
def test_the_engine_refuses_a_number_where_a_value_belongs(name, call):
    with pytest.raises(TypeError, match=f"{name} must be a Value .*got int: 5"):
        call()
