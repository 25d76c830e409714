"""One convention for every command line (``autograd.conventions.command_line``): the same exit status for the
same kind of mistake.

2 for a user mistake (one line on stderr, no usage dump), 130 for Ctrl-C (one line), never a traceback.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from nn.__main__ import main as nn_main
from viz.__main__ import main as viz_main

ROOT = Path(__file__).resolve().parents[2]

# the same kind of mistake, once for each command line
MISTAKES = {
    "an unknown command": (["frobnicate"], ["frobnicate"]),
    "a missing argument": (["predict"], ["draw", "four-neuron"]),
    "a number that is not finite": (["train", "moons", "--lr", "nan"],
                                    ["explore", "four-neuron", "-o", "{tmp}/x.html", "--lr", "nan"]),
    "a negative learning rate": (["train", "moons", "--lr", "-1"],
                                 ["explore", "four-neuron", "-o", "{tmp}/x.html", "--lr", "-1"]),
    "a missing file": (["predict", "{tmp}/missing.json", "1"], ["explain", "{tmp}/missing.json", "--input", "1"]),
    "a damaged model file": (["predict", "{tmp}/broken.json", "1"], ["explain", "{tmp}/broken.json", "--input", "1"]),
}


@pytest.mark.parametrize("kind", MISTAKES)
def test_both_command_lines_exit_2_with_one_line_for_the_same_mistake(kind, tmp_path, capsys):
    (tmp_path / "broken.json").write_text('{"format": "chainrule.mlp", "vers')
    for prog, main, argv in zip(("python -m nn", "python -m viz"), (nn_main, viz_main), MISTAKES[kind], strict=True):
        assert main([a.format(tmp=tmp_path) for a in argv]) == 2, (prog, kind)
        captured = capsys.readouterr()
        assert captured.out == "", (prog, captured.err)
        assert captured.err.count("\n") == 1, (prog, captured.err)
        assert captured.err.startswith(f"{prog}: error: ")
        assert "usage:" not in captured.err
        assert f"see {prog}" in captured.err or kind.startswith(("a missing file", "a damaged"))


BENCH_PROGRESS = re.compile(r"bench: [\w ,]+: (eager|compiled): (measuring|\S+ .?s per call \(median of 1\))\n")


def _interrupted(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Start a command, wait for its first line of output (it is past its imports), then press Ctrl-C."""
    process = subprocess.Popen([sys.executable, "-m", *argv], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)})
    try:
        line = "\n"
        while line and not line.strip():
            line = process.stdout.readline()
        assert line, f"the command ended before printing a line: {process.stderr.read()[-2000:]}"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    return subprocess.CompletedProcess(argv, process.returncode, out, err)


@pytest.mark.parametrize(("argv", "progress"), [
    (["nn", "train", "moons", "--steps", "1000000", "--quiet", "--no-plots"], None),
    (["examples.eleven_lines"], None),
    (["bench.scaling", "--repeats", "1"], BENCH_PROGRESS),
], ids=["nn train", "examples.eleven_lines", "bench.scaling"])
def test_ctrl_c_exits_130_with_one_line(argv, progress, tmp_path):
    result = _interrupted(argv, tmp_path)
    assert result.returncode == 130, result.stderr
    *before, last = result.stderr.splitlines(keepends=True) or [""]
    assert last == f"python -m {argv[0]}: interrupted\n"
    # a benchmark's progress lines may come first (on a loaded machine the signal can land after them); nothing
    # else before the one line, nothing after it
    assert all(progress and progress.fullmatch(line) for line in before), result.stderr


def test_ctrl_c_in_viz_exits_130_with_one_line(monkeypatch, capsys):
    import viz.__main__

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(viz.__main__, "resolve", interrupted)
    assert viz_main(["explain", "four-neuron"]) == 130
    assert capsys.readouterr().err == "python -m viz: interrupted\n"


