"""The playground with the keyboard alone at 1440x900, 1024x700 and 390x844: Tab reaches a neuron's bias box,
Enter opens its editor beside the box (a key press has no pointer to place it by), Enter again sends the new
number to the server, and the focus comes back to the box. The neuron's weights follow its bias in the Tab
order: a weight's key lights its edge, and Enter edits it the same way."""
from __future__ import annotations

import re
from itertools import pairwise

import pytest
from playwright.sync_api import expect

import nn

pytestmark = pytest.mark.browser
SIZES = [(1440, 900), (1024, 700), (390, 844)]
FOCUSED = "() => document.activeElement.dataset.testid || null"
STOP = """() => { const d = document.activeElement.dataset || {};
  return { testid: d.testid || null, layer: d.layer ?? null, neuron: d.neuron ?? null, source: d.source ?? null }; }"""


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_bias_is_edited_with_the_keyboard_beside_its_box(open_playground, width, height):
    page = open_playground("#hidden=4,2", width, height)
    tab_to(page, "bias")
    bias = page.locator('[data-testid="bias"][data-layer="0"][data-neuron="0"]')
    expect(bias).to_be_focused()
    page.keyboard.press("Enter")
    editor = page.get_by_test_id("editor")
    label = nn.MLP(2, [4, 2, 1]).layers[0].neurons[0].b.label  # the engine's name of that bias
    expect(editor).to_contain_text(f"{label} =")
    expect(page.get_by_test_id("edit-value")).to_be_focused()
    box, shown = bias.bounding_box(), editor.bounding_box()
    assert shown["x"] >= 0, shown
    assert shown["x"] + shown["width"] <= width, shown
    gap = max(shown["x"] - (box["x"] + box["width"]), box["x"] - (shown["x"] + shown["width"]),
              shown["y"] - (box["y"] + box["height"]), box["y"] - (shown["y"] + shown["height"]))
    assert 0 <= gap <= 12, (box, shown)  # beside the box it edits, not over it nor across the window
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")
    expect(editor).to_be_hidden()
    expect(bias).to_be_focused()  # back where the person was
    neuron = page.locator('.neuron[data-layer="0"][data-neuron="0"]')
    neuron.scroll_into_view_if_needed()
    middle = neuron.bounding_box()
    page.mouse.move(middle["x"] + middle["width"] / 2, middle["y"] + middle["height"] / 2)
    expect(page.get_by_test_id("hover")).to_contain_text(f"{label} = 0.5000")  # the server's number now


def tab_to(page, testid: str) -> None:
    """Tab from the top of the page, as a person does, to the first control with ``testid``."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == testid:
            return
    raise AssertionError(f"80 presses of Tab never reached a {testid}")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_weight_is_edited_with_the_keyboard_from_its_neurons_bias_box(open_playground, width, height):
    page = open_playground("#hidden=4,2", width, height)
    tab_to(page, "bias")
    expect(page.locator('[data-testid="bias"][data-layer="0"][data-neuron="0"]')).to_be_focused()
    page.keyboard.press("Tab")  # the neuron's weights come next: w from x1, then from x2
    page.keyboard.press("Tab")
    key = page.locator('[data-testid="weight"][data-layer="0"][data-neuron="0"][data-source="1"]')
    expect(key).to_be_focused()
    edge = page.locator('[data-testid="edge"][data-layer="0"][data-neuron="0"][data-source="1"]')
    expect(edge).to_have_class(re.compile(r"\bfocused\b"))  # the focus shows on the edge itself
    label = nn.MLP(2, [4, 2, 1]).layers[0].neurons[0].w[1].label  # the engine's name of that weight
    hover = page.get_by_test_id("hover")
    expect(hover).to_contain_text(f"{label} = ")
    page.keyboard.press("Enter")
    editor = page.get_by_test_id("editor")
    expect(editor).to_contain_text(f"{label} =")
    expect(page.get_by_test_id("edit-value")).to_be_focused()
    shown = editor.bounding_box()
    assert shown["x"] >= 0, shown
    assert shown["x"] + shown["width"] <= width, shown
    page.keyboard.type("-1.25")
    page.keyboard.press("Enter")
    expect(editor).to_be_hidden()
    expect(key).to_be_focused()  # back where the person was
    expect(hover).to_contain_text(f"{label} = -1.2500")  # the server's answer drawn
    exported = page.request.get(page.get_by_test_id("export").evaluate("link => link.href"))
    model = nn.io.from_dict(exported.json())  # the session's model as the server holds it
    assert model.layers[0].neurons[0].w[1].data == -1.25
    assert model.layers[0].neurons[0].w[0].data != -1.25


def test_tab_reaches_every_weight_once_after_its_neurons_bias(open_playground):
    page = open_playground("#hidden=4,2")
    walked = []
    for _ in range(150):  # once through the page, from its top to past its last control
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        walked.append(page.evaluate(STOP))
    weights = [(stop["layer"], stop["neuron"], stop["source"]) for stop in walked if stop["testid"] == "weight"]
    shapes = nn.MLP(2, [4, 2, 1]).layers
    assert weights == [(str(at), str(j), str(k)) for at, layer in enumerate(shapes)
                       for j, neuron in enumerate(layer.neurons) for k in range(len(neuron.w))]
    for at, stop in enumerate(walked):
        if stop["testid"] == "weight" and stop["source"] == "0" and stop["layer"] != "2":  # hidden: bias, then weights
            assert walked[at - 1] == {**stop, "testid": "bias", "source": None}, walked[at - 1:at + 1]


# The column (or the top bar) that holds the focused control, and where that control is on the page.
FOCUS_PLACE = """() => { const focused = document.activeElement, r = focused.getBoundingClientRect();
  const part = focused.closest('.top, .column');
  return { part: part && (part.classList.contains('top') ? 'top' : part.classList[1]), top: r.top + scrollY }; }"""
PARTS = """() => [...document.querySelectorAll('.top, .column')].map((part) => { const r = part.getBoundingClientRect();
  return { part: part.classList.contains('top') ? 'top' : part.classList[1], top: r.top + scrollY, left: r.left }; })"""


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_tab_walks_the_page_in_the_order_it_is_seen(open_playground, width, height):
    page = open_playground("#hidden=4,2", width, height)
    walk_in_seen_order(page, phone=width < 500)
    if width < 500:  # turned sideways, or a window widened: the order follows the new layout
        page.set_viewport_size({"width": 1440, "height": 900})
        walk_in_seen_order(page, phone=False)


def walk_in_seen_order(page, phone: bool) -> None:
    """Tab once through the page: the columns come in the order they are seen (top to bottom, then left to
    right), each once, and down each column the controls never go back up."""
    page.locator(".top").click(position={"x": 2, "y": 2})  # the focus back at the top of the page
    walked = []
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        walked.append(page.evaluate(FOCUS_PLACE))
    seen = [part["part"] for part in sorted(page.evaluate(PARTS), key=lambda p: (round(p["top"] / 8), p["left"]))]
    assert seen == (["top", "output", "features", "hidden-layers", "data"] if phone  # a phone stacks the output first
                    else ["top", "data", "features", "hidden-layers", "output"])
    visited = [stop["part"] for stop in walked]
    assert [part for at, part in enumerate(visited) if at == 0 or visited[at - 1] != part] == seen  # each part once
    for part in ("data", "features", "output"):
        tops = [stop["top"] for stop in walked if stop["part"] == part]
        assert all(below >= above - 16 for above, below in pairwise(tops)), (part, tops)  # a row's boxes differ
