"""The benchmark stays runnable as the README says (a smoke run: no timing is asserted)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", [["-m", "bench.engine"], ["bench/engine.py"]])
def test_the_benchmark_runs_both_ways_and_prints_its_table(command):
    pytest.importorskip("micrograd")
    result = subprocess.run([sys.executable, *command, "--points", "2", "--repeats", "1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    for row in ["build (CPU ms)", "backward (CPU ms)", "build+backward (CPU ms)", "training step",
                "graph nodes", "bytes per node", "same graph"]:
        assert row in result.stdout, row
    assert "command: python -m bench.engine --points 2 --repeats 1 --seed 0" in result.stdout


def test_the_two_frameworks_build_the_same_loss():
    pytest.importorskip("micrograd")
    from bench.engine import chainrule_loss, make_problem, micrograd_loss
    problem = make_problem(5, seed=3)
    assert chainrule_loss(*problem).data == pytest.approx(micrograd_loss(*problem).data, rel=1e-12)


def test_bad_arguments_are_one_line_on_stderr():
    result = subprocess.run([sys.executable, "-m", "bench.engine", "--repeats", "0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "--repeats" in result.stderr
