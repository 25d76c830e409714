"""The compiled replay: trace a scalar graph once, then evaluate it with numpy, like JAX's ``jit``.

``tape = autograd.compile(output, inputs=[x, y])`` reads the graph behind ``output``. The
``inputs`` are leaf Values that stand for data; every other leaf is a parameter whose current
``.data`` is read at each replay (so an optimiser that updates ``.data`` just works), except
leaves used only where an op takes a constant (``pow``'s exponent), which are read once.

``tape.forward(feed)`` takes one value per input (or a ``(batch, len(inputs))`` array, replaying
the graph for every row at once) and returns the output's value(s). ``tape.backward()`` then
adds to each parameter's ``.grad`` what ``output.backward()`` would (for a batch: the sum over
rows) and returns d output / d input for each input (one row per batch row). The input
placeholders' ``.grad`` and the interior nodes' are left alone: the replay does not revisit the
graph. ``compile([o1, o2, ...])`` traces several outputs at once (a model's outputs): forward
gives one value per output (per row) and ``backward(upstream)`` takes one weight per output.

The replay is derived from the ops table: compiling runs named passes over the traced graph
(``replay_plan``: flatten sums, lower sums of products to matrix products, levels, groups, slots)
and prints the plan as a numpy program (``replay_emit``: each op's ``forward`` and ``local_grads``
rules run over source text), compiled once; ``tape.source()`` shows it. A replay is a call of it.

What tracing bakes in: the graph records the ops that ran, not the Python that chose them. A
branch in your code that tested ``.data`` at trace time (``if x.data > 0: ...``) stays taken as
it was for every replay; retrace if that choice must follow the data. The ops' own
value-dependent rules (relu's forward and its step derivative) are evaluated at every replay.
The replay does not raise on domain errors the way the eager engine does: numpy's NaN and inf
propagate (run it under ``detect_anomaly()`` to stop at the first op group that makes one).
"""
from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

import numpy as np

from .modes import current as current_mode
from .replay_feed import read_feed
from .replay_plan import Group, Plan, check_inputs, plan
from .replay_products import ProductGroup
from .replay_program import Program
from .replay_scatter import rows
from .replay_source import comment
from .value import Value, require_values

_data, _labels = attrgetter("data"), attrgetter("label")


