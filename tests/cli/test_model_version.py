"""A model file whose "version" is a list or an object: one clear line from every command that reads models
(issue 24; it was `TypeError: unhashable type` in all of them)."""
from __future__ import annotations

import json

import pytest

import nn
from nn.__main__ import main as nn_main
from viz.__main__ import main as viz_main


@pytest.mark.parametrize("version", [[2], {"major": 2}])
def test_every_command_that_reads_a_model_says_the_version_is_unsupported(version, tmp_path, capsys):
    path = tmp_path / "model.json"
    document = nn.model_json.to_dict(nn.MLP(2, [2, 1], seed=0))
    document["version"] = version
    path.write_text(json.dumps(document))
    commands = [(nn_main, ["predict", str(path), "1", "2"]),
                (nn_main, ["train", "moons", "--resume", str(path), "--out", str(tmp_path / "out")]),
                (nn_main, ["export", str(path), "-o", str(tmp_path / "m.onnx")]),
                (viz_main, ["draw", str(path), "--input", "1,2", "-o", str(tmp_path / "m.svg")]),
                (viz_main, ["explain", str(path), "--input", "1,2"]),
                (viz_main, ["explore", str(path), "--input", "1,2", "-o", str(tmp_path / "m.html")])]
    for main, argv in commands:
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        assert captured.err.count("\n") == 1, (argv, captured.err)
        assert "unsupported version" in captured.err, (argv, captured.err)
        assert "reads versions 1 to 2" in captured.err
        assert "Traceback" not in captured.err
