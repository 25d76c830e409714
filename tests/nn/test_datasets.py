"""Datasets: the seed tables, the generators' geometry and seeds, digits, and IDX files written here."""
from __future__ import annotations

import builtins
import gzip
import struct

import numpy as np
import pytest

import nn
from nn import datasets


def test_seed_tables_are_the_articles():
    X, y = datasets.neuron_table()
    assert X.tolist() == [[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]]
    assert y.tolist() == [0, 1, 1, 0]
    assert (y == X[:, 0]).all()  # the answer is the first column
    X, y = datasets.xor_table()
    assert X.tolist() == [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    assert y.tolist() == [0, 1, 1, 0]
    assert (y == np.logical_xor(X[:, 0], X[:, 1])).all()


CLASSES = {"spiral3": 3, "blobs": 3}


@pytest.mark.parametrize("name", sorted(datasets.GENERATORS))
def test_generators_shape_balance_and_seed(name):
    make = datasets.GENERATORS[name]
    classes = CLASSES.get(name, 2)
    X, y = make(60, noise=0.1, seed=3)
    assert X.shape == (60, 2)
    assert X.dtype == float
    assert y.shape == (60,)
    assert y.dtype.kind == "i"
    assert set(y.tolist()) == set(range(classes))
    assert all(60 / classes / 2 <= count <= 60 / classes * 1.5 for count in np.bincount(y))
    again, other = make(60, noise=0.1, seed=3), make(60, noise=0.1, seed=4)
    assert np.array_equal(X, again[0])
    assert np.array_equal(y, again[1])
    assert not np.array_equal(X, other[0])


def test_noiseless_moons_lie_on_their_two_arcs():
    X, y = datasets.moons(50, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(*upper.T), 1)
    assert (upper[:, 1] >= -1e-12).all()
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_noiseless_circles_have_radius_one_and_factor():
    X, y = datasets.circles(40, noise=0.0, seed=0, factor=0.3)
    radius = np.hypot(*X.T)
    assert np.allclose(radius[y == 0], 1)
    assert np.allclose(radius[y == 1], 0.3)


def test_noiseless_xor_labels_are_same_sign_quadrants():
    X, y = datasets.xor(100, noise=0.0, seed=1)
    assert (y == (X[:, 0] * X[:, 1] > 0)).all()


def test_noiseless_spiral_arms_are_half_a_turn_apart():
    X, y = datasets.spiral(40, noise=0.0, seed=0)
    first, second = X[y == 0], X[y == 1]
    first = first[np.argsort(np.hypot(*first.T))]
    second = second[np.argsort(np.hypot(*second.T))]
    assert np.allclose(first, -second)  # turning by π maps one arm onto the other


def test_three_class_spiral_arms_are_a_third_of_a_turn_apart():
    X, y = datasets.spiral(90, noise=0.0, seed=0, classes=3)
    assert np.bincount(y).tolist() == [30, 30, 30]
    arms = [X[y == k][np.argsort(np.hypot(*X[y == k].T))] for k in range(3)]
    turn = 2 * np.pi / 3
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    for k in range(3):
        assert np.allclose(arms[k] @ rotation.T, arms[(k + 1) % 3])
    radius = np.hypot(*arms[0].T)
    assert np.allclose(radius, np.linspace(0.05, 1, 30))
    assert np.allclose(np.arctan2(arms[0][:, 1], arms[0][:, 0]) % (2 * np.pi), (3 * np.pi * radius) % (2 * np.pi))


def test_spiral_registry_entries_and_the_default_two_arms():
    two = datasets.spiral(41, noise=0.1, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(two, datasets.spiral(41, 0.1, 5, classes=2), strict=True))
    assert np.bincount(two[1]).tolist() == [20, 21]  # the second arm takes the odd point, as before
    three = datasets.GENERATORS["spiral3"](41, 0.1, 5)
    assert all(np.array_equal(a, b) for a, b in zip(three, datasets.spiral(41, 0.1, 5, classes=3), strict=True))
    assert np.bincount(three[1]).tolist() == [13, 14, 14]


def test_gauss_is_the_playgrounds_two_clusters():
    X, y = datasets.gauss(4000, noise=0.1, seed=2)
    spread = np.sqrt(0.5 + 7 * 0.1) / 5  # the Playground's variance 0.5 + 7·noise, scaled from ±6 to ±1.2
    for label, centre in ((1, [0.4, 0.4]), (0, [-0.4, -0.4])):
        cluster = X[y == label]
        assert len(cluster) == 2000
        assert np.allclose(cluster.mean(axis=0), centre, atol=0.02)
        assert np.allclose(cluster.std(axis=0), spread, rtol=0.05)


def test_blobs_sit_on_a_circle_with_class_zero_on_top():
    X, y = datasets.blobs(3000, noise=0.0, seed=1, classes=4)
    centres = [[0, 0.6], [-0.6, 0], [0, -0.6], [0.6, 0]]
    for label, centre in enumerate(centres):
        cluster = X[y == label]
        assert len(cluster) == 750
        assert np.allclose(cluster.mean(axis=0), centre, atol=0.015)
        assert np.allclose(cluster.std(axis=0), np.sqrt(0.5) / 5, rtol=0.06)


@pytest.mark.parametrize(("make", "kwargs", "message"), [
    (datasets.spiral, {"classes": 1}, "classes must be an integer >= 2"),
    (datasets.blobs, {"classes": 2.5}, "classes must be an integer >= 2"),
    (datasets.blobs, {"n": 2, "classes": 3}, "n must be an integer >= 3"),
    (datasets.gauss, {"noise": float("nan")}, "noise must be a finite number >= 0"),
])
def test_multi_class_arguments_are_checked(make, kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make(**kwargs)


@pytest.mark.parametrize(("kwargs", "message"), [({"n": 1}, "n must be an integer >= 2"),
                                             ({"noise": -0.1}, "noise must be a finite number >= 0")])
def test_generator_arguments_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        datasets.moons(**kwargs)


def test_split_and_one_hot():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    X_train, y_train, _X_test, y_test = datasets.split(X, y, 0.3, seed=0)
    assert len(y_train) == 7
    assert len(y_test) == 3
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(10))
    assert (X_train[:, 0] == 2 * y_train).all()  # rows stay with their labels
    assert datasets.one_hot([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match=r"0\.\.2"):
        datasets.one_hot([3], 3)


def test_digits_are_8x8_scaled_to_one():
    pytest.importorskip("sklearn")
    X, y = datasets.digits()
    assert X.shape == (1797, 64)
    assert X.min() == 0.0
    assert X.max() == 1.0
    assert sorted(set(y.tolist())) == list(range(10))


def test_digits_without_scikit_learn_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r"in the checkout, run \.venv/bin/pip install -e '\.\[digits\]'"):
        datasets.digits()


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """An IDX file written from the format's description: 0, 0, type code, rank, big-endian sizes, data."""
    big_endian = {0x08: ">u1", 0x0B: ">i2", 0x0D: ">f4"}[code]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(big_endian).tobytes()


def test_idx_files_of_several_types_read_back(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "images.idx").write_bytes(idx_bytes(images, 0x08))
    assert np.array_equal(datasets.load_idx(tmp_path / "images.idx"), images)
    shorts = np.array([[-300, 7], [1, 2]], dtype=np.int16)
    (tmp_path / "shorts.idx").write_bytes(idx_bytes(shorts, 0x0B))
    assert datasets.load_idx(tmp_path / "shorts.idx").tolist() == shorts.tolist()
    floats = np.array([0.5, -1.25], dtype=np.float32)
    (tmp_path / "floats.idx.gz").write_bytes(gzip.compress(idx_bytes(floats, 0x0D)))
    assert datasets.load_idx(tmp_path / "floats.idx.gz").tolist() == [0.5, -1.25]


def test_load_mnist_flattens_and_scales(tmp_path):
    images = np.array([[[0, 255], [51, 102]], [[255, 255], [0, 0]], [[1, 2], [3, 4]]], dtype=np.uint8)
    labels = np.array([7, 0, 9], dtype=np.uint8)
    (tmp_path / "i").write_bytes(gzip.compress(idx_bytes(images, 0x08)))
    (tmp_path / "l").write_bytes(idx_bytes(labels, 0x08))
    X, y = datasets.load_mnist(tmp_path / "i", tmp_path / "l")
    assert X.shape == (3, 4)
    assert X[0].tolist() == [0.0, 1.0, 0.2, 0.4]
    assert y.tolist() == [7, 0, 9]


GOOD = bytes([0, 0, 8, 1]) + struct.pack(">I", 3) + bytes([1, 2, 3])


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "not an IDX file"), (b"\x01\x00\x08\x01" + GOOD[4:], "not an IDX file"),
    (b"\x00\x00\x07\x01" + GOOD[4:], "type code"), (b"\x00\x00\x08\x00", "at least one dimension"),
    (bytes([0, 0, 8, 3]) + b"\x00\x00", "truncated IDX header"),
    (GOOD[:-1], "says shape \\(3,\\), which needs 3 bytes of data; the file holds 2"),
    (GOOD + b"\x00", "needs 3 bytes of data; the file holds more"), (b"\x1f\x8b\x08garbage", "damaged gzip"),
    (bytes([0, 0, 8, 2]) + struct.pack(">II", 100000, 100000),
     "10,000,000,000 bytes of data, larger than 268,435,456 bytes"),
])
def test_bad_idx_files_raise_value_error(tmp_path, raw, message):
    (tmp_path / "bad").write_bytes(raw)
    with pytest.raises(ValueError, match=message):
        datasets.load_idx(tmp_path / "bad")


