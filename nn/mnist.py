"""MNIST from the files a user already has: IDX files (raw or gzipped) read with their size bounded."""
from __future__ import annotations

import gzip
import io
import struct
import zlib
from pathlib import Path

import numpy as np


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


def mnist(directory: str | Path):
    """``(X_train, y_train, X_test, y_test)`` from the folder holding MNIST's four IDX files.

    The standard names (``MNIST_FILES``), each raw or gzipped (``.gz``); the first one missing is
    named in a FileNotFoundError together with where MNIST is published.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder; it should hold MNIST's four IDX files "
                                f"({', '.join(MNIST_FILES)}, raw or .gz), published at {MNIST_SOURCE}")
    paths = []
    for name in MNIST_FILES:
        found = [folder / candidate for candidate in (name, name + ".gz") if (folder / candidate).is_file()]
        if not found:
            raise FileNotFoundError(f"{folder} has no {name} (or {name}.gz): MNIST's four IDX files "
                                    f"are published at {MNIST_SOURCE}")
        paths.append(found[0])
    return (*load_mnist(paths[0], paths[1]), *load_mnist(paths[2], paths[3]))
