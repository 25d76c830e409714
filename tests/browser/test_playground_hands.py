"""The playground with real hands: Playwright's mouse at real coordinates on Debian's chromium.

Every edge and neuron is reached by the mouse along its visible length (``document.elementFromPoint``
at points sampled along each edge), the classes stay readable on the trained surface (pixels sampled
from a screenshot, WCAG contrast), the layout fits 1440x900, 1024x700 and 390x844. Set
PLAYGROUND_SHOTS=DIR to keep the screenshots.
"""
from __future__ import annotations

import colorsys
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

import nn
from tests.support.hands import click_at_middle
from viz.dot import format_number

pytestmark = pytest.mark.browser
SIZES = [(1440, 900), (1024, 700), (390, 844)]
LABELS = nn.MLP(3, [4, 2, 1])  # the shape the edge test draws: its parameters' labels
ALONG = [i / 20 for i in range(1, 20)]  # where along each edge the mouse is tried
MIDDLE = slice(4, 15)  # 0.25 to 0.75: the ends are shared by the edges of one neuron (a fan), the middle is not

# For every edge: [x, y] in the viewport at each fraction of its length, and what the mouse finds there.
EDGE_SAMPLES = """(along) => [...document.querySelectorAll('[data-testid="edge"]')].map((edge) => {
  const hit = edge.querySelector('.hit') || edge, length = hit.getTotalLength(), m = hit.getScreenCTM();
  return along.map((t) => {
    const p = hit.getPointAtLength(length * t), x = m.a * p.x + m.c * p.y + m.e, y = m.b * p.x + m.d * p.y + m.f;
    const found = document.elementFromPoint(x, y), owner = found && found.closest('[data-testid="edge"]');
    return { x, y, self: owner === edge, edge: owner !== null };
  });
})"""
NEURON_SAMPLES = """() => [...document.querySelectorAll('.neuron')].map((neuron) => {
  const r = neuron.getBoundingClientRect(), hits = [];
  for (const fx of [0.1, 0.35, 0.65, 0.9]) for (const fy of [0.1, 0.35, 0.65, 0.9]) {
    const found = document.elementFromPoint(r.left + fx * r.width, r.top + fy * r.height);
    hits.push(found !== null && found.closest('.neuron') === neuron);
  }
  return { layer: Number(neuron.dataset.layer), neuron: Number(neuron.dataset.neuron), hits,
           x: r.left + r.width / 2, y: r.top + r.height / 2 };
})"""


