"""nn.nesting: a model file's JSON nesting counted in chunks, in linear time and little memory (issue 24)."""
from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest

import nn
from nn.nesting import nesting_depth


def _reference_depth(text: str) -> int:
    """The same depth, one character at a time in plain Python (a quote after an odd run of backslashes
    does not start or end a string)."""
    depth = deepest = backslashes = 0
    in_string = False
    for character in text:
        if character == '"' and backslashes % 2 == 0:
            in_string = not in_string
        elif not in_string and character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif not in_string and character in "]}":
            depth -= 1
        backslashes = backslashes + 1 if character == "\\" else 0
    return deepest


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 18])
def test_nesting_depth_matches_a_character_by_character_count_across_chunk_edges(chunk, monkeypatch):
    monkeypatch.setattr("nn.nesting.CHUNK", chunk)
    rng = np.random.default_rng(chunk)
    alphabet = list('[]{}"\\a,')
    for _ in range(300):
        text = "".join(rng.choice(alphabet, size=int(rng.integers(0, 50))))
        assert nesting_depth(text.encode()) == _reference_depth(text), text
    document = {"a": [[1, 2], {"b": '"]]\\\\"[[{'}], "c": ['\\"[[[['], "d": {}}
    text = json.dumps(document)
    assert nesting_depth(text.encode()) == _reference_depth(text) == 3


def _json_depth(value) -> int:
    """What json.loads built, measured: the independent reference for valid JSON."""
    if isinstance(value, dict):
        return 1 + max(map(_json_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_json_depth, value), default=0)
    return 0


def test_nesting_depth_agrees_with_what_json_loads_builds():
    rng = np.random.default_rng(4)

    def random_value(level):
        kind = rng.integers(0, 4 if level < 8 else 2)
        if kind == 0:
            return float(rng.normal())
        if kind == 1:
            return "".join(rng.choice(list('ab"\\[]{}'), size=int(rng.integers(0, 6))))
        if kind == 2:
            return [random_value(level + 1) for _ in range(rng.integers(0, 4))]
        return {f"k{i}": random_value(level + 1) for i in range(rng.integers(0, 4))}
    for _ in range(200):
        text = json.dumps(random_value(0))
        assert nesting_depth(text.encode()) == _json_depth(json.loads(text)), text


def test_a_model_file_holding_one_huge_string_is_checked_in_little_memory(tmp_path):
    path = tmp_path / "big.json"
    path.write_text('{"format": "' + "a\\\\" * 1_500_000 + '", "version": 2}')  # 4.5 MB of text
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="not a chainrule model"):
            nn.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * size, f"{peak / 1e6:.0f} MB for a {size / 1e6:.1f} MB file"  # a regex took ~120x
