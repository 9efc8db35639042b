"""Shaping a raw series before any statistics: the warm-up cut and the sawtooth's floor."""

from __future__ import annotations

import math
from collections.abc import Sequence

from leakcheck.analysis.model import Point


def after_warmup(points: Sequence[Point], warmup_end: float) -> list[Point]:
    """The measure phase only, in x order (warm-up growth of arenas and caches is not a leak).

    Points that are not finite numbers (a counter a probe could not read) are left out.
    """
    kept = (p for p in points if p[0] >= warmup_end and math.isfinite(p[0]) and math.isfinite(p[1]))
    return sorted(kept, key=lambda p: p[0])


def window_floors(points: Sequence[Point], windows: int) -> list[Point]:
    """The lowest point of each of `windows` equal x-ranges (at its own x, the first if tied).

    The floor is what memory returns to between collections and between calls, so it rises only when
    something is retained: a garbage-collector sawtooth or a transient peak inside a call does not move it.
    Windows without points are left out.
    """
    if not points:
        return []
    first, last = points[0][0], points[-1][0]
    if last == first:
        return [(first, min(v for _, v in points))]
    width = (last - first) / windows
    floors: dict[int, Point] = {}
    for x, value in points:
        index = min(int((x - first) / width), windows - 1)
        if index not in floors or value < floors[index][1]:
            floors[index] = (x, value)
    return [floors[index] for index in sorted(floors)]


def span(points: Sequence[Point]) -> float:
    return points[-1][0] - points[0][0] if points else 0.0