def shot(page, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PLAYGROUND_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    page.screenshot(path=str(target), full_page=True)
    return target


@pytest.mark.parametrize(("width", "height"), SIZES[:2])
def test_every_edge_is_reached_by_the_mouse_along_its_length(open_playground, width, height):
    page = open_playground("#hidden=4,2&features=x1,x2,x1^2", width, height)
    edges = page.get_by_test_id("edge")
    expect(edges).to_have_count(3 * 4 + 4 * 2 + 2 * 1)
    samples = page.evaluate(EDGE_SAMPLES, ALONG)
    covered = [(e, s) for e, edge in enumerate(samples) for s in edge if not s["edge"]]
    assert covered == []  # nothing lies over any edge anywhere along it
    for number, edge in enumerate(samples):  # each edge is on top along much of its middle, in both halves
        middle = [s["self"] for s in edge[MIDDLE]]
        assert sum(middle) >= 3, (number, edge)
        assert any(middle[:5]), (number, edge)
        assert any(middle[6:]), (number, edge)
    hover = page.get_by_test_id("hover")
    for number, edge in enumerate(samples):
        spot = next(s for s in edge[MIDDLE] if s["self"])
        page.mouse.move(spot["x"], spot["y"])
        locator = edges.nth(number)
        layer, neuron, source = (int(locator.get_attribute(f"data-{key}")) for key in ("layer", "neuron", "source"))
        label = LABELS.layers[layer].neurons[neuron].w[source].label  # the engine's name of that weight
        expect(hover).to_be_visible()
        expect(hover).to_contain_text(f"{label} = ")
        page.mouse.move(2, 2)
        expect(hover).to_be_hidden()


@pytest.mark.parametrize(("width", "height"), SIZES[:2])
def test_every_neuron_is_reached_by_the_mouse(open_playground, width, height):
    page = open_playground("#hidden=4,3,2", width, height)
    expect(page.locator(".neuron")).to_have_count(9)
    hover = page.get_by_test_id("hover")
    for neuron in page.evaluate(NEURON_SAMPLES):
        assert all(neuron["hits"]), neuron
        page.mouse.move(neuron["x"], neuron["y"])
        expect(hover).to_contain_text(f"neuron {neuron['neuron'] + 1} of layer {neuron['layer'] + 1}")
    page.mouse.move(2, 2)
    expect(hover).to_be_hidden()


def test_a_card_under_a_still_pointer_follows_live_training(open_playground):
    page = open_playground("#hidden=4,2")
    click_at_middle(page, page.get_by_test_id("play"))
    expect(page.get_by_test_id("play")).to_have_attribute("data-playing", "true")
    box = page.locator('.neuron[data-layer="0"][data-neuron="0"]').bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # and the pointer stays there
    hover = page.get_by_test_id("hover")
    expect(hover).to_contain_text("∂L/∂b = ")
    expect(hover).not_to_have_text(hover.text_content())  # the next epochs' numbers, not the first ones


def test_on_a_phone_the_last_layers_buttons_take_the_click_not_the_edges_to_the_output(open_playground):
    page = open_playground("#hidden=8,8,8,8", 390, 844)  # the output sits above the network: its edges climb
    counts = page.locator(".neuron-count")
    expect(counts).to_have_count(4)
    click_at_middle(page, page.locator('[data-testid="remove-neuron"][data-layer="3"]'))
    expect(counts.nth(3)).to_have_text("7 neurons")
    expect(page.get_by_test_id("editor")).to_be_hidden()  # no edge took the click
    click_at_middle(page, page.locator('[data-testid="add-neuron"][data-layer="3"]'))
    expect(counts.nth(3)).to_have_text("8 neurons")


@pytest.mark.parametrize(("width", "height"), SIZES[1:])
def test_a_bias_box_in_a_dense_network_opens_its_editor(open_playground, width, height):
    page = open_playground("#hidden=8,8,8,8,8,8", width, height)  # the largest network: edges crowd every box
    expect(page.get_by_test_id("bias")).to_have_count(48)
    click_at_middle(page, page.locator('[data-testid="bias"][data-layer="2"][data-neuron="3"]'))
    editor = page.get_by_test_id("editor")
    expect(editor).to_be_visible()
    label = nn.MLP(2, [8] * 6 + [1]).layers[2].neurons[3].b.label  # the engine's name of that bias
    expect(editor).to_contain_text(f"{label} =")
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_each_neurons_hover_card_is_shown_whole_inside_the_window_and_never_over_the_neuron(open_playground, width,
                                                                                         height):
    page = open_playground("", width, height)
    card = page.get_by_test_id("hover")
    neurons = page.locator(".neuron")
    expect(neurons).to_have_count(6)
    for n in range(6):  # the last column lies near the window's right edge on a phone
        neuron = neurons.nth(n)
        neuron.scroll_into_view_if_needed()
        box = neuron.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # where a finger taps
        expect(card).to_contain_text(f"neuron {int(neuron.get_attribute('data-neuron')) + 1} of layer "
                                     f"{int(neuron.get_attribute('data-layer')) + 1}")
        shown = card.evaluate("""card => { const r = card.getBoundingClientRect(), one = (line) =>
            line.getBoundingClientRect().height < 1.6 * parseFloat(getComputedStyle(line).fontSize);
          return { left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                   wrapped: [...card.children].filter(line => !one(line)).length }; }""")
        assert shown["wrapped"] == 0, shown  # each line on one line: the card is not squeezed against the edge
        assert 0 <= shown["left"] < shown["right"] <= width, shown
        assert 0 <= shown["top"] < shown["bottom"] <= height, shown
        apart = (shown["right"] <= box["x"] or shown["left"] >= box["x"] + box["width"] or
                 shown["bottom"] <= box["y"] or shown["top"] >= box["y"] + box["height"])
        assert apart, (n, shown, box)  # the neuron stays in sight under the pointer
        page.mouse.move(2, 2)
        expect(card).to_be_hidden()


def test_on_a_phone_the_step_into_window_takes_the_whole_screen(open_playground):
    page = open_playground("", 390, 844)
    plot = page.get_by_test_id("points")
    plot.scroll_into_view_if_needed()
    expect(page.get_by_test_id("point").first).to_be_visible()
    x, y = plot.evaluate("""(svg) => { for (const point of svg.querySelectorAll('circle')) {
      const r = point.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (document.elementFromPoint(x, y) === point) return [x, y]; } }""")
    page.mouse.click(x, y)
    counter = page.frame_locator('[data-testid="explorer"]').get_by_test_id("step-counter")
    expect(counter).to_have_text(re.compile(r"^0 / \d+$"))
    box = page.get_by_test_id("explorer-panel").bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert box["width"] >= 380  # the explorer's own phone layout, not a window inset by 40 px a side
    page.keyboard.press("ArrowRight")
    expect(counter).to_have_text(re.compile(r"^1 / \d+$"))
    frame = page.frame_locator('[data-testid="explorer"]')
    click_at_middle(page, frame.locator("svg.neurons g.neuron").first)  # an input's box: its value, one level down
    expect(frame.get_by_test_id("inspector").locator("h2").first).to_be_in_viewport()  # not under the drawing
    click_at_middle(page, frame.get_by_test_id("to-drawing"))
    expect(frame.get_by_test_id("graph")).to_be_in_viewport(ratio=0.95)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("explorer-panel")).to_be_hidden()


