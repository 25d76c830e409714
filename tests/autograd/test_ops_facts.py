"""The facts each row of the ops table declares for the compiled replay, checked against its rule.

``constant_grads`` and ``product`` are declared, not probed: these tests differentiate each op's
sympy reference (tests/support/op_references.py) and evaluate its own rule at random points, so a
declaration that is wrong, or missing where the rule has the property, fails here.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from autograd import OPS
from autograd.graph import FLOATS
from autograd.ops import SCALARS
from tests.support.op_references import expression

ARITIES = (1, 2, 5)  # for an op of any arity (sum)


def arities(op) -> tuple[int, ...]:
    return ARITIES if op.arity is None else (op.arity,)


def sympy_derivatives(name: str, arity: int) -> tuple[list, list]:
    """(the operands' symbols, d op / d operand for each operand that is differentiated)."""
    symbols, op_expression = expression(name, arity)
    differentiated = [i for i in range(arity) if i not in OPS[name].constant_inputs]
    return symbols, [sp.simplify(sp.diff(op_expression, symbols[i])) for i in differentiated]


def rule_at(op, point: list[float]) -> list:
    """The op's own rule at ``point`` (operands in its domain: positive), its None entries dropped."""
    out = op.forward(point, SCALARS)
    return [d for d in op.local_grads(point, out, FLOATS) if d is not None]


@pytest.mark.parametrize("name", sorted(OPS))
def test_constant_grads_are_declared_exactly_where_the_derivatives_are_numbers(name):
    op = OPS[name]
    rng = np.random.default_rng(0)
    for arity in arities(op):
        _symbols, derivatives = sympy_derivatives(name, arity)
        numbers = all(not d.free_symbols for d in derivatives)
        declared = op.numbers(arity)
        assert (declared is not None) == numbers, f"{name}: declared {declared}, sympy says {derivatives}"
        if declared is None:
            continue
        assert len(declared) == arity
        assert declared == tuple(float(d) for d in derivatives)
        for _ in range(5):
            point = rng.uniform(0.2, 3.0, arity).tolist()
            assert [float(d) for d in rule_at(op, point)] == list(declared)


@pytest.mark.parametrize("name", sorted(OPS))
def test_product_is_declared_exactly_for_the_op_whose_derivatives_swap_its_operands(name):
    op = OPS[name]
    symbols, derivatives = sympy_derivatives(name, op.arity or 2)
    swaps = len(symbols) == 2 and derivatives == [symbols[1], symbols[0]]
    assert op.product == swaps, f"{name}: product={op.product}, sympy says {derivatives}"
    if op.product:
        rng = np.random.default_rng(1)
        for _ in range(5):
            a, b = rng.uniform(-3, 3, 2).tolist()
            assert rule_at(op, [a, b]) == [b, a]


def test_the_replay_reads_the_declarations_and_nothing_probes_a_rule():
    from pathlib import Path

    import autograd
    from autograd import replay_products

    assert replay_products.RULES_COMPOSE
    assert OPS["sum"].numbers(3) == (1.0, 1.0, 1.0)
    assert OPS["sub"].numbers(2) == (1.0, -1.0)
    for path in Path(autograd.__file__).parent.glob("replay*.py"):
        text = path.read_text(encoding="utf-8")
        assert "object()" not in text, path.name
        assert "except Exception" not in text, path.name