def test_nn_train_checks_every_option_before_printing_or_training(capsys):
    assert nn_main(["train", "moons", "--optimizer", "adam", "--momentum", "0.9"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--momentum applies to --optimizer sgd" in captured.err


@pytest.mark.parametrize("hidden", ["²", "1" * 40, "16,-1"])
def test_bad_layer_sizes_say_what_is_expected(hidden, capsys):
    assert nn_main(["train", "moons", "--hidden", hidden]) == 2
    err = capsys.readouterr().err
    assert "expected layer sizes like 16,16 (or none)" in err
    assert "_sizes" not in err


def test_explore_refuses_a_file_name_that_is_not_a_page(tmp_path, capsys):
    assert viz_main(["explore", "four-neuron", "-o", str(tmp_path / "x.jpg")]) == 2
    assert "must end in .html" in capsys.readouterr().err
    assert not (tmp_path / "x.jpg").exists()


def test_escape_sequences_in_a_file_name_are_shown_escaped(tmp_path, capsys):
    name = str(tmp_path / "evil\x1b[2J\x07.json")
    assert nn_main(["predict", name, "1"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "evil\\x1b[2J\\x07.json" in err


def test_a_huge_echoed_input_is_cut(tmp_path, capsys):
    path = tmp_path / "model.json"
    nn.MLP(2, [1], seed=0).save(path)
    document = json.loads(path.read_text())
    document["architecture"]["activation"] = ["relu"] * 200_000
    path.write_text(json.dumps(document))
    for main, argv in ((nn_main, ["predict", str(path), "1", "2"]),
                       (viz_main, ["explain", str(path), "--input", "1,2"])):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "architecture.activation" in err
        assert len(err) < 500


def test_nn_help_is_plain_text_with_defaults_and_each_dataset_once():
    parser_help = subprocess.run([sys.executable, "-m", "nn", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert parser_help.returncode == 0
    assert "``" not in parser_help.stdout
    train_help = subprocess.run([sys.executable, "-m", "nn", "train", "--help"], cwd=ROOT, capture_output=True,
                                text=True).stdout
    assert train_help.count("xor-table") == 2  # listed once as a choice, once in the defaults table
    assert "{moons," not in train_help
    flat = " ".join(train_help.split())
    assert "--loss {hinge,cross_entropy,bce,mse,sse} loss function (default: the dataset's, below)" in flat
    assert "--optimizer {sgd,adam} optimiser, PyTorch's update rules (default: the dataset's, below)" in flat
    assert "moons         --hidden 16,16 relu, hinge, l2 0.0001, sgd lr 1→0.1, 100 steps" in train_help
    predict_help = subprocess.run([sys.executable, "-m", "nn", "predict", "--help"], cwd=ROOT, capture_output=True,
                                  text=True).stdout
    assert "space-separated" in predict_help


def test_bench_demo_step_names_its_command():
    result = subprocess.run([sys.executable, "-m", "bench.demo_step", "--help"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.stdout.startswith("usage: python -m bench.demo_step")


def test_digits_subset_keeps_one_output_per_class_of_the_dataset(tmp_path, capsys):
    pytest.importorskip("sklearn")
    assert nn_main(["train", "digits", "--samples", "3", "--steps", "1", "--quiet", "--no-plots",
                    "--out", str(tmp_path)]) == 0
    assert nn.load(tmp_path / "model.json").nouts[-1] == 10  # the digits 0-9, not the classes of 3 images


def test_eleven_lines_reports_each_error_while_it_trains():
    from examples import eleven_lines

    class Seen(Exception):
        pass

    def stop_at_the_second(error):
        if reported:
            raise Seen  # reached during training, not after it
        reported.append(error)
    reported: list[float] = []
    with pytest.raises(Seen):
        eleven_lines.train(steps=5, report_every=2, report=stop_at_the_second)
    assert reported == eleven_lines.train(steps=1, report_every=2)


def test_the_readme_quick_scaling_run_is_small():
    from bench import scaling

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = float(re.search(r"`--max-nodes (\S+)` for a quick run", readme).group(1))
    points, lengths = scaling.planned_sizes(quick)
    nodes = sum(points) * scaling.NODES_PER_POINT + sum(lengths) * scaling.NODES_PER_LINK
    assert 0 < nodes <= 30_000, nodes  # the 2e5 run (99k wide + 111k deep nodes, traced 3 times) took minutes


@pytest.mark.parametrize("argv", [["examples.loy_network", "--steps", "0"], ["examples.digits", "--epochs", "-1"]])
def test_the_examples_refuse_a_run_of_no_steps_in_one_line(argv):
    result = subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (f"python -m {argv[0]}: error: argument {argv[1]}: expected a positive whole number, "
                             f"got '{argv[2]}' (see python -m {argv[0]} --help)\n")  # was an IndexError's traceback


def test_a_reader_that_stops_early_ends_the_command_quietly_with_status_141(tmp_path):
    nn.MLP(2, [16, 16, 1], seed=0).save(tmp_path / "model.json")  # its explanation: 360 kB, past a pipe's buffer
    process = subprocess.Popen([sys.executable, "-m", "viz", "explain", str(tmp_path / "model.json"), "--input",
                                "1,2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().startswith("model.json: MLP(2")  # then `| head -1` closes the pipe
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=60) == 141
    assert err == ""  # was "python -m viz: error: Broken pipe" and status 2, a user mistake that was none


@pytest.mark.parametrize("name", ["demo_step", "digits_lab", "engine", "explain", "explorer_page", "mnist_memory",
                                  "mnist_step", "playground", "scaling"])
def test_every_bench_command_refuses_a_bad_count_in_one_line_before_measuring(name):
    count = {"digits_lab": "--opens", "mnist_memory": "--epochs"}.get(name, "--repeats")
    result = subprocess.run([sys.executable, "-m", f"bench.{name}", count, "0"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2, result.stderr  # digits_lab exited 0 after any error
    assert result.stderr == (f"python -m bench.{name}: error: argument {count}: expected a positive whole number, "
                             f"got '0' (see python -m bench.{name} --help)\n")  # no usage dump, no 'no median'
