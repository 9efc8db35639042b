"""One finding per signal: a trend (memory, soft counters), a return to baseline (exact counters),
or a growing count (fds, threads). Each states its figures and its reason in numbers."""

from __future__ import annotations

from collections.abc import Sequence

from leakcheck.analysis import signals
from leakcheck.analysis.model import Finding, Point, ProbeSeries
from leakcheck.analysis.series import after_warmup, span
from leakcheck.analysis.trend import TrendPolicy, fit_trend, growth_threshold, unmet_leak_conditions
from leakcheck.units import format_quantity, format_rate, format_span


def trend_finding(signal: str, name: str, points: Sequence[Point], series: ProbeSeries,
                  policy: TrendPolicy, kind: str = "trend") -> Finding:
    """Memory, soft counters (kind "trend") and fd/thread counts (kind "growth") alike: the floors must
    rise significantly, by more than the threshold, in both halves of the measure phase."""
    measured = after_warmup(points, series.warmup_end)
    label, unit = signals.label(name), signals.unit(name)
    trend = fit_trend(measured, policy.windows)
    if trend is None:
        return Finding(signal, kind, False, {"points": float(len(measured))},
                       f"{label}: too few measure-phase samples to judge a trend ({len(measured)})")
    rate = format_rate(trend.slope, trend.ci_low, trend.ci_high, unit, series.x_unit)
    where = f"over {format_span(trend.span, series.x_unit)} after {_warmup(series)} warm-up"
    growth = f"{format_quantity(trend.growth, unit, signed=True)}, Kendall p={trend.p_value:.2g}"
    unmet = unmet_leak_conditions(trend, policy)
    figures = trend.figures() | {"threshold": growth_threshold(trend, policy)}
    if not unmet:
        return Finding(signal, kind, True, figures, f"{label} slope {rate}, {where} ({growth})")
    threshold = format_quantity(growth_threshold(trend, policy), unit)
    return Finding(signal, kind, False, figures,
                   f"{label} slope {rate}, {where} ({growth}; threshold {threshold}): "
                   f"not a leak: {'; '.join(unmet)}")


def baseline_finding(name: str, points: Sequence[Point], series: ProbeSeries, allowed: float) -> Finding:
    """An exact counter must end where the measure phase began (up to `allowed`)."""
    measured = after_warmup(points, series.warmup_end)
    label, unit = signals.label(name), signals.unit(name)
    signal = f"counter:{name}"
    if not measured:
        return Finding(signal, "baseline", False, {}, f"{label}: no measure-phase ticks")
    baseline, final = measured[0][1], measured[-1][1]
    growth = final - baseline
    length = span(measured)
    figures = {"baseline": baseline, "final": final, "growth": growth, "allowed": allowed,
               "span": length, "per_x": growth / length if length else 0.0}
    detail = (f"{label} {format_quantity(growth, unit, signed=True)} over "
              f"{format_span(length, series.x_unit)} (baseline {format_quantity(baseline, unit)}, "
              f"final {format_quantity(final, unit)})")
    failed = growth > allowed
    verdict = "did not return to baseline" if failed else "returned to baseline"
    tolerance = f", allowed {format_quantity(allowed, unit, signed=True)}" if allowed else ""
    return Finding(signal, "baseline", failed, figures, f"{detail}: {verdict}{tolerance}")


def _warmup(series: ProbeSeries) -> str:
    if series.x_unit == "iter":
        return f"{series.warmup_end:,.0f}"
    return f"{series.warmup_end:.1f} s"
