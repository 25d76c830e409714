"""Your own data: a CSV file with a header row, numeric feature columns and a target column.

The target holds class labels (text or whole numbers, mapped to indices 0..k−1 in sorted
order, their names kept) or numbers for a regression. Every defect is one line naming the
row and the column; the file's size is checked before it is read (``autograd.conventions.files.read_file``).
Columns named in ``drop`` are left out; a feature column that looks like a row id (distinct whole
numbers in increasing order) is named in ``Table.row_ids``, so a command can warn about it.
"""
from __future__ import annotations

import csv
import io
import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd.conventions.files import read_file

from .signature import listed, name_problem

MAX_BYTES = 64 * 2 ** 20
MAX_CLASSES = 100  # whole-number targets with more distinct values are refused unless regression=True


@dataclass(frozen=True)
class Table:
    """A loaded CSV: ``X`` (rows, features), ``y`` (class indices, or floats for a regression) and the names.

    It unpacks like every loader: ``X, y = load_csv(path)``.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] | None  # None: a regression target
    row_ids: tuple[str, ...] = ()  # feature columns holding distinct whole numbers in increasing order

    def __iter__(self):
        return iter((self.X, self.y))


def load_csv(path: str | Path, target: str = "label", regression: bool | None = None,
             max_bytes: int = MAX_BYTES, drop: Sequence[str] = ()) -> Table:
    """Read ``path``; ``target`` names the label column, ``drop`` columns to leave out. ``regression=None``
    decides from the column: numbers that are not all whole make a regression, anything else class labels."""
    path = Path(path)
    rows = _rows(path, max_bytes)
    header, body = rows[0], rows[1:]
    names = _header(path, header, target, drop)
    if not body:
        raise ValueError(f"{path}: a header but no rows of data")
    column = names.index(target)
    features = [i for i in range(len(names)) if i != column and names[i] not in drop]
    X = np.empty((len(body), len(features)))
    labels, places = [], []
    for number, (line, cells) in enumerate(body, start=1):
        where = f"{path}: row {number} (line {line})"
        if len(cells) != len(names):
            raise ValueError(f"{where} has {len(cells)} cells; the header has {len(names)}")
        X[number - 1] = [_number(cells[i], f"{where}, column {names[i]!r}", names[i] if number == 1 else None)
                         for i in features]
        label = cells[column].strip()
        if not label:
            raise ValueError(f"{where}, column {target!r}: the target is empty")
        labels.append(label)
        places.append(f"{where}, column {target!r}")
    y, classes = _targets(path, target, labels, places, regression)
    feature_names = tuple(names[i] for i in features)
    return Table(X, y, feature_names, classes, tuple(name for name, values in zip(feature_names, X.T, strict=True)
                                                     if _looks_like_row_ids(values)))


def _looks_like_row_ids(values: np.ndarray) -> bool:
    """Distinct whole numbers in increasing order, over at least three rows (1, 2, 3, … or 1001, 1004, …)."""
    return len(values) >= 3 and bool(np.all(values == np.round(values)) and np.all(np.diff(values) > 0))


def _rows(path: Path, max_bytes: int) -> list[tuple[int, list[str]]]:
    """(first line number, cells) of every non-blank row, the header first."""
    raw = read_file(path, max_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text (byte {error.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, previous_end = [], 0
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((previous_end + 1, cells))  # where the row starts (a quoted cell may span lines)
            previous_end = reader.line_num
    except csv.Error as error:
        raise ValueError(f"{path}: line {reader.line_num}: not readable as CSV ({error})") from None
    if not rows:
        raise ValueError(f"{path}: empty; expected a header row naming the columns, then rows of data")
    return rows


def _header(path: Path, header: tuple[int, list[str]], target: str, drop: Sequence[str]) -> list[str]:
    names = [name.strip() for name in header[1]]
    separator = next((s for s in (";", "\t", "|") if len(names) == 1 and s in names[0]), None)
    if target not in names and separator:
        raise ValueError(f"{path}: its header is one column holding {separator!r}: load_csv reads comma-separated "
                         f"values (save the file as CSV with commas)")
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise ValueError(f"{path}: the header's column {position} has no name")
        if name_problem(name):
            raise ValueError(f"{path}: the header's column {position} {name!r:.40} {name_problem(name)}")
        if name in seen:
            raise ValueError(f"{path}: the header names column {name!r} twice")
        seen.add(name)
    if target not in names and all(map(_is_number, names)):
        raise ValueError(f"{path}: its first row is numbers ({listed(names)}), not a header: "
                         f"the first row must name the columns, e.g. {','.join(_example_header(len(names), target))}")
    if target not in names:
        raise ValueError(f"{path}: no target column {target!r}; the columns are {listed(names)} "
                         f"(choose one with --target)")
    for name in drop:
        if name not in names:
            raise ValueError(f"{path}: no column {name!r} to drop; the columns are {listed(names)}")
        if name == target:
            raise ValueError(f"{path}: {name!r} is the target column; it cannot be dropped")
    if len(set(names) - set(drop)) < 2:
        raise ValueError(f"{path}: only the target column {target!r}"
                         f"{' once the dropped columns are left out' if drop else ''}; "
                         f"at least one feature column is needed")
    return names


def _number(cell: str, where: str, first_row_of: str | None = None) -> float:
    """A feature cell as a finite number; words in the first row of a column suggest a column of text to drop."""
    try:
        number = _float(cell)
    except ValueError:
        text = (f"; every column but the target is an input, a number: leave out a column of text with "
                f"--drop {shlex.quote(first_row_of)} (drop= in Python)") if first_row_of and cell.strip() else ""
        raise ValueError(f"{where}: {cell!r:.40} is not a number{text}") from None
    if not math.isfinite(number):
        raise ValueError(f"{where}: {cell!r:.40} is not a finite number")
    return number


def _is_number(text: str) -> bool:
    try:
        _float(text)
    except ValueError:
        return False
    return True


def _example_header(columns: int, target: str) -> list[str]:
    """x1, x2, …, then the target's name: a header for a file of ``columns`` columns, the target last."""
    return [f"x{k}" for k in range(1, columns)] + [target]


