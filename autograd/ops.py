"""The ops table: every primitive declared once, read by everything else.

Rule signatures (all ops)::

    forward(inputs, m) -> the result
    local_grads(inputs, out, m) -> tuple, one entry per input

``inputs`` are the operands (a sequence: operand i is ``inputs[i]``) and ``out`` the op's
result, as floats (eager), as Values (``create_graph=True``) or as source text (the compiled
replay prints each rule as numpy code, where an operand may be one array whose first axis is the
operand). ``m`` is the matching math namespace: ``SCALARS`` below for the eager forward (domain
errors raise a clear error), ``FLOATS``/``VALUES`` in ``graph.py`` for the rules, ``SOURCE`` in
``replay_source.py`` for both as numpy source. Forwards use ``exp log tanh pow div maximum sum``;
rules use ``log step pow``. A rule returns one local derivative per input, or ``None`` for an input
that is a constant (not differentiated). Only the engine multiplies by the upstream gradient and accumulates.

``texts(names)`` gives, per input, the right-hand side a learner reads with the
operands' names filled in; ``formulas`` are the same rules in generic notation.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from .notation import superscript


@dataclass(frozen=True, eq=False)
class Op:
    """One row of the ops table: an op's rules, its symbol and its formulas (signatures above)."""

    name: str
    arity: int | None  # None: any number of inputs
    forward: Callable  # forward(inputs, m)
    local_grads: Callable
    symbol: str
    formulas: tuple[str, ...]
    texts: Callable[[list[str]], tuple[str, ...]]
    show: Callable[[list[str]], str]  # how the result reads, e.g. "a·b"
    constant_inputs: tuple[int, ...] = ()  # inputs never differentiated
    # facts the compiled replay plans with, each checked against the rule by tests/autograd/test_ops_facts.py:
    constant_grads: tuple[float, ...] | None = None  # the local derivatives when they are numbers whatever
    #   the operands (one number for every input of an op of any arity)
    product: bool = False  # ∂(a·b)/∂a = b and ∂(a·b)/∂b = a: a sum of these is a matrix product
    # a fact every backward pass (eager, create_graph, replay) reads, checked by tests/autograd/test_ops_edges.py:
    selects: bool = False  # the local derivative is 0 or ±1 and selects the upstream: where it is 0 the operand
    #   receives nothing, even from an infinite upstream (PyTorch's masked backward of relu and abs)

    def numbers(self, arity: int) -> tuple[float, ...] | None:
        """The declared ``constant_grads`` for ``arity`` operands, or None when the rule computes them."""
        if self.constant_grads is None:
            return None
        return self.constant_grads * arity if self.arity is None else self.constant_grads

    def __repr__(self) -> str:
        return f"<op {self.name}>"


def sends_nothing(op: Op, derivative) -> bool:
    """True where the chain rule adds nothing to an operand: a constant input (None), or a selecting op's
    zero derivative (relu left of 0), whatever the upstream: so ∂√ReLU(x)/∂x at x = −1 is 0, not 0·∞."""
    return derivative is None or (op.selects and not derivative)


class RuleError(TypeError):
    """An op's ``local_grads`` broke the rule signature: not one local derivative per input."""


def wrong_derivative_count(op: Op, returned: int, inputs: int) -> RuleError:
    """The error every backward pass (eager, ``create_graph``, replay) raises for a miscounting rule."""
    return RuleError(f"op '{op.name}': local_grads returned {returned} derivatives for {inputs} inputs")


class _CheckedFloats:
    """The eager forward's math over floats: a clear error where the result is not a real number."""

    @staticmethod
    def exp(a: float) -> float:
        try:
            return math.exp(a)
        except OverflowError:  # ±inf as in numpy and PyTorch, so detect_anomaly can flag it
            return math.inf

    @staticmethod
    def log(a: float) -> float:
        if a <= 0:
            raise ValueError(f"log needs a positive number, got {a!r}")
        return math.log(a)

    tanh = staticmethod(math.tanh)

    @staticmethod
    def pow(a: float, b: float) -> float:
        """``a ** b``; an infinite or NaN exponent gives IEEE's value, as ``math.pow`` does ((−0.5)^∞ = 0)."""
        if a < 0 and math.isfinite(b) and b != int(b):
            raise ValueError(f"a negative base {a!r} to the non-integer power {b!r} is not a real number")
        if a == 0 and b < 0:
            raise ZeroDivisionError(f"0 cannot be raised to the negative power {b!r}")
        try:
            return math.pow(a, b)
        except OverflowError:
            return overflowed_power(a, b)

    @staticmethod
    def div(a: float, b: float) -> float:
        if b == 0:
            raise ZeroDivisionError(f"division by zero: {a!r} / {b!r}")
        return a / b

    @staticmethod
    def maximum(a: float, b: float) -> float:
        """The larger of two numbers, NaN if either is NaN (as numpy's ``maximum``)."""
        return a if a > b or a != a else b

    sum = staticmethod(sum)


