"""The engine's switches (``autograd.modes``): ``no_grad`` and ``detect_anomaly``, eagerly, in the compiled replay,
and per thread and asyncio task; under threads, grad and the explorer leave every Value alone."""
from __future__ import annotations

import asyncio
import math
import re
import sys
import threading
import time

import numpy as np
import pytest

import autograd
from autograd import AnomalyError, Value, detect_anomaly, no_grad
from autograd import compile as compile_tape
from tests.support.graphs import karpathy_neuron
from viz import four_neuron
from viz.explorer_data import page_data

WAIT = 10.0  # seconds a thread waits for the other before the test fails (never reached when it works)


class Watched(Value):
    """A leaf that logs every write to its ``.data`` and ``.grad`` after construction."""

    __slots__ = ("writes",)

    def __init__(self, data: float, label: str = "") -> None:
        self.writes = None  # not watching while Value.__init__ sets the fields
        super().__init__(data, label)
        self.writes = []

    def _logged(name, slot):
        def write(self, number):
            if self.writes is not None:
                self.writes.append((name, number))
            slot.__set__(self, number)
        return property(slot.__get__, write)

    data = _logged("data", Value.data)
    grad = _logged("grad", Value.grad)
    del _logged


def _run_in_threads(*targets) -> None:
    """Run each target in its own thread; re-raise the first failure (a thread's assert) here."""
    failures = []

    def guarded(target):
        try:
            target()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    if failures:
        raise failures[0]


def test_no_grad_in_one_thread_leaves_another_thread_recording():
    entered, recorded = threading.Event(), threading.Event()
    a, b = Value(2.0, "a"), Value(3.0, "b")
    seen = {}

    def quiet():
        with no_grad():
            entered.set()
            assert recorded.wait(WAIT)
            seen["quiet"] = a * b  # the other thread recorded meanwhile: still no graph here

    def recording():
        assert entered.wait(WAIT)
        seen["recording"] = a * b
        recorded.set()

    _run_in_threads(quiet, recording)
    assert seen["quiet"].data == 6.0
    assert seen["quiet"].is_leaf
    assert seen["recording"].parents == (a, b)
    assert (a * b).parents == (a, b), "this thread records too"


def test_detect_anomaly_in_one_thread_does_not_stop_another():
    entered, done = threading.Event(), threading.Event()
    results = {}

    def detecting():
        with autograd.detect_anomaly():
            entered.set()
            assert done.wait(WAIT)
            with pytest.raises(autograd.AnomalyError):
                Value(1000.0).exp()

    def plain():
        assert entered.wait(WAIT)
        results["plain"] = Value(1000.0).exp().data
        done.set()

    _run_in_threads(detecting, plain)
    assert results["plain"] == math.inf


def test_each_asyncio_task_has_its_own_mode():
    a, b = Value(2.0), Value(5.0)

    async def quiet(entered: asyncio.Event, recorded: asyncio.Event) -> Value:
        with no_grad():
            entered.set()
            await recorded.wait()
            return a * b

    async def recording(entered: asyncio.Event, recorded: asyncio.Event) -> Value:
        await entered.wait()
        product = a * b
        recorded.set()
        return product

    async def both():
        entered, recorded = asyncio.Event(), asyncio.Event()
        return await asyncio.wait_for(asyncio.gather(quiet(entered, recorded), recording(entered, recorded)), WAIT)

    quiet_result, recorded_result = asyncio.run(both())
    assert quiet_result.is_leaf
    assert recorded_result.parents == (a, b)


def _network_with_watched_leaves(width: int = 12, depth: int = 4):
    """A tanh network whose leaves log writes, after one backward (every .grad is set)."""
    inputs = [Watched(0.1 * k - 0.5, f"x{k}") for k in range(width)]
    leaves, layer = list(inputs), inputs
    for d in range(depth):
        weights = [[Watched(((3 * j + 7 * k + d) % 11) / 11 - 0.5, f"w{d}{j}{k}") for k in range(width)]
                   for j in range(width)]
        leaves += [w for row in weights for w in row]
        layer = [autograd.sum([w * x for w, x in zip(row, layer, strict=True)]).tanh() for row in weights]
    output = autograd.sum(layer)
    output.backward()
    for leaf in leaves:
        leaf.writes.clear()
    return output, leaves


def test_grad_and_backward_steps_never_write_any_grad():
    output, leaves = _network_with_watched_leaves()
    order = autograd.topological_order(output)
    before = [node.grad for node in order]
    autograd.grad(output, leaves[:5])
    autograd.grad(output, leaves[:5], create_graph=True)
    autograd.backward_steps(output)
    with autograd.detect_anomaly():
        autograd.grad(output, leaves[:5])
    assert [leaf.writes for leaf in leaves] == [[] for _ in leaves]
    assert [node.grad for node in order] == before


def test_grad_leaves_every_grad_untouched_while_another_thread_reads_them():
    output, leaves = _network_with_watched_leaves()
    order = autograd.topological_order(output)
    expected = [node.grad for node in order]
    stop = threading.Event()
    differing, reads = [], [0]

    def reader():
        while not stop.is_set() and reads[0] < 20_000:
            seen = [node.grad for node in order]
            reads[0] += 1
            if seen != expected:
                differing.append(seen)
                return

    def differentiate():
        try:
            deadline = time.monotonic() + 3.0
            for _ in range(15):
                if time.monotonic() > deadline:
                    break
                autograd.grad(output, leaves)
        finally:
            stop.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so the reader looks in the middle of grad
    try:
        _run_in_threads(reader, differentiate)
    finally:
        sys.setswitchinterval(interval)
    assert reads[0] > 0
    assert not differing
    assert [leaf.writes for leaf in leaves] == [[] for _ in leaves]


