"""The node: a scalar that remembers the op and the operands that produced it."""
from __future__ import annotations

import numbers
from typing import Callable, Iterable

from .modes import PLAIN, check_finite, current as current_mode
from .ops import OPS, SCALARS, Op

_ADD, _SUB, _MUL, _DIV, _NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
_POW, _POW_VALUE, _SUM = OPS["pow"], OPS["pow_value"], OPS["sum"]
_EXP, _LOG, _TANH, _SIGMOID, _RELU = OPS["exp"], OPS["log"], OPS["tanh"], OPS["sigmoid"], OPS["relu"]
_ABS = OPS["abs"]


def as_float(data: object, what: str = "Value") -> float:
    """``data`` as a float, or TypeError naming its type and what is accepted."""
    if type(data) is float:
        return data
    if isinstance(data, numbers.Real) and not isinstance(data, bool):
        return float(data)
    raise TypeError(f"{what} needs a real number (int, float or a numpy scalar), "
                    f"got {type(data).__name__}: {data!r:.60}")


def _binary(op: Op) -> Callable[[Value, object], Value]:
    """The operator method (``__mul__`` and so on) for a two-operand row of the ops table.

    The common case, two Values while recording without anomaly checks, records the node here:
    the engine's hot path when a graph is built. Anything else goes through ``apply``.
    """
    forward = op.forward

    def operator(self: Value, other: object) -> Value:
        if type(other) is not Value or current_mode() is not PLAIN:
            return apply(op, self, other)
        try:
            data = forward((self.data, other.data), SCALARS)
        except (ValueError, ZeroDivisionError):
            return apply(op, self, other)  # raises the error again, naming the op and its operands
        return _node(data, op, (self, other))

    operator.__name__ = f"__{op.name}__"
    operator.__qualname__ = f"Value.__{op.name}__"
    operator.__doc__ = f"self {op.symbol} other: the ops table's {op.name!r} row."
    return operator


class Value:
    """A scalar in the computation graph: ``data``, ``grad``, ``op``, ordered ``parents``, ``label``."""

    __slots__ = ("data", "grad", "op", "parents", "label")

    def __init__(self, data: float, label: str = "") -> None:
        self.data = as_float(data)
        self.grad = 0.0
        self.op: Op | None = None
        self.parents: tuple[Value, ...] = ()
        self.label = str(label)

    @property
    def is_leaf(self) -> bool:
        """True for a Value no op computed (data, a parameter, a constant, a result under no_grad)."""
        return not self.parents

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # --- arithmetic: each line names its row of the ops table -------------------
    __add__, __sub__, __mul__, __truediv__ = _binary(_ADD), _binary(_SUB), _binary(_MUL), _binary(_DIV)
    def __radd__(self, other): return apply(_ADD, other, self)  # a number on the left
    def __rsub__(self, other): return apply(_SUB, other, self)
    def __rmul__(self, other): return apply(_MUL, other, self)
    def __rtruediv__(self, other): return apply(_DIV, other, self)

    def __neg__(self): return apply(_NEG, self)
    def __pos__(self): return self

    def __pow__(self, other):
        return apply(_POW_VALUE if isinstance(other, Value) else _POW, self, other)

    def __rpow__(self, other): return apply(_POW_VALUE, other, self)
    def exp(self): return apply(_EXP, self)
    def log(self): return apply(_LOG, self)
    def tanh(self): return apply(_TANH, self)
    def sigmoid(self): return apply(_SIGMOID, self)
    def relu(self): return apply(_RELU, self)
    def abs(self): return apply(_ABS, self)
    def __abs__(self): return apply(_ABS, self)

    def backward(self) -> None:
        """Fill ``.grad`` of every node this one depends on (leaves accumulate, as in PyTorch)."""
        from .graph import backward
        backward(self)


class Literal(Value):
    """A plain number written in an expression (the 2 of ``x ** 2``, the 1.0 of ``a - 1.0``).

    It behaves as any leaf; the drawing, the explorer and ``autograd.Names`` show it as a constant.
    """

    __slots__ = ()


_new = Value.__new__


def _node(data: float, op: Op | None = None, parents: tuple[Value, ...] = (), kind: type = Value) -> Value:
    """A node without ``__init__``'s checks, for data the engine computed itself."""
    node = _new(kind)
    node.data, node.grad, node.op, node.parents, node.label = data, 0.0, op, parents, ""
    return node


def as_value(operand: object) -> Value:
    """A Value as is; a plain number as a :class:`Literal` leaf."""
    if isinstance(operand, Value):
        return operand
    return _node(as_float(operand, "an operand"), kind=Literal)


def require_value(item: object, what: str) -> Value:
    """``item`` if it is a Value, else TypeError saying that ``what`` takes a Value."""
    if isinstance(item, Value):
        return item
    raise TypeError(f"{what} needs a Value (a number built with autograd.Value and its operations), "
                    f"got {type(item).__name__}: {item!r:.60}")


def _describe(parents: tuple[Value, ...]) -> str:
    return ", ".join(f"{p.label or 'unlabelled'}={p.data!r}" for p in parents)


def _as_parents(operands: tuple) -> tuple[Value, ...]:
    """The operands as Values: plain numbers become constant leaves (usually all are Values)."""
    for operand in operands:
        if not isinstance(operand, Value):
            return tuple(map(as_value, operands))
    return operands


def operand_data(parents: tuple[Value, ...]) -> list[float]:
    """The operands' numbers, as a rule's ``inputs``."""
    return [p.data for p in parents]


def apply(op: Op, *operands: object) -> Value:
    """Run ``op`` forward on ``operands`` and record the result node (unless in ``no_grad``)."""
    parents = _as_parents(operands)
    try:
        data = op.forward(operand_data(parents), SCALARS)
    except (ValueError, ZeroDivisionError) as error:
        raise type(error)(f"{op.name}: {error} (operands: {_describe(parents)})") from None
    mode = current_mode()
    if mode.detecting:
        check_finite(data, f"forward op '{op.name}' on ({_describe(parents)})")
    return _node(data, op, parents) if mode.recording else _node(data)


def sum(values: Iterable[object], label: str = "") -> Value:  # noqa: A001 - autograd.sum
    """One n-ary node for ``Σ values`` (a neuron's weighted sum stays one node, not a chain)."""
    items = list(values)
    if not items:
        raise ValueError("autograd.sum needs at least one value, got an empty sequence")
    node = apply(_SUM, *items)
    node.label = str(label)
    return node
