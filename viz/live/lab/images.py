"""A drawing as the network sees it: MNIST's preprocessing, and the checks a drawn image must pass.

MNIST's digits were scaled (keeping their aspect) so their bounding box fits 20x20, then placed in
28x28 with their centre of mass at the centre. The 8x8 digits fill their frame, so a drawing for
them is scaled to fit 8x8 and centred the same way. Resampling is the area average: each new cell
is the mean of the part of the drawing it covers.
"""
from __future__ import annotations

import math

import numpy as np

from ..config import FieldError

CANVAS = 28  # cells per side of the drawing board
BOXES = {28: 20, 8: 8}  # the frame's side: the side of the box the digit is scaled into


def checked_image(value: object, side: int = CANVAS, field: str = "image") -> np.ndarray:
    """``value`` as a (side, side) array of numbers in [0, 1], or a FieldError naming ``field``."""
    wanted = f"must be {side} rows of {side} numbers from 0 to 1"
    if not isinstance(value, list) or len(value) != side:
        raise FieldError(field, wanted)
    for number, row in enumerate(value):
        if not isinstance(row, list) or len(row) != side:
            raise FieldError(field, f"{wanted}; row {number} is not {side} numbers")
        for cell in row:
            if isinstance(cell, bool) or not isinstance(cell, (int, float)) or not math.isfinite(cell) \
                    or not 0 <= cell <= 1:
                raise FieldError(field, f"{wanted}; row {number} holds {cell!r:.20}")
    return np.array(value, dtype=float)


def _area_weights(size_in: int, size_out: int) -> np.ndarray:
    """(size_out, size_in): how much of each input cell each output cell covers, rows summing to 1."""
    edges = np.arange(size_out + 1) * size_in / size_out
    cells = np.arange(size_in)
    overlap = np.minimum(edges[1:, None], cells[None, :] + 1) - np.maximum(edges[:-1, None], cells[None, :])
    overlap = np.clip(overlap, 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def resampled(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """``image`` resized to (height, width) by area averaging."""
    return _area_weights(image.shape[0], height) @ image @ _area_weights(image.shape[1], width).T


def preprocess(canvas: np.ndarray, side: int) -> np.ndarray:
    """The drawing as the network's input image (side x side): the ink's bounding box scaled into
    ``BOXES[side]`` keeping its aspect, placed with its centre of mass at the centre (an empty drawing: zeros)."""
    frame = np.zeros((side, side))
    rows, columns = np.flatnonzero(canvas.any(axis=1)), np.flatnonzero(canvas.any(axis=0))
    if not len(rows):
        return frame
    crop = canvas[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    scale = BOXES[side] / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    digit = resampled(crop, height, width)
    mass = digit.sum()
    centre = [(np.arange(n) * digit.sum(axis=1 - axis)).sum() / mass for axis, n in enumerate(digit.shape)]
    top, left = (min(max(round((side - 1) / 2 - c), 0), side - n) for c, n in zip(centre, digit.shape, strict=True))
    frame[top:top + height, left:left + width] = digit
    return frame
