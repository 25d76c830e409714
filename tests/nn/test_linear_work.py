"""Work that grows with its input, not faster: duplicate names, JSON nesting, a long run's history (issue 24)."""
from __future__ import annotations

import json
import sys
import tracemalloc

import numpy as np
import pytest

import nn
from nn.nesting import nesting_depth


class CountedName(str):
    """A name that counts how often it is compared for equality (hashing stays str's)."""

    comparisons = 0

    def __eq__(self, other):
        CountedName.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def _comparisons(check, names) -> int:
    CountedName.comparisons = 0
    with pytest.raises(ValueError, match="twice"):
        check(names)
    return CountedName.comparisons


def test_repeated_feature_names_are_found_in_linear_time():
    names = [CountedName(name) for name in ("x1", "x2")] * 2_000
    assert _comparisons(nn.features.check, names) < 20  # the second "x1" is the first repeat; was 4,000²/2


def test_a_repeated_input_or_class_name_is_found_in_linear_time():
    names = [CountedName(f"column {i}") for i in range(3_000)] + [CountedName("column 2999")]
    assert _comparisons(lambda n: nn.Signature(tuple(n)), names) < 100  # was 3,000² (one count per name)
    assert _comparisons(lambda n: nn.Signature(("a", "b"), classes=tuple(n)), names) < 100


def test_distinct_names_still_pass_and_a_repeat_is_named():
    assert nn.features.check(["x2", "x1", "sin(x1)"]) == ["x2", "x1", "sin(x1)"]
    with pytest.raises(ValueError, match=r"feature x1\^2 is listed twice"):
        nn.features.check(["x1^2", "x2", "x1^2"])
    with pytest.raises(ValueError, match="'b' appears twice"):
        nn.Signature(("a", "b", "c", "b"))


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


@pytest.mark.parametrize("version", [[2], {"v": 2}, 2.0, "2", None])
def test_a_version_that_is_not_a_whole_number_is_one_clear_error(version, tmp_path):
    document = nn.model_json.to_dict(nn.MLP(2, [1], seed=0))
    document["version"] = version
    with pytest.raises(ValueError, match=r"unsupported version .*reads versions 1 to 2"):
        nn.io.from_dict(document)


def test_a_trainer_with_a_history_window_keeps_bounded_records_and_counts_every_step():
    X, y = nn.datasets.xor_table()
    model = nn.MLP(3, [2, 1], seed=0)
    trainer = nn.Trainer(model, (X, y), batch_size=2, seed=0, history_window=5)
    records = [record for _ in range(12) for record in trainer.epoch()]
    history = trainer.history
    assert len(history) == 5
    assert history.steps_seen == len(records) == 12 * trainer.steps_per_epoch
    assert list(history.loss) == [record.loss for record in records[-5:]]
    assert [epoch.epoch for epoch in history.epochs] == [8, 9, 10, 11, 12]
    assert history.epochs_seen == 12
    assert history.epochs[-1].step == trainer.step_count
    unbounded = nn.Trainer(nn.MLP(3, [2, 1], seed=0), (X, y), batch_size=2, seed=0)
    for _ in range(12):
        unbounded.epoch()
    assert list(unbounded.history.loss[-5:]) == list(history.loss)
    assert len(unbounded.history) == 12 * 2
    with pytest.raises(ValueError, match=r"window \(None, or a whole number >= 1\) must be a positive integer"):
        nn.Trainer(model, (X, y), history_window=0)


def test_a_playground_session_holds_the_same_memory_after_many_more_epochs():
    from viz.live.config import Setup
    from viz.live.session import Session

    session = Session(Setup(points=40, batch_size=1))
    for _ in range(200):
        session.step()
    history = session.trainer.history
    assert history.steps_seen > len(history)
    assert len(history.epochs) < history.epochs_seen == 200
    before = sys.getsizeof(history.loss) + sys.getsizeof(history.epochs)
    for _ in range(200):
        session.step()
    assert history.epochs_seen == 400
    assert sys.getsizeof(history.loss) + sys.getsizeof(history.epochs) == before
