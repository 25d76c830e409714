"""python -m nn train mnist --mnist-dir DIR, on small IDX files the tests write (raw and gzipped)."""
from __future__ import annotations

import gzip
import inspect
import re
import struct

import numpy as np
import pytest

import nn
from nn import datasets
from nn import mnist as mnist_module
from nn.__main__ import main
from tests.support.mnist_files import idx, write_mnist


def numpy_accuracy(model: nn.MLP, images: np.ndarray, labels: np.ndarray) -> float:
    """An independent forward pass with numpy matrices from the saved weights."""
    a = images.reshape(len(images), -1) / 255.0
    for depth, (W, b) in enumerate(model.get_weights()):
        z = a @ np.array(W).T + np.array(b)
        a = z if depth == len(model.nouts) - 1 else 1 / (1 + np.exp(-z))
    return float((a.argmax(axis=1) == labels).mean())


def test_train_mnist_reports_the_test_accuracy_of_the_784_16_16_10_network(tmp_path, capsys):
    *_, test_images, test_labels = write_mnist(tmp_path)
    code = main(["train", "mnist", "--mnist-dir", str(tmp_path), "--epochs", "2", "--quiet", "--no-plots",
                 "--out", str(tmp_path / "run")])
    out = capsys.readouterr().out
    assert code == 0
    assert "300 training samples of 784 features; MLP(784 → 16 sigmoid → 16 sigmoid → 10 linear" in out
    printed = float(re.search(r"test acc ([\d.]+)% on 120 held out", out).group(1))
    model = nn.load(tmp_path / "run" / "model.json")
    assert printed == pytest.approx(100 * numpy_accuracy(model, test_images, test_labels), abs=0.05)
    assert printed > 90  # three easy classes: the network learned them in two epochs


def test_mnist_loads_raw_and_gzipped_files_like_load_mnist(tmp_path):
    images, _labels, _test_images, test_labels = write_mnist(tmp_path, gzipped=(False, True, True, False))
    X_train, _y_train, X_test, y_test = datasets.mnist(tmp_path)
    np.testing.assert_array_equal(X_train, images.reshape(300, -1) / 255.0)
    np.testing.assert_array_equal(y_test, test_labels)
    np.testing.assert_array_equal(X_test, datasets.load_mnist(tmp_path / (datasets.MNIST_FILES[2] + ".gz"),
                                                              tmp_path / datasets.MNIST_FILES[3])[0])


@pytest.mark.parametrize("missing", range(4))
def test_a_folder_without_a_file_is_one_line_naming_it_and_where_mnist_is_published(tmp_path, capsys, missing):
    write_mnist(tmp_path, gzipped=(False,) * 4)
    (tmp_path / datasets.MNIST_FILES[missing]).unlink()
    code = main(["train", "mnist", "--mnist-dir", str(tmp_path), "--quiet", "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert f"has no {datasets.MNIST_FILES[missing]} (or {datasets.MNIST_FILES[missing]}.gz)" in err
    assert f"`python -m nn download mnist --dir {tmp_path}` downloads MNIST's four IDX files there" in err
    # from the address the download really uses (yann.lecun.com no longer serves the files)
    assert f"there from {inspect.signature(mnist_module.download).parameters['mirror'].default}," in err
    assert "yann.lecun.com" not in err


@pytest.mark.parametrize(("argv", "message"), [
    (["train", "mnist", "--mnist-dir", "{tmp}/nowhere"], "nowhere is not a folder"),
    (["train", "mnist", "--mnist-dir", "{tmp}/nowhere"], "with `python -m nn download mnist --dir {tmp}/nowhere`"),
    (["train", "moons", "--mnist-dir", "{tmp}"], "--mnist-dir applies to mnist only"),
    (["train", "mnist", "--mnist-dir", "{tmp}/notes.txt"], "notes.txt is a file, not a folder; it should hold MNIST's "
                                                           "four IDX files (train-images-idx3-ubyte, "),
    (["train", "mnist", "--mnist-dir", "{tmp}/notes.txt"], "raw or .gz): give the folder that holds them\n"),
])
def test_mnist_dir_mistakes_are_one_line(tmp_path, capsys, argv, message):
    (tmp_path / "notes.txt").write_text("not MNIST")  # a download "into" a file would fail: it is not suggested
    code = main([a.format(tmp=tmp_path) for a in argv] + ["--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert message.format(tmp=tmp_path) in err


def test_an_idx_file_past_the_size_bound_is_refused_before_it_is_read_whole(tmp_path):
    (tmp_path / "big").write_bytes(idx(np.zeros((40, 28, 28), dtype=np.uint8)))
    with pytest.raises(ValueError, match="more than the limit of 1,000 bytes"):
        datasets.load_idx(tmp_path / "big", max_bytes=1000)
    header = bytes([0, 0, 8, 1]) + struct.pack(">I", 10**6)  # a million bytes, in a file of about 1 kB
    (tmp_path / "bomb.gz").write_bytes(gzip.compress(header + bytes(10**6)))
    with pytest.raises(ValueError, match=r"bomb\.gz: its IDX header says shape \(1000000,\), 1,000,000 bytes of "
                                         "data, larger than 100,000 bytes; not reading it"):
        datasets.load_idx(tmp_path / "bomb.gz", max_bytes=100_000)
