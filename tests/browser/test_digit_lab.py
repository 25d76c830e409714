"""The digit lab in a real browser: Playwright driving Debian's chromium against a real server, with real
mouse strokes on the canvas. Every check waits with Playwright's ``expect``. Set LAB_SCREENSHOTS=docs to
refresh the README's screenshots (docs/digit-lab*.png)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.support.digit_lab import reference_preprocess
from viz.dot import format_number

pytestmark = pytest.mark.browser
SIZES = {"": (1440, 900), "-1024": (1024, 700), "-phone": (390, 844)}
PIXELS = """(id) => { const c = document.querySelector(`[data-testid="${id}"]`);
  return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }"""


def ink(page, testid: str) -> np.ndarray:
    """A canvas's picture as ink in [0, 1] (white paper is 0, black is 1), read from its pixels."""
    rgba = np.array(page.evaluate(PIXELS, testid), dtype=float).reshape(-1, 4)
    side = round(np.sqrt(len(rgba)))
    return ((255 - rgba[:, 0]) / 255).reshape(side, side)


def draw_seven(page) -> list[tuple[float, float]]:
    """A 7 drawn with the mouse: returns the pen's path in canvas cells (28 per side)."""
    box = page.get_by_test_id("canvas").bounding_box()
    path = [(0.25, 0.2), (0.7, 0.2), (0.45, 0.8)]
    points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in path]
    page.mouse.move(*points[0])
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*point, steps=12)
    page.mouse.up()
    return [(x * 28, y * 28) for x, y in path]


def test_drawn_strokes_are_preprocessed_as_python_does_and_change_the_prediction(open_lab):
    page = open_lab()
    tiles_before = page.get_by_test_id("gradient-tile").first.evaluate("c => c.toDataURL()")
    path = draw_seven(page)
    expect(page.get_by_test_id("source")).to_contain_text("your drawing")
    drawn = ink(page, "canvas")
    for x, y in path:  # ink under the pen, none far from the strokes
        assert drawn[int(y), int(x)] > 0.9
    assert drawn[26, 1] == 0
    assert drawn[1, 26] == 0
    shown = ink(page, "preprocessed")
    assert shown.shape == (8, 8)
    assert np.abs(shown - reference_preprocess(drawn, 8, 8)).max() <= 1 / 127 + 1 / 255
    expect(page.get_by_test_id("prediction")).to_have_text(re.compile(r"^\d$"))
    assert page.get_by_test_id("gradient-tile").first.evaluate("c => c.toDataURL()") != tiles_before
    page.get_by_test_id("clear").click()
    expect(page.get_by_test_id("cost")).not_to_have_text("–")


BLANK = """(id) => { const c = document.querySelector(`[data-testid="${id}"]`);
  return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.every((v) => v === 255); }"""


def test_a_picked_test_image_clears_the_board_so_the_next_stroke_starts_afresh(open_lab):
    page = open_lab()
    draw_seven(page)
    expect(page.get_by_test_id("source")).to_contain_text("your drawing")
    three = page.get_by_test_id("pick").locator('button[data-digit="3"]').bounding_box()
    page.mouse.click(three["x"] + three["width"] / 2, three["y"] + three["height"] / 2)
    expect(page.get_by_test_id("source")).to_contain_text("a 3")
    page.wait_for_function(BLANK, arg="canvas", timeout=10_000)  # the 7 is gone: the network no longer sees it
    box = page.get_by_test_id("canvas").bounding_box()
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.2 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.8 * box["height"], steps=12)  # a 1
    page.mouse.up()
    expect(page.get_by_test_id("source")).to_contain_text("your drawing")
    drawn = ink(page, "canvas")
    assert drawn[int(0.5 * 28), 14] > 0.9
    assert drawn[int(0.2 * 28), int(0.25 * 28)] == 0  # where the 7's bar began: no ink left of it


STATE = """async () => {
  const token = document.querySelector('meta[name="token"]').content;
  const session = sessionStorage.getItem('chainrule-lab-session');
  return (await (await fetch(`/digits/api/state?session=${session}&token=${token}`)).json()).state; }"""


def test_the_labs_numbers_read_as_python_writes_them(open_lab):
    page = open_lab()
    page.get_by_test_id("step").click()
    numbers = page.get_by_test_id("numbers")
    expect(numbers).to_contain_text("step 1 ·")
    state = page.evaluate(STATE)  # the server's numbers, once the page shows the step
    assert state["step"] == 1
    expect(page.get_by_test_id("cost")).to_have_text(format_number(state["example"]["cost"]))
    expect(page.get_by_test_id("epoch")).to_have_text(format_number(state["epoch"]))
    expect(page.get_by_test_id("accuracy-test")).to_have_text(f"{100 * state['accuracy_test']:.1f}%")
    expect(numbers).to_have_text(f"step 1 · training cost {format_number(state['cost_train'])} · accuracy "
                                 f"{100 * state['accuracy_train']:.1f}% · test cost "
                                 f"{format_number(state['cost_test'])} on {state['tested']} test images")


def hover_neuron(page, layer: int, index: int):
    """The mouse over one neuron of the network drawing, until its tooltip shows: returns the tooltip."""
    expect(page.get_by_test_id("cost")).not_to_have_text("–")  # the first state is drawn
    neuron = page.locator(f'[data-testid="neuron"][data-layer="{layer}"]').nth(index)
    tooltip = page.get_by_test_id("tooltip")
    for nudge in (0, 1, 2):  # the drawing is repainted when a frame arrives: move again, as a hand would
        expect(neuron).to_be_visible()
        box = neuron.bounding_box()
        if box is not None:
            page.mouse.move(box["x"] + box["width"] / 2 + nudge, box["y"] + box["height"] / 2)
            try:
                expect(tooltip).to_be_visible(timeout=1500)
                break
            except AssertionError:
                continue
    expect(tooltip).to_be_visible()
    return tooltip


