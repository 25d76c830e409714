"""The live rooms' file inputs as a person meets them at 1440x900, 1024x700 and 390x844: a labelled button,
clicked with the mouse or reached with Tab and pressed with the space bar, opens the browser's file chooser
(Playwright's), and the chosen file's name shows whole beside it, where the browser's own control read
"No fil…osen". The input under the button is the real <input type=file>."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
SIZES = [(1440, 900), (1024, 700), (390, 844)]
POINTS = "x1,x2,label\n" + "".join(f"{x / 10},{(x * 7 % 10) / 10},{x % 2}\n" for x in range(-9, 10))

# What a person sees of a file input's label: each piece of text, whole (not cut) and inside the window.
SHOWN = """(label) => [...label.querySelectorAll('span')].map((part) => {
  const r = part.getBoundingClientRect();
  return { text: part.textContent, cut: part.scrollWidth > part.clientWidth + 1, left: r.left, right: r.right,
           width: r.width, height: r.height };
})"""


def intercepting(page):
    """The page with its file choosers handed to Playwright from now on: asked for before the first click, since
    ``expect_file_chooser`` alone turns that on while the click is already under way (a race: no chooser comes)."""
    page.on("filechooser", lambda chooser: None)
    return page


def label_of(page, testid: str):
    return page.locator(f'label:has([data-testid="{testid}"])')


def choose_with_the_mouse(page, testid: str, files) -> None:
    """A real click at the middle of the input's button, the chooser answered with ``files``."""
    button = label_of(page, testid).locator(".file-button")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    with page.expect_file_chooser() as chooser:
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    chooser.value.set_files(files)


def assert_shown_whole(page, testid: str, width: int) -> None:
    parts = label_of(page, testid).evaluate(SHOWN)
    assert len(parts) == 2, parts  # the button and the chosen file's name
    for part in parts:
        assert not part["cut"], part
        assert part["left"] >= 0, part
        assert part["right"] <= width, part
        assert part["width"] > 0, part


@pytest.mark.parametrize("size", SIZES)
def test_the_playgrounds_file_buttons_open_the_chooser_and_name_the_file(open_playground, size):
    page = intercepting(open_playground("", *size))
    for testid in ("csv", "import"):
        expect(label_of(page, testid).locator(".file-name")).to_have_text("no file chosen")
        assert_shown_whole(page, testid, size[0])
    choose_with_the_mouse(page, "csv", {"name": "mine.csv", "mimeType": "text/csv", "buffer": POINTS.encode()})
    expect(page.get_by_test_id("dataset").locator("option:checked")).to_have_text("mine.csv (uploaded)")
    expect(label_of(page, "csv").locator(".file-name")).to_have_text("mine.csv")
    choose_with_the_mouse(page, "import", {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a model"})
    expect(page.get_by_test_id("message")).to_contain_text("import: notes.txt is not a JSON model file")
    expect(label_of(page, "import").locator(".file-name")).to_have_text("notes.txt")
    assert_shown_whole(page, "import", size[0])


@pytest.mark.parametrize("size", SIZES)
def test_the_digit_labs_import_takes_the_model_its_export_wrote(open_lab, tmp_path, size):
    page = intercepting(open_lab(*size))
    assert_shown_whole(page, "import", size[0])
    with page.expect_download() as download:
        export = page.get_by_test_id("export").bounding_box()
        page.mouse.click(export["x"] + export["width"] / 2, export["y"] + export["height"] / 2)
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    choose_with_the_mouse(page, "import", {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"{"})
    expect(page.get_by_test_id("message")).to_contain_text("import: notes.txt is not a JSON model file")
    choose_with_the_mouse(page, "import", str(saved))
    expect(page.get_by_test_id("message")).to_be_hidden()  # the model loaded: the error line is cleared
    expect(label_of(page, "import").locator(".file-name")).to_have_text(saved.name)
    assert_shown_whole(page, "import", size[0])


def test_a_file_button_is_reached_with_tab_shows_its_focus_and_opens_with_the_space_bar(open_lab):
    page = intercepting(open_lab(390, 844))
    for _ in range(30):  # Tab from the top of the page, as a person does, until the input holds the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "import":
            break
    expect(page.get_by_test_id("import")).to_be_focused()
    outline = label_of(page, "import").locator(".file-button").evaluate(
        "button => [getComputedStyle(button).outlineStyle, parseFloat(getComputedStyle(button).outlineWidth)]")
    assert outline[0] != "none", outline
    assert outline[1] >= 2, outline
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files({"name": "mine.json", "mimeType": "application/json", "buffer": b"[1, 2"})
    expect(page.get_by_test_id("message")).to_contain_text(re.compile(r"import: mine\.json is not a JSON model file"))
    expect(label_of(page, "import").locator(".file-name")).to_have_text("mine.json")
