"""The engine's behaviour: published examples, deep graphs, reused nodes, modes and checks."""
from __future__ import annotations

import math
import re
import sys

import pytest
import sympy as sp

import autograd
from autograd import AnomalyError, GradcheckError, Value, detect_anomaly, gradcheck, no_grad


def test_micrograd_readme_example():
    """micrograd's README prints 24.7041, 138.8338 and 645.5773 for this program."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def karpathy_neuron(tanh_from_exp: bool):
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    if tanh_from_exp:  # the lecture's second version: tanh spelled with exp
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    return o, (x1, w1, x2, w2)


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


def test_no_grad_records_nothing_and_nesting_restores():
    a, b = Value(2.0), Value(5.0)
    with no_grad():
        inside = a * b + 1
        with no_grad():
            nested = a.exp()
        after_nested = a * b
        with autograd.enable_grad():
            recorded = a * b
    outside = a * b
    assert inside.data == 11.0
    assert inside.parents == ()
    assert inside.op is None
    assert nested.parents == ()
    assert after_nested.parents == ()
    assert recorded.parents == (a, b)
    assert outside.parents == (a, b)
    with pytest.raises(ZeroDivisionError), no_grad():
        a / 0
    assert (a * b).parents == (a, b), "an error inside no_grad still restores recording"


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


@pytest.mark.parametrize(("make", "op", "named"), [
    (lambda: Value(1000.0, "big").exp(), "exp", "big=1000.0"),
    (lambda: Value(0.0, "zero") * Value(math.inf, "huge"), "mul", "zero=0.0, huge=inf"),
    (lambda: Value(1e308, "x") * 10, "mul", "x=1e+308"),
    (lambda: Value(math.inf, "huge").log(), "log", "huge=inf"),
])
def test_detect_anomaly_flags_a_forward_op(make, op, named):
    with pytest.raises(AnomalyError, match=re.escape(f"'{op}'")) as caught, detect_anomaly():
        make()
    assert named in str(caught.value)
    make()  # outside the context: no error, the NaN or inf is returned


@pytest.mark.parametrize(("make", "op", "named"), [
    (lambda x: x ** 0.5, "pow", "x=0.0"),  # d√x/dx = 1/(2√x) is infinite at 0
    (lambda x: (x + 1e-320).log(), "log", "=1e-320"),  # 1/x overflows
])
def test_detect_anomaly_flags_a_backward_step(make, op, named):
    x = Value(0.0, "x")
    with detect_anomaly():
        out = make(x)
        with pytest.raises(AnomalyError, match=f"backward of op '{op}'") as caught:
            out.backward()
    assert named in str(caught.value)
    out.backward()  # outside: no error, an infinite gradient
    assert math.isinf(x.grad)


def test_detect_anomaly_nesting_restores_and_finite_graphs_pass():
    with detect_anomaly():
        with detect_anomaly():
            pass
        with pytest.raises(AnomalyError):
            Value(800.0).exp()
    assert Value(800.0).exp().data == math.inf
    with detect_anomaly():
        o, leaves = karpathy_neuron(tanh_from_exp=True)
        o.backward()
    assert leaves[0].grad == pytest.approx(-1.5, abs=1e-6)


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
