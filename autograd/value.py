"""The node: a scalar that remembers the op and the operands that produced it."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from .conventions import argument_checks as check
from .modes import PLAIN, check_finite
from .modes import current as current_mode
from .ops import OPS, SCALARS, Op

_ADD, _SUB, _MUL, _DIV, _NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
_POW, _POW_VALUE, _SUM = OPS["pow"], OPS["pow_value"], OPS["sum"]
_EXP, _LOG, _TANH, _SIGMOID, _RELU = OPS["exp"], OPS["log"], OPS["tanh"], OPS["sigmoid"], OPS["relu"]
_ABS = OPS["abs"]


def as_float(data: object, name: str = "Value: data") -> float:
    """``data`` as a float (NaN and ±inf included), or an error naming ``name`` and what is accepted."""
    if type(data) is float:
        return data
    return check.real(data, name, finite=False)


def _binary(op: Op) -> Callable[[Value, object], Value]:
    """The operator method (``__mul__`` and so on) for a two-operand row of the ops table.

    The common case, two Values while recording without anomaly checks, records the node here:
    the engine's hot path when a graph is built. Anything else goes through ``_apply``.
    """
    forward = op.forward

    def operator(self: Value, other: object) -> Value:
        if type(other) is not Value or current_mode() is not PLAIN:
            return _apply(op, self, other)
        try:
            data = forward((self.data, other.data), SCALARS)
        except (ValueError, ZeroDivisionError):
            return _apply(op, self, other)  # raises the error again, naming the op and its operands
        return _node(data, op, (self, other))

    operator.__name__ = f"__{op.name}__"
    operator.__qualname__ = f"Value.__{op.name}__"
    operator.__doc__ = f"self {op.symbol} other: the ops table's {op.name!r} row."
    return operator


class Value:
    """A scalar in the computation graph: ``data``, ``grad``, ``op``, ordered ``parents``, ``label``."""

    __slots__ = ("data", "grad", "label", "op", "parents")

    def __init__(self, data: float, label: str = "") -> None:
        self.data = as_float(data)
        self.grad = 0.0
        self.op: Op | None = None
        self.parents: tuple[Value, ...] = ()
        self.label = check.text(label, "Value: label")

    @property
    def is_leaf(self) -> bool:
        """True for a Value no op computed (data, a parameter, a constant, a result under no_grad)."""
        return not self.parents

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # --- arithmetic: each line names its row of the ops table -------------------
    __add__, __sub__, __mul__, __truediv__ = _binary(_ADD), _binary(_SUB), _binary(_MUL), _binary(_DIV)
    def __radd__(self, other): return _apply(_ADD, other, self)  # a number on the left
    def __rsub__(self, other): return _apply(_SUB, other, self)
    def __rmul__(self, other): return _apply(_MUL, other, self)
    def __rtruediv__(self, other): return _apply(_DIV, other, self)

    def __neg__(self): return _apply(_NEG, self)
    def __pos__(self): return self

    def __pow__(self, other):
        return _apply(_POW_VALUE if isinstance(other, Value) else _POW, self, other)

    def __rpow__(self, other): return _apply(_POW_VALUE, other, self)
    def exp(self): return _apply(_EXP, self)
    def log(self): return _apply(_LOG, self)
    def tanh(self): return _apply(_TANH, self)
    def sigmoid(self): return _apply(_SIGMOID, self)
    def relu(self): return _apply(_RELU, self)
    def abs(self): return _apply(_ABS, self)
    def __abs__(self): return _apply(_ABS, self)

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
    node: Value = _new(kind)
    node.data, node.grad, node.op, node.parents, node.label = data, 0.0, op, parents, ""
    return node


def op_of(node: Value) -> Op:
    """The op that computed ``node``; a ValueError for a leaf, which no op computed."""
    if node.op is None:
        raise ValueError(f"{node.label or 'an unlabelled Value'} (data={node.data!r}) is a leaf: no op computed it")
    return node.op


def as_value(operand: object) -> Value:
    """A Value as is; a plain number as a :class:`Literal` leaf."""
    if isinstance(operand, Value):
        return operand
    return _node(as_float(operand, "operand"), kind=Literal)


def require_value(item: object, name: str) -> Value:
    """``item`` if it is a Value, else TypeError naming the argument ``name``."""
    if isinstance(item, Value):
        return item
    raise check.wrong_type(name, "a Value (a number built with autograd.Value and its operations)", item)


def require_values(items: object, name: str) -> list[Value]:
    """``items`` (an iterable of Values) as a list, else TypeError naming ``name`` and the first wrong item."""
    if isinstance(items, Value) or not isinstance(items, Iterable) or isinstance(items, (str, bytes)):
        raise check.wrong_type(name, "a sequence of Values", items)
    listed = list(items)
    for position, item in enumerate(listed):
        require_value(item, f"{name}[{position}]")
    return listed


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
    """Run ``op`` (a row of ``autograd.OPS``) forward on ``operands`` and record the result node
    (unless in ``no_grad``); operands are Values or plain numbers."""
    check.instance(op, "apply: op", Op, "a row of the ops table (an autograd.Op, e.g. autograd.OPS['mul'])")
    if len(operands) != (op.arity or max(1, len(operands))):
        raise ValueError(f"apply: operands must be {op.arity or 'at least 1'} for op {op.name!r}, got {len(operands)}")
    return _apply(op, *operands)


def _apply(op: Op, *operands: object) -> Value:
    """``apply`` without its checks: the engine's own calls, whose op and operand count are right."""
    parents = _as_parents(operands)
    try:
        data = op.forward(operand_data(parents), SCALARS)
    except (ValueError, ZeroDivisionError) as error:
        raise type(error)(f"{op.name}: {error} (operands: {_describe(parents)})") from None
    mode = current_mode()
    if mode.detecting:
        check_finite(data, f"forward op '{op.name}' on ({_describe(parents)})")
    return _node(data, op, parents) if mode.recording else _node(data)


def record(op: Op, parents: tuple[Value, ...], data: float) -> Value:
    """The node ``op`` makes from ``parents`` when its value, ``data``, was computed elsewhere (a rule's ±inf)."""
    mode = current_mode()
    if mode.detecting:
        check_finite(data, f"op '{op.name}' on ({_describe(parents)})")
    return _node(data, op, parents) if mode.recording else _node(data)


def sum(values: Iterable[object], label: str = "") -> Value:  # autograd.sum: shadows the builtin on purpose
    """One n-ary node for ``Σ values`` (a neuron's weighted sum stays one node, not a chain)."""
    items = list(check.instance(values, "sum: values", Iterable, "an iterable of Values or numbers"))
    if not items:
        raise ValueError("autograd.sum: values must be at least one Value or number, got an empty sequence")
    label = check.text(label, "sum: label")
    try:
        node = _apply(_SUM, *items)
    except TypeError:  # name the first item that is neither a Value nor a number
        for position, item in enumerate(items):
            if not isinstance(item, Value):
                as_float(item, f"sum: values[{position}]")
        raise
    node.label = label
    return node
