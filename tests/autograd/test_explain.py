"""explain (the chain rule as a sum over paths) and backward_steps (the pass as records)."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import autograd
import nn
from autograd import Value


def shared_subexpressions():
    """w = (u + x)·u + tanh(x) with u = x·y: x reaches w along four paths."""
    x, y = Value(1.5, "x"), Value(-0.5, "y")
    u = x * y
    u.label = "u"
    w = (u + x) * u + x.tanh()
    w.label = "w"
    return w, x, y


def enumerate_paths(output: Value, wrt: Value) -> int:
    """Paths from ``wrt`` up to ``output``, walked one by one along ``parents`` (constants excluded)."""
    count, stack = 0, [output]
    while stack:
        node = stack.pop()
        count += node is wrt
        constant = node.op.constant_inputs if node.op else ()
        stack.extend(p for i, p in enumerate(node.parents) if i not in constant)
    return count


def closed_form_w_x(x: float, y: float) -> float:
    """d/dx of (xy + x)·xy + tanh(x) = x²y² + x²y + tanh(x)."""
    return 2 * x * y**2 + 2 * x * y + 1 - math.tanh(x) ** 2


def test_total_equals_grad_with_one_term_per_path():
    w, x, y = shared_subexpressions()
    explanation = autograd.explain(w, x)
    w.backward()
    assert len(explanation.terms) == enumerate_paths(w, x) == 4
    assert explanation.total == pytest.approx(x.grad, rel=1e-12)
    assert explanation.total == pytest.approx(closed_form_w_x(1.5, -0.5), rel=1e-12)
    y_explanation = autograd.explain(w, y)
    assert len(y_explanation.terms) == enumerate_paths(w, y) == 2
    assert y_explanation.total == pytest.approx(y.grad, rel=1e-12)


def test_factors_chain_from_wrt_to_output_and_multiply_to_each_term():
    w, x, _ = shared_subexpressions()
    explanation = autograd.explain(w, x)
    terms_sum = 0.0
    for term in explanation.terms:
        assert term[0].lower is x
        assert term[-1].upper is w
        for lower, upper in itertools.pairwise(term):
            assert lower.upper is upper.lower
        for factor in term:
            assert factor.edge == (factor.lower, factor.upper)
            assert factor.formula.startswith("∂")
            assert " = " in factor.formula
            assert isinstance(factor.value, float)
        terms_sum += math.prod(f.value for f in term)
    assert terms_sum == pytest.approx(closed_form_w_x(1.5, -0.5), rel=1e-12)


def test_str_shows_partials_and_the_total_to_four_decimals():
    w, x, _ = shared_subexpressions()
    text = str(autograd.explain(w, x))
    lines = text.splitlines()
    assert lines[0].startswith("∂w/∂x = ")
    assert lines[-1].split("= ")[-1] == f"{closed_form_w_x(1.5, -0.5):.4f}"
    assert "1 − tanh(x)²" in text


def test_the_four_neuron_chain_reads_as_3blue1browns_formula():
    a, weights, sigmoid = Value(0.8, "a⁽⁰⁾"), {}, lambda z: 1 / (1 + math.exp(-z))
    floats = [0.8]
    for layer, (w, b) in enumerate([(0.5, -0.2), (-1.1, 0.3), (1.7, 0.1)], start=1):
        weights[layer] = Value(w, f"w⁽{layer}⁾")
        z = weights[layer] * a + Value(b, f"b⁽{layer}⁾")
        z.label = f"z⁽{layer}⁾"
        a = z.sigmoid()
        a.label = f"a⁽{layer}⁾"
        floats.append(sigmoid(w * floats[-1] + b))
    cost = (a - 1.0) ** 2
    cost.label = "C₀"
    explanation = autograd.explain(cost, weights[3])
    a2, a3 = floats[2], floats[3]
    assert len(explanation.terms) == 1
    assert explanation.total == pytest.approx(a2 * a3 * (1 - a3) * 2 * (a3 - 1.0), rel=1e-12)
    assert next(f.formula for f in explanation.terms[0]) == "∂z⁽3⁾/∂w⁽3⁾ = a⁽2⁾"
    assert str(explanation).startswith("∂C₀/∂w⁽3⁾ = ∂z⁽3⁾/∂w⁽3⁾ · ∂a⁽3⁾/∂z⁽3⁾ · ∂C₀/∂a⁽3⁾")


def test_an_output_that_does_not_depend_on_wrt_has_no_terms():
    w, _, _ = shared_subexpressions()
    explanation = autograd.explain(w, Value(2.0, "q"))
    assert explanation.terms == ()
    assert explanation.total == 0.0
    assert "does not depend on q" in str(explanation)


def test_too_many_paths_raise_a_clear_error_instead_of_hanging():
    start = Value(1.0, "x")
    doubled = start
    for _ in range(40):
        doubled = doubled + doubled  # every level doubles the paths: 2⁴⁰ in all
    with pytest.raises(ValueError, match="max_paths=1000") as caught:
        autograd.explain(doubled, start, max_paths=1000)
    assert f"{2**40:,} paths" in str(caught.value)  # 1,099,511,627,776: read at a glance
    with pytest.raises(ValueError, match="max_paths=10000"):
        autograd.explain(doubled, start)


def test_a_graph_under_the_limit_is_explained_in_full():
    start = Value(1.0, "x")
    doubled = start
    for _ in range(8):
        doubled = doubled + doubled
    explanation = autograd.explain(doubled, start, max_paths=256)
    assert len(explanation.terms) == 256
    assert explanation.total == 256.0


def test_backward_steps_visit_interior_nodes_once_each_after_their_consumers():
    w, _x, _y = shared_subexpressions()
    steps = autograd.backward_steps(w)
    visited = [step.node for step in steps]
    interior = [n for n in autograd.topological_order(w) if n.parents]
    assert len(visited) == len(set(visited)) == len(interior)
    assert set(visited) == set(interior)
    position = {node: i for i, node in enumerate(visited)}
    for node in visited:
        for parent in node.parents:
            if parent.parents:
                assert position[parent] > position[node], "a node is visited after all its consumers"
    assert visited == list(reversed(interior)), "the order is the engine's reversed topological order"


def test_backward_steps_record_local_times_upstream_and_final_gradients():
    w, x, _y = shared_subexpressions()
    steps = autograd.backward_steps(w)
    nodes = autograd.topological_order(w)
    gradients = dict(zip(nodes, autograd.grad(w, nodes), strict=True))
    last = {}
    for step in steps:
        assert step.upstream == gradients[step.node]
        for contribution in step.contributions:
            assert contribution.parent is step.node.parents[contribution.index]
            assert contribution.added == contribution.local * step.upstream
            assert contribution.after == pytest.approx(contribution.before + contribution.added)
            assert contribution.rule in step.node.op.formulas
            assert contribution.formula.startswith("∂")
            last[contribution.parent] = contribution.after
    assert last[x] == pytest.approx(closed_form_w_x(1.5, -0.5), rel=1e-12)
    assert all(last[n] == pytest.approx(gradients[n], rel=1e-12) for n in last)
    assert all(n.grad == 0.0 for n in nodes), "backward_steps leaves .grad untouched"


def test_a_reused_node_shows_the_gradient_it_already_had():
    a = Value(3.0, "a")
    square = a * a
    (step,) = autograd.backward_steps(square)
    first, second = step.contributions
    assert (first.parent, second.parent) == (a, a)
    assert (first.before, first.after) == (0.0, 3.0)
    assert second.before == 3.0 != 0.0
    assert second.after == 6.0 == 2 * a.data
    assert a.grad == 0.0


def test_the_sum_over_paths_past_the_float_range_is_inf_not_an_error():
    x = Value(1.0, "x")
    out = x * 1e308 + x * 1e308
    explanation = autograd.explain(out, x)
    assert explanation.total == 1e308 + 1e308 == math.inf
    assert str(explanation).endswith("= inf")


class CountedLeaf(Value):
    """A leaf that counts how often a walk over the graph asks for its operands."""

    __slots__ = ("reads",)

    @property
    def parents(self) -> tuple:
        self.reads += 1
        return ()

    @parents.setter
    def parents(self, _operands) -> None:
        self.reads = 0


def test_a_relu_that_sends_nothing_makes_its_term_zero_even_beside_an_infinite_factor():
    def f(x: float) -> float:  # √ReLU(x): 0 left of 0, so its slope there is 0
        return math.sqrt(max(x, 0.0))

    x = Value(-1.0, "x")
    out = x.relu() ** 0.5  # ∂√u/∂u at u = 0 is ∞; ReLU's slope at −1 is 0
    out.backward()
    h = 1e-6
    slope = (f(-1.0 + h) - f(-1.0 - h)) / (2 * h)
    assert x.grad == slope == 0.0
    assert autograd.explain(out, x).total == 0.0


def test_explain_each_walks_the_graph_once_for_all_parameters():
    model = nn.MLP(2, [8, 8, 1], seed=3)
    x = CountedLeaf(0.3, "x")
    output = model([x, -0.7])
    parameters = model.parameters()
    autograd.explain(output, parameters[0])
    one = x.reads
    x.reads = 0
    explanations = autograd.explain_each(output, parameters)
    assert x.reads == one  # the same walk for 105 parameters as for one
    gradients = autograd.grad(output, parameters)
    assert [e.total for e in explanations] == pytest.approx(gradients, rel=1e-12, abs=1e-15)
    assert [str(e) for e in explanations[:3]] == [str(autograd.explain(output, p)) for p in parameters[:3]]


def test_explain_on_a_long_chain_is_one_term_of_one_factor_per_step():
    x = Value(0.3, "x")
    y = x
    for _ in range(20_000):
        y = y.tanh()
    (term,) = autograd.explain(y, x).terms
    assert len(term) == 20_000
    assert math.prod(f.value for f in term) == pytest.approx(autograd.grad(y, [x])[0], rel=1e-9)
    expected, value = 1.0, 0.3  # the same chain of tanh' = 1 − tanh², worked out with numpy floats
    for _ in range(20_000):
        value = np.tanh(value)
        expected *= 1 - value ** 2
    assert math.prod(f.value for f in term) == pytest.approx(expected, rel=1e-9)


def test_a_number_from_a_million_on_is_printed_with_an_exponent_not_hundreds_of_digits():
    x, w = Value(1e300, "x"), Value(3.0, "w")
    out = (x * w).tanh() * x  # ∂C/∂w = x · (1 − tanh(x·w)²) · x: two factors of 1e300
    out.label = "C"
    lines = str(autograd.explain(out, w)).splitlines()  # four decimals of 1e300 were 306 characters each
    assert lines[2] == f"      = {1e300:.3e} · 0.0000 · {1e300:.3e}" == "      = 1.000e+300 · 0.0000 · 1.000e+300"
    assert max(map(len, lines)) < 60
    small = Value(999_999.0, "x") * w
    assert str(autograd.explain(small, w)).splitlines()[-1].endswith("= 999999.0000")  # below a million: as before
