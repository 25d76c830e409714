"""The ops table: every primitive declared once, read by everything else.

Rule signature (all ops)::

    local_grads(inputs, out, m) -> tuple, one entry per input

``inputs`` are the operands and ``out`` the op's result, as floats (plain backward),
as Values (``create_graph=True``) or as numpy arrays (the compiled replay). ``m`` is the
matching math namespace (``FLOATS``, ``VALUES`` in ``graph.py``, ``ARRAYS`` in
``compile.py``) offering ``log``, ``step`` and ``pow``. A rule returns one local
derivative per input, or ``None`` for an input that is a constant (not differentiated).
Only the engine multiplies by the upstream gradient and accumulates.

``texts(names)`` gives, per input, the right-hand side a learner reads with the
operands' names filled in; ``formulas`` are the same rules in generic notation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True, eq=False)
class Op:
    name: str
    arity: int | None  # None: any number of inputs
    forward: Callable[..., float]
    local_grads: Callable
    symbol: str
    formulas: tuple[str, ...]
    texts: Callable[[list[str]], tuple[str, ...]]
    show: Callable[[list[str]], str]  # how the result reads, e.g. "a·b"
    constant_inputs: tuple[int, ...] = ()  # inputs never differentiated

    def __repr__(self) -> str:
        return f"<op {self.name}>"


def _finite_or_inf(compute: Callable[[], float]) -> float:
    """Overflow gives ±inf, as in numpy and PyTorch, so detect_anomaly can flag it."""
    try:
        return compute()
    except OverflowError:
        return math.inf


def _div(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"division by zero: {a!r} / {b!r}")
    return a / b


def _power(a: float, b: float) -> float:
    if a < 0 and b != int(b):
        raise ValueError(f"a negative base {a!r} to the non-integer power {b!r} is not a real number")
    if a == 0 and b < 0:
        raise ZeroDivisionError(f"0 cannot be raised to the negative power {b!r}")
    return _finite_or_inf(lambda: math.pow(a, b))


def _log(a: float) -> float:
    if a <= 0:
        raise ValueError(f"log needs a positive number, got {a!r}")
    return math.log(a)


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _superscript(power: float) -> str:
    digits = str(int(power)) if power == int(power) else str(power)
    table = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")
    return digits.translate(table)


def _power_text(base: str, power: str) -> str:
    exponent = float(power)
    if exponent == 2:
        return f"2{_wrap(base)}"
    if exponent == 1:
        return "1"
    return f"{power}·{_wrap(base)}{_superscript(exponent - 1)}"


def _wrap(text: str) -> str:
    return text if text.isidentifier() or _is_atom(text) else f"({text})"


def _is_atom(text: str) -> bool:
    return not any(ch in text for ch in " +−-·/÷")


# --- local derivative rules: one function per op, operands in order -------------

def _add_grads(x, out, m):
    return 1.0, 1.0


def _sub_grads(x, out, m):
    return 1.0, -1.0


def _mul_grads(x, out, m):
    a, b = x
    return b, a


def _div_grads(x, out, m):
    a, b = x
    return 1.0 / b, -out / b


def _neg_grads(x, out, m):
    return (-1.0,)


def _pow_grads(x, out, m):
    a, k = x
    return k * m.pow(a, k - 1), None


def _pow_value_grads(x, out, m):
    a, b = x
    return b * m.pow(a, b - 1), out * m.log(a)


def _exp_grads(x, out, m):
    return (out,)


def _log_grads(x, out, m):
    return (1.0 / x[0],)


def _tanh_grads(x, out, m):
    return (1.0 - out * out,)


def _sigmoid_grads(x, out, m):
    return (out * (1.0 - out),)


def _relu_grads(x, out, m):
    return (m.step(x[0]),)


def _sum_grads(x, out, m):
    return (1.0,) * len(x)


OPS: dict[str, Op] = {op.name: op for op in [
    Op("add", 2, lambda a, b: a + b, _add_grads, "+",
       ("∂(a+b)/∂a = 1", "∂(a+b)/∂b = 1"),
       lambda n: ("1", "1"), lambda n: f"{n[0]} + {n[1]}"),
    Op("sub", 2, lambda a, b: a - b, _sub_grads, "−",
       ("∂(a−b)/∂a = 1", "∂(a−b)/∂b = −1"),
       lambda n: ("1", "−1"), lambda n: f"{n[0]} − {_wrap(n[1])}"),
    Op("mul", 2, lambda a, b: a * b, _mul_grads, "×",
       ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a"),
       lambda n: (n[1], n[0]), lambda n: f"{_wrap(n[0])}·{_wrap(n[1])}"),
    Op("div", 2, _div, _div_grads, "÷",
       ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²"),
       lambda n: (f"1/{_wrap(n[1])}", f"−{_wrap(n[0])}/{_wrap(n[1])}²"),
       lambda n: f"{_wrap(n[0])}/{_wrap(n[1])}"),
    Op("neg", 1, lambda a: -a, _neg_grads, "−",
       ("∂(−a)/∂a = −1",), lambda n: ("−1",), lambda n: f"−{_wrap(n[0])}"),
    Op("pow", 2, _power, _pow_grads, "^",
       ("∂(aᵏ)/∂a = k·aᵏ⁻¹", "k is a constant"),
       lambda n: (_power_text(n[0], n[1]), "0"),
       lambda n: f"{_wrap(n[0])}{_superscript(float(n[1]))}",
       constant_inputs=(1,)),
    Op("pow_value", 2, _power, _pow_value_grads, "^",
       ("∂(aᵇ)/∂a = b·aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ·ln a"),
       lambda n: (f"{_wrap(n[1])}·{_wrap(n[0])}^({n[1]}−1)", f"{_wrap(n[0])}^{_wrap(n[1])}·ln {_wrap(n[0])}"),
       lambda n: f"{_wrap(n[0])}^{_wrap(n[1])}"),
    Op("exp", 1, lambda a: _finite_or_inf(lambda: math.exp(a)), _exp_grads, "exp",
       ("∂exp(a)/∂a = exp(a)",), lambda n: (f"exp({n[0]})",), lambda n: f"exp({n[0]})"),
    Op("log", 1, _log, _log_grads, "log",
       ("∂log(a)/∂a = 1/a",), lambda n: (f"1/{_wrap(n[0])}",), lambda n: f"log({n[0]})"),
    Op("tanh", 1, math.tanh, _tanh_grads, "tanh",
       ("∂tanh(a)/∂a = 1 − tanh(a)²",), lambda n: (f"1 − tanh({n[0]})²",), lambda n: f"tanh({n[0]})"),
    Op("sigmoid", 1, _sigmoid, _sigmoid_grads, "σ",
       ("∂σ(a)/∂a = σ(a)·(1 − σ(a))",), lambda n: (f"σ'({n[0]})",), lambda n: f"σ({n[0]})"),
    Op("relu", 1, lambda a: a if a > 0 else 0.0, _relu_grads, "ReLU",
       ("∂ReLU(a)/∂a = 1 if a > 0 else 0",), lambda n: (f"[{n[0]} > 0]",), lambda n: f"ReLU({n[0]})"),
    Op("sum", None, lambda *xs: sum(xs), _sum_grads, "Σ",
       ("∂(Σ xᵢ)/∂xᵢ = 1",), lambda n: ("1",) * len(n), lambda n: " + ".join(n)),
]}

