"""The playground in a real browser: Playwright driving Debian's chromium against a real server on 127.0.0.1.

Every check waits with Playwright's ``expect``. Set PLAYGROUND_SCREENSHOT=docs/playground.png to refresh
the README's screenshot.
"""
from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from playwright.sync_api import expect

import autograd
import nn
from autograd import Value, backward_steps, topological_order
from viz.dot import format_number

pytestmark = pytest.mark.browser


@pytest.fixture
def server(playground_server):
    return playground_server


@pytest.fixture
def open_page(open_playground):
    return open_playground


def server_get(server, path: str) -> bytes:
    parts = urlsplit(server.url)
    request = urllib.request.Request(f"http://{parts.netloc}{path}",
                                     headers={"x-chainrule-token": parts.query.split("=", 1)[1]})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def engine_model(server, page) -> tuple[nn.MLP, dict]:
    """The page's session's model (from its export) and its state, read once the page has settled."""
    key = page.evaluate("sessionStorage.getItem('chainrule-session')")
    model = nn.io.from_dict(json.loads(server_get(server, f"/api/export?session={key}")))
    return model, json.loads(server_get(server, f"/api/state?session={key}"))["state"]


def on_top(page, selector: str) -> tuple[float, float]:
    """A point of the element at ``selector`` (along an edge's length, or over a point) where the mouse reaches
    it, waited for: while the page settles, the drawing may be redrawn or something may lie over it."""
    spot = page.wait_for_function("""(selector) => {
      const target = document.querySelector(selector);
      if (!target) return null;
      const shape = target.querySelector('.hit') || target, length = shape.getTotalLength(), m = shape.getScreenCTM();
      for (let i = 1; i < 40; i += 1) {
        const p = shape.getPointAtLength(length * ((i * 7) % 40) / 40);
        const x = m.a * p.x + m.c * p.y + m.e, y = m.b * p.x + m.d * p.y + m.f, found = document.elementFromPoint(x, y);
        if (found && (found === target || target.contains(found))) return [x, y];
      }
      return null;
    }""", arg=selector, timeout=10_000)  # Playwright's wait: a TimeoutError if the mouse never reaches it
    x, y = spot.json_value()
    return x, y


def point_on_top(page) -> tuple[int, float, float]:
    """The index and the middle of the first data point no other covers there (read in one go: points redraw)."""
    return tuple(page.get_by_test_id("points").evaluate("""(svg) => {
      for (const point of svg.querySelectorAll('circle')) {
        const r = point.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (document.elementFromPoint(x, y) === point) return [Number(point.dataset.index), x, y];
      }
    }"""))


def number(page, testid: str) -> float:
    return float(page.get_by_test_id(testid).text_content())


def test_play_raises_the_epoch_and_lowers_the_training_loss(open_page):
    page = open_page()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    start = number(page, "loss-train")
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("epoch")).not_to_have_text("0")
    page.wait_for_function("limit => Number(document.querySelector('[data-testid=\"loss-train\"]').textContent) "
                           "< limit", arg=start * 0.8, timeout=30_000)
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("play")).to_have_attribute("data-playing", "false")


def test_step_adds_exactly_one_epoch(open_page):
    page = open_page()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("2")


def test_add_layer_adds_a_column_of_neuron_heatmaps(open_page):
    page = open_page()
    heatmaps = page.get_by_test_id("neuron-heatmap")
    expect(heatmaps).to_have_count(6)  # hidden layers 4, 2
    page.get_by_test_id("add-layer").click()
    expect(heatmaps).to_have_count(8)
    expect(page.locator('[data-testid="neuron-heatmap"][data-layer="2"]')).to_have_count(2)
    page.get_by_test_id("remove-layer").click()
    expect(heatmaps).to_have_count(6)


