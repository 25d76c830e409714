"""The explorer's three views in a real browser (Debian's chromium), driven by mouse and keyboard (issue 20).

Set EXPLORER_SCREENSHOTS=docs to refresh the README's pictures of the neuron and layer views.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from playwright.sync_api import expect

import nn
from autograd import Value, subscript
from viz import explore
from viz.explorer_data import page_data
from viz.program import program
from viz.sources import resolve

pytestmark = pytest.mark.browser
TEXT_ON_SCREEN = """() => [...document.querySelectorAll(`.view:not([hidden]) text, .view:not([hidden]) h3,
    .view:not([hidden]) p, .view:not([hidden]) figcaption`)].filter(t => t.getBoundingClientRect().width > 0)
    .map(t => {
      const svg = t.closest('svg');
      const scale = svg ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width
                        : Number(getComputedStyle(t.closest('.layer-row')).zoom || 1);
      return parseFloat(getComputedStyle(t).fontSize) * scale;
    })"""


def mlp_loss(sizes, activation="tanh", loss="mse", seed=0):
    model = nn.MLP(sizes[0], sizes[1:], activation=activation, seed=seed)
    rng = random.Random(seed)
    out = model([Value(rng.uniform(-1, 1), f"a⁽⁰⁾{subscript(k)}") for k in range(sizes[0])])
    cost = nn.LOSSES[loss]([out], [3] if loss == "cross_entropy" else [1.0])
    cost.label = "C"
    return cost, model


@pytest.fixture(scope="module")
def mlp_page(tmp_path_factory):
    cost, model = mlp_loss([2, 4, 4, 1])
    path = explore(cost, tmp_path_factory.mktemp("levels") / "mlp.html", parameters=model.parameters())
    return path, page_data(cost, parameters=model.parameters())


def counter(page) -> str:
    return page.get_by_test_id("step-counter").text_content()


def choose_level(page, steps_up_or_down: str, times: int = 1) -> None:
    """The level menu by mouse and keyboard: click it, arrow to the option, Enter."""
    page.get_by_test_id("level").click()
    for _ in range(times):
        page.keyboard.press(steps_up_or_down)
    page.keyboard.press("Enter")


def backward_step_of(data, layer: int, neuron: int = 0) -> int:
    """The neuron view's step where neuron ``neuron`` of ``layer`` receives its gradient."""
    return next(i for i, s in enumerate(data["network"]["neuron_steps"])
                if s["phase"] == "backward" and s["layer"] == layer and s.get("neuron") == neuron)


def open_at(watched_page, mlp_page, layer: int, neuron: int = 0):
    """The 2-4-4-1 page, stepped by keyboard to where that neuron receives its gradient: (page, data, step)."""
    path, data = mlp_page
    page = watched_page(path.as_uri())
    k = backward_step_of(data, layer, neuron)
    go_to(page, k, len(data["network"]["neuron_steps"]) - 1)
    return page, data, k


def go_to(page, step: int, total: int) -> None:
    page.keyboard.press("Home")
    for _ in range(step):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("step-counter")).to_have_text(f"{step} / {total}")


def test_a_network_opens_on_the_neuron_view_and_switches_levels_at_the_same_step(watched_page, mlp_page):
    path, data = mlp_page
    page = watched_page(path.as_uri())
    level = page.get_by_test_id("level")
    expect(level).to_have_value("neuron")
    expect(page.get_by_test_id("neuron")).to_have_count(2 + 4 + 4 + 1 + 1)  # inputs, neurons, the cost
    neuron_steps = data["network"]["neuron_steps"]
    k = backward_step_of(data, 2)
    go_to(page, k, len(neuron_steps) - 1)
    choose_level(page, "ArrowDown")
    expect(level).to_have_value("layer")
    layer_steps = data["network"]["layer_steps"]
    expect(page.get_by_test_id("step-counter")).to_have_text(f"{neuron_steps[k]['up']} / {len(layer_steps) - 1}")
    expect(page.get_by_test_id("layer")).to_have_count(3)
    expect(page.get_by_test_id("formula")).to_contain_text("δ⁽²⁾ = tanh'(z⁽²⁾) ⊙ ∂C/∂a⁽²⁾")
    expect(page.get_by_test_id("formula")).to_contain_text("dC_dW2 = np.outer(d2, a1)")
    page.keyboard.press("ArrowRight")  # the menu gave the arrows back to the stepper
    expect(page.get_by_test_id("step-counter")).to_have_text(f"{neuron_steps[k]['up'] + 1} / {len(layer_steps) - 1}")
    choose_level(page, "ArrowUp", 2)
    expect(level).to_have_value("scalar")
    expect(page.locator("svg g.node.value")).to_have_count(len(data["nodes"]))


