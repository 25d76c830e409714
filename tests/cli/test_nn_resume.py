"""python -m nn train --resume: the step count and the learning-rate schedule carry on, --out is written."""
from __future__ import annotations

import json

import numpy as np
import pytest

import nn
from bench.numpy_mlp import NumpyMLP
from nn.__main__ import main


def _numpy_layers(document: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.array(layer["weights"]).T, np.array(layer["biases"])) for layer in document["layers"]]


def test_resuming_continues_the_step_count_and_the_schedule_and_leaves_the_resumed_file(tmp_path, monkeypatch,
                                                                                         capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "moons", "--steps", "5", "--quiet", "--no-plots", "--out", "first"]) == 0
    resumed = tmp_path / "first" / "model.json"
    before = resumed.read_bytes()
    first = json.loads(before)
    assert first["training"] == {"steps": 5}

    assert main(["train", "moons", "--resume", str(resumed), "--steps", "2", "--quiet", "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "resuming at step 5" in out
    assert "step 7: loss" in out
    assert resumed.read_bytes() == before  # the resumed model is not overwritten
    second = json.loads((tmp_path / "runs" / "moons" / "step-7" / "model.json").read_text())
    assert second["training"] == {"steps": 7}

    # independent reference: micrograd's step by hand in numpy, from the saved weights; micrograd's
    # schedule lr = 1 − 0.9·k/5 over the first run has reached its end, so steps 5 and 6 use lr 0.1
    X, labels = nn.datasets.moons(100, noise=0.1, seed=1337)
    reference = NumpyMLP(_numpy_layers(first))
    for _ in range(2):
        reference.step(X, 2.0 * labels - 1, alpha=1e-4, learning_rate=0.1)
    for (W, b), (W_saved, b_saved) in zip(reference.layers, _numpy_layers(second), strict=True):
        np.testing.assert_allclose(W_saved, W, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(b_saved, b, rtol=1e-9, atol=1e-12)


def test_resuming_into_the_folder_of_the_resumed_model_is_refused_before_training(tmp_path, capsys):
    assert main(["train", "xor-table", "--steps", "3", "--quiet", "--no-plots", "--out", str(tmp_path)]) == 0
    before = (tmp_path / "model.json").read_bytes()
    capsys.readouterr()
    code = main(["train", "xor-table", "--resume", str(tmp_path / "model.json"), "--steps", "3", "--quiet",
                 "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "would overwrite" in captured.err
    assert "give another --out" in captured.err
    assert (tmp_path / "model.json").read_bytes() == before


def test_the_resumed_loss_curve_continues_from_the_resumed_step(tmp_path, monkeypatch):
    from nn import plots

    drawn = []
    monkeypatch.setattr(plots, "_save", lambda figure, path, kind: drawn.append(figure) or path)
    assert main(["train", "xor-table", "--steps", "4", "--quiet", "--out", str(tmp_path / "a")]) == 0
    assert main(["train", "xor-table", "--resume", str(tmp_path / "a" / "model.json"), "--steps", "3", "--quiet",
                 "--out", str(tmp_path / "b")]) == 0
    curves = [figure for figure in drawn if "training loss" in figure.axes[0].get_title()]
    first, resumed = (figure.axes[0].get_lines()[0].get_xdata().tolist() for figure in curves)
    assert first == [0, 1, 2, 3]
    assert resumed == [4, 5, 6]


def test_linear_decay_stays_at_its_end_past_its_steps():
    schedule = nn.linear_decay(1.0, 100)
    assert [schedule(k) for k in (0, 50, 99)] == pytest.approx([1.0, 0.55, 1.0 - 0.9 * 99 / 100])
    assert schedule(100) == schedule(150) == pytest.approx(0.1)


def test_a_model_file_without_a_training_record_loads_with_zero_steps(tmp_path):
    path = tmp_path / "old.json"
    nn.MLP(2, [1], seed=0).save(path)
    document = json.loads(path.read_text())
    del document["training"]
    path.write_text(json.dumps(document))
    assert nn.load(path).trained_steps == 0
    for steps in (-1, 10**30):
        document["training"] = {"steps": steps}
        path.write_text(json.dumps(document))
        with pytest.raises(ValueError, match=f"training.steps must be a whole number from 0 to 1,000,000,000,000, "
                                             f"got {steps}"):
            nn.load(path)
