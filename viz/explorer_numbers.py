"""Numbers for the explorer's JSON: floats as they are, and the non-finite ones as strings JSON can carry."""
from __future__ import annotations

import math
from collections.abc import Iterable


def number(x: float) -> float | str:
    """A float for JSON: finite as is, otherwise "inf", "-inf" or "nan" (JSON has no such numbers)."""
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def numbers(values: Iterable[float | None]) -> list[float | str | None]:
    """Each of ``values`` as :func:`number`; None (no gradient) stays None."""
    return [None if x is None else number(x) for x in values]
