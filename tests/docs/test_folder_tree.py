"""The folder tree and what describes it agree: the README's map names every file, pyproject installs every package.

The map is the README's code block whose lines start with the folders (``autograd/conventions/``, ``nn/``,
``viz/live/assets/`` …): a folder at the start of a line holds the files named after it, up to the next
folder; a file is named with its suffix (``value.py``, ``network.js``), the rest of the text is free.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("autograd", "nn", "viz")
SUFFIXES = (".py", ".js", ".css", ".html")
FOLDER = re.compile(r"(?:autograd|nn|viz)(?:/\w+)*/")
FILE_NAME = re.compile(r"[\w/]+\.(?:py|js|css|html)")


def tree_files() -> set[str]:
    """Every module and page file under the packages (a package's ``__init__.py`` aside), from the top."""
    return {path.relative_to(ROOT).as_posix() for package in PACKAGES for path in (ROOT / package).rglob("*")
            if path.suffix in SUFFIXES and path.name != "__init__.py" and "__pycache__" not in path.parts}


def map_text(readme: str) -> str:
    """The README's code block that starts a line with ``autograd/conventions/``."""
    blocks = re.findall(r"^```\n(.*?)^```$", readme, flags=re.MULTILINE | re.DOTALL)
    (found,) = [block for block in blocks if re.search(r"^ *autograd/conventions/ ", block, flags=re.MULTILINE)]
    return found


def named_files(text: str) -> tuple[set[str], set[str]]:
    """(the files the map names, as paths from the top; the folders it heads lines with)."""
    folder, files, folders = None, set(), set()
    for line in text.splitlines():
        words = line.replace("·", " ").split()
        if words and FOLDER.fullmatch(words[0]):
            folder = words[0]
            folders.add(folder)
            words = words[1:]
        for word in words:
            name = word.strip("(),:;")
            if FILE_NAME.fullmatch(name):
                assert folder is not None, f"{name} is named before any folder"
                files.add(name if name.startswith(tuple(f"{p}/" for p in PACKAGES)) else folder + name)
    return files, folders


README_MAP = named_files(map_text((ROOT / "README.md").read_text(encoding="utf-8")))


def test_the_map_is_read_line_by_line_under_its_folders():
    text = (" nn/   model   module.py · plots.py (curves)\n       files   io.py\n nn/commands/   train.py\n"
            " viz/  see autograd/ops.py (the table) · page (explorer.js)\n")
    assert named_files(text) == ({"nn/module.py", "nn/plots.py", "nn/io.py", "nn/commands/train.py",
                                  "autograd/ops.py", "viz/explorer.js"}, {"nn/", "nn/commands/", "viz/"})


def test_every_file_of_the_packages_is_in_the_readme_map():
    missing = sorted(tree_files() - README_MAP[0])
    assert not missing, f"name these in the README's map, under their folders: {missing}"


def test_every_name_in_the_readme_map_is_a_file_there():
    absent = sorted(README_MAP[0] - tree_files())
    assert not absent, f"the README's map names files that are not there: {absent}"
    assert all((ROOT / folder).is_dir() for folder in README_MAP[1])


def _table(toml: str, name: str) -> dict[str, list[str]]:
    """The ``key = [strings]`` lines of one table of pyproject.toml (tomllib is not in Python 3.10)."""
    body = re.search(rf"^\[{re.escape(name)}\]\n(.*?)(?=^\[|\Z)", toml, flags=re.MULTILINE | re.DOTALL)
    assert body, f"pyproject.toml has no [{name}]"
    pairs = re.findall(r'^"?([\w.-]+)"?\s*=\s*(\[.*?\])', body.group(1), flags=re.MULTILINE)
    return {key: ast.literal_eval(value) for key, value in pairs}


def test_pyproject_installs_every_package_and_its_pages():
    toml = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = {path.parent.relative_to(ROOT).as_posix().replace("/", ".")
                for package in PACKAGES for path in (ROOT / package).rglob("__init__.py")}
    assert set(_table(toml, "tool.setuptools")["packages"]) == packages
    pages = {path.parent.relative_to(ROOT).as_posix() for package in PACKAGES
             for path in (ROOT / package).rglob("*") if path.suffix in (".js", ".css", ".html")}
    declared = {f"{package.replace('.', '/')}/{pattern.rpartition('/')[0]}"
                for package, patterns in _table(toml, "tool.setuptools.package-data").items() for pattern in patterns}
    assert pages <= declared
