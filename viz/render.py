"""Rendering a drawing to SVG, PNG or PDF through the system Graphviz ``dot``, atomically.

When ``dot`` is missing the DOT source is still written next to the requested file (``.gv``),
so nothing is lost, and :class:`GraphvizMissingError` says how to install Graphviz.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import graphviz

from autograd import argument_checks as check
from autograd.conventions.errors import MissingToolError, UserError
from autograd.conventions.files import writable_target, write_file

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
DOT_TIMEOUT_SECONDS = 300
INSTALL_HINT = ("install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; "
                "macOS: brew install graphviz; others: https://graphviz.org/download/)")


class GraphvizMissingError(MissingToolError, RuntimeError):
    """The ``dot`` program of Graphviz is not on PATH (a command line exits with status 3)."""


class GraphvizFailedError(UserError, RuntimeError):
    """``dot`` ran but could not lay out or write the drawing (a command line exits with status 2)."""


def output_format(path: str | Path) -> str:
    """``svg``, ``png`` or ``pdf`` from the file's suffix; ValueError naming the valid suffixes."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the format of {str(path)!r}: the file name must end in "
                         f"{', '.join(FORMATS)}")
    return FORMATS[suffix]


def write_source(digraph: graphviz.Digraph, path: str | Path) -> Path:
    """Write the DOT source beside ``path`` (same name, suffix ``.gv``), atomically; return its path."""
    return write_file(Path(path).with_suffix(".gv"), digraph.source)


def layout(digraph: graphviz.Digraph, kind: str, target: str | Path, *,
           timeout: float = DOT_TIMEOUT_SECONDS) -> bytes:
    """The drawing of ``digraph`` in format ``kind``, made by the system ``dot`` (``target`` names it
    in errors). Raises GraphvizMissingError when ``dot`` is not on PATH; nothing is written."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissingError(f"Graphviz is missing: the 'dot' program is not on PATH, so {target} was not drawn")
    try:
        finished = subprocess.run([dot, f"-T{kind}"], input=digraph.source.encode("utf-8"),
                                  capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GraphvizFailedError(f"dot took more than {timeout:.0f} s to lay out the graph; "
                                  f"draw a smaller graph (or the collapsed view of a model)") from None
    if finished.returncode != 0:
        message = finished.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizFailedError(f"dot could not draw {target}: {message[0] if message else 'no message'}")
    return finished.stdout


def render(digraph: graphviz.Digraph, path: str | Path, *, timeout: float = DOT_TIMEOUT_SECONDS) -> Path:
    """Render ``digraph`` to ``path`` (format from the suffix) with the system ``dot``; return the path.

    Raises GraphvizMissingError (after writing the ``.gv`` source) when ``dot`` is not installed.
    """
    check.instance(digraph, "digraph", (graphviz.Digraph, graphviz.Graph), "a graphviz.Digraph (viz.draw's result)")
    path = check.file_path(path)
    timeout = check.real(timeout, "timeout", above=0)
    kind = output_format(path)
    writable_target(path)
    try:
        drawing = layout(digraph, kind, path, timeout=timeout)
    except GraphvizMissingError as missing:
        source_path = write_source(digraph, path)
        raise GraphvizMissingError(
            f"{missing}; the DOT source is saved in {source_path}. To draw it, {INSTALL_HINT}, "
            f"then run: dot -T{kind} {source_path} -o {path}") from None
    return write_file(path, drawing)
