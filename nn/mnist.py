"""MNIST: its four IDX files (raw or gzipped) read with their size bounded, from a folder a user gives or
the one ``python -m nn download mnist`` fills (``default_dir()``)."""
from __future__ import annotations

import os
import shlex
from pathlib import Path

import numpy as np

from . import download as fetching
from .data_rows import ScaledRows
from .idx import MAX_IDX_BYTES, load_idx

MAX_IMAGES = 1_000_000  # images in one file (MNIST has 60,000 and 10,000): more are refused before conversion


def load_mnist(images_path: str | Path, labels_path: str | Path, max_bytes: int = MAX_IDX_BYTES):
    """One pair of MNIST's IDX files: ``(X, y)`` with X the images flattened as ScaledRows (their bytes,
    read as pixel / 255 a batch at a time) and y the labels 0–9 as an int array.

    Each file is bounded as ``load_idx`` bounds it; images must be unsigned bytes of shape (n, rows,
    columns), at most MAX_IMAGES of them, labels n digits; anything else is a ValueError naming the file.
    """
    images = load_idx(images_path, max_bytes)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{images_path}: expected MNIST's images, unsigned bytes (IDX type 0x08) of shape "
                         f"(n, rows, columns); the file holds {images.dtype.name} values of shape {images.shape}")
    if len(images) > MAX_IMAGES:
        raise ValueError(f"{images_path}: {len(images):,} images, more than the limit of {MAX_IMAGES:,} "
                         f"(nn.mnist.MAX_IMAGES)")
    labels = load_idx(labels_path, max_bytes)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(f"{labels_path}: expected MNIST's labels, whole numbers of shape (n,); the file holds "
                         f"{labels.dtype.name} values of shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{images_path} holds {len(images):,} images but {labels_path} {len(labels):,} labels")
    outside = labels[(labels < 0) | (labels > 9)]
    if outside.size:
        raise ValueError(f"{labels_path}: labels must be digits 0-9, found {outside[0]}")
    return ScaledRows(images.reshape(len(images), -1), 255), labels.astype(int)


MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
MNIST_MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"  # Google's copy of the original files
# The four .gz files as published: size and SHA-256 from TensorFlow Datasets' checksums for this mirror,
# https://github.com/tensorflow/datasets/blob/master/tensorflow_datasets/url_checksums/mnist.txt
# (the sizes are the ones LeCun's page gives; torchvision's mirror ossci-datasets.s3.amazonaws.com/mnist/
# serves the same bytes).
MNIST_PUBLISHED = {
    "train-images-idx3-ubyte.gz": fetching.Published(
        9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "train-labels-idx1-ubyte.gz": fetching.Published(
        28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "t10k-images-idx3-ubyte.gz": fetching.Published(
        1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "t10k-labels-idx1-ubyte.gz": fetching.Published(
        4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}
GET_IT = "python -m nn download mnist"


def default_dir() -> Path:
    """Where ``python -m nn download mnist`` puts MNIST and every MNIST reader looks first:
    ``$XDG_CACHE_HOME/chainrule/mnist``, else ``~/.cache/chainrule/mnist``."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(cache) if os.path.isabs(cache) else Path.home() / ".cache") / "chainrule" / "mnist"


def download(directory: str | Path | None = None, mirror: str = MNIST_MIRROR, published=None,
             timeout: float = fetching.TIMEOUT, progress: bool = True, report=print,
             deadline: float = fetching.DEADLINE) -> Path:
    """Fetch MNIST's four .gz files from ``mirror`` into ``directory`` (default ``default_dir()``), each
    checked against ``published`` (default ``MNIST_PUBLISHED``: name → size and SHA-256), all four within
    ``deadline`` seconds; returns the folder."""
    folder = default_dir() if directory is None else Path(directory)
    return fetching.fetch_all(mirror, folder, MNIST_PUBLISHED if published is None else published, timeout,
                              progress, report, deadline)


def mnist_files(directory: str | Path | None = None) -> list[Path]:
    """The paths of MNIST's four IDX files in ``directory`` (default ``default_dir()``), in ``MNIST_FILES``
    order, each raw or gzipped (``.gz``); a FileNotFoundError names the first one missing and how to get it."""
    folder = default_dir() if directory is None else Path(directory)
    if directory is None and not folder.is_dir():
        raise FileNotFoundError(f"no MNIST in {folder}: download it with `{GET_IT}`, or give the folder "
                                f"that holds MNIST's four IDX files")
    get_them = GET_IT if directory is None else f"{GET_IT} --dir {shlex.quote(str(folder))}"  # into this folder
    if not folder.is_dir():
        there = os.path.lexists(folder)  # a file there cannot become the folder: a download "into" it would fail
        fix = "give the folder that holds them" if there else f"get them with `{get_them}`"
        raise FileNotFoundError(f"{folder} is {'a file, ' if there else ''}not a folder; it should hold MNIST's "
                                f"four IDX files ({', '.join(MNIST_FILES)}, raw or .gz): {fix}")
    paths = []
    for name in MNIST_FILES:
        found = [folder / candidate for candidate in (name, name + ".gz") if os.path.lexists(folder / candidate)]
        if not found:
            raise FileNotFoundError(f"{folder} has no {name} (or {name}.gz): `{get_them}` downloads MNIST's "
                                    f"four IDX files there from {MNIST_MIRROR}, checked against their published "
                                    f"SHA-256")
        paths.append(found[0])
    return paths


def available(directory: str | Path | None = None) -> bool:
    """Whether ``directory`` (default ``default_dir()``) holds MNIST's four files, without reading them."""
    try:
        mnist_files(directory)
    except FileNotFoundError:
        return False
    return True


def mnist(directory: str | Path | None = None):
    """``(X_train, y_train, X_test, y_test)`` from the folder holding MNIST's four IDX files
    (default: ``default_dir()``, where ``python -m nn download mnist`` puts them), found by ``mnist_files``.

    The images are ScaledRows (MNIST's bytes, read as pixel / 255 a batch at a time), the labels int arrays.
    """
    paths = mnist_files(directory)
    X_train, y_train = load_mnist(paths[0], paths[1])
    X_test, y_test = load_mnist(paths[2], paths[3])
    if X_train.shape[1] != X_test.shape[1]:
        raise ValueError(f"{paths[2]}: its images have {X_test.shape[1]} pixels, those of {paths[0]} "
                         f"{X_train.shape[1]}; both sets must hold images of one size")
    return X_train, y_train, X_test, y_test