def test_the_neuron_step_shows_the_sum_over_the_next_layer_with_the_engines_numbers(watched_page, mlp_page):
    page, data, _ = open_at(watched_page, mlp_page, 1, 2)
    formula = page.get_by_test_id("formula")
    expect(formula).to_contain_text("∂C/∂a⁽¹⁾ₖ = Σⱼ w⁽²⁾ⱼ,ₖ · tanh'(z⁽²⁾ⱼ) · ∂C/∂a⁽²⁾ⱼ")
    numbers = "ls => ls.map(l => [...l.querySelectorAll('.num')].map(n => Number(n.dataset.value)))"
    rows = page.eval_on_selector_all('[data-testid="formula"] .terms:first-of-type .math', numbers)
    nxt = data["network"]["layers"][1]
    expected = [[nxt["W"][i][2], nxt["slope"][i], nxt["grad_a"][i], nxt["terms"][i][2]] for i in range(4)]
    assert rows[:4] == expected
    assert rows[4] == [data["network"]["layers"][0]["grad_a"][2]]  # = their sum, the engine's ∂C/∂a⁽¹⁾₂


def test_clicking_a_neuron_opens_the_scalar_view_on_it_at_the_same_step(watched_page, mlp_page):
    page, data, k = open_at(watched_page, mlp_page, 2, 1)
    steps = data["network"]["neuron_steps"]
    box = page.locator('[data-testid="neuron"][data-layer="2"][data-neuron="1"] rect')
    bounds = box.bounding_box()
    page.mouse.click(bounds["x"] + bounds["width"] / 2, bounds["y"] + bounds["height"] / 2)
    expect(page.get_by_test_id("level")).to_have_value("scalar")
    expect(page.get_by_test_id("step-counter")).to_have_text(f"{steps[k]['scalar']} / {len(data['steps']) - 1}")
    expect(page.get_by_test_id("inspector")).to_contain_text("a⁽²⁾₁")


def test_clicking_a_cell_of_a_weight_matrix_shows_that_weights_chain_rule(watched_page, mlp_page):
    path, data = mlp_page
    page = watched_page(f"{path.as_uri()}#level=layer&step=7")
    matrix = page.locator('[data-testid="layer"][data-layer="2"] .weights').bounding_box()
    cell = matrix["height"] / 4  # W⁽²⁾ is 4 × 4: row j = 1, column k = 0
    page.mouse.click(matrix["x"] + cell * 0.5, matrix["y"] + cell * 1.5)
    inspector = page.get_by_test_id("inspector")
    expect(inspector).to_contain_text("∂C/∂w⁽²⁾₁,₀ = a⁽¹⁾₀ · tanh'(z⁽²⁾₁) · ∂C/∂a⁽²⁾₁")
    expect(inspector).to_contain_text("Chain rule (autograd.explain)")
    expect(page.get_by_test_id("level")).to_have_value("layer")  # a weight is inspected, not opened below
    shown = inspector.locator(".math .num").evaluate_all("ns => ns.map(n => Number(n.dataset.value))")
    layer = data["network"]["layers"][1]
    assert shown[:4] == [data["network"]["layers"][0]["a"][0], layer["slope"][1], layer["grad_a"][1],
                         layer["grad_W"][1][0]]