def luminance(rgb) -> float:
    channels = [c / 255 for c in rgb[:3]]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    low, high = sorted([luminance(a), luminance(b)])
    return (high + 0.05) / (low + 0.05)


def train(page, epochs: int) -> None:
    box = page.get_by_test_id("play").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("n => Number(document.querySelector('[data-testid=\"epoch\"]').textContent) >= n",
                           arg=epochs, timeout=90_000)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_test_id("play")).to_have_attribute("data-playing", "false")


def point_contrasts(page) -> tuple[list[float], dict[int, list]]:
    """For each training point alone on the plot: its fill against the surface around it, from a screenshot."""
    plot = page.get_by_test_id("points")
    image = Image.open(io.BytesIO(plot.screenshot())).convert("RGB")
    scale = image.width / plot.bounding_box()["width"]
    centres = plot.evaluate("""svg => { const box = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('circle')].map((c) => { const r = c.getBoundingClientRect();
        return [r.left + r.width / 2 - box.left, r.top + r.height / 2 - box.top, r.width / 2,
                Number(c.dataset.index)]; }); }""")
    colours = plot.evaluate("svg => [...svg.querySelectorAll('circle')].map(c => c.getAttribute('fill'))")
    ratios, fills = [], {}
    for (x, y, radius, _), fill in zip(centres, colours, strict=True):
        if any(0 < (x - u) ** 2 + (y - v) ** 2 < (radius + 2) ** 2 for u, v, _, _ in centres):
            continue  # its middle may lie under another point's outline
        inside = image.getpixel((round(x * scale), round(y * scale)))
        fills.setdefault(fill, []).append(inside)
        ring = radius + 4  # past the outline: the surface the point lies on
        for dx, dy in [(1, 0), (-1, 0), (0, 1), (0, -1), (0.7, 0.7), (-0.7, 0.7), (0.7, -0.7), (-0.7, -0.7)]:
            u, v = x + dx * ring, y + dy * ring
            if 0 <= u * scale < image.width and 0 <= v * scale < image.height and \
                    all((u - a) ** 2 + (v - b) ** 2 > (r + 2) ** 2 for a, b, r, _ in centres):
                ratios.append(contrast(inside, image.getpixel((round(u * scale), round(v * scale)))))
    return ratios, fills


@pytest.mark.parametrize(("fragment", "classes"), [
    ("#dataset=circles&hidden=4,2&learning_rate=0.1&features=x1,x2,x1^2,x2^2", 2),
    ("#dataset=blobs&loss=cross_entropy&hidden=4&learning_rate=0.1", 3)])