def test_a_clicked_point_opens_the_explorer_on_the_engines_backward_for_it(open_page, server):
    page = open_page()
    expect(page.get_by_test_id("point").first).to_be_visible()
    index, x, y = point_on_top(page)
    page.mouse.click(x, y)
    frame = page.frame_locator('[data-testid="explorer"]')
    counter = frame.get_by_test_id("step-counter")
    expect(frame.get_by_test_id("level")).to_have_value("neuron")  # the modal opens on the neuron view
    frame.get_by_test_id("level").select_option("scalar")
    expect(counter).to_have_text(re.compile(r"^0 / \d+$"))
    model, state = engine_model(server, page)
    x1, x2 = state["points"]["x"][index]
    loss = nn.mse([model([Value(x1, "x1"), Value(x2, "x2")])], [state["points"]["label"][index]])
    loss.label = "C"  # as the playground names the sample's loss
    records = backward_steps(loss)
    total = int(counter.text_content().split(" / ")[1])
    frame.get_by_test_id("last").click()
    frame.get_by_test_id("prev").click()
    expect(counter).to_have_text(f"{total - 1} / {total}")
    expect(frame.get_by_test_id("formula")).to_contain_text("∂")
    shown = frame.locator('[data-testid="formula"] .contribution .math:nth-child(2)').evaluate_all(
        "lines => lines.map(line => [...line.querySelectorAll('.num')].map(n => Number(n.dataset.value)))")
    last = records[-1]
    assert shown == [[c.local, last.upstream, c.added] for c in last.contributions]
    weight = model.layers[0].neurons[1].w[0]
    frame.locator(f"#v{topological_order(loss).index(weight)}").click()
    head, first_row = str(autograd.explain(loss, weight)).splitlines()[0].split(" = ", 1)
    expect(frame.get_by_test_id("chain")).to_contain_text(head)
    expect(frame.get_by_test_id("chain")).to_contain_text(first_row)


def test_the_step_into_window_takes_the_keyboard_and_escape_closes_it(open_page, server):
    page = open_page()
    expect(page.get_by_test_id("point").first).to_be_visible()
    page.mouse.click(*point_on_top(page)[1:])
    frame = page.frame_locator('[data-testid="explorer"]')
    counter = frame.get_by_test_id("step-counter")
    expect(frame.get_by_test_id("level")).to_have_value("neuron")
    expect(counter).to_have_text(re.compile(r"^0 / \d+$"))
    page.keyboard.press("ArrowRight")  # no click inside: the window has the keyboard already
    expect(counter).to_have_text(re.compile(r"^1 / \d+$"))
    page.keyboard.press("End")  # the update: the playground's optimiser (SGD with momentum 0.9), not plain descent
    expect(frame.get_by_test_id("formula")).to_contain_text("SGD with momentum μ = 0.9")
    expect(frame.get_by_test_id("formula")).to_contain_text("v ← μ·v + ∂C/∂w")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("explorer-panel")).to_be_hidden()


def test_editing_a_weight_shows_the_engines_loss(open_page, server):
    page = open_page()
    model, state = engine_model(server, page)
    page.mouse.click(*on_top(page, '[data-testid="edge"][data-layer="0"][data-neuron="2"][data-source="1"]'))
    expect(page.get_by_test_id("editor")).to_be_visible()
    page.get_by_test_id("edit-value").fill("1.5")
    page.get_by_test_id("edit-value").press("Enter")
    model.layers[0].neurons[2].w[1].data = 1.5
    points = state["points"]
    train = [(x, label) for x, label, test in zip(points["x"], points["label"], points["test"], strict=True)
             if not test]
    expected = nn.mse([model(x) for x, _ in train], [label for _, label in train]).data
    expect(page.get_by_test_id("loss-train")).to_have_text(format_number(expected))  # the pages' one format


def test_hovering_an_edge_shows_its_weight_and_gradient(open_page, server):
    page = open_page()
    model, state = engine_model(server, page)
    page.mouse.move(*on_top(page, '[data-testid="edge"][data-layer="1"][data-neuron="1"][data-source="3"]'))
    hover = page.get_by_test_id("hover")
    weight = model.layers[1].neurons[1].w[3]
    expect(hover).to_contain_text(f"{weight.label} = {format_number(weight.data)}")
    expect(hover).to_contain_text(f"∂L/∂w = {format_number(state['layers'][1]['weight_grads'][1][3])}")


def test_an_uploaded_csv_says_how_it_was_standardized(open_page, server):
    page = open_page()
    raw = np.array([[100 + 13 * k, 5000 - 170 * (k % 7)] for k in range(24)], dtype=float)  # far from the plane
    rows = "x1,x2,label\n" + "".join(f"{a:g},{b:g},{k % 2}\n" for k, (a, b) in enumerate(raw))
    page.get_by_test_id("csv").set_input_files({"name": "units.csv", "mimeType": "text/csv", "buffer": rows.encode()})
    line = page.get_by_test_id("standardized")
    expect(line).to_be_visible()
    _, state = engine_model(server, page)
    train = ~np.array(state["points"]["test"])
    columns = zip(("x1", "x2"), raw[train].mean(axis=0), raw[train].std(axis=0), strict=True)
    expect(line).to_have_text("standardized by the training points: " + ", ".join(
        f"{name} = (raw − {format_number(mean)}) / {format_number(std)}" for name, mean, std in columns))
    page.get_by_test_id("dataset").select_option("circles")
    expect(line).to_be_hidden()


