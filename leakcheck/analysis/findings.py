"""One finding per trend signal (memory, soft counters), stating its figures and its reason in numbers.
Counts (exact and process-wide) are judged in analysis.counts."""

from __future__ import annotations

from collections.abc import Sequence

from leakcheck.analysis import signals
from leakcheck.analysis.evidence import lacking
from leakcheck.analysis.model import Finding, Point, ProbeSeries
from leakcheck.analysis.series import after_warmup
from leakcheck.analysis.trend import (
    MIN_WINDOWS,
    TrendPolicy,
    borderline,
    fit_trend,
    growth_threshold,
    unmet_leak_conditions,
)
from leakcheck.units import format_quantity, format_rate, format_span


def trend_finding(signal: str, name: str, points: Sequence[Point], series: ProbeSeries,
                  policy: TrendPolicy, min_points: int = MIN_WINDOWS) -> Finding:
    """The floors must rise significantly, by more than the threshold, in both halves of the measure phase.
    Fewer than `min_points` measure-phase points, or fewer than MIN_WINDOWS windows with a point: not judged."""
    measured = after_warmup(points, series.warmup_end)
    label, unit = signals.label(name), signals.unit(name)
    noun = "samples" if min_points > MIN_WINDOWS else "ticks"
    trend = fit_trend(measured, policy.windows) if len(measured) >= min_points else None
    if trend is None:
        need = max(min_points, MIN_WINDOWS)
        detail = "" if len(measured) < need else f" in {MIN_WINDOWS} of {policy.windows} windows"
        return lacking(signal, label, "trend", len(measured), need, noun, series, measured, detail)
    rate = format_rate(trend.slope, trend.ci_low, trend.ci_high, unit, series.x_unit)
    where = f"over {format_span(trend.span, series.x_unit)} after {_warmup(series)} warm-up"
    growth = f"{format_quantity(trend.growth, unit, signed=True)}, Kendall p={trend.p_value:.2g}"
    unmet = unmet_leak_conditions(trend, policy)
    figures = trend.figures() | {"threshold": growth_threshold(trend, policy)}
    close = borderline(trend, policy, unmet)
    if not unmet:
        return Finding(signal, "trend", True, figures, f"{label} slope {rate}, {where} ({growth})", borderline=close)
    threshold = format_quantity(growth_threshold(trend, policy), unit)
    return Finding(signal, "trend", False, figures,
                   f"{label} slope {rate}, {where} ({growth}; threshold {threshold}): "
                   f"not a leak: {'; '.join(unmet)}", borderline=close)


def _warmup(series: ProbeSeries) -> str:
    if series.x_unit == "iter":
        return f"{series.warmup_end:,.0f}"
    return f"{series.warmup_end:.1f} s"
