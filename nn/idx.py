"""IDX files (MNIST's format), raw or gzipped, read with every size checked before the work it implies.

The file is read through ``autograd.conventions.files.read_file`` (a regular file of at most ``max_bytes``: a FIFO is
refused without blocking); its header's shape is checked against ``max_bytes`` before any data is
decompressed, and against the data that follows, so a header that lies about its counts is one
ValueError naming the file. The array is a read-only view of the bytes, in the file's own type.
"""
from __future__ import annotations

import gzip
import io
import struct
import zlib
from pathlib import Path

import numpy as np

from autograd.conventions.files import read_file

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MAX_IDX_BYTES = 256 * 2**20  # MNIST's largest file is 47 MB; anything past this is refused unread
GZIP_MAGIC = b"\x1f\x8b"


def load_idx(path: str | Path, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read an IDX file (MNIST's format, optionally gzipped) into an array of its shape.

    ValueError naming the file for anything that is not a whole IDX file of at most ``max_bytes``
    (decompressed): a bad magic number, a shape larger than the limit, data shorter or longer than
    the shape says, a damaged gzip stream.
    """
    raw = read_file(path, max_bytes)
    packed = raw[:2] == GZIP_MAGIC
    stream = gzip.GzipFile(fileobj=io.BytesIO(raw)) if packed else io.BytesIO(raw)
    try:
        dtype, shape = _header(stream, path)
        needed = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if 4 + 4 * len(shape) + needed > max_bytes:
            raise ValueError(f"{path}: its IDX header says shape {shape}, {needed:,} bytes of data, larger than "
                             f"{max_bytes:,} bytes; not reading it")
        start = stream.tell()  # an unpacked file's data is a view of its bytes, never a copy
        data = stream.read(needed + 1) if packed else memoryview(raw)[start:start + needed + 1]
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path}: a damaged gzip file ({error})") from None
    if len(data) != needed:
        held = f"{len(data):,}" if len(data) < needed else "more"
        raise ValueError(f"{path}: its IDX header says shape {shape}, which needs {needed:,} bytes of data; "
                         f"the file holds {held}")
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def _header(stream, path) -> tuple[np.dtype, tuple[int, ...]]:
    """The element type and the shape the IDX header at the start of ``stream`` declares."""
    magic = stream.read(4)
    if len(magic) < 4 or magic[:2] != b"\x00\x00" or magic[2] not in IDX_TYPES or magic[3] == 0:
        raise ValueError(f"{path}: not an IDX file (expected 0x00 0x00, a type code in "
                         f"{sorted(IDX_TYPES)} and at least one dimension in the first 4 bytes)")
    rank = magic[3]
    sizes = stream.read(4 * rank)
    if len(sizes) < 4 * rank:
        raise ValueError(f"{path}: truncated IDX header ({rank} dimensions need {4 + 4 * rank} bytes)")
    return np.dtype(IDX_TYPES[magic[2]]), struct.unpack(f">{rank}I", sizes)
