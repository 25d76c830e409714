"""bench.playground runs and prints its table against the issue's targets (no timing is asserted)."""
from __future__ import annotations

from bench import playground


def test_the_playground_benchmark_runs_and_prints_its_table(capsys):
    playground.main(["--repeats", "1", "--seconds", "0.3", "--idle-seconds", "0.2"])
    printed = capsys.readouterr().out
    for row in ("| training alone |", "| while streaming: heatmap refreshes |", "| CPU while paused"):
        assert row in printed
    assert "≥ 20 epochs/s" in printed
    assert "≥ 10 frames/s" in printed
