"""``python -m viz``: the lesson's chain with numbers, files by suffix, missing Graphviz, user mistakes."""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from viz import resolve
from viz.__main__ import main
from viz.chain import DEFAULT_B, DEFAULT_W

ROOT = Path(__file__).resolve().parents[2]
NUMBER = r"\(?(-?\d+\.\d+)\)?"


def run_viz(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viz", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=env)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def lesson_forward(a0: float, y: float) -> dict[str, float]:
    """The four-neuron network by hand, with the closed-form factors of ∂C₀/∂w⁽ᴸ⁾."""
    a, z = [a0], [None]
    for w, b in zip(DEFAULT_W, DEFAULT_B, strict=True):
        z.append(w * a[-1] + b)
        a.append(sigmoid(z[-1]))
    slope = [None] + [a[k] * (1 - a[k]) for k in (1, 2, 3)]  # σ'(z⁽ᵏ⁾) = a⁽ᵏ⁾(1 − a⁽ᵏ⁾)
    return {"a": a, "slope": slope, "dC_da3": 2 * (a[3] - y)}


def factor_rows(stdout: str) -> list[list[str]]:
    """The explanation's lines after the first ``=``, split into factors."""
    rows = [line.split("= ", 1)[1] for line in stdout.splitlines() if "= " in line]
    return [row.split(" · ") for row in rows]


@pytest.mark.parametrize("wrt", ["w3", "w⁽³⁾"])
def test_explain_prints_the_lessons_chain_for_w3_with_the_right_numbers(wrt):
    a0, y = 0.8, 0.0
    result = run_viz("explain", "four-neuron", "--wrt", wrt, "--input", str(a0), "--target", str(y))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "∂C₀/∂w⁽³⁾ = ∂z⁽³⁾/∂w⁽³⁾ · ∂a⁽³⁾/∂z⁽³⁾ · ∂C₀/∂a⁽³⁾" in out
    assert "= a⁽²⁾ · σ'(z⁽³⁾) · 2(a⁽³⁾ − y)" in out
    reference = lesson_forward(a0, y)
    expected = [reference["a"][2], reference["slope"][3], reference["dC_da3"]]
    numbers_line = next(line for line in out.splitlines() if re.search(r"= \d|= \(-", line) and "·" in line)
    printed = [float(x) for x in re.findall(NUMBER, numbers_line)]
    assert printed == pytest.approx(expected, abs=5e-5)
    closed_form = math.prod(expected)
    total = float(re.findall(r"^\s+= (-?\d+\.\d+)$", out, flags=re.M)[-1])
    assert total == pytest.approx(closed_form, abs=5e-5)
    from_backward = float(re.search(r"backward\(\) gives (\S+)\)", out).group(1))
    assert from_backward == pytest.approx(closed_form, rel=1e-9)
    source = resolve("four-neuron", [a0], [y])
    assert source.find("w3").grad == pytest.approx(from_backward, rel=1e-9)


def test_explain_w1_flows_back_through_w3_and_w2():
    result = run_viz("explain", "four-neuron", "--wrt", "w1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "= a⁽⁰⁾ · σ'(z⁽¹⁾) · w⁽²⁾ · σ'(z⁽²⁾) · w⁽³⁾ · σ'(z⁽³⁾) · 2(a⁽³⁾ − y)" in out
    reference = lesson_forward(0.5, 1.0)
    a, slope = reference["a"], reference["slope"]
    expected = [a[0], slope[1], DEFAULT_W[1], slope[2], DEFAULT_W[2], slope[3], reference["dC_da3"]]
    numbers_line = [line for line in out.splitlines() if line.count("·") == 6][-1]
    assert [float(x) for x in re.findall(NUMBER, numbers_line)] == pytest.approx(expected, abs=5e-5)
    from_backward = float(re.search(r"backward\(\) gives (\S+)\)", out).group(1))
    assert from_backward == pytest.approx(math.prod(expected), rel=1e-9)


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_draw_writes_each_format_by_suffix_and_leaves_no_temporary_files(tmp_path, suffix, magic):
    target = tmp_path / f"chain{suffix}"
    result = run_viz("draw", "four-neuron", "-o", str(target), "--gradient-flow")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(magic)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    if suffix == ".svg":
        text = target.read_text(encoding="utf-8")
        assert all(label in text for label in ["w⁽³⁾", "a⁽²⁾", "z⁽³⁾", "b⁽³⁾", "C₀"])


def test_missing_dot_exits_non_zero_says_how_to_install_and_keeps_the_dot_source(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(bin_dir)}
    target = tmp_path / "out" / "chain.svg"
    target.parent.mkdir()
    result = run_viz("draw", "four-neuron", "-o", str(target), env=env)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert "Graphviz is missing" in result.stderr
    assert "apt-get install graphviz" in result.stderr
    assert "brew install graphviz" in result.stderr
    source = target.with_suffix(".gv").read_text(encoding="utf-8")
    assert source.startswith("digraph")
    assert "w⁽³⁾" in source
    assert not target.exists()


@pytest.mark.parametrize(("args", "says"), [
    (["draw", "no-such-graph", "-o", "x.svg"], "four-neuron, neuron, micrograd-example"),
    (["draw", "four-neuron", "-o", "chain.txt"], ".svg, .png, .pdf"),
    (["explain", "four-neuron", "--wrt", "w9"], "no node named 'w9'"),
    (["explain", "four-neuron", "--input", "abc"], "expected finite numbers separated by commas (0.5,-1) or spaces"),
    (["explain", "four-neuron", "--input", "1,2"], "takes 1 number"),
    (["draw", "four-neuron"], "-o/--output"),
    (["draw", "four-neuron", "-o", "x.svg", "--collapsed"], "--collapsed draws a saved nn model"),
    (["draw", "micrograd-example", "-o", "x.svg", "--max-nodes", "5"], "more than --max-nodes 5; pass --max-nodes"),
    (["explain", "missing-model.json", "--input", "1"], "no such model file"),
    (["frobnicate"], "invalid choice"),
    (["draw", "four-neuron", "-o", "no-such-folder/x.svg"], "does not exist"),
])
def test_user_mistakes_print_one_line_and_exit_non_zero(tmp_path, capsys, args, says):
    args = [str(tmp_path / a) if a.endswith((".svg", ".txt", ".json")) else a for a in args]
    status = main(args)  # in process, for speed; the subprocess tests above cover the entry point
    assert status != 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert says in lines[0]


def test_explore_writes_the_page(tmp_path):
    target = tmp_path / "explorer.html"
    result = run_viz("explore", "four-neuron", "-o", str(target))
    assert result.returncode == 0, result.stderr
    page = target.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', page,
                                flags=re.S).group(1))
    grads = {node["name"]: node["grad"] for node in data["nodes"]}
    reference = lesson_forward(0.5, 1.0)  # the command's defaults, by hand
    by_hand = reference["a"][2] * reference["slope"][3] * reference["dC_da3"]
    assert grads["w⁽³⁾"] == pytest.approx(by_hand, rel=1e-9)


