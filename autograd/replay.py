"""The compiled replay: trace a scalar graph once, then evaluate it with numpy, like JAX's ``jit``.

``tape = autograd.compile(output, inputs=[x, y])`` reads the graph behind ``output`` (a Value or a list).
The ``inputs`` are leaves that stand for data; every other leaf is a parameter whose ``.data`` is read
at each replay, except the constants, read once and given no gradient: the numbers written in an
expression (``Literal`` leaves: the 1 of ``1 - y``, printed as ``1.0``) and leaves used only as an op's
constant (``pow``'s exponent).
``tape.forward(feed)`` replays one row of input values or a batch of rows; ``tape.backward()`` then adds
to each parameter's ``.grad`` what ``output.backward()`` would and returns d output / d input.

Compiling runs the passes of ``replay_plan`` over the traced graph and prints the plan as a numpy
program (``replay_emit``), compiled once; ``tape.source()`` shows it. Tracing bakes in the ops that ran,
not the Python that chose them: a branch on ``.data`` stays as it was taken (retrace if it must follow
the data), while the ops' own rules (relu's step) run at every replay. numpy's NaN and inf propagate
where the eager engine raises (``detect_anomaly()`` stops at the first group that makes one).
"""
from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

import numpy as np

from .modes import current as current_mode
from .replay_plan import Group, Plan, plan
from .replay_products import Index, ProductGroup, rows
from .replay_program import Program
from .replay_source import comment
from .value import Value, op_of, require_values

_data, _labels = attrgetter("data"), attrgetter("label")


