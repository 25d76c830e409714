"""The test tree mirrors the packages, so a module's tests are found from its path (issue 25).

``tests/autograd/test_ops.py`` tests ``autograd/ops.py``; besides the package folders there are only
``cli/`` (command-line behaviour), ``docs/`` (the README, the notebook, examples/), ``browser/``
(every Playwright test), ``support/`` (the helpers several tests share: no test imports another) and
``golden/`` (expected files).
"""
from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
OWN_FOLDERS = {"cli", "docs", "browser", "support", "golden"}


def _folders() -> list[Path]:
    return sorted(path.relative_to(TESTS) for path in TESTS.rglob("*")
                  if path.is_dir() and not any(part.startswith((".", "__")) for part in path.relative_to(TESTS).parts))


def test_every_test_folder_mirrors_a_package_folder_or_is_one_of_its_own():
    strays = [str(folder) for folder in _folders()
              if folder.parts[0] not in OWN_FOLDERS and not (ROOT / folder / "__init__.py").is_file()]
    assert not strays, f"tests/ folders that mirror no package folder (nor are {sorted(OWN_FOLDERS)}): {strays}"


def test_every_test_file_sits_in_a_folder_that_is_a_package():
    """No test at the top of tests/, and an __init__.py beside every test so equal file names never clash."""
    assert sorted(path.name for path in TESTS.glob("test_*.py")) == []
    bare = [str(path.parent.relative_to(TESTS)) for path in TESTS.rglob("test_*.py")
            if not (path.parent / "__init__.py").is_file()]
    assert not bare, f"test folders without an __init__.py: {sorted(set(bare))}"


def test_tests_share_helpers_through_support_only():
    """A helper two test files need lives in tests/support/, never in one of them for the other to import."""
    reaching = [f"{path.relative_to(TESTS)}: {line.strip()}" for path in TESTS.rglob("*.py")
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith(("from tests.", "import tests.")) and not line.startswith("from tests.support")]
    assert not reaching, reaching
