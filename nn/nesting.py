"""How deep brackets nest in JSON text, found in one linear pass of bounded memory (before ``json.loads``,
which recurses once per level and would raise RecursionError on text nested thousands deep).

The text is read in chunks of ``CHUNK`` bytes as numpy arrays; a bracket inside a string does not count
(a quote preceded by an odd number of backslashes does not end a string). The state carried from one
chunk to the next is four numbers, so a 64 MB file costs about 8 MB of scratch, never a copy of it.
"""
from __future__ import annotations

import numpy as np

CHUNK = 1 << 18  # bytes looked at in one numpy step
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def nesting_depth(raw: bytes) -> int:
    """The deepest level of ``[`` and ``{`` outside strings in the JSON text ``raw`` (0 for a bare number)."""
    deepest = depth = 0
    in_string, backslashes = False, 0  # carried over: inside a string?, backslashes ending the last chunk
    for start in range(0, len(raw), CHUNK):
        chunk = np.frombuffer(raw, np.uint8, count=min(CHUNK, len(raw) - start), offset=start)
        quotes = _string_quotes(chunk, backslashes)
        opening = (chunk == ord("[")) | (chunk == ord("{"))
        closing = (chunk == ord("]")) | (chunk == ord("}"))
        brackets = np.flatnonzero(opening | closing)
        outside = (np.searchsorted(quotes, brackets) + in_string) % 2 == 0
        steps = np.where(opening[brackets[outside]], 1, -1)
        if steps.size:
            levels = depth + np.cumsum(steps)
            deepest, depth = max(deepest, int(levels.max())), int(levels[-1])
        in_string ^= bool(len(quotes) % 2)
        backslashes = _trailing_backslashes(chunk, backslashes)
    return deepest


def _last_other(chunk: np.ndarray) -> np.ndarray:
    """For each position, the index of the last byte up to it that is not a backslash (-1 if none)."""
    positions = np.arange(len(chunk))
    return np.maximum.accumulate(np.where(chunk != _BACKSLASH, positions, -1))


def _string_quotes(chunk: np.ndarray, backslashes: int) -> np.ndarray:
    """Positions of the quotes that start or end a string: those after an even run of backslashes."""
    positions = np.flatnonzero(chunk == _QUOTE)
    if not positions.size or (not backslashes and _BACKSLASH not in chunk):
        return positions  # no backslash: every quote counts
    before = positions - 1
    last_other = _last_other(chunk)[np.maximum(before, 0)]
    run = np.where(before < 0, backslashes, np.where(last_other >= 0, before - last_other, before + 1 + backslashes))
    return positions[run % 2 == 0]


def _trailing_backslashes(chunk: np.ndarray, backslashes: int) -> int:
    """How many backslashes end the text read so far (they may escape the next chunk's first quote)."""
    if chunk[-1] != _BACKSLASH:
        return 0
    others = np.flatnonzero(chunk != _BACKSLASH)
    return backslashes + len(chunk) if not others.size else len(chunk) - 1 - int(others[-1])