def test_hovering_a_neuron_shows_its_z_a_and_b(open_lab):
    tooltip = hover_neuron(open_lab(), 2, 3)
    expect(tooltip).to_contain_text("neuron 3 of layer 2")
    expect(tooltip).to_contain_text("z = ")


@pytest.mark.parametrize("suffix", list(SIZES))
def test_an_output_neurons_tooltip_is_shown_whole_inside_the_window(open_lab, suffix):
    width, height = SIZES[suffix]
    page = open_lab(width, height)
    page.get_by_test_id("network").scroll_into_view_if_needed()
    tooltip = hover_neuron(page, 3, 9)  # the rightmost column: on a phone, at the window's right edge
    expect(tooltip).to_contain_text("neuron 9 of layer 3")
    box = tooltip.bounding_box()
    assert box["x"] >= 0
    assert box["y"] >= 0
    assert box["x"] + box["width"] <= width
    assert box["y"] + box["height"] <= height


def test_play_raises_the_test_accuracy_and_a_confusion_cell_loads_a_misclassified_image(open_lab):
    page = open_lab()
    before = float(page.get_by_test_id("accuracy-test").text_content().rstrip("%"))
    for testid, value in (("loss", "cross_entropy"), ("learning-rate", "0.5")):
        with page.expect_response("**/digits/api/setup"):  # each change applied by the server before the next
            page.get_by_test_id(testid).select_option(value)
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.5")
    with page.expect_response("**/digits/api/play"):
        page.get_by_test_id("play").click()
    page.wait_for_function("() => Number(document.querySelector('[data-testid=\"epoch\"]').textContent) >= 8",
                           timeout=60_000)
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("play")).to_be_visible()
    after = float(page.get_by_test_id("accuracy-test").text_content().rstrip("%"))
    assert after > before + 40
    wrong = page.locator('[data-testid="confusion-cell"]').filter(has_not_text=re.compile(r"^0$"))
    off_diagonal = [cell for cell in wrong.all()
                    if cell.get_attribute("data-true") != cell.get_attribute("data-predicted")]
    assert off_diagonal, "after a few epochs some test image is still misclassified"
    cell = off_diagonal[0]
    true, predicted = cell.get_attribute("data-true"), cell.get_attribute("data-predicted")
    cell.click()
    first = page.get_by_test_id("cell-image").first
    expect(first).to_be_visible()
    first.click()
    expect(page.get_by_test_id("source")).to_contain_text(f"a {true}")
    expect(page.get_by_test_id("prediction")).to_have_text(predicted)


def test_check_and_step_into(open_lab):
    page = open_lab()
    page.get_by_test_id("check").click()
    table = page.get_by_test_id("check-result")
    expect(table.locator("tr")).to_have_count(5)
    page.get_by_test_id("step-into").click()
    frame = page.frame_locator('[data-testid="explorer"]')
    expect(frame.locator("body")).to_contain_text("test image 0", timeout=30_000)
    expect(frame.get_by_test_id("level")).to_have_value("layer")
    page.keyboard.press("Escape")  # the explorer has the keyboard; Escape in it closes the panel (room.js)
    expect(page.get_by_test_id("explorer-panel")).to_be_hidden()


# Each output's label in the network drawing: its size on screen, and whether the drawing shows it whole.
OUTPUT_LABELS = """() => {
  const svg = document.querySelector('[data-testid="network"]'), box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].map((text) => { const r = text.getBoundingClientRect();
    return { text: text.textContent, px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
             inside: r.left >= box.left && r.right <= box.right + 0.5 && r.top >= box.top && r.bottom <= box.bottom };
  }); }"""


@pytest.mark.parametrize("suffix", list(SIZES))
def test_the_outputs_labels_are_legible_at_every_size(open_lab, suffix):
    page = open_lab(*SIZES[suffix])
    draw_seven(page)
    expect(page.get_by_test_id("source")).to_contain_text("your drawing")
    labels = page.evaluate(OUTPUT_LABELS)
    assert [label["text"].split()[0] for label in labels] == [str(digit) for digit in range(10)]
    assert all(label["px"] >= 10.99 and label["inside"] for label in labels), labels  # 11 px, to rounding


@pytest.mark.parametrize("suffix", list(SIZES))
def test_layout_and_screenshots(open_lab, tmp_path, suffix):
    width, height = SIZES[suffix]
    page = open_lab(width, height)
    draw_seven(page)
    expect(page.get_by_test_id("source")).to_contain_text("your drawing")
    for testid in ("canvas", "prediction"):
        box = page.get_by_test_id(testid).bounding_box()
        assert box["x"] >= 0, testid
        assert box["x"] + box["width"] <= width + 1, testid
    if suffix == "-phone":  # draw and prediction first
        assert page.get_by_test_id("prediction").bounding_box()["y"] < 2 * height
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    folder = Path(os.environ.get("LAB_SCREENSHOTS", tmp_path))
    target = folder / f"digit-lab{suffix}.png"
    page.screenshot(path=str(target), full_page=suffix == "-phone")
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
