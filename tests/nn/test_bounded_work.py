"""Bounded work: sizes refused before anything is built, explain linear in the graph, training that stops."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Value
from nn.__main__ import main as nn_main
from viz.__main__ import main as viz_main
from viz.explorer import explore


def chain_of_sums(length: int) -> tuple[Value, Value]:
    x = Value(0.5, "x")
    y = x
    for _ in range(length):
        y = y + 1.0
    return x, y


class CountedLeaf(Value):
    """A leaf that counts how often a walk over the graph asks for its operands."""

    __slots__ = ("reads",)

    @property
    def parents(self) -> tuple:
        self.reads += 1
        return ()

    @parents.setter
    def parents(self, _operands) -> None:
        self.reads = 0


def test_explain_each_walks_the_graph_once_for_all_parameters():
    model = nn.MLP(2, [8, 8, 1], seed=3)
    x = CountedLeaf(0.3, "x")
    output = model([x, -0.7])
    parameters = model.parameters()
    autograd.explain(output, parameters[0])
    one = x.reads
    x.reads = 0
    explanations = autograd.explain_each(output, parameters)
    assert x.reads == one  # the same walk for 105 parameters as for one
    gradients = autograd.grad(output, parameters)
    assert [e.total for e in explanations] == pytest.approx(gradients, rel=1e-12, abs=1e-15)
    assert [str(e) for e in explanations[:3]] == [str(autograd.explain(output, p)) for p in parameters[:3]]


def test_explain_on_a_long_chain_is_one_term_of_one_factor_per_step():
    x = Value(0.3, "x")
    y = x
    for _ in range(20_000):
        y = y.tanh()
    (term,) = autograd.explain(y, x).terms
    assert len(term) == 20_000
    assert math.prod(f.value for f in term) == pytest.approx(autograd.grad(y, [x])[0], rel=1e-9)
    expected, value = 1.0, 0.3  # the same chain of tanh' = 1 − tanh², worked out with numpy floats
    for _ in range(20_000):
        value = np.tanh(value)
        expected *= 1 - value ** 2
    assert math.prod(f.value for f in term) == pytest.approx(expected, rel=1e-9)


def test_viz_explain_on_a_64_64_64_1_model_is_refused_with_the_limit_before_any_term(tmp_path, capsys):
    path = tmp_path / "m.json"
    nn.MLP(2, [64, 64, 64, 1], seed=0).save(path)
    assert viz_main(["explain", str(path), "--input", "1,2"]) == 2
    err = capsys.readouterr().err
    # paths from the inputs' weights: 192 · 64 · 64, the middle layer's 4160 · 64, the last 4160 + 65 · 1
    assert f"{192 * 64 * 64 + 4160 * 64 + 4160 + 65} paths" in err
    assert "max_paths=10000" in err
    assert err.count("\n") == 1
    assert viz_main(["explain", str(path), "--input", "1,2", "--wrt", "w⁽⁴⁾₀,₀"]) == 0
    assert "(backward() gives" in capsys.readouterr().out


def test_a_huge_graph_is_refused_by_draw_and_explore_after_walking_only_ten_times_the_limit(tmp_path):
    _, y = chain_of_sums(400_000)
    for attempt in (lambda: viz.draw(y), lambda: explore(y, tmp_path / "page.html")):
        with pytest.raises(ValueError, match=r"at least 30,001 values, more than max_nodes=3000"):
            attempt()
    assert list(tmp_path.iterdir()) == []


def test_edges_are_limited_as_well_as_values(tmp_path):
    leaves = [Value(float(k)) for k in range(100)]
    wide = autograd.sum([leaves[k % 100] for k in range(20_000)])  # 101 values, 20,000 edges
    for attempt in (lambda: viz.draw(wide), lambda: explore(wide, tmp_path / "page.html")):
        with pytest.raises(ValueError, match=r"20,000 edges, more than max_edges=6000"):
            attempt()
    assert viz.draw(wide, max_edges=20_000).source.count(" -> v100_op") == 20_000


def test_the_collapsed_view_has_limits_too(tmp_path, capsys):
    model = nn.MLP(300, [300, 1])
    with pytest.raises(ValueError, match=r"90,300 edges \(one per weight\), more than max_edges=6000"):
        viz.draw_model(model)
    with pytest.raises(ValueError, match=r"601 boxes .* more than max_nodes=600"):
        viz.draw_model(model, max_nodes=600, max_edges=100_000)
    path = tmp_path / "wide.json"
    model.save(path)
    assert viz_main(["draw", str(path), "--input", ",".join(["0.1"] * 300), "--collapsed", "-o",
                     str(tmp_path / "x.svg")]) == 2
    assert "max_edges=6000" in capsys.readouterr().err


def test_the_commands_refuse_a_big_model_before_building_its_graph(tmp_path, capsys, monkeypatch):
    path = tmp_path / "big.json"
    nn.MLP(2, [60, 60, 1], seed=0).save(path)  # 3,901 parameters: more values than the default 3,000

    def no_graph(*args):
        raise AssertionError("the graph was built")

    monkeypatch.setattr(nn.MLP, "__call__", no_graph)
    for command in (["draw", str(path), "--input", "1,2", "-o", str(tmp_path / "x.svg")],
                    ["explore", str(path), "--input", "1,2", "--level", "scalar", "-o", str(tmp_path / "x.html")]):
        assert viz_main(command) == 2
        err = capsys.readouterr().err
        assert "3,901 parameters" in err
        assert "--max-nodes 3000" in err
        assert err.count("\n") == 1


def test_layer_sizes_past_the_parameter_limit_are_refused_before_allocating():
    with pytest.raises(ValueError, match=f"more than the limit of {nn.MAX_PARAMETERS:,}"):
        nn.MLP(2, [2 ** 63])
    with pytest.raises(ValueError, match=r"nn\.MAX_PARAMETERS"):
        nn.Layer(2 ** 40, 2)


def test_train_refuses_huge_layers_and_a_batch_too_big_to_replay_naming_the_limits(capsys):
    assert nn_main(["train", "moons", "--hidden", "100000,100000", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "nn.MAX_PARAMETERS" in err
    assert err.count("\n") == 1
    assert nn_main(["train", "moons", "--samples", "1000000", "--quiet"]) == 2
    captured = capsys.readouterr()
    assert "nn.compiled.MAX_REPLAY_BYTES" in captured.err
    assert "batch size of at most" in captured.err
    assert "step" not in captured.out  # refused before the first step
    assert nn_main(["train", "moons", "--samples", "1000001", "--quiet"]) == 2
    assert "nn.datasets.MAX_SAMPLES" in capsys.readouterr().err


def test_a_batch_is_checked_against_the_replay_limit_and_evaluate_replays_in_chunks(monkeypatch):
    model = nn.MLP(2, [4, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(int)
    whole = nn.evaluate(model, (X, y))
    replay = nn.compiled.CompiledModel(model)
    monkeypatch.setattr(nn.compiled, "MAX_REPLAY_BYTES", 7 * replay.tape.bytes_per_row())
    with pytest.raises(ValueError, match="use a batch size of at most 7"):
        nn.Trainer(model, (X, y), loss="mse")
    assert nn.evaluate(model, (X, y)) == whole  # replayed 7 rows at a time
    nn.fit(model, (X, y), loss="mse", batch_size=7, steps=3, progress=False)


def test_training_stops_at_the_first_non_finite_loss_naming_the_step_and_keeping_the_parameters():
    X, y = nn.datasets.moons(100, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    trainer = nn.Trainer(model, (X, 2 * y - 1), loss="hinge", optimizer=nn.SGD(model.parameters(), lr=1e300),
                         l2=1e-4)
    trainer.step()  # finite loss, then weights of about 1e300
    weights = [p.data for p in model.parameters()]
    with pytest.raises(nn.TrainingDiverged, match=r"at step 1: the loss is nan.*smaller learning rate than 1e\+300") \
            as caught:
        trainer.step()
    # inf − inf in the huge weighted sums is NaN, and relu lets NaN through (issue 11: NaN propagates)
    assert isinstance(caught.value, ArithmeticError)
    assert caught.value.step == 1
    assert math.isnan(caught.value.loss)
    assert [p.data for p in model.parameters()] == weights
    assert len(trainer.history) == 1
    with pytest.raises(nn.TrainingDiverged, match="at step 0: the loss is nan"):  # fit runs the same step
        nn.fit(model, (X, 2 * y - 1), loss="hinge", l2=1e-4, steps=5, progress=False)


def test_train_that_diverges_says_so_in_one_line_and_saves_nothing(tmp_path, capsys):
    assert nn_main(["train", "moons", "--lr", "1e300", "--quiet", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "diverged at step" in err
    assert "smaller --lr than 1e+300" in err
    assert not (tmp_path / "run").exists()


def test_set_weights_changes_nothing_when_a_value_of_the_last_layer_is_bad():
    model = nn.MLP(2, [3, 2], seed=5)
    before = [p.data for p in model.parameters()]
    for bad in (float("nan"), "0.5", None, float("inf")):
        weights = model.get_weights()
        weights[-1][1][-1] = bad
        with pytest.raises((TypeError, ValueError), match=r"layer 2: bias \[1\] must be a finite number"):
            model.set_weights(weights)
        assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize("upstream", [None, [None], "1", True, [[1.0], [1.0, 2.0]]])
def test_tape_backward_refuses_what_is_not_numbers_instead_of_adding_nan(upstream):
    x, w = Value(1.0, "x"), Value(2.0, "w")
    tape = autograd.compile(x * w, inputs=[x])
    tape.forward([3.0])
    with pytest.raises(TypeError, match="upstream must be a number or an array of numbers"):
        tape.backward(upstream)
    assert w.grad == 0.0
    tape.backward(2)
    assert w.grad == 6.0


class HashCountingLeaf(Value):
    """A parameter that counts how often it is hashed (each set or dict it enters, each lookup)."""

    __slots__ = ()
    hashes = 0  # counted over every instance: the test reads it before and after one compile

    def __hash__(self) -> int:
        HashCountingLeaf.hashes += 1
        return id(self)


def hashes_per_parameter_to_compile(width: int) -> float:
    """Compile a two-layer net of ``width`` units with an L2 head (as nn traces a loss with a penalty)."""
    rng = np.random.default_rng(0)
    inputs = [Value(0.0, f"x{i}") for i in range(3)]
    first = [[HashCountingLeaf(w) for w in rng.normal(size=4)] for _ in range(width)]
    second = [HashCountingLeaf(w) for w in rng.normal(size=width + 1)]
    hidden = [autograd.sum([w * x for w, x in zip(row[:-1], inputs, strict=True)] + [row[-1]]).tanh() for row in first]
    output = autograd.sum([w * h for w, h in zip(second[:-1], hidden, strict=True)] + [second[-1]])
    parameters = [w for row in first for w in row] + second
    HashCountingLeaf.hashes = 0
    autograd.compile([output, autograd.sum([p * p for p in parameters])], inputs=inputs)
    return HashCountingLeaf.hashes / len(parameters)


def test_compiling_with_a_penalty_hashes_each_parameter_a_bounded_number_of_times():
    """Issue 24: every matrix weight rebuilt a set of all the buffered parameters (quadratic compile)."""
    small, large = hashes_per_parameter_to_compile(40), hashes_per_parameter_to_compile(320)
    assert large < 1.2 * small, (small, large)
