"""The digit lab on MNIST-shaped files (generated IDX files, 28x28): the download folder is the default,
a drawing becomes MNIST's 20x20-in-28x28 picture, and a broken folder is one line naming the file."""
from __future__ import annotations

import gzip
import struct
import subprocess
import sys

import numpy as np
import pytest
from starlette.testclient import TestClient

from tests.support.digit_lab import ORIGIN, TOKEN, cells, reference_preprocess
from viz.live.app import build_app
from viz.live.lab.data import load
from viz.live.lab.setup import LabDefaults
from viz.live.sessions import Sessions


def idx(array: np.ndarray) -> bytes:
    return struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_mnist(folder, train: int = 300, test: int = 100, seed: int = 0):
    """MNIST's four files (the train images gzipped, as published) of random images and labels."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    parts = {"train": train, "t10k": test}
    for prefix, count in parts.items():
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, count, dtype=np.uint8)
        (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(idx(labels))
        data = idx(images)
        if prefix == "train":
            (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(data))
        else:
            (folder / f"{prefix}-images-idx3-ubyte").write_bytes(data)
    return folder


def test_the_download_folder_is_the_default_and_eight_by_eight_the_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    small = load()
    assert small.side == 8
    assert "python -m nn download mnist" in small.hint
    write_mnist(tmp_path / "cache" / "chainrule" / "mnist")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = load()
    assert data.side == 28
    assert len(data.X_train) == 300
    assert len(data.X_test) == 100
    assert data.hint is None
    assert load(eight_by_eight=True).side == 8


def test_the_lab_on_mnist_shaped_images(tmp_path):
    folder = write_mnist(tmp_path / "mnist")
    app = build_app(TOKEN, {"testserver"}, Sessions(limit=2), lab=LabDefaults(str(folder)))
    with TestClient(app, headers={"x-chainrule-token": TOKEN, "origin": ORIGIN}) as client:
        lab = client.post("/digits/api/session", json={"setup": {"batch_size": 50}}).json()
        assert lab["state"]["data"]["side"] == 28
        assert lab["state"]["tiles"]["count"] == 16
        canvas = np.zeros((28, 28))
        canvas[2:9, 3:6] = 1.0
        canvas[8, 3:14] = 0.6
        answer = client.post("/digits/api/draw", json={"session": lab["session"], "image": canvas.tolist()})
        assert answer.status_code == 200, answer.text
        shown = (cells(answer.json()["state"]["example"]["image"]) - 128) / 127
        assert np.abs(shown - reference_preprocess(canvas, 28, 20).ravel()).max() <= 0.5 / 127 + 1e-12
        for _ in range(7):  # past the end of the first pass over 300 images
            answer = client.post("/digits/api/step", json={"session": lab["session"]})
        assert answer.status_code == 200
        assert answer.json()["state"]["step"] == 7
        refused = client.post("/digits/api/draw", json={"session": lab["session"], "image": [[0.0] * 8] * 8})
        assert refused.status_code == 400
        assert refused.json()["field"] == "image"


@pytest.mark.parametrize("damage", ["wrong shape", "lies about its size", "not idx"])
def test_a_broken_mnist_folder_is_one_line_naming_the_file(tmp_path, damage):
    folder = write_mnist(tmp_path / "mnist")
    target = folder / "t10k-labels-idx1-ubyte"
    if damage == "wrong shape":
        target.write_bytes(idx(np.zeros((100, 2), dtype=np.uint8)))
    elif damage == "lies about its size":
        target.write_bytes(idx(np.zeros(100, dtype=np.uint8))[:-10])
    else:
        target.write_bytes(b"hello, not an IDX file")
    run = subprocess.run([sys.executable, "-m", "viz", "digits", "--mnist-dir", str(folder), "--no-browser",
                          "--port", "0"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr
    assert "t10k-labels-idx1-ubyte" in run.stderr
