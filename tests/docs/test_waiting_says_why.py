"""Waiting without silence: ``make`` says what it does before each long step, the benchmarks print a
line per candidate as they measure it (on stderr, the tables on stdout stay clean)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import common, explain

ROOT = Path(__file__).resolve().parents[2]
# A stand-in python: "-m venv DIR" makes DIR/bin/python, which says what it was asked to run.
FAKE_PYTHON = """#!/bin/sh
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin"; printf '#!/bin/sh\\necho "ran: $*"\\n' > "$3/bin/python"; chmod +x "$3/bin/python"
fi
"""


def make(target: str, tmp_path: Path) -> list[str]:
    fake = tmp_path / "python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    venv = tmp_path / "venv"
    result = subprocess.run(["make", "-s", target, f"PYTHON={fake}", f"VENV={venv}", f"TOUR_OUT={tmp_path / 'tour'}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def position(lines: list[str], text: str) -> int:
    return next(number for number, line in enumerate(lines) if text in line)


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("dot") is None, reason="needs make and Graphviz")
def test_make_demo_says_what_it_does_before_each_step(tmp_path):
    lines = make("demo", tmp_path)
    steps = ["make: creating the virtual environment", "make: installing chainrule with its extras",
             "ran: -m pip install", "is ready", "make demo: the tour", "ran: -m examples.tour"]
    assert [position(lines, step) for step in steps] == sorted(position(lines, step) for step in steps)
    again = make("demo", tmp_path)  # installed: straight to the tour
    assert not any("installing" in line for line in again)
    assert any("make demo: the tour" in line for line in again)


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("chromium") is None or shutil.which("dot") is None,
                    reason="needs make, Graphviz and chromium")
def test_make_test_says_what_it_does_before_each_step(tmp_path):
    lines = make("test", tmp_path)
    steps = ["make: installing chainrule", "make lint: ruff", "ran: -m ruff check", "ran: -m mypy",
             "make test: the test suite", "ran: -m pytest"]
    assert [position(lines, step) for step in steps] == sorted(position(lines, step) for step in steps)


def test_each_candidate_gets_a_line_as_it_is_measured(capsys):
    medians = common.interleaved_medians({"first": lambda: None, "second": lambda: None}, repeats=3,
                                         min_seconds=0.001, label="two no-ops")
    printed = capsys.readouterr()
    lines = printed.err.splitlines()
    assert printed.out == ""
    assert set(medians) == {"first", "second"}
    assert lines[:2] == ["bench: two no-ops: first: measuring", "bench: two no-ops: second: measuring"]
    for name in medians:
        assert any(line.startswith(f"bench: two no-ops: {name}: ") and "per call (median of 3)" in line
                   for line in lines[2:])


def test_a_benchmark_command_prints_its_progress_before_its_table(capsys):
    explain.main(["--max-length", "10000", "--repeats", "1", "--mlp-width", "4"])
    printed = capsys.readouterr()
    assert "bench: a chain of 10,000 nodes: explain: measuring" in printed.err
    assert "bench: MLP [4, 4, 4, 1]: explain_each: measuring" in printed.err
    assert "| nodes |" in printed.out
    assert "bench:" not in printed.out


@pytest.mark.parametrize("command", [["-m", "bench.engine"], ["bench/engine.py"]])
def test_the_engine_race_says_which_framework_it_is_timing(command):
    pytest.importorskip("micrograd")
    result = subprocess.run([sys.executable, *command, "--points", "2", "--repeats", "2"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("chainrule", "micrograd"):
        assert f"bench: {name}: build + backward, repeat 2 of 2" in result.stderr
