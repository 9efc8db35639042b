"""What a signal needs before it can be judged, and what to tell a user whose run gave it less.

A signal short of these is INCONCLUSIVE, never PASS: a too-short run proves nothing either way. The reason
names the signal, what it had, what it needed and what to change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from leakcheck.analysis.model import Finding, Point, ProbeSeries

MIN_SAMPLED_POINTS = 30
"""Outside samples (RSS) in the measure phase a trend needs: with 20 windows, 1–2 samples each, so that a
window's floor is a floor and not a single sample's value. At 100 Hz, 0.3 s of measure phase."""


def lacking(signal: str, label: str, kind: str, have: int, need: int, noun: str, series: ProbeSeries,
            measured: Sequence[Point], detail: str = "") -> Finding:
    """An inconclusive finding: `have` of the `need` measure-phase `noun` ("samples", "ticks") the rule needs."""
    reason = (f"{label}: {have:,} measure-phase {noun}, {need:,} needed{detail}: not judged; "
              f"{_what_to_change(series, measured, have, need, noun)}")
    return Finding(signal, kind, False, {"points": float(have), "needed": float(need)}, reason, inconclusive=True)


def _what_to_change(series: ProbeSeries, measured: Sequence[Point], have: int, need: int, noun: str) -> str:
    if series.x_unit != "iter":
        return ("make the run longer (it is judged over time: no ticks), or let it tick once per iteration "
                "through an SDK")
    span = measured[-1][0] - measured[0][0] if len(measured) > 1 else 0.0
    if have < 2 or span <= 0:
        return "raise iterations" + (", or make each iteration longer" if noun == "samples" else "")
    per_iteration = (have - 1) / span
    iterations = math.ceil(series.warmup_end + need / per_iteration)
    longer = ", or make each iteration longer" if noun == "samples" else ""
    return f"raise iterations to ≥ {iterations:,}{longer}"
