"""A full drawing too large to read is refused before Graphviz runs (issue 20): the estimate against the size
``dot`` itself lays out, and the README's iris command, which drew a 94,685 px wide SVG."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import autograd
import nn
import viz.__main__ as viz_cli
from nn.__main__ import main as nn_main
from viz import draw, resolve
from viz.readable import READABLE_PX, estimated_size

ROOT = Path(__file__).resolve().parents[2]


def dot_size(graph) -> tuple[float, float]:
    """The SVG's width and height in CSS pixels, as Graphviz lays the graph out."""
    svg = subprocess.run(["dot", "-Tsvg"], input=graph.source, capture_output=True, text=True, check=True).stdout
    width, height = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(width) * 4 / 3, float(height) * 4 / 3


def network_cost(nin: int, sizes: list[int]) -> autograd.Value:
    model = nn.MLP(nin, sizes, seed=0)
    outputs = model([0.1 * k for k in range(nin)])
    cost = autograd.sum([a * a for a in (outputs if isinstance(outputs, list) else [outputs])])
    cost.backward()
    return cost


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
@pytest.mark.parametrize("graph", ["micrograd-example", "2-4-4-1", "3-3-3", "2-8-8-1"])
def test_the_estimate_is_close_to_the_size_dot_draws(graph, rankdir):
    if graph in viz_cli.BUILTINS:
        output = resolve(graph).output
    else:
        nin, *sizes = map(int, graph.split("-"))
        output = network_cost(nin, sizes)
    estimate, actual = estimated_size(output, rankdir), dot_size(draw(output, rankdir=rankdir))
    assert max(estimate) == pytest.approx(max(actual), rel=0.2)


def test_the_readmes_iris_drawing_is_refused_before_graphviz_with_what_to_do_instead(tmp_path, capsys, monkeypatch):
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "iris.csv", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    assert nn_main(["train", "examples/iris.csv", "--target", "species", "--epochs", "2", "--quiet", "--no-plots"]) == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    collapsed = re.search(r"`python -m viz\s+draw\s+(runs/iris/model\.json .*?--collapsed -o iris\.svg)`",
                          readme, flags=re.S).group(1).split()
    full = [part for part in collapsed if part != "--collapsed"]  # the command the issue ran
    width, _ = estimated_size(resolve("runs/iris/model.json", [6.3, 2.9, 5.6, 1.8], [2]).output)
    assert width > 4 * READABLE_PX
    monkeypatch.setattr(viz_cli, "render", lambda *args: pytest.fail("Graphviz ran for an unreadable drawing"))
    capsys.readouterr()
    assert viz_cli.main(["draw", *full]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("python -m viz: error: the full drawing would be about ")
    assert "--collapsed" in err
    assert "--level neuron" in err
    assert "20,000 px" in err
    assert not (tmp_path / "iris.svg").exists()
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert viz_cli.main(["draw", *collapsed]) == 0
    assert (tmp_path / "iris.svg").stat().st_size > 0


def test_a_readable_drawing_is_drawn(tmp_path):
    assert viz_cli.main(["draw", "four-neuron", "-o", str(tmp_path / "chain.svg")]) == 0
    svg = (tmp_path / "chain.svg").read_text(encoding="utf-8")
    width, height = map(float, re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert max(width, height) * 4 / 3 <= READABLE_PX  # CSS pixels: 96 per inch, 72 points
    # the lesson's chain, counted by hand: a⁽⁰⁾, y and six parameters; three w·a, z, σ; a⁽³⁾ − y and its square
    kinds = re.findall(r'class="node (value leaf|value constant|value|op [a-z]+)"', svg)
    assert {kind: kinds.count(kind) for kind in kinds} == {
        "value leaf": 8, "value constant": 1, "value": 11,
        "op mul": 3, "op sum": 3, "op sigmoid": 3, "op sub": 1, "op pow": 1}
