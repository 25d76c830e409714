"""examples/backprop.ipynb: stored without outputs, executed end to end with nbclient and ipykernel."""
from __future__ import annotations

import html
import re
from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "backprop.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    folder = tmp_path_factory.mktemp("notebook")
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("TMPDIR", str(folder))  # the kernel's temporary folder for the pictures
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(folder)}}).execute()
    assert len(list(folder.glob("chainrule-notebook-*/*.png"))) == 2
    return {cell.id: cell for cell in notebook.cells}


def outputs(cell, mime: str) -> list[str]:
    return [output["data"][mime] for output in cell.outputs if mime in output.get("data", {})]


def printed(cell) -> str:
    return "".join(output["text"] for output in cell.outputs if output["output_type"] == "stream"
                   and output["name"] == "stdout")


def test_the_notebook_is_stored_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code) >= 10
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_every_cell_runs_without_an_error(executed):
    for cell in executed.values():
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o["output_type"] == "error"], cell.id
            assert cell.execution_count is not None, cell.id


def test_micrograd_expression_prints_the_published_digits(executed):
    assert "g = 24.7041, dg/da = 138.8338, dg/db = 645.5773" in printed(executed["expression"])


@pytest.mark.parametrize("cell", ["draw-chain", "moons-model"])
def test_drawings_are_inline_svg(executed, cell):
    (svg,) = outputs(executed[cell], "image/svg+xml")
    assert "<svg" in svg
    assert "</svg>" in svg


def test_the_four_neuron_drawing_shows_the_lessons_labels(executed):
    (svg,) = outputs(executed["draw-chain"], "image/svg+xml")
    assert all(label in svg for label in ["w⁽³⁾", "a⁽⁰⁾", "b⁽¹⁾", "C₀"])


@pytest.mark.parametrize(("cell", "lines"), [
    ("explain-w3", ["∂C₀/∂w⁽³⁾", "a⁽²⁾ · σ'(z⁽³⁾) · 2(a⁽³⁾ − y)", "0.3648 · 0.2397 · (-0.7969)", "-0.0697"]),
    ("explain-w1", ["∂C₀/∂w⁽¹⁾", "a⁽⁰⁾ · σ'(z⁽¹⁾) · w⁽²⁾ · σ'(z⁽²⁾) · w⁽³⁾ · σ'(z⁽³⁾) · 2(a⁽³⁾ − y)", "0.0192"]),
])
def test_explanations_are_rich_text_with_the_factors_and_numbers(executed, cell, lines):
    (table,) = outputs(executed[cell], "text/html")
    cells = [html.unescape(text) for text in re.findall(r"<td[^>]*>(.*?)</td>", table)]
    assert table.startswith("<table")
    assert all(line in cells for line in lines)


def test_the_explorer_is_an_iframe_holding_the_whole_page(executed):
    (frame,) = outputs(executed["explore"], "text/html")
    assert frame.startswith('<iframe srcdoc="')
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert page.startswith("<!DOCTYPE html>")
    assert 'id="explorer-data"' in page
    assert "<svg" in page


def test_training_shows_tqdms_notebook_bar_and_a_high_accuracy(executed):
    cell = executed["moons-train"]
    assert outputs(cell, WIDGET), "tqdm.auto should show the notebook (widget) bar"
    accuracy = re.search(r"accuracy (\d+)%", printed(cell))
    assert accuracy
    assert int(accuracy.group(1)) >= 95


@pytest.mark.parametrize("cell", ["moons-loss", "moons-boundary"])
def test_loss_curve_and_decision_boundary_are_pictures(executed, cell):
    (png,) = outputs(executed[cell], "image/png")
    assert len(png) > 1000


def test_the_digit_network_reports_its_held_out_accuracy(executed):
    accuracy = re.search(r"test accuracy ([\d.]+)% on 359 held-out digits", printed(executed["digits"]))
    assert accuracy
    assert float(accuracy.group(1)) >= 85


def test_the_digit_lab_section_draws_the_tiles_and_its_gradient_agrees_with_central_differences(executed):
    cell = executed["digit-lab"]
    (png,) = outputs(cell, "image/png")
    assert len(png) > 1000
    checked = re.findall(r"engine ([+-][\d.]+), central differences ([+-][\d.]+)", printed(cell))
    assert len(checked) == 3
    assert all(abs(float(engine) - float(numeric)) <= 1e-6 and float(engine) != 0 for engine, numeric in checked)
