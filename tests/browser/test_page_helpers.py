"""The pages' one number format in chromium: formatNumber writes what Python's viz.dot.format_number writes.

The explorer's drawing is laid out by dot with Python's numbers, and the page rewrites its gradient cells step
by step: the two must read alike, as must every number the playground and the digit lab show.
"""
from __future__ import annotations

import html
import math
import random
import re
from importlib import resources

import pytest
from playwright.sync_api import expect

from autograd import Value
from viz import explore
from viz.dot import format_number

pytestmark = pytest.mark.browser

HELPERS = resources.files("viz").joinpath("assets", "page_helpers.js").read_text(encoding="utf-8")
# Exact ties (Python rounds them to the even digit, JavaScript's toFixed up), the edges of the two notations,
# signed zeros, the extremes of a double and the non-finite numbers.
EDGES = [0.0, -0.0, 1.0, -2.0, 0.03125, 0.09375, -2.21875, 1.03125, 999999.96875, 0.001, 0.000999999, -0.001,
         999999.99994, 999999.99996, 1e6, -1e6, 1234500.0, 1235500.0, 1.2345e20, 123456789.0, 2.5e-9, 1e-300,
         5e-324, 1.7976931348623157e308, math.inf, -math.inf, math.nan]


def numbers() -> list[float]:
    """The edge cases and random numbers of every magnitude, both signs."""
    draw = random.Random(25)
    spread = [draw.choice((-1, 1)) * draw.random() * 10.0 ** draw.randint(-12, 12) for _ in range(3000)]
    return EDGES + spread + [round(x, 5) for x in spread[:500]]  # five decimals: near ties


@pytest.fixture
def blank_page(watched_page, tmp_path):
    page_file = tmp_path / "blank.html"
    page_file.write_text("<!DOCTYPE html><title>helpers</title>", encoding="utf-8")
    page = watched_page(page_file.as_uri())
    page.add_script_tag(content=HELPERS)
    return page


def test_format_number_writes_what_python_writes(blank_page):
    values = numbers()
    shown = blank_page.evaluate("values => values.map(formatNumber)", values)
    wrong = [(x, text, format_number(x)) for x, text in zip(values, shown, strict=True) if text != format_number(x)]
    assert wrong == []


def test_a_missing_number_and_a_share(blank_page):
    assert blank_page.evaluate("[formatNumber(null), formatNumber(undefined), percent(null)]") == ["–"] * 3
    shares = [k / n for n in (8, 16, 40, 80, 359, 1000) for k in range(n + 1)]  # accuracies, ties among them
    shown = blank_page.evaluate("shares => shares.map(percent)", shares)
    assert shown == [f"{100 * share:.1f}%" for share in shares]


def test_the_explorers_gradient_cells_read_as_dot_drew_them(watched_page, tmp_path):
    """Stepped to the end, each grad cell the page rewrote reads as Python drew it (ties, tiny, huge)."""
    a, b, c, d = Value(1.5, "a"), Value(0.03125, "b"), Value(2.5e-9, "c"), Value(1234500.0, "d")
    path = explore(a * b + c * d, tmp_path / "format.html")  # ∂/∂a = b, ∂/∂c = d: ties; ∂/∂d = c: tiny
    drawn = [html.unescape(text) for text in re.findall(r">grad ([^<]+)<", path.read_text(encoding="utf-8"))]
    assert "0.0312" in drawn  # Python's ties, to the even digit
    assert "1.234e+06" in drawn
    page = watched_page(path.as_uri())
    total = int(page.get_by_test_id("step-counter").text_content().split(" / ")[1])
    page.keyboard.press("End")
    expect(page.get_by_test_id("step-counter")).to_have_text(f"{total} / {total}")
    shown = page.eval_on_selector_all("svg text", "texts => texts.map(t => t.textContent)")
    assert sorted(text[5:] for text in shown if text.startswith("grad ")) == sorted(drawn)
