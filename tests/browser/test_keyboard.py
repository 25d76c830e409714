"""The playground with the keyboard alone at 1440x900, 1024x700 and 390x844: Tab reaches a neuron's bias box,
Enter opens its editor beside the box (a key press has no pointer to place it by), Enter again sends the new
number to the server, and the focus comes back to the box."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

import nn

pytestmark = pytest.mark.browser
SIZES = [(1440, 900), (1024, 700), (390, 844)]
FOCUSED = "() => document.activeElement.dataset.testid || null"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_bias_is_edited_with_the_keyboard_beside_its_box(open_playground, width, height):
    page = open_playground("#hidden=4,2", width, height)
    for _ in range(60):  # Tab from the top of the page, as a person does, to the first bias box
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == "bias":
            break
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
