"""The explorer page in a real browser: Playwright driving Debian's chromium (never a downloaded one).

Set EXPLORER_SCREENSHOT=docs/explorer.png to refresh the README's screenshot.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from autograd import Value, backward_steps, topological_order
from bench.explorer_page import wide_loss
from nn import SGD
from viz import draw, explore, four_neuron, render
from viz.explorer_data import FORMAT_VERSION

LEARNING_RATE = 0.5
HOSTILE = "<script>alert(1)</script>"
SNEAKY = '<img src=x onerror="window.__pwned = 1">'

pytestmark = pytest.mark.browser  # conftest's chromium fixture skips without the system chromium


@pytest.fixture(scope="module")
def four_neuron_page(tmp_path_factory):
    net = four_neuron()
    path = tmp_path_factory.mktemp("explorer") / "four-neuron.html"
    return explore(net.output, path, parameters=net.parameters, learning_rate=LEARNING_RATE,
                   title="3Blue1Brown's four-neuron network")


@pytest.fixture
def open_page(watched_page):
    """Opens a file (and a #fragment) in a fresh page that must see no script error and no dialog."""
    return lambda path, fragment="": watched_page(path.as_uri() + fragment)


def backward_start(output: Value) -> int:
    """The page's first backward step: after the start and one forward step per computed node."""
    return 1 + sum(1 for node in topological_order(output) if node.parents)


def counter(page) -> str:
    return page.get_by_test_id("step-counter").text_content()


def press(page, key: str, step: int, total: int) -> None:
    """Press ``key`` and wait until the page shows ``step`` (never read state right after an input)."""
    page.keyboard.press(key)
    expect(page.get_by_test_id("step-counter")).to_have_text(f"{step} / {total}")


def current_ids(page) -> list[str]:
    return page.eval_on_selector_all("svg .current", "nodes => nodes.map(node => node.id)")


def numbers_in(page, selector: str) -> list[list[float]]:
    """The exact numbers (data-value) on each line matching ``selector`` inside the formula panel."""
    return page.eval_on_selector_all(
        f'[data-testid="formula"] {selector}',
        "lines => lines.map(line => [...line.querySelectorAll('.num')].map(n => Number(n.dataset.value)))")


def test_counter_advances_with_the_button_and_the_arrow_key(open_page, four_neuron_page):
    page = open_page(four_neuron_page)
    shown = page.get_by_test_id("step-counter")
    total = int(counter(page).split(" / ")[1])
    assert counter(page) == f"0 / {total}"
    assert total >= 10
    page.get_by_test_id("next").click()
    expect(shown).to_have_text(f"1 / {total}")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(shown).to_have_text(f"3 / {total}")
    page.keyboard.press("ArrowLeft")
    expect(shown).to_have_text(f"2 / {total}")
    page.get_by_test_id("last").click()
    expect(shown).to_have_text(f"{total} / {total}")
    expect(page.get_by_test_id("next")).to_be_disabled()
    page.get_by_test_id("first").click()
    expect(shown).to_have_text(f"0 / {total}")
    expect(page.get_by_test_id("prev")).to_be_disabled()


def test_the_current_node_is_highlighted_and_moves(open_page, four_neuron_page):
    page = open_page(four_neuron_page, "#step=1")
    total = int(counter(page).split(" / ")[1])
    first = current_ids(page)
    press(page, "ArrowRight", 2, total)
    second = current_ids(page)
    assert first
    assert second
    assert first != second
    assert all(node_id.startswith("v") for node_id in first + second)


def test_the_formula_panel_shows_the_engines_numbers_at_every_backward_step(open_page, four_neuron_page):
    net = four_neuron()
    records = backward_steps(net.output)
    order = topological_order(net.output)
    start = backward_start(net.output)
    page = open_page(four_neuron_page, f"#step={start}")
    total = int(counter(page).split(" / ")[1])
    for k, record in enumerate(records):
        expect(page.get_by_test_id("step-counter")).to_have_text(f"{start + k} / {total}")
        panel = page.get_by_test_id("formula").text_content()
        assert "∂" in panel
        assert "Backward" in panel
        assert f"v{order.index(record.node)}" in current_ids(page)
        formulas = page.eval_on_selector_all('[data-testid="formula"] .contribution .math:first-child',
                                             "lines => lines.map(line => line.textContent)")
        products = numbers_in(page, ".contribution .math:nth-child(2)")
        for contribution, formula, (local, upstream, added) in zip(record.contributions, formulas, products,
                                                                   strict=True):
            assert formula.startswith(contribution.formula)
            assert (local, upstream, added) == (contribution.local, record.upstream, contribution.added)
        page.keyboard.press("ArrowRight")


def test_the_update_panel_matches_an_sgd_step(open_page, four_neuron_page):
    net = four_neuron()
    for p in net.parameters:
        p.grad = 0.0
    net.output.backward()
    expected_by_hand = [p.data - LEARNING_RATE * p.grad for p in net.parameters]
    SGD(net.parameters, LEARNING_RATE).step()
    page = open_page(four_neuron_page, "#step=9999")
    update = page.get_by_test_id("update")
    expect(update).to_be_visible()
    rows = page.eval_on_selector_all('[data-testid="update-row"]', """rows => rows.map(row =>
        [row.cells[0].textContent, ...[...row.querySelectorAll('.num')].map(n => Number(n.dataset.value))])""")
    assert [name for name, *_ in rows] == [p.label for p in net.parameters]
    assert [new for *_, new in rows] == pytest.approx([p.data for p in net.parameters], rel=1e-15)
    assert [new for *_, new in rows] == pytest.approx(expected_by_hand, rel=1e-15)
    new_loss = float(page.get_by_test_id("new-loss").get_attribute("data-value"))
    assert new_loss == pytest.approx(four_neuron(w=[p.data for p in net.parameters[::2]],
                                                 b=[p.data for p in net.parameters[1::2]]).output.data,
                                     rel=1e-12)


def test_clicking_a_parameter_shows_its_chain_and_numerical_gradient(open_page, four_neuron_page):
    net = four_neuron()
    net.output.backward()
    index = topological_order(net.output).index(net["w3"])
    page = open_page(four_neuron_page)
    page.locator(f"#v{index}").click()
    expect(page.get_by_test_id("gradient-check")).to_have_text("✓ agree")
    rows = page.eval_on_selector_all('[data-testid="chain"] > span', "spans => spans.map(s => s.textContent)")
    assert rows[:3] == ["∂C₀/∂w⁽³⁾", "=", "∂z⁽³⁾/∂w⁽³⁾ · ∂a⁽³⁾/∂z⁽³⁾ · ∂C₀/∂a⁽³⁾"]
    assert rows[5] == "a⁽²⁾ · σ'(z⁽³⁾) · 2(a⁽³⁾ − y)"
    analytic, numerical = page.eval_on_selector_all(
        '[data-testid="inspector"] p:has([data-testid="gradient-check"]) .num',
        "nums => nums.map(n => Number(n.dataset.value))")
    assert analytic == net["w3"].grad
    assert numerical == pytest.approx(analytic, rel=1e-6)


def test_clicking_an_op_inspects_the_value_it_computes(open_page, four_neuron_page):
    net = four_neuron()
    index = topological_order(net.output).index(net["a3"])
    page = open_page(four_neuron_page)
    page.locator(f"#v{index}_op").click()
    expect(page.get_by_test_id("inspector")).to_contain_text("a⁽³⁾")
    expect(page.locator(f"#v{index}")).to_have_class(re.compile(r"\bselected\b"))


def test_page_data_of_another_format_version_is_refused_with_a_message(open_page, four_neuron_page, tmp_path):
    text = four_neuron_page.read_text(encoding="utf-8")
    marker = f'"format":{FORMAT_VERSION},'
    assert text.count(marker) == 1
    current = open_page(four_neuron_page)
    expect(current.get_by_test_id("step-counter")).not_to_have_text("0 / 0")
    expect(current.get_by_test_id("format-error")).to_have_count(0)
    other = tmp_path / "other-format.html"
    other.write_text(text.replace(marker, f'"format":{FORMAT_VERSION + 1},'), encoding="utf-8")
    page = open_page(other)
    message = page.get_by_test_id("format-error")
    expect(message).to_contain_text(f"format {FORMAT_VERSION + 1}, but its script reads format {FORMAT_VERSION}")
    expect(page.get_by_test_id("step-counter")).to_have_text("0 / 0")  # the replay never started


def test_a_disagreeing_numerical_gradient_is_marked(open_page, tmp_path):
    x = Value(0.0, "x")  # ReLU's kink: the rule gives 0, central differences 1/2
    page = open_page(explore(x.relu() * 2.0, tmp_path / "kink.html"))
    page.locator("#v0").click()
    expect(page.get_by_test_id("gradient-check")).to_have_text("✗ disagree")


def test_hostile_labels_are_shown_as_text_and_run_nothing(open_page, tmp_path):
    x, y = Value(2.0, HOSTILE), Value(-1.0, SNEAKY)
    out = x * x + x * y  # x is reused, so its gradient accumulates (+=)
    page = open_page(explore(out, tmp_path / "hostile.html"))
    seen_plus_equals = False
    total = int(counter(page).split(" / ")[1])
    for step in range(1, total + 1):
        press(page, "ArrowRight", step, total)
        seen_plus_equals |= page.locator('[data-testid="formula"] .plus-equals').count() > 0
    assert seen_plus_equals
    page.locator("#v0").click()
    expect(page.get_by_test_id("inspector")).to_contain_text(HOSTILE)
    expect(page.locator("#v0")).to_contain_text(HOSTILE)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img").count() == 0


def test_the_fragment_restores_the_step_on_reload(open_page, four_neuron_page):
    page = open_page(four_neuron_page)
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"#step=7$"))
    page.reload()
    expect(page.get_by_test_id("step-counter")).to_have_text(re.compile(r"^7 / "))


