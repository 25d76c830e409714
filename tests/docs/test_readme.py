"""The README's two commands and its Python examples, run as a new user would."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_readme_opens_with_exactly_the_two_commands():
    commands = fenced_blocks("bash")[:2]
    assert [c.strip() for c in commands] == ["make demo", "make test"]
    first_block = README.index("```")
    assert README.index("make demo") < README.index("make test") < README.index("```python")
    assert first_block < 400, "the commands open the README"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)


def test_make_test_runs_the_whole_suite():
    plan = subprocess.run(["make", "-n", "test", f"VENV={sys.prefix}"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    assert re.search(r"-m pytest -q tests$", plan, flags=re.M)


def test_make_demo_runs_the_tour(tmp_path):
    result = subprocess.run(["make", "demo", f"VENV={sys.prefix}", f"TOUR_OUT={tmp_path}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "∂C₀/∂w⁽³⁾" in result.stdout
    assert "python -m viz playground" in result.stdout  # how to start the playground, last
    for name in ["four-neuron.svg", "explorer.html", "moons-loss.png", "moons-boundary.png"]:
        assert (tmp_path / name).stat().st_size > 0, name


def printed_claims(code: str) -> list[str]:
    """What the README's comments say a ``print`` shows (numbers, or an address with PORT and …), as patterns."""
    claims = re.findall(r"^print\(.*\)\s+# (-?\d[^,]*|http\S+)", code, flags=re.M)
    return [re.escape(claim.strip()).replace("PORT", r"\d+").replace("…", r"\S+") for claim in claims]


def test_the_printed_claims_are_found_in_the_readme():
    claims = [claim for code in fenced_blocks("python") for claim in printed_claims(code)]
    assert r"24\.7041\ 138\.8338\ 645\.5773" in claims  # micrograd's README prints these three numbers
    assert sum(claim.startswith("http") for claim in claims) == 2  # the playground's and the digit lab's address


@pytest.mark.parametrize("index", range(len(fenced_blocks("python"))))
def test_python_examples_run(index, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = fenced_blocks("python")[index]
    exec(compile(code, f"README.md python block {index}", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out.splitlines()
    for claim in printed_claims(code):  # a comment beside a print says what it shows
        assert any(re.fullmatch(claim, line) for line in printed), (claim, printed)
