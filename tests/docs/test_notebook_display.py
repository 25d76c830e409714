"""What a notebook shows: the explorer inline in an iframe, explanations as rich text (the bar: test_notebook)."""
from __future__ import annotations

import html
import re

import pytest

import autograd
import viz
from autograd import Value


def srcdoc(frame: str) -> str:
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" [^<>]*></iframe>', frame)
    assert match, frame[:200]
    return html.unescape(match.group(1))


def test_explore_without_a_path_returns_the_page_that_save_writes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = viz.four_neuron()
    inline = viz.explore(net.output, parameters=net.parameters, learning_rate=0.5)
    assert list(tmp_path.iterdir()) == []  # nothing written until save
    written = viz.explore(net.output, tmp_path / "file.html", parameters=net.parameters, learning_rate=0.5)
    assert inline.save(tmp_path / "saved.html") == tmp_path / "saved.html"
    assert (tmp_path / "saved.html").read_bytes() == written.read_bytes()
    assert srcdoc(inline._repr_html_()) == written.read_text(encoding="utf-8") == inline.html


def test_the_iframe_runs_scripts_only_and_is_sized_to_the_drawing():
    x = Value(2.0, "x")
    small = viz.explore(x * x)
    tall = viz.four_neuron().output
    for _ in range(3):
        tall = (tall * 1.5).tanh()
    big = viz.explore(tall)
    frame = small._repr_html_()
    assert 'sandbox="allow-scripts"' in frame
    assert "width: 100%" in frame
    heights = [int(re.search(r"height: (\d+)px", page._repr_html_()).group(1)) for page in (small, big)]
    assert 500 <= heights[0] < heights[1] <= 800  # a tall drawing gets a taller frame, up to a screen


def test_a_hostile_label_cannot_leave_the_srcdoc_attribute():
    x = Value(1.0, '"><script>alert(1)</script>')
    page = viz.explore(x * 2)
    frame = page._repr_html_()
    assert frame.count("<") == 2
    assert frame.count('"') == 2 + 2 + 2 + 2
    assert srcdoc(frame) == page.html


def test_save_refuses_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match=r"the folder .*nowhere does not exist"):
        viz.explore(Value(1.0, "x") * 2).save(tmp_path / "nowhere" / "page.html")


def test_an_explanation_shows_as_a_table_of_its_printed_lines():
    net = viz.four_neuron()
    explanation = autograd.explain(net.output, net["w1"])
    table = explanation._repr_html_()
    rows = re.findall(r"<tr><td[^>]*>(.*?)</td><td>=</td><td[^>]*>(.*?)</td></tr>", table)
    text = [line.split(" = ", 1) for line in str(explanation).splitlines()]
    assert [(html.unescape(left), html.unescape(right)) for left, right in rows] == \
        [(left.strip(), right) for left, right in text]
    assert rows[0][0] == "∂C₀/∂w⁽¹⁾"
    assert rows[-1][1] == "0.0192"


def test_an_explanation_escapes_labels_and_prints_plainly_in_ipython():
    x = Value(3.0, "<b>x</b>")
    explanation = autograd.explain(x * x, x)
    assert "<b>" not in explanation._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in explanation._repr_html_()
    printed = []
    explanation._repr_pretty_(type("Printer", (), {"text": lambda self, text: printed.append(text)})(), False)
    assert printed == [str(explanation)]

