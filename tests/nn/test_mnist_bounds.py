"""MNIST kept compact (bytes converted to floats a batch at a time), its files bounded before any work,
one line per bad file."""
from __future__ import annotations

import gzip
import os
import struct
import threading

import numpy as np
import pytest

import nn
from bench import mnist_memory
from bench.scaling import peak_bytes  # tracemalloc's peak: it sees numpy's arrays
from nn import datasets
from nn.__main__ import main
from nn.data_rows import ScaledRows
from tests.support.mnist_files import idx, stripes, write_mnist


def test_scaled_rows_read_as_the_floats_they_stand_for():
    values = np.random.default_rng(0).integers(0, 256, (7, 5), dtype=np.uint8)
    rows, floats = ScaledRows(values, 255), values / 255.0
    np.testing.assert_array_equal(rows[[4, 0, 4]], floats[[4, 0, 4]])
    np.testing.assert_array_equal(rows[3], floats[3])
    np.testing.assert_array_equal(np.asarray(rows[2:5]), floats[2:5])
    np.testing.assert_array_equal(np.asarray(rows.take([6, 1])), floats[[6, 1]])
    assert isinstance(rows[2:5], ScaledRows)
    assert rows[2:5].values.base is not None
    assert rows.shape == (7, 5)
    assert len(rows) == 7
    assert rows[:0].shape == (0, 5)


def test_training_on_compact_rows_takes_the_very_steps_of_training_on_floats():
    rng = np.random.default_rng(2)
    images, labels = stripes(300, rng)
    pixels = images.reshape(300, -1)
    runs = []
    for X in (ScaledRows(pixels, 255), pixels / 255.0):
        model = nn.MLP(784, [8, 3], "sigmoid", seed=0)
        history = nn.fit(model, (X, labels), loss="cross_entropy", optimizer=nn.SGD(model.parameters(), lr=0.5),
                         epochs=2, batch_size=50, seed=1, progress=False, validation=(X[:60], labels[:60]))
        runs.append((history.loss, [e.val_loss for e in history.epochs], nn.evaluate(model, (X, labels)),
                     nn.confusion_matrix(model, (X, labels)).tolist(), model.get_weights()))
    assert runs[0] == runs[1]


def test_splits_keep_compact_rows_compact_and_pick_the_same_rows():
    values = np.arange(40, dtype=np.uint8).reshape(20, 2)
    labels = np.arange(20) % 2
    for cut in (datasets.split, datasets.stratified_split):
        compact = cut(ScaledRows(values, 255), labels, 0.25, seed=3)
        floats = cut(values / 255.0, labels, 0.25, seed=3)
        assert isinstance(compact[0], ScaledRows)
        assert isinstance(compact[2], ScaledRows)
        for got, wanted in zip(compact, floats, strict=True):
            np.testing.assert_array_equal(np.asarray(got), wanted)


def test_train_mnist_converts_a_batch_at_a_time_samples_first_and_evaluates_the_test_set_in_chunks(tmp_path):
    """20,000 training and 10,000 test images are 23 MB of bytes, 188 MB as float64: neither set is converted whole."""
    rng = np.random.default_rng(0)
    sizes = (20_000, 10_000)
    arrays = [rng.integers(0, 256, (sizes[0], 28, 28), dtype=np.uint8), rng.integers(0, 10, sizes[0], dtype=np.uint8),
              rng.integers(0, 256, (sizes[1], 28, 28), dtype=np.uint8), rng.integers(0, 10, sizes[1], dtype=np.uint8)]
    for name, array in zip(datasets.MNIST_FILES, arrays, strict=True):
        (tmp_path / name).write_bytes(idx(array))
    pixels = arrays[0].nbytes + arrays[2].nbytes
    del arrays
    argv = ["train", "mnist", "--mnist-dir", str(tmp_path), "--samples", "200", "--epochs", "1", "--quiet",
            "--no-plots", "--out", str(tmp_path / "run")]
    peak = peak_bytes(lambda: main(argv))
    floats = 8 * pixels  # both sets as float64
    assert peak < pixels + floats / 4, f"{peak / 2**20:.0f} MiB held at once"