def _float(text: str) -> float:
    """A cell as a number; Python's digit separators (``float("1_0")`` is 10) are not CSV numbers."""
    if "_" in text:
        raise ValueError(text)
    return float(text)


def _targets(path: Path, target: str, labels: list[str], places: list[str], regression: bool | None):
    """(y, class names): floats and None for a regression, else indices into the sorted names.

    ``places[i]`` says where ``labels[i]`` is (file, row, line, column) for the error messages.
    """
    numbers = []
    for place, label in zip(places, labels, strict=True):
        try:
            numbers.append(_float(label))
        except ValueError:
            numbers = None
            if regression:
                raise ValueError(f"{place}: {label!r:.40} is not a number "
                                 f"(a regression needs numeric targets)") from None
            break
    if numbers is not None and not all(math.isfinite(v) for v in numbers):
        bad = next(i for i, v in enumerate(numbers) if not math.isfinite(v))
        raise ValueError(f"{places[bad]}: {labels[bad]!r:.40} is not a finite number")
    whole = numbers is not None and all(v == int(v) for v in numbers)
    if regression or (regression is None and numbers is not None and not whole):
        return np.array(numbers), None
    keys = [_whole(label) for label in labels] if whole else labels  # exact: 2**53 + 1 is not 2**53
    classes = sorted(set(keys))
    if len(classes) > MAX_CLASSES:
        raise ValueError(f"{path}: column {target!r} has {len(classes)} distinct labels, more than {MAX_CLASSES} "
                         f"classes (for a regression on whole numbers pass regression=True / --regression)")
    index = {key: i for i, key in enumerate(classes)}
    for place, key in zip(places, keys, strict=True):
        if name_problem(str(key)):
            raise ValueError(f"{place}: the class name {str(key)!r:.40} {name_problem(str(key))}")
    return np.array([index[key] for key in keys], dtype=int), tuple(str(key) for key in classes)


def _whole(label: str) -> int:
    """A whole-number label as an exact int (``"7"``, ``"7.0"`` and ``"7e0"`` are all 7)."""
    try:
        return int(label.strip())
    except ValueError:
        return int(float(label))