def test_search_by_ascii_name_jumps_to_the_step_where_the_weight_gets_its_gradient(watched_page, mlp_page):
    path, data = mlp_page
    page = watched_page(path.as_uri())
    page.get_by_test_id("search").click()
    page.keyboard.type("w2_1_0")
    page.keyboard.press("Enter")
    steps = data["network"]["neuron_steps"]
    k = backward_step_of(data, 2, 1)
    expect(page.get_by_test_id("step-counter")).to_have_text(f"{k} / {len(steps) - 1}")
    inspector = page.get_by_test_id("inspector")
    expect(inspector).to_contain_text("w⁽²⁾₁,₀")
    expect(inspector).to_contain_text("Chain rule (autograd.explain)")
    expect(page.get_by_test_id("gradient-check")).to_have_text("✓ agree")
    page.get_by_test_id("search").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("w⁽⁹⁾")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("search-status")).to_contain_text("no node named")


def test_the_search_box_suggests_a_name_of_the_graph_shown_and_finds_it(watched_page, mlp_page, tmp_path):
    path, _ = mlp_page
    page = watched_page(path.as_uri())
    expect(page.get_by_test_id("search")).to_have_attribute("placeholder", "find w⁽²⁾₁,₀ or w2_1_0, then Enter")
    x, w = Value(2.0, "x"), Value(-3.0, "w⁽¹⁾")  # a graph without layers: its parameter is the example
    out = (x * w).tanh()
    out.label = "y"
    page = watched_page(explore(out, tmp_path / "scalar.html", parameters=[w]).as_uri())
    search = page.get_by_test_id("search")
    expect(search).to_have_attribute("placeholder", "find w⁽¹⁾ or w1, then Enter")
    expect(page.get_by_test_id("inspector")).not_to_contain_text("w⁽¹⁾")
    search.click()
    page.keyboard.type("w1")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("inspector")).to_contain_text("w⁽¹⁾")
    expect(page.get_by_test_id("search-status")).to_have_text("")


def test_the_jump_list_groups_steps_by_layer(watched_page, mlp_page):
    path, data = mlp_page
    page = watched_page(path.as_uri())
    options = page.get_by_test_id("jump").locator("option")
    labels = options.all_text_contents()
    assert any(label.startswith("backward · layer 1") for label in labels)
    assert any(label.startswith("backward · inputs") for label in labels)
    page.get_by_test_id("jump").click()
    for _ in labels[:labels.index(next(lab for lab in labels if lab.startswith("backward · layer 2")))]:
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    steps = data["network"]["neuron_steps"]
    k = backward_step_of(data, 2)
    expect(page.get_by_test_id("step-counter")).to_have_text(f"{k} / {len(steps) - 1}")


def test_zoom_runs_from_a_quarter_to_four_times(watched_page, mlp_page):
    path, _ = mlp_page
    page = watched_page(path.as_uri())
    for _ in range(12):
        page.get_by_test_id("zoom-in").click()
    expect(page.get_by_test_id("zoom-level")).to_have_text("400%")
    for _ in range(20):
        page.get_by_test_id("zoom-out").click()
    expect(page.get_by_test_id("zoom-level")).to_have_text("25%")
    page.get_by_test_id("zoom-fit").click()
    expect(page.get_by_test_id("zoom-level")).not_to_have_text("25%")


@pytest.mark.parametrize("level", ["scalar", "neuron", "layer"])
@pytest.mark.parametrize("size", [(1440, 900), (1024, 700), (390, 844)])
def test_text_is_at_least_11_px_on_screen_at_the_opening_zoom(watched_page, mlp_page, level, size):
    path, _ = mlp_page
    page = watched_page(f"{path.as_uri()}#level={level}&step=0", *size)
    expect(page.get_by_test_id("level")).to_have_value(level)
    sizes = page.evaluate(TEXT_ON_SCREEN)
    assert sizes, (level, size, min(sizes))
    assert min(sizes) >= 11, (level, size, min(sizes))


