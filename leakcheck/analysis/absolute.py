"""Absolute limits (`rss_growth`, `vms_growth`, `peak_rss`): bounds a run must stay within, trend or not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from leakcheck.analysis.model import Finding, Point, ProbeSeries
from leakcheck.analysis.series import after_warmup, window_floors

if TYPE_CHECKING:
    from leakcheck.limits import Limit

ABSOLUTE_KEYS = frozenset({"rss_growth", "vms_growth", "peak_rss"})


def absolute_findings(series: ProbeSeries, limits: Sequence[Limit], windows: int) -> list[Finding]:
    findings = []
    for limit in limits:
        if limit.key not in ABSOLUTE_KEYS:
            continue
        memory = "vms" if limit.key == "vms_growth" else "rss"
        points = series.memory.get(memory, ())
        if not points:
            continue
        observed = _peak(points) if limit.key == "peak_rss" else _floor_growth(points, series, windows)
        findings.append(Finding(f"limit:{limit.key}", "limit", not limit.allows(observed),
                                {"observed": observed, "limit": limit.value}, limit.explain(observed)))
    return findings


def _peak(points: Sequence[Point]) -> float:
    return max(value for _, value in points)


def _floor_growth(points: Sequence[Point], series: ProbeSeries, windows: int) -> float:
    """From the first to the last window floor of the measure phase."""
    floors = window_floors(after_warmup(points, series.warmup_end), windows)
    return floors[-1][1] - floors[0][1] if floors else 0.0