def test_the_explorers_numerical_gradient_leaves_every_data_untouched():
    """The four-neuron network (viz.four_neuron's numbers) on leaves that log writes."""
    reference = four_neuron()
    reference.output.backward()
    parameters = [Watched(p.data, p.label) for p in reference.parameters]  # w⁽¹⁾, b⁽¹⁾, w⁽²⁾, ...
    activation = Value(reference["a0"].data, "a⁽⁰⁾")
    for weight, bias in zip(parameters[::2], parameters[1::2], strict=True):
        activation = autograd.sum([weight * activation, bias]).sigmoid()
    cost = (activation - Value(reference["y"].data, "y")) ** 2
    data = page_data(cost, parameters=parameters)
    index = {node: i for i, node in enumerate(autograd.topological_order(cost))}
    chains = [data["chains"][str(index[p])] for p in parameters]
    assert len(chains) == len(parameters)
    assert all(chain["agrees"] for chain in chains)
    assert [chain["numerical"] for chain in chains] == pytest.approx(
        [reference[p.label].grad for p in parameters], rel=1e-6)
    assert [p.writes for p in parameters] == [[] for _ in parameters], "no parameter's .data was nudged"


def test_no_grad_records_nothing_and_nesting_restores():
    a, b = Value(2.0), Value(5.0)
    with no_grad():
        inside = a * b + 1
        with no_grad():
            nested = a.exp()
        after_nested = a * b
        with autograd.enable_grad():
            recorded = a * b
    outside = a * b
    assert inside.data == 11.0
    assert inside.parents == ()
    assert inside.op is None
    assert nested.parents == ()
    assert after_nested.parents == ()
    assert recorded.parents == (a, b)
    assert outside.parents == (a, b)
    with pytest.raises(ZeroDivisionError), no_grad():
        a / 0
    assert (a * b).parents == (a, b), "an error inside no_grad still restores recording"


@pytest.mark.parametrize(("make", "op", "named"), [
    (lambda: Value(1000.0, "big").exp(), "exp", "big=1000.0"),
    (lambda: Value(0.0, "zero") * Value(math.inf, "huge"), "mul", "zero=0.0, huge=inf"),
    (lambda: Value(1e308, "x") * 10, "mul", "x=1e+308"),
    (lambda: Value(math.inf, "huge").log(), "log", "huge=inf"),
])
def test_detect_anomaly_flags_a_forward_op(make, op, named):
    with pytest.raises(AnomalyError, match=re.escape(f"'{op}'")) as caught, detect_anomaly():
        make()
    assert named in str(caught.value)
    make()  # outside the context: no error, the NaN or inf is returned


@pytest.mark.parametrize(("make", "op", "named"), [
    (lambda x: x ** 0.5, "pow", "x=0.0"),  # d√x/dx = 1/(2√x) is infinite at 0
    (lambda x: (x + 1e-320).log(), "log", "=1e-320"),  # 1/x overflows
])
def test_detect_anomaly_flags_a_backward_step(make, op, named):
    x = Value(0.0, "x")
    with detect_anomaly():
        out = make(x)
        with pytest.raises(AnomalyError, match=f"backward of op '{op}'") as caught:
            out.backward()
    assert named in str(caught.value)
    out.backward()  # outside: no error, an infinite gradient
    assert math.isinf(x.grad)


def test_detect_anomaly_nesting_restores_and_finite_graphs_pass():
    with detect_anomaly():
        with detect_anomaly():
            pass
        with pytest.raises(AnomalyError):
            Value(800.0).exp()
    assert Value(800.0).exp().data == math.inf
    with detect_anomaly():
        o, leaves = karpathy_neuron(tanh_from_exp=True)
        o.backward()
    assert leaves[0].grad == pytest.approx(-1.5, abs=1e-6)


def test_detect_anomaly_flags_a_nan_through_relu():
    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError, match=r"relu.*nan"):
        Value(math.nan, "x").relu()


def test_domain_errors_propagate_as_nan_and_detect_anomaly_names_the_op():
    x = Value(1.0)
    tape = compile_tape(x.log(), inputs=[x])
    assert np.isnan(tape.forward([-1.0]))
    with autograd.detect_anomaly(), pytest.raises(AnomalyError, match="op 'log'"):
        tape.forward([-1.0])
    with pytest.raises(RuntimeError, match="forward"):
        tape.backward()  # the interrupted forward left no values to differentiate


def test_detect_anomaly_names_the_matrix_group_that_made_an_inf():
    w = [Value(1e308), Value(1e308)]
    x = [Value(0.0), Value(0.0)]
    tape = autograd.compile(autograd.sum([w[0] * x[0], w[1] * x[1]]), inputs=x)
    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError, match="Σa·b"):
        tape.forward([10.0, 10.0])


def test_detect_anomaly_names_the_group_whose_gradient_is_infinite_in_the_compiled_backward():
    x, w = Value(1.0, "x"), Value(3.0, "w")
    tape = compile_tape((x ** 0.5) * w, inputs=[x])  # d√x/dx = 0.5·x^−0.5: infinite at x = 0, √0 is not
    assert tape.forward([0.0]) == 0.0
    assert math.isinf(tape.backward()[0])
    with autograd.detect_anomaly():
        assert tape.forward([0.0]) == 0.0  # the forward is finite
        with pytest.raises(AnomalyError, match=r"compiled backward of op 'pow'"):
            tape.backward()