def test_an_explored_page_over_max_nodes_names_the_shell_option_not_the_python_keyword(tmp_path):
    target = tmp_path / "explorer.html"
    result = run_viz("explore", "four-neuron", "--max-nodes", "5", "-o", str(target))
    assert result.returncode == 0, result.stderr
    data = json.loads(re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>',
                                target.read_text(encoding="utf-8"), flags=re.S).group(1))
    assert data["level"] == "neuron"  # the scalar view is left out, the network's views stay
    assert "more than --max-nodes 5; pass --max-nodes" in data["scalar_refused"]
    assert "python -m viz explain" in data["scalar_refused"]
    assert "max_nodes" not in data["scalar_refused"]
    assert "autograd.explain" not in data["scalar_refused"]


def svg_size(path: Path) -> tuple[float, float]:
    head = path.read_text(encoding="utf-8")[:2000]
    width, height = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', head).groups()
    return float(width), float(height)


def test_draw_four_neuron_reads_top_down_by_default(tmp_path):
    assert main(["draw", "four-neuron", "-o", str(tmp_path / "down.svg")]) == 0
    width, height = svg_size(tmp_path / "down.svg")
    assert height > width, (width, height)  # not a 3403 × 137 pt strip
    assert width < 1000, (width, height)
    assert main(["draw", "four-neuron", "-o", str(tmp_path / "across.svg"), "--left-right"]) == 0
    width, height = svg_size(tmp_path / "across.svg")
    assert width > 5 * height