def test_two_tabs_are_two_sessions(open_page):
    first, second = open_page(), open_page()
    first.get_by_test_id("step").click()
    expect(first.get_by_test_id("epoch")).to_have_text("1")
    expect(second.get_by_test_id("epoch")).to_have_text("0")
    keys = [page.evaluate("sessionStorage.getItem('chainrule-session')") for page in (first, second)]
    assert keys[0] != keys[1]


def test_closing_a_tab_ends_its_session_at_once(open_page, server):
    page = open_page()
    key = page.evaluate("sessionStorage.getItem('chainrule-session')")
    assert server_get(server, f"/api/state?session={key}")
    page.close()
    deadline, status = time.monotonic() + 10, 200
    while status == 200 and time.monotonic() < deadline:
        try:
            server_get(server, f"/api/state?session={key}")
        except urllib.error.HTTPError as error:
            status = error.code
        time.sleep(0.05)
    assert status == 404  # the page's pagehide sent POST /api/close: no 15-minute wait for the slot


def test_a_hostile_csv_is_refused_and_its_text_shown_as_text(open_page):
    page = open_page()
    hostile = b'x1,x2,label\n0.1,0.2,<img src=x onerror="window.__pwned=1">\n0,0,1\n'
    page.get_by_test_id("csv").set_input_files({"name": "points.csv", "mimeType": "text/csv", "buffer": hostile})
    expect(page.get_by_test_id("message")).to_contain_text("line 2: label must be a class 0 to 1")
    expect(page.get_by_test_id("message")).to_contain_text("<img src=x")
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_the_url_fragment_restores_the_setup_on_reload(open_page):
    page = open_page("#dataset=xor&hidden=3&activation=relu&features=x1,x2,x1*x2&learning_rate=0.1")
    checks = [("dataset", "xor"), ("activation", "relu"), ("learning-rate", "0.1")]
    for _ in range(2):
        for testid, value in checks:
            expect(page.get_by_test_id(testid)).to_have_value(value)
        expect(page.get_by_test_id("neuron-heatmap")).to_have_count(3)
        expect(page.locator('[data-testid="feature"][data-feature="x1*x2"]')).to_have_attribute("aria-pressed", "true")
        page.reload()


def test_screenshot(open_page, tmp_path):
    page = open_page("#dataset=circles&hidden=4,2&features=x1,x2&learning_rate=0.03&noise=0.05")
    page.get_by_test_id("play").click()
    page.wait_for_function("() => Number(document.querySelector('[data-testid=\"epoch\"]').textContent) >= 150",
                           timeout=60_000)
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("play")).to_have_attribute("data-playing", "false")
    page.get_by_test_id("show-test").check()
    target = Path(os.environ.get("PLAYGROUND_SCREENSHOT", tmp_path / "playground.png"))
    page.screenshot(path=str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_pages_controls_offer_the_servers_vocabulary(open_page):
    from viz.live.vocabulary import vocabulary

    page = open_page()
    offered = vocabulary()
    for field, choices in offered["choices"].items():
        choices = [list(choice) for choice in choices]
        select = page.locator(f'select[data-field="{field}"] option')
        expect(select).to_have_count(len(choices))
        shown = select.evaluate_all("options => options.map(o => [o.value, o.text])")
        assert [[type(value)(shown_value), text]
                for (value, _), (shown_value, text) in zip(choices, shown, strict=True)] == choices
    expect(page.get_by_test_id("feature")).to_have_text([text for _, text in offered["features"]])
    expect(page.locator('[name="point-class"]')).to_have_count(max(offered["classes"].values()))
    for layers in range(3, offered["max_layers"] + 1):
        page.get_by_test_id("add-layer").click()
        expect(page.get_by_test_id("layer-count")).to_have_text(str(layers))
    expect(page.get_by_test_id("add-layer")).to_be_disabled()