@pytest.mark.parametrize(("labels", "message"), [(np.array([1, 2]), "i holds 3 images but .*l 2 labels"),
                                             (np.array([1, 2, 10]), "labels must be digits 0-9")])
def test_mnist_labels_must_match_the_images(tmp_path, labels, message):
    (tmp_path / "i").write_bytes(idx_bytes(np.zeros((3, 2, 2)), 0x08))
    (tmp_path / "l").write_bytes(idx_bytes(labels, 0x08))
    with pytest.raises(ValueError, match=message):
        datasets.load_mnist(tmp_path / "i", tmp_path / "l")


def test_mnist_images_must_be_three_dimensional(tmp_path):
    (tmp_path / "i").write_bytes(idx_bytes(np.zeros((3, 4)), 0x08))
    (tmp_path / "l").write_bytes(idx_bytes(np.zeros(3), 0x08))
    with pytest.raises(ValueError, match="shape \\(n, rows, columns\\)"):
        datasets.load_mnist(tmp_path / "i", tmp_path / "l")


def test_one_hot_refuses_labels_that_are_not_class_indices():
    with pytest.raises(ValueError, match=r"whole class indices in 0..2, got \[0.5\]"):
        nn.datasets.one_hot([0.5], 3)
    assert nn.datasets.one_hot([2.0, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]


@pytest.mark.parametrize("make", list(datasets.GENERATORS.values()))
def test_noise_past_max_noise_is_refused_naming_the_range(make):
    assert len(make(30, noise=datasets.MAX_NOISE, seed=0)[1]) == 30
    with pytest.raises(ValueError, match=r"noise must be a finite number >= 0 and <= 1, got float: 1\.5"):
        make(30, noise=1.5, seed=0)