SCALARS = _CheckedFloats()


def _odd(exponent: float) -> bool:
    return math.isfinite(exponent) and exponent == int(exponent) and int(exponent) % 2 == 1


def overflowed_power(base: float, exponent: float) -> float:
    """The infinity ``base ** exponent`` overflows to: negative for a negative base to an odd power."""
    return -math.inf if base < 0 and _odd(exponent) else math.inf


def ieee_power(base: float, exponent: float) -> float:
    """``base ** exponent`` as IEEE 754 (and numpy) gives it where ``math.pow`` raises: ±inf for a zero base to a
    negative power (−inf for −0.0 to an odd one), NaN for a negative base to a non-integer power."""
    try:
        return math.pow(base, exponent)
    except OverflowError:
        return overflowed_power(base, exponent)
    except (ValueError, ZeroDivisionError):
        if base == 0:
            return math.copysign(math.inf, base) if _odd(exponent) else math.inf
        return math.nan


# --- forward rules written once for floats and arrays (see the module docstring) ---

def _sigmoid(x, m):
    (a,) = x
    return 1.0 / (1.0 + m.exp(-a))  # exp(−a) overflows to inf for a < −709: 1/inf is 0, the right limit


_EXPONENT_CHARACTERS = superscript("0123456789-.")  # what a raised power ends in
_OPERATORS = " +−-·×/÷*"
_OPERATOR = re.compile(f"[{re.escape(_OPERATORS)}]")


def _exponent(power: float) -> str:
    """``²`` for 2.0, ``¹·⁵`` for 1.5: a power as it is written raised; ``^(inf)``, ``^(1e-07)`` where
    no superscript reads."""
    digits = str(int(power)) if math.isfinite(power) and power == int(power) else repr(power)
    return f"^({digits})" if digits.strip("0123456789-.") else superscript(digits)


def _constant_exponent(name: str) -> float | None:
    """The constant exponent a name shows (``"3"`` -> 3.0), None for a label such as ``k``."""
    try:
        return float(name)
    except ValueError:
        return None


def _power_text(base: str, power: str) -> str:
    exponent = _constant_exponent(power)
    if exponent is None:
        return f"{power}·{_wrap(base)}^({power}−1)"
    if exponent == 2:
        return f"2{_wrap(base)}"
    if exponent == 1:
        return "1"
    return f"{power}·{_base(base)}{_exponent(exponent - 1)}"


def _power_show(names: list[str]) -> str:
    exponent = _constant_exponent(names[1])
    power = f"^{_wrap(names[1])}" if exponent is None else _exponent(exponent)
    return f"{_base(names[0])}{power}"


def _wrap(text: str) -> str:
    return text if is_atom(text) else f"({text})"


def _base(text: str) -> str:
    """``text`` as the base of a power: in parentheses also when it ends in an exponent (``(u²)²``)."""
    return f"({text})" if text[-1:] in _EXPONENT_CHARACTERS else _wrap(text)


def is_atom(text: str) -> bool:
    """True when ``text`` reads as one symbol in a formula (``a⁽²⁾``, ``tanh(w·x + b)``): no space
    or operator outside parentheses."""
    if not _OPERATOR.search(text):
        return True
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in _OPERATORS:
            return False
    return True


# --- local derivative rules: one function per op, operands in order -------------

def _add_grads(x, out, m):
    return 1.0, 1.0


def _sub_grads(x, out, m):
    return 1.0, -1.0


def _mul_grads(x, out, m):
    a, b = x
    return b, a


def _div_grads(x, out, m):
    _, b = x
    return 1.0 / b, -out / b


def _neg_grads(x, out, m):
    return (-1.0,)


def _is_zero(a, m):
    """1 where ``a`` is 0, else 0 (over floats, Values and arrays alike)."""
    return 1.0 - m.step(a) - m.step(-a)


def _pow_grads(x, out, m):
    a, k = x  # k·aᵏ⁻¹, and 0 for k = 0 (x⁰ is constant, also at a = 0 where a⁻¹ is infinite: PyTorch's limit)
    return k * m.pow(a, k - 1 + (k == 0)), None


def _pow_value_grads(x, out, m):
    a, b = x  # ∂/∂b = aᵇ·ln a, and 0 at a = 0 for b >= 0 (aᵇ is 0 or 1 there: PyTorch's limit)
    return b * m.pow(a, b - 1), out * m.log(a + _is_zero(a, m) * (1.0 - m.step(-b)))


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