# Each name of a vector listed in the step's panel: on one line (its index never wraps away) and inside the panel.
VECTOR_NAMES = """() => [...document.querySelectorAll('[data-testid="formula"] .vector .math')].map((name) => {
  const r = name.getBoundingClientRect(), panel = name.closest('.panel').getBoundingClientRect();
  return { text: name.textContent, one_line: r.height < 1.6 * parseFloat(getComputedStyle(name).fontSize),
           inside: r.left >= panel.left && r.right <= panel.right }; })"""


@pytest.mark.parametrize("size", [(1440, 900), (1024, 700), (390, 844)])
def test_the_layer_views_vectors_keep_each_name_whole(watched_page, tmp_path, size):
    cost, model = mlp_loss([4, 16, 16, 10], activation="sigmoid", loss="cross_entropy")  # vectors of 10 and 16
    path = explore(cost, tmp_path / "sixteen.html", parameters=model.parameters())
    page = watched_page(f"{path.as_uri()}#level=layer&step=0", *size)
    expect(page.get_by_test_id("level")).to_have_value("layer")
    total = int(counter(page).split(" / ")[1])
    seen = []
    for step in range(1, total + 1):
        page.keyboard.press("ArrowRight")
        expect(page.get_by_test_id("step-counter")).to_have_text(f"{step} / {total}")
        names = page.evaluate(VECTOR_NAMES)
        assert [name for name in names if not (name["one_line"] and name["inside"])] == [], (size, step)
        seen += names
    assert len(seen) >= 16


# The words (split at spaces) of each element matching a selector that a line wraps inside, read from the
# text's own line boxes: a name broken from its indices (w⁽²⁾ then ₂,₀ on the next line) is one.
BROKEN_WORDS = """(selector) => [...document.querySelectorAll(selector)].flatMap((row) => {
  const pieces = [], walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
  for (let offset = 0; walker.nextNode(); offset += walker.currentNode.length) {
    pieces.push([walker.currentNode, offset]);
  }
  const at = (i) => { const [node, start] = pieces.find(([n, s]) => i <= s + n.length); return [node, i - start]; };
  const broken = [];
  let start = 0;
  for (const word of row.textContent.split(' ')) {
    if (!word) { start += 1; continue; }
    const range = document.createRange();
    range.setStart(...at(start));
    range.setEnd(...at(start + word.length));
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
    if (lines.size > 1) broken.push(word);
    start += word.length + 1;
  }
  return broken; })"""


@pytest.mark.parametrize("size", [(1440, 900), (1024, 700), (390, 844)])
def test_the_chain_rule_wraps_between_names_never_inside_one(watched_page, mlp_page, size):
    path, _ = mlp_page
    page = watched_page(path.as_uri(), *size)
    search, chain = page.get_by_test_id("search"), page.get_by_test_id("chain")
    labels = nn.MLP(2, [4, 4, 1])  # the fixture's shape: the engine's names of its weights
    for layer, j, k in [(1, 0, 0), (2, 2, 0), (3, 0, 1)]:  # one weight of each layer: long chains, sums over paths
        search.scroll_into_view_if_needed()
        search.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(f"w{layer}_{j}_{k}")
        page.keyboard.press("Enter")
        expect(chain).to_contain_text(f"∂C/∂{labels.layers[layer - 1].neurons[j].w[k].label}")
        assert page.evaluate(BROKEN_WORDS, '[data-testid="chain"] .chain-row') == [], (size, layer, j, k)


@pytest.mark.parametrize(("level", "size"), [("scalar", (390, 844)), ("neuron", (1024, 700))])
def test_every_steps_formulas_wrap_between_names_never_inside_one(watched_page, mlp_page, level, size):
    path, _ = mlp_page
    page = watched_page(f"{path.as_uri()}#level={level}&step=0", *size)
    expect(page.get_by_test_id("level")).to_have_value(level)
    total = int(counter(page).split(" / ")[1])
    for step in range(1, total + 1):
        page.keyboard.press("ArrowRight")
        expect(page.get_by_test_id("step-counter")).to_have_text(f"{step} / {total}")
        assert page.evaluate(BROKEN_WORDS, ".panels .math, .panels td") == [], (level, size, step)


