"""The digit lab as the tests reach it: the client's token and origin, a picture's cells, and an independent
re-implementation of MNIST's preprocessing (crop, area resize, centre of mass) to check the lab's against."""
from __future__ import annotations

import base64

import numpy as np
from scipy import ndimage

TOKEN = "a-test-token"
ORIGIN = "http://testserver"


def cells(picture: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(picture["data"]), dtype=np.uint8).astype(int)


def area_resized(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Area averaging by supersampling: each cell repeated height×width times, then block means."""
    fine = np.kron(image, np.ones((height, width)))
    rows, columns = image.shape
    return fine.reshape(height, rows, width, columns).mean(axis=(1, 3))


def reference_preprocess(canvas: np.ndarray, side: int, box: int) -> np.ndarray:
    ys, xs = np.nonzero(canvas)
    crop = canvas[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    longest = max(crop.shape)
    height, width = (max(1, round(n * box / longest)) for n in crop.shape)
    digit = area_resized(crop, height, width)
    cy, cx = ndimage.center_of_mass(digit)
    top = min(max(round((side - 1) / 2 - cy), 0), side - height)
    left = min(max(round((side - 1) / 2 - cx), 0), side - width)
    frame = np.zeros((side, side))
    frame[top:top + height, left:left + width] = digit
    return frame
