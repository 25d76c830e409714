"""Peak memory of ``python -m nn train mnist`` and of the digit lab on files of MNIST's full size
(``python -m bench.mnist_memory``).

Writes four gzipped IDX files of MNIST's sizes (60,000 training and 10,000 test images of 28×28
bytes, random pixels and labels) into a temporary folder, runs the command in a child process and
reports the child's peak resident set size (its ``VmHWM``, what ``/usr/bin/time -v`` calls "Maximum
resident set size"; Linux only), next to that of a child that only imports ``nn``. A second child opens a
digit-lab session on the same files, trains it live (streaming its state) and then examines a stroke.
"""
from __future__ import annotations

import gzip
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from autograd.conventions.command_line import Parser, positive_int, positive_number, run
from nn.mnist import MNIST_FILES

ROOT = Path(__file__).resolve().parents[1]


def idx_file(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes: 0, 0, 0x08, the rank, the big-endian sizes, the data."""
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def _images(count: int, rng: np.random.Generator) -> np.ndarray:
    """Random 28×28 images inked like MNIST's: a fifth of the pixels lit, the rest 0 (so they compress as theirs do)."""
    ink = rng.integers(1, 256, (count, 28, 28), dtype=np.uint8)
    return np.where(rng.random((count, 28, 28), dtype=np.float32) < 0.2, ink, 0).astype(np.uint8)


def write_mnist_sized(folder: Path, train: int = 60_000, test: int = 10_000, seed: int = 0) -> None:
    """MNIST's four files (gzipped) with ``train`` and ``test`` 28×28 images, random labels 0–9."""
    rng = np.random.default_rng(seed)
    arrays = [_images(train, rng), rng.integers(0, 10, train, dtype=np.uint8),
              _images(test, rng), rng.integers(0, 10, test, dtype=np.uint8)]
    for name, array in zip(MNIST_FILES, arrays, strict=True):
        (folder / f"{name}.gz").write_bytes(gzip.compress(idx_file(array), compresslevel=1))


# the child reads its own high-water mark: a forked child's getrusage would count its parent's pages
_MEASURED = """
import sys
from nn.__main__ import main
status = main(sys.argv[1:]) if len(sys.argv) > 1 else 0
peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))
print(int(peak.split()[1]) * 1024, file=sys.stderr)
sys.exit(status)
"""


_LAB = """
import sys, time
import numpy as np
from viz.live.lab.data import load
from viz.live.lab.session import LabSession
from viz.live.stream import TRAIN_SLICE, event
session = LabSession(load(sys.argv[1]))
session.set_playing(True)
started = time.perf_counter()
while time.perf_counter() - started < float(sys.argv[2]):
    session.train_for(TRAIN_SLICE)
    event(session.state())
session.set_playing(False)
canvas = np.zeros((28, 28))
canvas[4:22, 12:15] = 1.0
session.draw(canvas, None)
event(session.state())
peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))
print(int(peak.split()[1]) * 1024, file=sys.stderr)
"""


def peak_rss(nn_argv: list[str], program: str = _MEASURED) -> tuple[int, int]:
    """(exit status, peak resident set size in bytes) of ``python -m nn NN_ARGV`` (no arguments: the
    import alone; another ``program``: it with those arguments), from the child's VmHWM, what
    ``/usr/bin/time -v`` calls its maximum resident set size."""
    child = subprocess.run([sys.executable, "-c", program, *nn_argv], cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return child.returncode, int(child.stderr.split()[-1])


def train_peak(folder: Path, options: list[str]) -> int:
    """Peak RSS of ``python -m nn train mnist OPTIONS`` on ``folder`` (plots included)."""
    status, peak = peak_rss(["train", "mnist", "--mnist-dir", str(folder), "--quiet", "--out", str(folder / "run"),
                             *options])
    if status != 0:
        raise RuntimeError(f"python -m nn train mnist exited with status {status}")
    return peak


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog="python -m bench.mnist_memory", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=positive_int, default=10,
                        help="epochs to train (the recipe's 10 by default)")
    parser.add_argument("--lab-seconds", type=positive_number, default=20.0,
                        help="seconds the lab trains live (default 20)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        write_mnist_sized(folder)
        _, imports = peak_rss([])
        peak = train_peak(folder, ["--epochs", str(args.epochs)])
        status, lab = peak_rss([str(folder), str(args.lab_seconds)], _LAB)
        if status != 0:
            raise RuntimeError(f"the digit lab's session exited with status {status}")
    print(f"python -m nn train mnist, 60,000 + 10,000 generated 28×28 images, {args.epochs} epochs: "
          f"peak RSS {peak / 2**20:,.0f} MiB (importing nn alone: {imports / 2**20:,.0f} MiB)\n"
          f"the digit lab, one session on the same files, {args.lab_seconds:g} s of live training and a stroke: "
          f"peak RSS {lab / 2**20:,.0f} MiB")


if __name__ == "__main__":
    sys.exit(run("python -m bench.mnist_memory", main))
