"""Graphs several tests build: the first lecture's tanh neuron and a long chain of sums."""
from __future__ import annotations

from autograd import Value


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


def chain_of_sums(length: int) -> tuple[Value, Value]:
    x = Value(0.5, "x")
    y = x
    for _ in range(length):
        y = y + 1.0
    return x, y


def micrograd_readme_program(value_class, a_start: float = -4.0, b_start: float = 2.0):
    """micrograd's README example, written with ``value_class`` (ours or micrograd's own): ``(a, b, g)``."""
    a, b = value_class(a_start), value_class(b_start)
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
    return a, b, g
