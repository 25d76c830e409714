"""The explorer read with a mouse at 1440x900, 1024x700 and 390x844: a clicked node's details come into
sight and the way back to the drawing is one click; the update's table fits its panel, every number whole.

Set EXPLORER_SHOTS=DIR to keep the screenshots.
"""
from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from nn import Adam
from viz import explore, four_neuron

pytestmark = pytest.mark.browser
SIZES = [(1440, 900), (1024, 700), (390, 844)]

# Each number of the update's panel: its box, and the boxes it must lie inside (the panel, the window).
NUMBERS_IN_UPDATE = """() => {
  const panel = document.querySelector('[data-testid="update"]').getBoundingClientRect();
  return [...document.querySelectorAll('[data-testid="update-row"] .num')].map((n) => {
    const r = n.getBoundingClientRect();
    return { text: n.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
             size: parseFloat(getComputedStyle(n).fontSize), panel: [panel.left, panel.right] };
  });
}"""


def shot(page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("EXPLORER_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name))


def click_middle(page, locator) -> None:
    """A real click at the middle of what a person sees of an element (asserted to be on the screen)."""
    box = locator.bounding_box()
    x, y = box["x"] + min(box["width"], 60) / 2, box["y"] + box["height"] / 2
    assert 0 <= x <= page.viewport_size["width"], box
    assert 0 <= y <= page.viewport_size["height"], box
    page.mouse.click(x, y)


@pytest.mark.parametrize("size", SIZES)
def test_a_clicked_nodes_details_come_into_sight_and_the_drawing_is_one_click_back(watched_page, tmp_path, size):
    net = four_neuron()
    page = watched_page(explore(net.output, tmp_path / "four.html", parameters=net.parameters).as_uri() + "#step=12",
                        *size)
    expect(page.get_by_test_id("step-counter")).to_have_text(re.compile(r"^12 / "))
    node = page.locator("svg g.node.value.current")  # the step's node: the drawing shows it
    current = node.locator("text").first.text_content()  # its name, the record's first cell
    click_middle(page, node)
    inspector = page.get_by_test_id("inspector")
    expect(inspector.locator("h2").first).to_have_text("Selected node")
    expect(inspector).to_contain_text(current)
    expect(inspector.locator("h2").first).to_be_in_viewport()  # on a phone it lies under the drawing: scrolled to
    shot(page, f"inspector-{size[0]}.png", tmp_path)
    back = page.get_by_test_id("to-drawing")
    if size[0] > 760:  # side by side, the drawing never left the screen: no way back is needed
        expect(back).to_be_hidden()
        expect(page.get_by_test_id("graph")).to_be_in_viewport(ratio=0.95)
        return
    expect(page.get_by_test_id("graph")).not_to_be_in_viewport(ratio=0.5)  # scrolled past, mostly
    click_middle(page, back)
    expect(page.get_by_test_id("graph")).to_be_in_viewport(ratio=0.95)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("optimizer", [None, "adam"])
def test_the_update_table_fits_its_panel_with_every_number_whole(watched_page, tmp_path, size, optimizer):
    net = four_neuron()
    adam = Adam(net.parameters, lr=0.1) if optimizer else None  # two more columns: m and v
    page = watched_page(explore(net.output, tmp_path / "four.html", parameters=net.parameters, optimizer=adam).as_uri(),
                        *size)
    expect(page.get_by_test_id("step-counter")).to_have_text(re.compile(r"^0 / "))
    page.keyboard.press("End")
    expect(page.get_by_test_id("update-row")).to_have_count(6)
    page.get_by_test_id("update-row").last.scroll_into_view_if_needed()
    shot(page, f"update-{optimizer}-{size[0]}.png", tmp_path)
    table = page.get_by_test_id("update").locator("table")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth"), size  # no sideways scroll
    numbers = page.evaluate(NUMBERS_IN_UPDATE)
    assert len(numbers) == 6 * (6 if optimizer else 4)
    for number in numbers:
        assert number["panel"][0] <= number["left"], number
        assert number["right"] <= number["panel"][1], number
        assert number["right"] <= size[0], number
        assert number["size"] >= 12, number
    for a, b in itertools.pairwise(numbers):  # none drawn over its neighbour
        assert a["right"] <= b["left"] or b["top"] >= a["bottom"] or a["top"] >= b["bottom"], (a, b)


def test_a_page_made_from_the_shell_names_the_option_that_brings_its_scalar_view_back(watched_page, tmp_path):
    target = tmp_path / "four.html"
    subprocess.run([sys.executable, "-m", "viz", "explore", "four-neuron", "--max-nodes", "5", "-o", str(target)],
                   check=True, capture_output=True, timeout=120)
    page = watched_page(target.as_uri(), 1440, 900)
    expect(page.get_by_test_id("step-counter")).to_have_text(re.compile(r"^0 / "))
    click_middle(page, page.locator("svg.neurons g.neuron").nth(1))  # one level down from a neuron: its scalars
    inspector = page.get_by_test_id("inspector")
    expect(inspector).to_contain_text("more than --max-nodes 5; pass --max-nodes")
    expect(inspector).to_contain_text("python -m viz explain")
    expect(inspector).not_to_contain_text("max_nodes")
    shot(page, "shell-note.png", tmp_path)


def test_in_a_notebook_a_clicked_nodes_details_scroll_the_explorer_never_the_notebook(watched_page, tmp_path):
    net = four_neuron()
    inline = explore(net.output, parameters=net.parameters)._repr_html_()
    cells = "".join(f"<p>In [{n}]: print({n})</p><p>{n}</p>" for n in range(30))  # a notebook taller than the window
    notebook = tmp_path / "notebook.html"
    notebook.write_text(f"<!DOCTYPE html><html><body>{cells}{inline}{cells}</body></html>", encoding="utf-8")
    page = watched_page(notebook.as_uri(), 1440, 900)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_test_id("step-counter")).to_have_text(re.compile(r"^0 / "))
    page.mouse.wheel(0, page.locator("iframe").bounding_box()["y"] - 60)  # the reader scrolls to the explorer
    page.wait_for_function("() => scrollY > 0")
    click_middle(page, frame.get_by_test_id("last"))
    expect(frame.get_by_test_id("update")).to_be_visible()  # the update: long panels above the inspector
    before = page.evaluate("scrollY")
    nodes = frame.locator("svg g.node.value.current")  # the parameters; one the drawing shows whole, clicked
    shown = nodes.evaluate_all("""(groups) => { const f = document.getElementById('graph').getBoundingClientRect();
      return groups.findIndex((g) => { const r = g.getBoundingClientRect();
        return r.top >= f.top && r.bottom <= f.bottom && r.left >= f.left && r.left + 60 <= f.right; }); }""")
    assert shown >= 0
    click_middle(page, nodes.nth(shown))
    heading = frame.get_by_test_id("inspector").locator("h2").first
    expect(heading).to_have_text("Selected node")
    expect(heading).to_be_in_viewport()
    expect(frame.get_by_test_id("gradient-check")).to_be_in_viewport()  # its details too, down to the last line
    assert page.evaluate("scrollY") == before  # the notebook stays where the reader put it