def test_a_graph_of_hundreds_of_nodes_draws_every_value_and_steps_through_to_the_update(open_page, tmp_path):
    out, ws = wide_loss(50)  # timed by python -m bench.explorer_page
    order = topological_order(out)
    assert len(order) >= 300
    page = open_page(explore(out, tmp_path / "big.html", parameters=ws))
    shown = page.get_by_test_id("step-counter")
    expect(shown).to_have_text(re.compile(r"^0 / \d+$"))
    total = int(counter(page).split(" / ")[1])
    assert total == backward_start(out) + len(backward_steps(out))  # the update follows the backward steps
    assert page.locator("svg g.node.value").count() == len(order)
    computed = [node for node in order if node.parents]
    for k in range(1, 11):
        page.get_by_test_id("next").click()
        expect(shown).to_have_text(f"{k} / {total}")
        node_id = f"v{order.index(computed[k - 1])}"
        assert set(current_ids(page)) == {node_id, f"{node_id}_op"}  # the value and the op that made it
    page.get_by_test_id("last").click()
    expect(shown).to_have_text(f"{total} / {total}")
    expect(page.get_by_test_id("update")).to_be_visible()
    assert sorted(current_ids(page)) == sorted(f"v{order.index(w)}" for w in ws)


def test_screenshot(open_page, four_neuron_page, tmp_path):
    net = four_neuron()
    target = Path(os.environ.get("EXPLORER_SCREENSHOT", tmp_path / "explorer.png"))
    page = open_page(four_neuron_page, f"#step={backward_start(net.output) + 5}")
    page.locator(f"#v{topological_order(net.output).index(net['w3'])}").click()
    expect(page.get_by_test_id("gradient-check")).to_have_text("✓ agree")
    page.screenshot(path=str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# Each <text> of a record follows the <polygon> of its cell (Graphviz's SVG for an HTML-like table).
OVERFLOWING_CELLS = """() => [...document.querySelectorAll("svg g.node.value text")].filter(text => {
    const cell = text.previousElementSibling, inner = text.getBBox(), outer = cell.getBBox();
    return inner.x < outer.x || inner.x + inner.width > outer.x + outer.width;
}).map(text => text.textContent)"""


def test_every_record_text_fits_its_cell_once_all_gradients_are_shown(open_page, four_neuron_page):
    page = open_page(four_neuron_page, "#step=9999")  # the update: every gradient known and coloured
    expect(page.get_by_test_id("update")).to_be_visible()
    assert page.locator("svg text.grad-known").count() >= 15
    assert page.evaluate(OVERFLOWING_CELLS) == []


def test_the_chain_panel_aligns_its_lines_in_the_formula_font(open_page, four_neuron_page):
    net = four_neuron()
    page = open_page(four_neuron_page)
    page.locator(f"#v{topological_order(net.output).index(net['w3'])}").click()
    chain = page.get_by_test_id("chain")
    expect(chain).to_be_visible()
    font = chain.evaluate("element => getComputedStyle(element).fontFamily")
    assert "Mono" not in font
    assert "monospace" not in font
    equals = page.eval_on_selector_all('[data-testid="chain"] .chain-eq',
                                       "signs => signs.map(s => s.getBoundingClientRect().x)")
    assert len(equals) == 4, equals
    assert max(equals) - min(equals) < 0.5, equals


# Text a control cuts off: the title past its box (an ellipsis), the search box's placeholder past its width.
CUT_OFF = """() => {
  const title = document.querySelector('[data-testid="title"]');
  const search = document.querySelector('[data-testid="search"]');
  const style = getComputedStyle(search), pen = document.createElement('canvas').getContext('2d');
  pen.font = style.font;
  const room = search.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return { title: title.scrollWidth > title.clientWidth + 1,
           placeholder: pen.measureText(search.placeholder).width > room };
}"""


# How many lines the text of each name cell of the update table (and its head, unless the rows are stacked) takes.
NAME_CELL_LINES = """() => [...document.querySelectorAll('[data-testid="update"] tr > :first-child')]
    .filter((cell) => cell.getClientRects().length).map((cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return [cell.textContent, new Set([...range.getClientRects()].filter(r => r.width > 0)
                                     .map(r => Math.round(r.bottom))).size];
})"""


@pytest.mark.parametrize("size", [(1440, 900), (1024, 700), (390, 844)])
def test_the_update_tables_names_are_read_whole(watched_page, four_neuron_page, size):
    page = watched_page(four_neuron_page.as_uri(), *size)
    expect(page.get_by_test_id("step-counter")).to_have_text(re.compile(r"^0 / "))
    page.keyboard.press("End")  # the update: each parameter's row
    expect(page.get_by_test_id("update-row")).to_have_count(6)
    cells = page.evaluate(NAME_CELL_LINES)
    assert [name for name, _ in cells if name != "parameter"] == ["w⁽¹⁾", "b⁽¹⁾", "w⁽²⁾", "b⁽²⁾", "w⁽³⁾", "b⁽³⁾"]
    assert [name for name, lines in cells if lines != 1] == [], size  # never p/a/r/a/m/e/t/e/r, nor w over ⁽¹⁾


@pytest.mark.parametrize("size", [(1440, 900), (1360, 820), (1024, 700), (944, 620), (390, 844)])
def test_the_title_and_the_search_hint_are_shown_whole(watched_page, tmp_path, size):
    net = four_neuron()  # 1360x820 and 944x620: the playground's "step into" window at 1440x900 and 1024x700
    title = "point 292 (-0.9686, 0.2487), class 0, epoch 43"  # the playground's title for a clicked point
    page = watched_page(explore(net.output, tmp_path / "titled.html", parameters=net.parameters, title=title).as_uri(),
                        *size)
    expect(page.get_by_test_id("title")).to_have_text(title)
    expect(page.get_by_test_id("step-counter")).to_have_text(re.compile(r"^0 / [1-9]"))
    assert page.evaluate(CUT_OFF) == {"title": False, "placeholder": False}
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]