class Tape:
    """A traced graph replayed with numpy: ``forward(feed)`` then ``backward()`` (see the module).

    It holds the inputs and parameters, not the graph, the generated program (``source()``), and
    numpy buffers sized by the last batch (``bytes_per_row``).
    """

    def __init__(self, replay_plan: Plan, single: bool = True) -> None:
        self._plan = replay_plan
        self.inputs: tuple[Value, ...] = replay_plan.inputs
        self.parameters: tuple[Value, ...] = replay_plan.parameters  # in the order of ``forward``'s array
        self.groups: tuple[Group | ProductGroup, ...] = replay_plan.groups  # a replay's steps, in forward order
        self._program = Program(replay_plan)
        self._single = single  # compiled from one output Value, not a list of them
        self._values: np.ndarray | None = None  # slot × row buffer of the last forward
        self._grads: np.ndarray | None = None  # slot × row buffer of the last backward
        self._saved: list[tuple] | None = None  # what each chunk's forward kept for its backward
        self._batched = False
        computed = sum(group.size + (0 if isinstance(group, ProductGroup) else group.arity * group.size)
                       for group in replay_plan.groups)
        self._bytes_per_row = 8 * (2 * replay_plan.slots + len(replay_plan.inputs) + computed)
        self._output_rows = rows(replay_plan.outputs)  # a slice when the outputs' slots follow each other
        narrow = np.zeros(replay_plan.slots, dtype=bool)  # rows that use column 0 only, or no gradient (constants)
        first = len(replay_plan.inputs)
        narrow[first + replay_plan.broadcast:replay_plan.constant_slots.stop] = True
        for group in replay_plan.groups:
            narrow[group.start:group.stop] = not group.every_row
        self._wide = {grads: rows(np.flatnonzero(~narrow[start:]) + start)  # zeroed whole by backward
                      for grads, start in ((True, 0), (False, first))}  # (the inputs' rows: for input_grads)
        self._program.functions(False, checked=False)  # compiled now (each backward at its first call)

    def __repr__(self) -> str:
        plan_ = self._plan
        return (f"Tape({len(plan_.inputs)} inputs, {len(plan_.parameters)} parameters, "
                f"{sum(g.size for g in plan_.groups)} computed nodes in {len(plan_.groups)} groups)")

    def source(self, input_grads: bool = True, heading: Sequence[str] = ()) -> str:
        """The generated program: forward and backward functions (a pair per chunk of a long graph), each
        line commented with its ops-table formula; ``input_grads=False``: the backward a training step runs;
        ``heading``: lines put first as one-line comments."""
        top = "".join(comment(str(line)) + "\n" for line in heading)
        return top + ("\n" if top else "") + self._program.source(input_grads)

    def lines(self, input_grads: bool = True) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """Each group's (forward lines, backward lines) of ``source(input_grads)``, in ``groups`` order (a page
        finds a node's group by its slot: ``compile(..., slots=)``)."""
        return tuple((tuple(forward), tuple(backward)) for forward, backward in self._program.group_lines(input_grads))

    def bytes_per_row(self) -> int:
        """The bytes of numpy buffers each row of a batch costs: values, gradients, the feed's copy, results."""
        return self._bytes_per_row

    def forward(self, feed: Sequence[float] | np.ndarray | tuple[np.ndarray, ...] = (),
                parameters: np.ndarray | None = None, lend: bool = False) -> float | np.ndarray:
        """The output for one row of input values (a float), or for each row of a batch (an array).

        A batch may be a tuple of arrays of the same rows, read side by side (inputs, targets). The feed is
        copied; ``lend=True`` reads it in place (it must not change before the ``backward`` that follows).
        ``parameters``: their values in ``self.parameters`` order instead of each ``.data``.
        """
        plan_ = self._plan
        self._saved = None
        blocks = self._blocks(feed, lend)
        values = self._buffer(blocks[0].shape[1])
        if parameters is None:
            parameters = np.fromiter(map(_data, plan_.parameters), float, len(plan_.parameters))
        if plan_.copied is not None:  # the inputs that groups read from the buffer
            values[plan_.copied] = _rows(blocks, plan_.copied)
        feeds = [_rows(blocks, index) for index in self._program.feed_rows]
        forwards = self._program.functions(False, current_mode().detecting)
        with np.errstate(all="ignore"):
            saved = [forward(values, parameters, feeds) for forward in forwards]
        self._saved = saved
        outputs = values[self._output_rows]  # output × row
        if self._single:
            return outputs[0].copy() if self._batched else float(outputs[0, 0])
        return outputs.T.copy() if self._batched else outputs[:, 0].copy()

    def backward(self, upstream: float | np.ndarray = 1.0, input_grads: bool = True,
                 parameter_grads: np.ndarray | None = None) -> np.ndarray | None:
        """Add d output / d parameter to each parameter's ``.grad`` (summed over a batch's rows).

        ``upstream`` weighs each row (``1 / batch`` for a mean), or each output, or both as a ``(batch,
        outputs)`` array. Returns d output / d input, a row per row of a batch (None for ``input_grads=False``,
        which skips their work). ``parameter_grads``, an array in ``self.parameters`` order, is overwritten
        with the gradients instead of adding them to each ``.grad``.
        """
        values = self._values
        if self._saved is None or values is None:
            raise RuntimeError("Tape.backward() needs a forward(feed) that ran to the end first")
        backwards = self._program.functions(True, current_mode().detecting, input_grads)
        if self._grads is None or self._grads.shape != values.shape:
            self._grads = np.empty_like(values)
        grads = self._grads
        grads[self._wide[input_grads]], grads[:, :1] = 0.0, 0.0  # what the program may add to
        grads[self._output_rows] = self._upstream(upstream, values.shape[1])
        totals = np.zeros(len(self._plan.parameters)) if parameter_grads is None else parameter_grads
        totals.fill(0.0)
        with np.errstate(all="ignore"):
            for backward, saved in zip(reversed(backwards), reversed(self._saved), strict=True):
                backward(values, grads, totals, saved)
        if parameter_grads is None:
            for parameter, total in zip(self._plan.parameters, totals.tolist(), strict=True):
                parameter.grad += total
        if not input_grads:
            return None
        by_row = grads[:len(self._plan.inputs)].T
        return by_row.copy() if self._batched else by_row[0].copy()

    def _blocks(self, feed, lend: bool) -> list[np.ndarray]:
        """The feed as input × row blocks side by side, checked and copied (see ``forward``)."""
        expected = len(self._plan.inputs)
        try:
            as_floats = np.asarray if lend else np.array  # np.array copies
            blocks = [as_floats(block, dtype=float) for block in feed] if isinstance(feed, tuple) else []
            if not (blocks and all(block.ndim == 2 and len(block) == len(blocks[0]) for block in blocks)):
                blocks = [as_floats(feed, dtype=float)]
        except (TypeError, ValueError):
            raise TypeError(f"Tape.forward: the feed must be numbers, got {feed!r:.60}") from None
        shape = blocks[0].shape if len(blocks) == 1 else (len(blocks[0]), sum(b.shape[1] for b in blocks))
        if shape != (expected,) and (len(shape) != 2 or shape[1] != expected or shape[0] == 0):
            names = ", ".join(label or "unlabelled" for label in map(_labels, self._plan.inputs)) or "none"
            wanted = (f"{expected} input values ({names})" if len(shape) == 1 else
                      f"a batch of rows of {expected} input values ({names})" if len(shape) == 2 else
                      f"{expected} input values or a (batch, {expected}) array")
            raise ValueError(f"Tape.forward: expected {wanted}, got "
                             + (f"{shape[0]}" if len(shape) == 1 else f"an array of shape {shape}"))
        self._batched = len(shape) == 2
        return [block.T if self._batched else block[:, None] for block in blocks]

    def _buffer(self, batch: int) -> np.ndarray:
        """The value buffer for ``batch`` rows, with the constants in place."""
        if self._values is None or self._values.shape[1] != batch:
            plan_ = self._plan
            self._values = np.empty((plan_.slots, batch))
            self._values[plan_.constant_slots] = plan_.constants[:, None]
        return self._values

    def _upstream(self, upstream, batch: int) -> np.ndarray:
        """``upstream`` as an output × row array (broadcast over rows when given once)."""
        try:
            weights = np.asarray(upstream)
        except ValueError:  # ragged rows
            weights = np.asarray(None)
        if weights.dtype.kind not in "iuf":  # None, text, booleans, ragged or mixed rows
            raise TypeError(f"Tape.backward: upstream must be a number or an array of numbers, got {upstream!r:.60}")
        count = len(self._plan.outputs)
        rows_of = {(): 1, (batch,): batch} if self._single else {(count,): 1, (batch, count): batch}
        if weights.shape in rows_of:
            return weights.astype(float).reshape(rows_of[weights.shape], count).T
        wanted = (f"a number or one per row ({batch})" if self._single else
                  f"one per output ({count}) or one per row and output {(batch, count)}")
        raise ValueError(f"Tape.backward: upstream must be {wanted}, got shape {weights.shape}")


