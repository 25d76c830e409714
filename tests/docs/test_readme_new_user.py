"""What a new user meets first in the README: the environment, commands in an order that works, the license."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_activates_the_environment_before_its_first_python_command():
    activate = README.index(". .venv/bin/activate")
    assert activate < README.index("python -m viz")
    assert activate < README.index("python -m nn")
    assert "from the checkout" in README[activate - 400:activate + 600]
    assert "`python -m examples.tour` and\n`python -m bench.engine` work from the top of the checkout" in README


def test_every_model_file_a_command_reads_is_made_by_an_earlier_command():
    trained = [(m.start(), Path(m.group(1)).stem) for m in re.finditer(r"python -m nn train (\S+)", README)]
    for match in re.finditer(r"runs/(\w+)/model\.json", README):
        made = [start for start, name in trained if name == match.group(1) and start < match.start()]
        assert made, f"{match.group(0)} is used before a `python -m nn train` makes it"


def test_the_digits_install_command_works_from_the_checkout():
    assert "chainrule[digits]" not in README  # chainrule is not on PyPI
    assert 'pip install -e ".[digits]"' in README
    source = (ROOT / "nn" / "datasets.py").read_text(encoding="utf-8")
    assert "chainrule[digits]" not in source
    assert "pip install -e '.[digits]'" in source
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"^digits = \[", pyproject, flags=re.M)  # the extra the command names exists


def test_the_license_pyproject_promises_is_there():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = { text = "MIT" }' in pyproject
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")
    assert "WITHOUT WARRANTY OF ANY KIND" in license_text
    assert "MIT: see `LICENSE`" in README