class Tape:
    """A traced graph replayed with numpy: ``forward(feed)`` then ``backward()`` (see the module).

    It holds the inputs and parameters, not the graph, the generated program (``source()``), and
    numpy buffers sized by the last batch: about 8 bytes × (2 · slots + the groups' results and
    gathered operands) × rows, with a slot per input, constant, parameter outside the matrices
    (whose weights sit in one vector) and computed node.
    """

    def __init__(self, replay_plan: Plan, single: bool = True) -> None:
        self._plan = replay_plan
        self._program = Program(replay_plan, list(replay_plan.titles))
        self._single = single  # compiled from one output Value, not a list of them
        self._values: np.ndarray | None = None  # slot × row buffer of the last forward
        self._saved: list[tuple] = []  # what each chunk's forward kept for its backward
        self._grads: np.ndarray | None = None  # slot × row buffer of the last backward
        self._feed: np.ndarray | None = None  # the buffer of the last feed copied (read again by backward)
        self._batched = False
        self._forwarded = False  # a forward ran to the end: backward may use its buffers
        computed = sum(group.size + (0 if isinstance(group, ProductGroup) else group.arity * group.size)
                       for group in replay_plan.groups)
        self._bytes_per_row = 8 * (2 * replay_plan.slots + len(replay_plan.inputs) + computed)
        self._output_rows = rows(replay_plan.outputs)  # a slice when the outputs' slots follow each other
        self._program.forwards(checked=False)  # compiled now (each backward at its first call)

    @property
    def inputs(self) -> tuple[Value, ...]:
        return self._plan.inputs

    @property
    def parameters(self) -> tuple[Value, ...]:
        return self._plan.parameters

    @property
    def groups(self) -> tuple[Group | ProductGroup, ...]:
        """The vectorised steps of one replay, in forward order (one op and arity per level)."""
        return self._plan.groups

    def __repr__(self) -> str:
        plan_ = self._plan
        return (f"Tape({len(plan_.inputs)} inputs, {len(plan_.parameters)} parameters, "
                f"{sum(g.size for g in plan_.groups)} computed nodes in {len(plan_.groups)} groups)")

    def source(self, input_grads: bool = True, heading: Sequence[str] = ()) -> str:
        """The generated numpy program this tape runs: a forward and a backward function (one pair per
        chunk of a very long graph), one line per group, each commented with its ops-table formula.
        ``input_grads=False``: the backward a training step runs (no gradients for the inputs).
        ``heading``: lines of text put first, each as an escaped one-line comment."""
        top = "".join(comment(str(line)) + "\n" for line in heading)
        return top + ("\n" if top else "") + self._program.source(input_grads)

    def bytes_per_row(self) -> int:
        """What each row of a batch costs in numpy buffers: its values and gradients, the feed's copy,
        the groups' results and gathered operands."""
        return self._bytes_per_row

    def forward(self, feed: Sequence[float] | np.ndarray | tuple[np.ndarray, ...] = (),
                parameters: np.ndarray | None = None, lend: bool = False) -> float | np.ndarray:
        """The output for one row of input values (a float), or for each row of a batch (an array).

        A batch may come as a tuple of arrays of the same rows, read as their columns side by side.
        ``parameters``: their values as one array in ``self.parameters`` order, instead of each ``.data``
        (read in place too: it must not change before the ``backward`` that follows).
        ``lend=True``: the feed's arrays are read in place, not copied; they must not change before the
        ``backward`` that follows (which reads them again).
        """
        plan_ = self._plan
        columns, self._batched, self._feed = read_feed(feed, len(plan_.inputs), self._names, self._feed, lend)
        self._forwarded = False
        values = self._buffer(columns.batch)
        inputs = len(plan_.inputs)
        values[plan_.copied] = columns.rows(plan_.copied)  # the inputs that groups read from the buffer
        data = np.array(list(map(_data, plan_.parameters))) if parameters is None else parameters
        if plan_.buffered:
            values[inputs:inputs + plan_.broadcast] = data[:plan_.broadcast, None]
            values[inputs + plan_.broadcast:inputs + plan_.buffered, 0] = data[plan_.broadcast:plan_.buffered]
        weights = data[plan_.weights]
        feeds = [columns.rows(rows) for rows in self._program.feed_rows]
        forwards = self._program.forwards(current_mode().detecting)
        with np.errstate(all="ignore"):
            self._saved = [forward(values, weights, feeds) for forward in forwards]
        self._forwarded = True
        if self._single:
            output = values[plan_.outputs[0]]
            return output.copy() if self._batched else float(output[0])
        outputs = values[self._output_rows]  # output × row
        return outputs.T.copy() if self._batched else outputs[:, 0].copy()

    def backward(self, upstream: float | np.ndarray = 1.0, input_grads: bool = True,
                 parameter_grads: np.ndarray | None = None) -> np.ndarray | None:
        """Add d output / d parameter to each parameter's ``.grad`` (summed over a batch's rows).

        ``upstream`` weighs each row (d loss / d output; e.g. ``1 / batch`` for a mean); with
        several outputs, one weight per output, or a ``(batch, outputs)`` array. Returns
        d output / d input: shape ``(len(inputs),)``, or ``(batch, len(inputs))`` for a batch;
        ``input_grads=False`` returns None and skips the work only they need (training);
        ``parameter_grads``, an array in ``self.parameters`` order, is overwritten with the gradients
        instead of adding them to each ``.grad``.
        """
        values = self._values
        if not self._forwarded or values is None:
            raise RuntimeError("Tape.backward() needs a forward(feed) that ran to the end first")
        plan_ = self._plan
        backwards, zeroed = self._program.backwards(current_mode().detecting, input_grads)
        grads = self._grads_buffer(values, zeroed)
        grads[self._output_rows] = self._upstream(upstream, values.shape[1])
        if parameter_grads is None:
            totals = np.zeros(len(plan_.parameters))
        else:
            totals = parameter_grads
            totals.fill(0.0)
        weight_grads = totals[plan_.weights]  # a view when the weights come last, as they do
        with np.errstate(all="ignore"):
            for backward, saved in zip(reversed(backwards), reversed(self._saved), strict=True):
                backward(values, grads, weight_grads, saved)
        inputs = len(plan_.inputs)
        if not isinstance(plan_.weights, slice):
            totals[plan_.weights] = weight_grads
        if plan_.buffered:
            totals[:plan_.broadcast] += grads[inputs:inputs + plan_.broadcast].sum(axis=1)
            totals[plan_.broadcast:plan_.buffered] += grads[inputs + plan_.broadcast:inputs + plan_.buffered, 0]
        if parameter_grads is None:
            for parameter, total in zip(plan_.parameters, totals.tolist(), strict=True):
                parameter.grad += total
        if not input_grads:
            return None
        by_row = grads[:inputs].T
        return by_row.copy() if self._batched else by_row[0].copy()

    def _names(self) -> str:
        return ", ".join(label or "unlabelled" for label in map(_labels, self._plan.inputs)) or "none"

    def _buffer(self, batch: int) -> np.ndarray:
        """The value buffer for ``batch`` rows, with the constants in place."""
        if self._values is None or self._values.shape[1] != batch:
            plan_ = self._plan
            self._values = np.empty((plan_.slots, batch))
            first = len(plan_.inputs) + plan_.buffered
            self._values[first:first + len(plan_.constants)] = plan_.constants[:, None]
        return self._values

    def _grads_buffer(self, values: np.ndarray, zeroed: list[tuple[slice, bool]]) -> np.ndarray:
        """The gradient buffer shaped like the value buffer (reused: no fresh pages each call), zeroed in
        the rows the backward adds to (the first column only where it adds only there)."""
        if self._grads is None or self._grads.shape != values.shape:
            self._grads = np.zeros_like(values)
            return self._grads
        grads = self._grads
        for rows_, first_column in zeroed:
            grads[rows_, :1 if first_column else None].fill(0.0)
        return grads

    def _upstream(self, upstream, batch: int) -> np.ndarray:
        """``upstream`` as an output × row array (broadcast over rows when given once)."""
        try:
            weights = np.asarray(upstream)
        except ValueError:  # ragged rows
            weights = np.asarray(None)
        if weights.dtype.kind not in "iuf":  # None, text, booleans, ragged or mixed rows
            raise TypeError(f"Tape.backward: upstream must be a number or an array of numbers, got {upstream!r:.60}")
        weights = weights.astype(float, copy=False)
        count = len(self._plan.outputs)
        one_per_row = (batch,) if self._single else (batch, count)
        once = () if self._single else (count,)
        if weights.shape == once:
            return weights.reshape(count, 1)
        if weights.shape == one_per_row:
            return weights.reshape(batch, count).T
        wanted = (f"a number or one per row ({batch})" if self._single else
                  f"one per output ({count}) or one per row and output {one_per_row}")
        raise ValueError(f"Tape.backward: upstream must be {wanted}, got shape {weights.shape}")


def compile(output: Value | Sequence[Value], inputs: Sequence[Value] | Value = ()) -> Tape:
    """Trace the graph behind ``output`` (a Value, or a list of Values) into a ``Tape``.

    ``inputs`` are the data placeholders (see the module docstring).
    """
    single = isinstance(output, Value)
    outputs = (output,) if single else tuple(output) if isinstance(output, (list, tuple)) else None
    if not outputs or not all(isinstance(item, Value) for item in outputs):
        raise TypeError(f"compile: output must be a Value or a non-empty list of Values, got {output!r:.60}")
    if len(set(outputs)) != len(outputs):
        raise ValueError("compile: the same Value is listed twice among the outputs")
    placeholders = check_inputs([inputs] if isinstance(inputs, Value) else require_values(inputs, "compile: inputs"))
    return Tape(plan(outputs, placeholders), single)