def test_constants_show_their_number_and_no_gradient_at_every_step(open_page, tmp_path):
    x, w, b = Value(2.0, "x"), Value(-0.5, "w"), Value(0.1, "b")
    loss = ((w * x + b).tanh() - 1.0) ** 2  # the README's graph: constants 1.0 and the exponent 2
    page = open_page(explore(loss, tmp_path / "readme.html", parameters=[w, b]))
    constants = page.locator("svg g.node.value.constant")
    expect(constants).to_have_count(2)
    total = int(counter(page).split(" / ")[1])
    for step in range(1, total + 1):
        press(page, "ArrowRight", step, total)
        assert page.eval_on_selector_all("svg g.node.value.constant text", "ts => ts.map(t => t.textContent)") \
            == ["1", "2"]
        assert "∂C/∂1" not in page.get_by_test_id("formula").text_content()
    assert page.locator("svg text", has_text="grad –").count() == 0
    constants.first.click()
    expect(page.get_by_test_id("inspector")).to_contain_text("it gets no gradient")


def test_the_gradient_flow_legend_fits_its_box_in_chromium(chromium, tmp_path):
    net = four_neuron()
    net.output.backward()
    svg = render(draw(net.output, gradient_flow=True), tmp_path / "flow.svg").read_text(encoding="utf-8")
    page = chromium.new_page()
    try:
        page.set_content(f"<!DOCTYPE html><body>{svg[svg.index('<svg'):]}</body>")
        outside = page.evaluate("""() => {
            const legend = document.getElementById("legend");
            const box = [...legend.querySelectorAll("polygon")].pop().getBBox();
            return [...legend.querySelectorAll("text")].filter(text => {
                const b = text.getBBox();
                return b.x < box.x || b.x + b.width > box.x + box.width || b.y < box.y ||
                       b.y + b.height > box.y + box.height;
            }).map(text => text.textContent);
        }""")
    finally:
        page.close()
    assert outside == []