def _rows(blocks: list[np.ndarray], index: Index) -> np.ndarray:
    """The feed's inputs ``index`` (a slice or their numbers) × rows: a view when they lie in one block."""
    if isinstance(index, slice):
        start = 0
        for block in blocks:
            if start <= index.start and index.stop <= start + len(block):
                return block[index.start - start:index.stop - start]
            start += len(block)
    whole = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    return whole[index] if isinstance(index, slice) else whole.take(index, axis=0)


def compile(output: Value | Sequence[Value], inputs: Sequence[Value] | Value = (),  # shadows the builtin
            slots: dict[Value, int] | None = None) -> Tape:
    """Trace the graph behind ``output`` (a Value, or a list of Values) into a ``Tape``; ``inputs`` are the
    data placeholders. ``slots``, a dict, receives the slot of each node the replay keeps (group k of
    ``tape.groups`` computes slots ``start:stop``; a flattened addition or a lowered product has none)."""
    single = isinstance(output, Value)
    outputs = (output,) if single else tuple(output) if isinstance(output, (list, tuple)) else None
    if not outputs or not all(isinstance(item, Value) for item in outputs):
        raise TypeError(f"compile: output must be a Value or a non-empty list of Values, got {output!r:.60}")
    if len(set(outputs)) != len(outputs):
        raise ValueError("compile: the same Value is listed twice among the outputs")
    placeholders = (inputs,) if isinstance(inputs, Value) else tuple(require_values(inputs, "compile: inputs"))
    seen: set[Value] = set()
    for position, item in enumerate(placeholders):
        problem = ("is listed twice" if item in seen else "" if item.is_leaf else
                   f"was computed by op '{op_of(item).name}'; inputs must be leaf Values (placeholders for data)")
        if problem:
            raise ValueError(f"compile: input {position} ({item.label or 'unlabelled'}) {problem}")
        seen.add(item)
    return Tape(plan(outputs, placeholders, slots), single)