def test_collapsed_with_a_target_draws_the_cost_the_explanation_uses(tmp_path, capsys):
    model = nn.MLP(2, [3, 1], activation="tanh", seed=3)
    model.save(tmp_path / "model.json")
    args = [str(tmp_path / "model.json"), "--input", "0.5,-1", "--target", "0.25"]
    assert main(["draw", *args, "--collapsed", "-o", str(tmp_path / "net.svg")]) == 0
    drawn = tmp_path.joinpath("net.svg").read_text(encoding="utf-8")
    cost = resolve(str(tmp_path / "model.json"), [0.5, -1.0], [0.25]).output
    assert 'id="cost"' in drawn
    assert f"C₀ = {cost.data:.4f}" in drawn
    assert "y = 0.2500" in drawn


@pytest.mark.parametrize("command", ["explain", "explore"])
def test_the_help_of_target_says_what_the_command_does_with_it(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"target numbers y: {command} the cost C₀" in text
    assert "draw" not in text.split("--target")[1][:80]


def test_viz_explain_on_a_64_64_64_1_model_is_refused_with_the_limit_before_any_term(tmp_path, capsys):
    path = tmp_path / "m.json"
    nn.MLP(2, [64, 64, 64, 1], seed=0).save(path)
    assert main(["explain", str(path), "--input", "1,2"]) == 2
    err = capsys.readouterr().err
    # paths from the inputs' weights: 192 · 64 · 64, the middle layer's 4160 · 64, the last 4160 + 65 · 1
    assert f"{192 * 64 * 64 + 4160 * 64 + 4160 + 65:,} paths" in err  # 1,056,897, as the README says
    assert "more than --max-paths 10000; pass --max-paths 1056897 or more" in err
    assert err.count("\n") == 1
    assert main(["explain", str(path), "--input", "1,2", "--wrt", "w⁽⁴⁾₀,₀"]) == 0
    assert "(backward() gives" in capsys.readouterr().out


def test_the_commands_refuse_a_big_model_before_building_its_graph(tmp_path, capsys, monkeypatch):
    path = tmp_path / "big.json"
    nn.MLP(2, [60, 60, 1], seed=0).save(path)  # 3,901 parameters: more values than the default 3,000

    def no_graph(*args):
        raise AssertionError("the graph was built")

    monkeypatch.setattr(nn.MLP, "__call__", no_graph)
    for command in (["draw", str(path), "--input", "1,2", "-o", str(tmp_path / "x.svg")],
                    ["explore", str(path), "--input", "1,2", "--level", "scalar", "-o", str(tmp_path / "x.html")]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "3,901 parameters" in err
        assert "--max-nodes 3000" in err
        assert err.count("\n") == 1



def _micrograd_example_size() -> tuple[int, int]:
    """Values and operand links of the micrograd example, counted here by a walk of its parents."""
    seen, waiting = set(), [resolve("micrograd-example").output]
    while waiting:
        node = waiting.pop()
        if node not in seen:
            seen.add(node)
            waiting.extend(node.parents)
    return len(seen), sum(len(node.parents) for node in seen)


VALUES, EDGES = _micrograd_example_size()


@pytest.mark.parametrize(("args", "says"), [
    (["draw", "micrograd-example", "-o", "x.svg", "--max-nodes", "20"],
     f"{VALUES} values, more than --max-nodes 20; pass --max-nodes {VALUES} or more"),
    (["draw", "micrograd-example", "-o", "x.svg", "--max-edges", "20"],
     f"{EDGES} edges, more than --max-edges 20; pass --max-edges {EDGES} or more"),
    (["explore", "micrograd-example", "-o", "x.html", "--max-nodes", "20", "--level", "scalar"],
     f"{VALUES} values, more than --max-nodes 20; pass --max-nodes {VALUES} or more"),
    (["draw", "m.json", "--input", "1,2", "--collapsed", "-o", "x.svg", "--max-nodes", "2"],
     "6 boxes (inputs and neurons), more than --max-nodes 2; pass --max-nodes 6 or more"),
    (["explain", "four-neuron", "--max-paths", "2"], "more than --max-paths 2; pass --max-paths 6 or more"),
])
def test_a_size_limit_hit_from_the_shell_names_the_option_and_the_value_that_would_do(tmp_path, capsys, args, says):
    nn.MLP(2, [3, 1], seed=0).save(tmp_path / "m.json")  # 2 inputs + 3 + 1 neurons: 6 boxes
    args = [str(tmp_path / a) if a.endswith((".svg", ".html", ".json")) else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert says in err
    assert not re.search(r"max_(nodes|edges|paths)", err)  # the keywords a Python caller passes


@pytest.mark.parametrize("command", [["draw", "-o", "x.svg"], ["explain"], ["explore", "-o", "x.html"], ["program"]])
def test_a_folder_or_a_missing_path_as_the_source_says_which_and_what_would_do(tmp_path, capsys, command):
    def refusal(source: str) -> str:
        argv = [command[0], source, *[str(tmp_path / a) if "." in a else a for a in command[1:]]]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        return err

    empty, run = tmp_path / "empty", tmp_path / "runs" / "moons"
    empty.mkdir()
    run.mkdir(parents=True)
    nn.MLP(2, [3, 1], seed=0).save(run / "model.json")
    assert (f"{empty} is a folder, not a model file: give the path of a MODEL.json saved by nn (python -m nn "
            f"train writes model.json into its --out folder), or one of the built-in sources four-neuron") in refusal(
        str(empty))
    assert f"{run} is a folder, not a model file: give the path of a MODEL.json saved by nn such as " \
           f"{run / 'model.json'}, or one" in refusal(str(run))
    assert f"no such file or built-in source '{tmp_path / 'nowhere'}'; use one of four-neuron" in refusal(
        str(tmp_path / "nowhere"))
    assert f"no such model file: {tmp_path / 'nowhere.json'}" in refusal(str(tmp_path / "nowhere.json"))
    assert "unknown source 'moonz'; use one of four-neuron" in refusal("moonz")


@pytest.mark.parametrize("command", [["draw", "-o", "{tmp}/x.svg"], ["explain"], ["explore", "-o", "{tmp}/x.html"],
                                     ["program"]])
def test_a_classifier_without_a_target_is_refused_in_the_words_of_every_command(tmp_path, capsys, command):
    from nn.__main__ import main as nn_main

    assert nn_main(["train", "blobs", "--steps", "1", "--quiet", "--no-plots", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    argv = [command[0], str(tmp_path / "model.json"), "--input", "0.5,0.5", *command[1:]]
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # it said "… to draw the cost C₀ instead" to explain and program too
    assert (f"{tmp_path / 'model.json'} has 3 outputs; give a target (its class index or name; --target on the "
            f"command line) so that the graph ends in one number, the cost C₀") in err
    assert [path.name for path in tmp_path.iterdir()] == ["model.json"]