def test_the_explorer_page_bench_runs():  # a smoke run: no timing is asserted
    result = subprocess.run([sys.executable, "-m", "bench.explorer_page", "--widths", "3", "--repeats", "1"],
                            cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    table = result.stdout.splitlines()
    assert table[0] == "the explorer page in chromium; medians of 1 loads"
    assert table[3].startswith(f"| 3 tanh units (scalar view) | {len(topological_order(wide_loss(3)[0]))} | ")
    assert table[4].startswith("| 784-16-16-10 digit network (layer view) | ")


def test_inline_in_a_notebook_the_page_steps_inside_its_iframe(open_page, tmp_path):
    net = four_neuron()
    notebook = tmp_path / "notebook.html"  # a notebook's output area: the HTML that _repr_html_ returns
    inline = explore(net.output, parameters=net.parameters, learning_rate=LEARNING_RATE)
    notebook.write_text(f"<!DOCTYPE html><html><body><h1>In [3]:</h1>{inline._repr_html_()}</body></html>",
                        encoding="utf-8")
    page = open_page(notebook)
    frame = page.frame_locator("iframe")
    total = backward_start(net.output) + len(backward_steps(net.output))  # start, forward, backward, update
    expect(frame.get_by_test_id("step-counter")).to_have_text(f"0 / {total}")
    frame.get_by_test_id("next").click()
    expect(frame.get_by_test_id("step-counter")).to_have_text(f"1 / {total}")
    frame.get_by_test_id("graph").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    expect(frame.get_by_test_id("step-counter")).to_have_text(f"2 / {total}")
    frame.get_by_test_id("last").click()
    expect(frame.get_by_test_id("update")).to_be_visible()
    box = page.locator("iframe").bounding_box()
    assert box["height"] >= 500
    assert box["width"] > 1000
