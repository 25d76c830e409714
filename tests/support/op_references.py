"""The independent reference for every row of the ops table: each op as a sympy expression of its
operands, and what sympy derives from it as plain-float functions (``math``, not numpy). One table
for the op tests, the op facts and the random graphs; an op added to ``autograd.OPS`` fails
``tests/autograd/test_ops.py`` until its expression is written here."""
from __future__ import annotations

import functools

import sympy as sp

from autograd import OPS

SYMPY = {
    "add": lambda x: x[0] + x[1],
    "sub": lambda x: x[0] - x[1],
    "mul": lambda x: x[0] * x[1],
    "div": lambda x: x[0] / x[1],
    "neg": lambda x: -x[0],
    "pow": lambda x: x[0] ** x[1],
    "pow_value": lambda x: x[0] ** x[1],
    "exp": lambda x: sp.exp(x[0]),
    "log": lambda x: sp.log(x[0]),
    "tanh": lambda x: sp.tanh(x[0]),
    "sigmoid": lambda x: 1 / (1 + sp.exp(-x[0])),
    "relu": lambda x: sp.Piecewise((x[0], x[0] > 0), (0, True)),
    "abs": lambda x: sp.Piecewise((x[0], x[0] > 0), (-x[0], True)),
    "sum": lambda x: sp.Add(*x),
}


def expression(name: str, arity: int) -> tuple[list[sp.Symbol], sp.Expr]:
    """The op's operands as real symbols ``x0, x1, ...`` and its sympy expression of them."""
    symbols = list(sp.symbols(f"x0:{arity}", real=True))
    return symbols, SYMPY[name](symbols)


@functools.cache
def value_function(name: str, arity: int):
    """The op's value as a float function of its operands."""
    symbols, expr = expression(name, arity)
    return sp.lambdify(symbols, expr, "math")


def forward(name: str, operands: list[float]) -> float:
    """The op applied to plain floats, by the reference."""
    return value_function(name, len(operands))(*operands)


@functools.cache
def derivative_functions(name: str, arity: int):
    """(first, second): the gradient and the Hessian over the differentiated operands, as float functions."""
    symbols, expr = expression(name, arity)
    free = [s for i, s in enumerate(symbols) if i not in OPS[name].constant_inputs]
    first = [sp.lambdify(symbols, sp.diff(expr, s), "math") for s in free]
    second = [[sp.lambdify(symbols, sp.diff(expr, s, t), "math") for t in free] for s in free]
    return first, second
