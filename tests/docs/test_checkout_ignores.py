"""What the README's commands write in the checkout is ignored by git, and nothing of the packages is."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITTEN = r"[\w./-]+\.(?:svg|png|pdf|html|json|csv|onnx|safetensors)\b"

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                                reason="needs a git checkout")


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def readme_outputs() -> set[str]:
    """Every file name in the README's code blocks or after a ``-o``, except the files the checkout holds."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"```(?:bash|python)\n(.*?)```", readme, re.S))
    names = set(re.findall(WRITTEN, blocks)) | set(re.findall(rf"-o ({WRITTEN})", readme))
    tracked = set(git("ls-files").stdout.split())
    return {name for name in names if name not in tracked} | {"runs/moons/loss.png", "tour/chain.svg",
                                                              "chain.png", "chain.pdf", "chain.dot"}


def test_every_file_the_readme_writes_is_ignored():
    outputs = readme_outputs()
    assert {"blobs.csv", "xor.json", "imported.json", "model.onnx", "iris.svg", "net.svg"} <= outputs
    not_ignored = [name for name in sorted(outputs) if git("check-ignore", "-q", name).returncode != 0]
    assert not_ignored == []


def test_nothing_under_the_packages_is_ignored():
    assert git("ls-files", "-ci", "--exclude-standard").stdout == ""  # no tracked file matches a rule
    for inside in ("nn/model.json", "viz/chain.svg", "examples/runs/x.json", "tests/tour/explorer.html",
                   "viz/live/assets/imported.json"):
        assert git("check-ignore", "-q", inside).returncode == 1, inside
