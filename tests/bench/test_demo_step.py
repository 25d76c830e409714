"""The benchmarks compare like with like: every demo-step candidate computes the same training
step (checked against the hand-written numpy MLP and micrograd), and both scripts run. No timings
are asserted."""
from __future__ import annotations

import importlib.util

import pytest

from bench import demo_step, explain, mnist_step, scaling
from bench.common import moons


def test_every_demo_step_candidate_takes_the_same_three_steps():
    X, y = moons(12, seed=1)
    layers = demo_step.initial_layers(1)
    candidates = {"eager": demo_step.eager(layers, X, y),
                  "rows": demo_step.compiled_rows(layers, X, y)[0],
                  "whole": demo_step.compiled_whole(layers, X, y)[0],
                  "nn train step": demo_step.compiled_train_step(layers, X, y),
                  "numpy": demo_step.hand_written_numpy(layers, X, y)}
    if importlib.util.find_spec("micrograd"):
        candidates["micrograd"] = demo_step.micrograd(layers, X, y)
    for _ in range(3):
        demo_step.check_agreement(candidates, reference="numpy")


def test_check_agreement_notices_a_different_step():
    X, y = moons(6, seed=2)
    numpy_step = demo_step.hand_written_numpy(demo_step.initial_layers(2), X, y)
    other = demo_step.hand_written_numpy(demo_step.initial_layers(3), X, y)
    with pytest.raises(AssertionError, match="other: loss"):
        demo_step.check_agreement({"numpy": numpy_step, "other": other}, reference="numpy")


def test_the_benchmark_scripts_run_and_print_their_tables(capsys):
    demo_step.main(["--points", "8", "--repeats", "1", "--sample-seconds", "0"])
    scaling.main(["--max-nodes", "1200", "--repeats", "1", "--max-parameters", "800"])
    printed = capsys.readouterr().out
    assert "| chainrule compiled: per-example graph × 8 rows |" in printed
    assert "| hand-written numpy | " in printed
    assert printed.count("| nodes | replay groups |") == 2
    assert "| 751 | " in printed  # the parameters table: MLP(2, [25, 25, 1]) with and without L2


def test_every_mnist_step_candidate_takes_the_same_steps():
    layers = mnist_step.initial_layers(3)
    data = mnist_step.generated_data(300, seed=3)
    batch = (data[0][:100], data[1][:100])
    candidates = {"held": mnist_step.chainrule(layers, batch, data, hold=True)[0],
                  "written": mnist_step.chainrule(layers, batch, data, hold=False)[0],
                  "numpy": mnist_step.hand_written_numpy(layers, batch, data)}
    if importlib.util.find_spec("torch"):
        candidates["torch"] = mnist_step.pytorch(layers, batch, data)
    for _ in range(2):
        mnist_step.check_agreement(candidates, reference="numpy")
    other = mnist_step.hand_written_numpy(mnist_step.initial_layers(4), batch, data)
    with pytest.raises(AssertionError, match="other: loss"):
        mnist_step.check_agreement({"numpy": candidates["numpy"], "other": other}, reference="numpy")


def test_the_mnist_benchmark_runs_and_prints_both_thread_settings(capsys):
    mnist_step.main(["--rows", "300", "--repeats", "1", "--epoch-repeats", "1", "--sample-seconds", "0"])
    printed = capsys.readouterr().out
    assert "one BLAS thread:" in printed
    assert "default threads:" in printed
    assert "| chainrule compiled (steps of an epoch: parameters held in arrays) |" in printed
    assert "trace + compile" in printed


def test_the_explain_benchmark_runs_and_checks_explain_each_against_explain(capsys):
    explain.main(["--max-length", "10000", "--repeats", "1", "--mlp-width", "8"])
    printed = capsys.readouterr().out
    assert "| 10,000 |" in printed
    assert "| 2-8-8-8-1 | 9 |" in printed
