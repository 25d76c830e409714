"""A run's outputs are one unit, and every echoed name is one readable line (issue 24).

Ctrl-C after the model is written but before the pictures leaves the previous run's files as they
were; a finished run leaves only its own files; `nn export`/`nn import` print names with escape
sequences shown escaped; numpy's RuntimeWarnings become one line of ours.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nn
from nn.__main__ import main as nn_main

ROOT = Path(__file__).resolve().parents[2]
OUT_FILES = {"model.json", "loss.png", "boundary.png", "confusion.png"}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_ctrl_c_between_the_model_and_the_pictures_leaves_the_old_run_whole(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    assert nn_main(["train", "moons", "--steps", "3", "--out", str(out)]) == 0
    old = _snapshot(out)
    assert set(old) == OUT_FILES
    from nn import plots

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(plots, "decision_boundary", interrupted)  # after model.json and loss.png
    capsys.readouterr()
    assert nn_main(["train", "moons", "--steps", "7", "--seed", "4", "--out", str(out)]) == 130
    assert capsys.readouterr().err == "python -m nn: interrupted\n"
    assert _snapshot(out) == old  # every file the old run's, nothing staged left behind
    assert nn.load(out / "model.json").trained_steps == 3


def test_a_finished_run_replaces_the_whole_set_and_leaves_no_stale_picture(tmp_path, capsys):
    out = tmp_path / "run"
    assert nn_main(["train", "moons", "--steps", "3", "--out", str(out)]) == 0
    stale = out / ".chainrule-run-999999999-abandoned.tmp"  # left by a killed run (no such process)
    stale.mkdir()
    (stale / "model.json").write_text("half")
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert nn_main(["train", "moons", "--steps", "5", "--no-plots", "--out", str(out)]) == 0
    assert sorted(os.listdir(out)) == ["model.json", "notes.txt"]  # the old pictures went with the old model
    assert nn.load(out / "model.json").trained_steps == 5
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {out / 'model.json'}"


def test_export_and_import_show_escape_sequences_in_the_names_they_wrote(tmp_path, capsys):
    model_path = tmp_path / "m.json"
    nn.MLP(2, [3, 1], seed=0).save(model_path)
    weights = tmp_path / "w\x1b[31m.safetensors"
    assert nn_main(["export", str(model_path), "-o", str(weights)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "w\\x1b[31m.safetensors" in out.splitlines()[0]
    imported = tmp_path / "i\x07\n.json"
    assert nn_main(["import", str(weights), "-o", str(imported)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "\x07" not in out
    assert "i\\x07\\n.json" in out


def test_numpy_runtime_warnings_are_one_line_of_ours_without_source_lines(tmp_path):
    model_path = tmp_path / "m.json"
    model = nn.MLP(2, [1], seed=0, activation="linear")
    model.signature = nn.Signature(("x1", "x2"), features=("x1^2", "x2"))
    model.save(model_path)
    result = subprocess.run([sys.executable, "-m", "nn", "predict", str(model_path), "1e300", "1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    lines = result.stderr.splitlines()
    assert lines, result.stderr
    assert all(line.startswith("python -m nn: ") for line in lines), result.stderr
    assert "RuntimeWarning" not in result.stderr
    assert "overflow" in result.stderr


def test_ctrl_c_while_writing_a_first_run_leaves_no_empty_folders_behind(tmp_path, monkeypatch, capsys):
    from nn import plots

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(plots, "decision_boundary", interrupted)  # after model.json and loss.png are staged
    (tmp_path / "runs").mkdir()
    out = tmp_path / "runs" / "new" / "moons"
    assert nn_main(["train", "moons", "--steps", "3", "--quiet", "--out", str(out)]) == 130
    assert capsys.readouterr().err == "python -m nn: interrupted\n"
    assert os.listdir(tmp_path / "runs") == []  # runs/new/moons made for the run, removed with it; runs stays