def test_train_mnist_on_full_sized_files_peaks_under_1_gb(tmp_path):
    """Reading all 70,000 images, training a few steps and scoring the test set (``bench.mnist_memory`` runs
    the whole recipe: the batches are converted one at a time, so the peak is the same)."""
    mnist_memory.write_mnist_sized(tmp_path)
    assert mnist_memory.train_peak(tmp_path, ["--samples", "1000", "--epochs", "1"]) < 2**30


def test_a_header_larger_than_the_limit_is_refused_before_anything_is_decompressed(tmp_path):
    header = bytes([0, 0, 8, 3]) + struct.pack(">III", 60_000, 200, 200)  # 2.4 GB of images
    (tmp_path / "bomb.gz").write_bytes(gzip.compress(header + bytes(100 * 2**20)))  # 100 MB of zeros in 100 kB
    def refused() -> None:
        with pytest.raises(ValueError, match="not reading it"):
            datasets.load_idx(tmp_path / "bomb.gz")

    peak = peak_bytes(refused)
    assert peak < 2 * 2**20, f"{peak / 2**20:.0f} MiB held at once"


@pytest.mark.parametrize(("file", "raw", "message"), [
    (0, idx(np.zeros((5, 784), dtype=np.uint8)), "expected MNIST's images, unsigned bytes (IDX type 0x08) of shape "
                                                  "(n, rows, columns); the file holds uint8 values of shape (5, 784)"),
    (0, bytes([0, 0, 8, 3]) + struct.pack(">III", 300, 28, 28) + bytes(1000), "its IDX header says shape "
        "(300, 28, 28), which needs 235,200 bytes of data; the file holds 1,000"),
    (0, gzip.compress(bytes([0, 0, 8, 3]) + struct.pack(">III", 300, 28, 28) + bytes(300 * 784 + 1)),
        "its IDX header says shape (300, 28, 28), which needs 235,200 bytes of data; the file holds more"),
    (1, b"label,image\n3,0 0 0\n", "not an IDX file"),
    (1, idx(np.zeros(299, dtype=np.uint8)), "holds 300 images but"),
    (1, idx(np.full(300, 11, dtype=np.uint8)), "labels must be digits 0-9, found 11"),
    (2, idx(np.zeros((120, 20, 20), dtype=np.uint8)), "its images have 400 pixels, those of"),
    (3, gzip.compress(idx(np.zeros(120, dtype=np.uint8)))[:-9], "a damaged gzip file"),
])
def test_a_bad_mnist_file_is_one_line_naming_it(tmp_path, capsys, file, raw, message):
    write_mnist(tmp_path, gzipped=(False,) * 4)
    path = tmp_path / datasets.MNIST_FILES[file]
    path.write_bytes(raw)
    code = main(["train", "mnist", "--mnist-dir", str(tmp_path), "--quiet", "--no-plots", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert str(path) in err, err
    assert message in err, err


def test_a_fifo_in_the_mnist_folder_is_refused_without_blocking(tmp_path, capsys):
    write_mnist(tmp_path, gzipped=(False,) * 4)
    fifo = tmp_path / datasets.MNIST_FILES[1]
    fifo.unlink()
    os.mkfifo(fifo)
    outcome = {}

    def read() -> None:
        with pytest.raises(OSError, match="FIFO"):
            datasets.load_idx(fifo)
        outcome["refused"] = True

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "load_idx blocked on a FIFO"
    assert outcome["refused"]
    reader = threading.Thread(target=lambda: outcome.update(code=main(["train", "mnist", "--mnist-dir", str(tmp_path),
                                                                       "--quiet", "--out", str(tmp_path / "r")])),
                              daemon=True)
    reader.start()
    reader.join(30)
    assert not reader.is_alive(), "train mnist blocked on a FIFO"
    err = capsys.readouterr().err
    assert outcome["code"] == 2
    assert err.count("\n") == 1
    assert f"cannot read {fifo}: it is a FIFO" in err
