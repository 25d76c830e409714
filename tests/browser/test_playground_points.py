"""The plot's points by hand on a phone (390x844), where there is no shift key: the plot's remove mode, chosen
right over the plot, makes a tap remove the point nearest to the fingertip; the add mode adds one again. The
points are read back from the server, not from the page's drawing."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.hands import click_at_middle

pytestmark = pytest.mark.browser
SERVER_POINTS = """() => fetch(`/api/state?${sessionQuery(sessionStorage.getItem('chainrule-session'))}`)
  .then((answer) => answer.json()).then((answer) => answer.state.points.x)"""
# A shown point the finger reaches (nothing over its middle): where it is on the screen and its index.
POINT_ON_TOP = """(svg) => { for (const point of svg.querySelectorAll('circle')) {
  const r = point.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (document.elementFromPoint(x, y) === point) return [x, y, Number(point.dataset.index)]; } }"""
# The spot of the plot farthest from every shown point, and how far that is, in pixels.
EMPTY_SPOT = """(svg) => { const box = svg.getBoundingClientRect(), centres = [...svg.querySelectorAll('circle')]
  .map((c) => { const r = c.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; });
  let best = null;
  for (let fx = 0.05; fx < 1; fx += 0.05) for (let fy = 0.05; fy < 1; fy += 0.05) {
    const x = box.left + fx * box.width, y = box.top + fy * box.height;
    const gap = Math.min(...centres.map(([u, v]) => Math.hypot(u - x, v - y)));
    if (!best || gap > best[2]) best = [x, y, gap];
  }
  return best; }"""


def test_on_a_phone_a_tap_in_the_remove_mode_removes_the_point_under_the_fingertip(open_playground):
    page = open_playground("", 390, 844)
    plot, shown = page.get_by_test_id("points"), page.get_by_test_id("point")
    expect(shown.first).to_be_visible()
    before, count = page.evaluate(SERVER_POINTS), shown.count()
    remove = page.get_by_test_id("remove-mode")
    click_at_middle(page, remove)
    expect(remove).to_be_checked()
    mode, drawn = page.get_by_test_id("plot-mode").bounding_box(), plot.bounding_box()
    assert 0 <= drawn["y"] - (mode["y"] + mode["height"]) <= 24, (mode, drawn)  # the choice is right over the plot
    plot.scroll_into_view_if_needed()
    x, y, index = plot.evaluate(POINT_ON_TOP)
    page.mouse.click(x + 6, y + 6)  # beside the small dot, where a fingertip lands
    expect(shown).to_have_count(count - 1)
    after = page.evaluate(SERVER_POINTS)
    assert after == before[:index] + before[index + 1:]  # that one point, gone on the server
    expect(page.get_by_test_id("explorer-panel")).to_be_hidden()  # a removal, not a step into the point
    x, y, gap = plot.evaluate(EMPTY_SPOT)
    assert gap > 20
    page.mouse.click(x, y)  # far from every point: nothing to remove, and nothing is added
    click_at_middle(page, page.locator('[name="plot-mode"][value="add"]'))
    page.mouse.click(x, y)
    expect(shown).to_have_count(count)  # only the add mode's tap added a point
    assert len(page.evaluate(SERVER_POINTS)) == len(before)
