"""The ops table's rules printed as numpy source: what the code generator writes for each group.

A rule is written once with the engine's operators and the math namespace ``m`` (``ops.py``). Run
over ``Expr`` operands with ``SOURCE`` as ``m``, the same rule returns the source text of its
numpy expression (``1.0 / (1.0 + np.exp(-z1))``), so the generated program evaluates exactly the
arithmetic of the table, in the same order, and no derivative is written twice. Only names the
generator made reach an ``Expr``; labels appear in comments, through ``comment``.
"""
from __future__ import annotations

import builtins
import keyword
import math
import operator
import re
from functools import reduce
from types import SimpleNamespace

from .notation import plain_digits

_SUM, _PRODUCT, _UNARY, _ATOM = 1, 2, 3, 4  # precedence: a + b, a * b, -a, a name or a call


class Expr:
    """The source text of an expression over arrays, built by running a rule on it."""

    __slots__ = ("condition", "precedence", "text", "value")

    def __init__(self, text: str, precedence: int = _ATOM, condition: str = "", value: float | None = None) -> None:
        self.text, self.precedence = text, precedence
        self.condition = condition  # for ``step(a)``: ``a > 0``, where it is 1.0 (else 0.0)
        self.value = value  # a number's value: arithmetic on numbers alone is done here (``2.0 - 1.0`` is ``1.0``)

    def __repr__(self) -> str:
        return self.text

    def __add__(self, other): return _binary(self, "+", other, _SUM)
    def __radd__(self, other): return _binary(other, "+", self, _SUM)
    def __sub__(self, other): return _binary(self, "-", other, _SUM)
    def __rsub__(self, other): return _binary(other, "-", self, _SUM)
    def __mul__(self, other): return _binary(self, "*", other, _PRODUCT)
    def __rmul__(self, other): return _binary(other, "*", self, _PRODUCT)
    def __truediv__(self, other): return _binary(self, "/", other, _PRODUCT)
    def __rtruediv__(self, other): return _binary(other, "/", self, _PRODUCT)
    def __neg__(self):
        return as_expr(-self.value) if self.value is not None else Expr(f"-{_wrapped(self, _UNARY)}", _UNARY)

    def __abs__(self): return call("abs", self)
    def __eq__(self, other):  # elementwise, as over arrays (so unhashable): pow's rule tests ``k == 0``
        return _binary(self, "==", other, _ATOM)  # a boolean array, 0 or 1 in arithmetic

    def __bool__(self):
        raise TypeError("an ops-table rule branched on its operands' values (if/and/or): the compiled replay "
                        "cannot print that as numpy source; write it with m.step instead")


def as_expr(item) -> Expr:
    """``item``, or a finite number as a float literal (its ``repr`` is valid source)."""
    return item if isinstance(item, Expr) else Expr(repr(float(item)), _UNARY if item < 0 else _ATOM, value=float(item))


def _wrapped(item, precedence: int, right: bool = False) -> str:
    expr = as_expr(item)
    tighter = expr.precedence > precedence or (expr.precedence == precedence and not right)
    return expr.text if tighter or expr.precedence == _ATOM else f"({expr.text})"


_FOLDED = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "==": operator.eq}


def _binary(left, symbol: str, right, precedence: int) -> Expr:
    left, right = as_expr(left), as_expr(right)
    if symbol == "*" and left.value in (1.0, -1.0) and right.value is None:  # 1.0 · u is u; -1.0 · u is -u
        return right if left.value == 1.0 else -right
    if left.value is not None and right.value is not None and (symbol != "/" or right.value != 0):
        folded = float(_FOLDED[symbol](left.value, right.value))
        if math.isfinite(folded):
            return as_expr(folded)
    if symbol == "==":  # a comparison in parentheses: an array of booleans, 0 or 1 in arithmetic
        return Expr(f"({left.text} == {right.text})")
    return Expr(f"{_wrapped(left, precedence)} {symbol} {_wrapped(right, precedence, right=True)}", precedence)


def call(function: str, *arguments) -> Expr:
    return Expr(f"{function}({', '.join(as_expr(a).text for a in arguments)})")


class Operands(list[Expr]):
    """A group's operands for a rule: ``operands[i]`` is position ``i``; ``block``, when set, names
    all of them as one array whose first axis is the position (what ``m.sum`` reduces)."""

    block: Expr | None = None


def _sum(operands) -> Expr:
    if isinstance(operands, Operands) and operands.block is not None:
        return call("np.add.reduce", operands.block, Expr("axis=0"))
    return reduce(operator.add, map(as_expr, operands))


SOURCE = SimpleNamespace(  # ``m`` for a rule run over ``Expr``: the numpy call each math function becomes
    exp=lambda a: call("np.exp", a), log=lambda a: call("np.log", a), tanh=lambda a: call("np.tanh", a),
    pow=lambda a, b: as_expr(a) if as_expr(b).value == 1.0 else call("np.power", a, b),  # a¹ is a, exactly
    maximum=lambda a, b: call("np.maximum", a, b),
    div=lambda a, b: as_expr(a) / b, sum=_sum,
    step=lambda a: Expr(call("step", a).text, condition=f"{_wrapped(a, _SUM)} > 0"))  # the program's helper

# names the program's own code uses: a label-derived name never takes one of them
RESERVED = frozenset({"np", "step", "check", "saved", "abs"})  # lowercase: the program's other names are not
_IDENTIFIER = re.compile(r"(?!d_)[a-z][a-z0-9_]*\Z")  # d_… names the generated gradients


def plain_name(label: str) -> str | None:
    """``label`` made a plain lowercase identifier (``z⁽¹⁾`` -> ``z1``, ``C₀`` -> ``c0``), or None unless that
    leaves only ASCII letters, digits and underscores (and not ``d_…``, the gradients' names)."""
    plain = re.sub(r"[⁽⁾()]", "", plain_digits(label)).lower()  # the program's own names are capitals
    return plain if _IDENTIFIER.match(plain) else None


def identifier(label: str, fallback: str, taken: dict[str, int]) -> str:
    """A fresh identifier for a group or leaf: its ``plain_name``, else ``fallback`` (an op's name); never
    a keyword, a builtin or a name the program uses itself; numbered to be unique (``taken`` counts each
    base's uses and holds every name given). No other text of a label reaches the program."""
    base = plain_name(label) or fallback
    if keyword.iskeyword(base) or base in RESERVED or hasattr(builtins, base):
        base += "_"
    name = base
    while name in taken:
        taken[base] = taken.get(base, 1) + 1
        name = f"{base.rstrip('_')}_{taken[base]}"  # sum_, sum_2
    taken[name] = taken.get(name, 1)
    return name


def comment(text: str) -> str:
    """``text`` as a comment of one line: escaped as a string literal is, newlines and all, quotes left."""
    return "# " + repr(text)[1:-1]