def _abs_grads(x, out, m):
    return (m.step(x[0]) - m.step(-x[0]),)  # sign(a); 0 at the kink, the subgradient L1 uses


def _sum_grads(x, out, m):
    return (1.0,) * len(x)


# OPS: every primitive by name, the table the whole engine (and everything drawn or explained) reads
OPS: dict[str, Op] = {op.name: op for op in [
    Op("add", 2, lambda x, m: x[0] + x[1], _add_grads, "+",
       ("∂(a+b)/∂a = 1", "∂(a+b)/∂b = 1"),
       lambda n: ("1", "1"), lambda n: f"{n[0]} + {n[1]}", constant_grads=(1.0, 1.0)),
    Op("sub", 2, lambda x, m: x[0] - x[1], _sub_grads, "−",
       ("∂(a−b)/∂a = 1", "∂(a−b)/∂b = −1"),
       lambda n: ("1", "−1"), lambda n: f"{n[0]} − {_wrap(n[1])}", constant_grads=(1.0, -1.0)),
    Op("mul", 2, lambda x, m: x[0] * x[1], _mul_grads, "×",
       ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a"),
       lambda n: (n[1], n[0]), lambda n: f"{_wrap(n[0])}·{_wrap(n[1])}", product=True),
    Op("div", 2, lambda x, m: m.div(x[0], x[1]), _div_grads, "÷",
       ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²"),
       lambda n: (f"1/{_wrap(n[1])}", f"−{_wrap(n[0])}/{_base(n[1])}²"),
       lambda n: f"{_wrap(n[0])}/{_wrap(n[1])}"),
    Op("neg", 1, lambda x, m: -x[0], _neg_grads, "−",
       ("∂(−a)/∂a = −1",), lambda n: ("−1",), lambda n: f"−{_wrap(n[0])}", constant_grads=(-1.0,)),
    Op("pow", 2, lambda x, m: m.pow(x[0], x[1]), _pow_grads, "^",
       ("∂(aᵏ)/∂a = k·aᵏ⁻¹", "k is a constant"),
       lambda n: (_power_text(n[0], n[1]), "0"),
       _power_show, constant_inputs=(1,)),
    Op("pow_value", 2, lambda x, m: m.pow(x[0], x[1]), _pow_value_grads, "^",
       ("∂(aᵇ)/∂a = b·aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ·ln a"),
       lambda n: (f"{_wrap(n[1])}·{_wrap(n[0])}^({n[1]}−1)", f"{_wrap(n[0])}^{_wrap(n[1])}·ln {_wrap(n[0])}"),
       lambda n: f"{_wrap(n[0])}^{_wrap(n[1])}"),
    Op("exp", 1, lambda x, m: m.exp(x[0]), _exp_grads, "exp",
       ("∂exp(a)/∂a = exp(a)",), lambda n: (f"exp({n[0]})",), lambda n: f"exp({n[0]})"),
    Op("log", 1, lambda x, m: m.log(x[0]), _log_grads, "log",
       ("∂log(a)/∂a = 1/a",), lambda n: (f"1/{_wrap(n[0])}",), lambda n: f"log({n[0]})"),
    Op("tanh", 1, lambda x, m: m.tanh(x[0]), _tanh_grads, "tanh",
       ("∂tanh(a)/∂a = 1 − tanh(a)²",), lambda n: (f"1 − tanh({n[0]})²",), lambda n: f"tanh({n[0]})"),
    Op("sigmoid", 1, _sigmoid, _sigmoid_grads, "σ",
       ("∂σ(a)/∂a = σ(a)·(1 − σ(a))",), lambda n: (f"σ'({n[0]})",), lambda n: f"σ({n[0]})"),
    Op("relu", 1, lambda x, m: m.maximum(x[0], 0.0), _relu_grads, "ReLU",  # NaN stays NaN
       ("∂ReLU(a)/∂a = 1 if a > 0 else 0",), lambda n: (f"[{n[0]} > 0]",), lambda n: f"ReLU({n[0]})",
       selects=True),
    Op("abs", 1, lambda x, m: abs(x[0]), _abs_grads, "|·|",
       ("∂|a|/∂a = sign(a) (0 at a = 0)",), lambda n: (f"sign({n[0]})",), lambda n: f"|{n[0]}|", selects=True),
    Op("sum", None, lambda x, m: m.sum(x), _sum_grads, "Σ",
       ("∂(Σ xᵢ)/∂xᵢ = 1",), lambda n: ("1",) * len(n), lambda n: " + ".join(n), constant_grads=(1.0,)),
]}

