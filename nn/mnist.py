"""MNIST: its four IDX files (raw or gzipped) read with their size bounded, from a folder a user gives or
the one ``python -m nn download mnist`` fills (``default_dir()``)."""
from __future__ import annotations

import gzip
import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from . import download as fetching


_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MAX_IDX_BYTES = 256 * 2**20  # MNIST's largest file is 47 MB; anything past this is refused unread


def load_idx(path: str | Path, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read an IDX file (MNIST's format, optionally gzipped) into an array of its shape."""
    raw = _bounded_read(Path(path), max_bytes)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise ValueError(f"{path}: not an IDX file (expected 0x00 0x00, a type code in "
                         f"{sorted(_IDX_TYPES)} and at least one dimension in the first 4 bytes)")
    rank, dtype = raw[3], np.dtype(_IDX_TYPES[raw[2]])
    header = 4 + 4 * rank
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({rank} dimensions need {header} bytes)")
    shape = struct.unpack(f">{rank}I", raw[4:header])
    expected = header + int(np.prod(shape, dtype=object)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"{path}: IDX shape {shape} needs {expected} bytes, the file has {len(raw)}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def _bounded_read(path: Path, max_bytes: int) -> bytes:
    """The file's bytes (gunzipped if it is gzip), refusing more than ``max_bytes`` before reading it all."""
    with path.open("rb") as file:
        raw = file.read(max_bytes + 1)
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
                raw = unzipped.read(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"{path}: a damaged gzip file ({error})") from None
    if len(raw) > max_bytes:
        raise ValueError(f"{path}: larger than {max_bytes:,} bytes; not reading it")
    return raw


def load_mnist(images_path: str | Path, labels_path: str | Path):
    """MNIST from the IDX files a user already has: pixels flattened and scaled to [0, 1], labels 0–9."""
    images, labels = load_idx(images_path), load_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1:
        raise ValueError(f"expected images of shape (n, rows, columns) and labels of shape (n,), "
                         f"got {images.shape} and {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{labels_path}: labels must be digits 0-9")
    return images.reshape(len(images), -1) / 255.0, labels.astype(int)


MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
MNIST_SOURCE = "http://yann.lecun.com/exdb/mnist/"
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
             timeout: float = fetching.TIMEOUT, progress: bool = True, report=print) -> Path:
    """Fetch MNIST's four .gz files from ``mirror`` into ``directory`` (default ``default_dir()``), each
    checked against ``published`` (default ``MNIST_PUBLISHED``: name → size and SHA-256); returns the folder."""
    folder = default_dir() if directory is None else Path(directory)
    return fetching.fetch_all(mirror, folder, MNIST_PUBLISHED if published is None else published, timeout,
                              progress, report)


def mnist(directory: str | Path | None = None):
    """``(X_train, y_train, X_test, y_test)`` from the folder holding MNIST's four IDX files
    (default: ``default_dir()``, where ``python -m nn download mnist`` puts them).

    The standard names (``MNIST_FILES``), each raw or gzipped (``.gz``); the first one missing is
    named in a FileNotFoundError together with how to download MNIST.
    """
    folder = default_dir() if directory is None else Path(directory)
    if directory is None and not folder.is_dir():
        raise FileNotFoundError(f"no MNIST in {folder}: download it with `{GET_IT}`, or give the folder "
                                f"that holds MNIST's four IDX files")
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder; it should hold MNIST's four IDX files "
                                f"({', '.join(MNIST_FILES)}, raw or .gz): get them with `{GET_IT}`")
    paths = []
    for name in MNIST_FILES:
        found = [folder / candidate for candidate in (name, name + ".gz") if os.path.lexists(folder / candidate)]
        if not found:
            raise FileNotFoundError(f"{folder} has no {name} (or {name}.gz): MNIST's four IDX files are "
                                    f"published at {MNIST_SOURCE}, and `{GET_IT}` downloads them into {default_dir()}")
        paths.append(found[0])
    return (*load_mnist(paths[0], paths[1]), *load_mnist(paths[2], paths[3]))