def test_points_keep_their_class_colour_on_the_trained_surface(open_playground, tmp_path, fragment, classes):
    page = open_playground(fragment, 1440, 900)
    train(page, 60)
    expect(page.get_by_test_id("accuracy")).not_to_have_text("–")
    assert float(page.get_by_test_id("accuracy").text_content().split("%")[0]) > 85
    shot(page, f"trained-{classes}-classes.png", tmp_path)
    ratios, fills = point_contrasts(page)
    assert len(ratios) > 100
    assert len(fills) == classes
    assert min(ratios) >= 3.0, sorted(ratios)[:5]
    hues = sorted(colorsys_hue(colours[len(colours) // 2]) for colours in fills.values())
    gaps = [(b - a) % 360 for a, b in zip(hues, hues[1:] + hues[:1], strict=True)]
    assert min(gaps) >= 60, hues  # distinct hues, never a blend
    key = page.get_by_test_id("colour-key")
    expect(key).to_contain_text("orange negative, blue positive")
    for c in range(classes):
        expect(key).to_contain_text(f"class {c}")


def colorsys_hue(rgb) -> float:
    return 360 * colorsys.rgb_to_hsv(*(c / 255 for c in rgb))[0]


BOXES = """() => Object.fromEntries(['top', 'data', 'features', 'hidden-layers', 'output'].map((name) => {
  const r = document.querySelector(name === 'top' ? '.top' : `.column.${name}`).getBoundingClientRect();
  return [name, { left: r.left, right: r.right, top: r.top + scrollY, bottom: r.bottom + scrollY }];
}))"""


def click(page, testid: str) -> None:
    """A real click at the middle of the control with that test id."""
    click_at_middle(page, page.get_by_test_id(testid))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_layout_fits_without_scrolling_sideways(open_playground, tmp_path, width, height):
    page = open_playground("", width, height)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    boxes = page.evaluate(BOXES)
    assert all(box["left"] >= 0 and box["right"] <= width for box in boxes.values()), boxes
    if width < 500:  # a phone: run controls, output, network, data, one under the other
        assert boxes["top"]["bottom"] <= boxes["output"]["top"] < boxes["output"]["bottom"] \
            <= boxes["hidden-layers"]["top"] < boxes["hidden-layers"]["bottom"] <= boxes["data"]["top"]
        assert boxes["features"]["top"] == pytest.approx(boxes["hidden-layers"]["top"], abs=2)
    else:
        assert boxes["data"]["right"] <= boxes["features"]["left"] < boxes["hidden-layers"]["left"] \
            < boxes["output"]["left"]
    click(page, "step")
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    click(page, "add-layer")
    expect(page.get_by_test_id("layer-count")).to_have_text("3")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"playground-{width}x{height}.png", tmp_path)


def test_a_reload_keeps_the_weights_and_the_epoch(open_playground):
    page = open_playground()
    for epoch in ("1", "2", "3"):
        click(page, "step")
        expect(page.get_by_test_id("epoch")).to_have_text(epoch)
    before = page.get_by_test_id("loss-train").text_content()
    page.reload()
    expect(page.get_by_test_id("epoch")).to_have_text("3")
    expect(page.get_by_test_id("loss-train")).to_have_text(before)
    click(page, "step")
    expect(page.get_by_test_id("epoch")).to_have_text("4")


def test_an_upload_is_named_by_the_dataset_control_and_the_link(open_playground):
    page = open_playground()
    rows = "x1,x2,label\n" + "".join(f"{x / 10},{(x * 7 % 10) / 10},{x % 2}\n" for x in range(-9, 10))
    page.get_by_test_id("csv").set_input_files({"name": "mine.csv", "mimeType": "text/csv", "buffer": rows.encode()})
    dataset = page.get_by_test_id("dataset")
    expect(dataset.locator("option:checked")).to_have_text("mine.csv (uploaded)")
    click(page, "show-test")
    expect(page.get_by_test_id("point")).to_have_count(19)
    assert "uploaded=mine.csv" in page.url
    page.reload()
    expect(dataset.locator("option:checked")).to_have_text("mine.csv (uploaded)")
    dataset.select_option("circles")
    expect(dataset.locator("option:checked")).to_have_text("circles")
    expect(dataset.locator("option[data-upload]")).to_have_count(0)
    page.wait_for_function("() => !location.hash.includes('uploaded=')")


def test_an_error_clears_at_the_next_successful_action(open_playground):
    page = open_playground()
    page.get_by_test_id("csv").set_input_files({"name": "bad.csv", "mimeType": "text/csv", "buffer": b"1,2,3\n4,5\n"})
    expect(page.get_by_test_id("message")).to_be_visible()
    click(page, "step")
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    expect(page.get_by_test_id("message")).to_be_hidden()


def nn_train(tmp_path: Path, *options: str) -> Path:
    out = tmp_path / "-".join(["moons", *options]).replace(",", "_")
    subprocess.run([sys.executable, "-m", "nn", "train", "moons", "--steps", "2", "--out", str(out), *options],
                   check=True, capture_output=True, timeout=300)
    return out / "model.json"


def test_a_model_nn_train_wrote_loads_or_says_what_would_fit(open_playground, tmp_path):
    page = open_playground()
    page.get_by_test_id("import").set_input_files(str(nn_train(tmp_path)))
    message = page.get_by_test_id("message")
    expect(message).to_contain_text("its hidden layers are 16,16")
    expect(message).to_contain_text("at most 6 hidden layers of at most 8 neurons")
    expect(message).to_contain_text("python -m nn train circles --hidden 4,2")
    fitting = nn_train(tmp_path, "--hidden", "4,2")
    page.get_by_test_id("import").set_input_files(str(fitting))
    expect(message).to_be_hidden()
    expect(page.get_by_test_id("loss")).to_have_value("hinge")
    expect(page.get_by_test_id("activation")).to_have_value("relu")
    saved = json.loads(fitting.read_text())
    first = saved["layers"][0]["weights"][0][0]
    edge = page.evaluate(EDGE_SAMPLES, [0.5])[0][0]
    page.mouse.move(edge["x"], edge["y"])
    expect(page.get_by_test_id("hover")).to_contain_text(f"= {format_number(first)}")