def test_on_a_phone_the_graph_and_the_panel_are_stacked_and_both_usable(watched_page, mlp_page):
    path, _ = mlp_page
    page = watched_page(path.as_uri(), 390, 844)
    graph = page.locator(".graph-pane").bounding_box()
    panels = page.locator(".panels").bounding_box()
    assert graph["height"] >= 300
    assert graph["width"] >= 380
    assert panels["y"] >= graph["y"] + graph["height"] - 1
    total = counter(page).split(" / ")[1]
    page.get_by_test_id("next").click()
    expect(page.get_by_test_id("step-counter")).to_have_text(f"1 / {total}")
    box = page.locator('[data-testid="neuron"][data-layer="1"][data-neuron="0"] rect').bounding_box()
    assert box["x"] >= 0
    assert box["y"] >= graph["y"]
    assert box["width"] > 100


def test_the_digit_network_opens_on_the_layer_view_and_steps(watched_page, tmp_path):
    cost, model = mlp_loss([784, 16, 16, 10], activation="sigmoid", loss="cross_entropy")
    path = explore(cost, tmp_path / "digit.html", parameters=model.parameters())
    page = watched_page(path.as_uri())
    expect(page.get_by_test_id("level")).to_have_value("layer")
    expect(page.get_by_test_id("layer")).to_have_count(3)
    assert page.locator('select[data-testid="level"] option[value="scalar"]').get_attribute("disabled") is not None
    page.keyboard.press("End")
    expect(page.get_by_test_id("formula")).to_contain_text("W⁽¹⁾ ← W⁽¹⁾ − lr · ∂C/∂W⁽¹⁾")
    for _ in range(2):  # back from the update: layer 1's backward step, then layer 2's
        page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("formula")).to_contain_text("∂C/∂W⁽²⁾ = δ⁽²⁾ a⁽¹⁾ᵀ")
    folder = os.environ.get("EXPLORER_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / "explorer-layer.png"))


def test_screenshots_of_the_neuron_view(watched_page, mlp_page):
    folder = os.environ.get("EXPLORER_SCREENSHOTS")
    if not folder:
        pytest.skip("set EXPLORER_SCREENSHOTS=docs to refresh the README's pictures")
    page, _, _ = open_at(watched_page, mlp_page, 1, 2)
    page.screenshot(path=str(Path(folder) / "explorer-neuron.png"))


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_the_layer_view_shows_the_generated_programs_lines_at_each_step(watched_page, tmp_path, size):
    """Issue 23: stepping by keyboard to layer 3's backward step shows the lines `python -m viz program` prints
    for it (δ⁽³⁾ = σ'(z⁽³⁾) ⊙ ∂C/∂a⁽³⁾ is `d_z3 = a3 * (1.0 - a3) * d_a3`)."""
    four = resolve("four-neuron")
    path = explore(four.output, tmp_path / "four.html", parameters=four.parameters, level="layer")
    steps = page_data(four.output, parameters=four.parameters, level="layer")["network"]["layer_steps"]
    printed = [line.strip() for line in program(four).splitlines()]
    page = watched_page(path.as_uri(), *size)
    k = next(i for i, s in enumerate(steps) if s["phase"] == "backward" and s["layer"] == 3)
    go_to(page, k, len(steps) - 1)
    lines = page.get_by_test_id("program-line")
    expect(lines).to_have_text(steps[k]["program"])
    assert "d_z3 = a3 * (1.0 - a3) * d_a3" in lines.all_text_contents()
    assert all(line in printed for line in lines.all_text_contents())
    page.keyboard.press("ArrowLeft")  # the cost's backward step: its own lines replace them
    expect(lines.first).to_have_text(steps[k - 1]["program"][0])
    lines.first.scroll_into_view_if_needed()
    shown = lines.first.bounding_box()
    assert shown["width"] > 0
    assert shown["x"] + shown["width"] <= size[0]
