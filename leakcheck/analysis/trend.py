"""Is a series still rising at the end of the run? Theil–Sen slope with its CI, Kendall's trend test,
and two guards against false alarms: a minimum growth relative to noise, and growth in both halves.

Why both halves: a leak keeps growing at its rate; a bounded cache grows and then stops (plateau), a
one-off allocation is a single step, and an allocator warming up grows ever more slowly. All of those raise
the overall slope of a short run, but not the slope of each half of it alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from leakcheck.analysis import stats
from leakcheck.analysis.model import Point
from leakcheck.analysis.series import span, window_floors

MIN_WINDOWS = 8
"""Fewer floors than this cannot show a trend with any confidence."""


@dataclass(frozen=True)
class TrendPolicy:
    windows: int = 20
    """The measure phase is cut into this many windows; the trend is fitted to their floors."""
    alpha: float = 0.01
    """One-sided Kendall tau p-value below which the floors are said to rise."""
    min_growth: float = 256 * 1024
    """Growth over the measure phase (in the signal's unit) below which nothing is called a leak."""
    noise_factor: float = 4.0
    """Growth must also exceed this many robust standard deviations of the floors around the fit."""
    spread: float = 0.25
    """Each half of the run must rise at least this share of the whole run's slope."""
    levelling: float = 0.5
    """The second half must rise at least this share of the first half's slope: growth that slows down
    this much is an allocator or cache warming up (logarithmic-like), not a per-call leak."""
    max_slope: float | None = None
    """A tolerated slope (the probe's `slope` limit): a significant trend below it is not a leak."""
    reach: float = 4.0
    """How much longer the next run of an escalation is (runner.escalation): a significant growth below the
    threshold is borderline only if that much of it would cross the threshold."""


@dataclass(frozen=True)
class Trend:
    slope: float
    ci_low: float
    ci_high: float
    p_value: float
    growth: float
    """slope × span: what the trend adds over the measure phase."""
    noise: float
    """Robust standard deviation (1.4826 × MAD) of the floors around the fitted line."""
    early_slope: float
    late_slope: float
    span: float
    windows: int

    def figures(self) -> dict[str, float]:
        return {
            "slope": self.slope, "ci_low": self.ci_low, "ci_high": self.ci_high, "p_value": self.p_value,
            "growth": self.growth, "noise": self.noise, "early_slope": self.early_slope,
            "late_slope": self.late_slope, "span": self.span, "windows": float(self.windows),
        }


def fit_trend(points: Sequence[Point], windows: int) -> Trend | None:
    """Fit the floors of a measure-phase series; None when there are too few windows to judge.

    A collection cycle longer than a window leaves some windows without a trough, and their floors are
    then peaks, not floors. Fewer, wider windows are used when that makes the floors markedly steadier.
    """
    fits = [fit for count in _window_counts(windows) if (fit := _fit_floors(points, count)) is not None]
    if not fits:
        return None
    best = fits[0]
    for wider in fits[1:]:
        if wider[1] < WIDER_WINDOWS_GAIN * best[1]:
            best = wider
    return best[0]


WIDER_WINDOWS_GAIN = 0.5
"""Wider windows replace narrower ones only if they at least halve the floors' scatter around the fit.
The scatter is a root mean square, not the robust noise: a few windows without a trough are exactly the
outliers a robust measure would hide."""


def _window_counts(windows: int) -> list[int]:
    return [windows] + [count for count in (windows // 2, MIN_WINDOWS) if MIN_WINDOWS <= count < windows]


def _fit_floors(points: Sequence[Point], windows: int) -> tuple[Trend, float] | None:
    """The trend of the floors and their root-mean-square scatter around it."""
    floors = window_floors(points, windows)
    if len(floors) < MIN_WINDOWS:
        return None
    x = np.array([p[0] for p in floors])
    y = np.array([p[1] for p in floors])
    fit = stats.theil_sen(y, x)
    slope, intercept, ci_low, ci_high = fit.slope, fit.intercept, fit.ci_low, fit.ci_high
    residuals = y - (intercept + slope * x)
    half = len(floors) // 2
    trend = Trend(
        slope=float(slope), ci_low=float(ci_low), ci_high=float(ci_high),
        p_value=_kendall_rising(x, y),
        growth=float(slope) * span(points),
        noise=stats.median_abs_deviation(residuals),
        early_slope=_slope(x[:half], y[:half]),
        late_slope=_slope(x[half:], y[half:]),
        span=span(points),
        windows=len(floors),
    )
    return trend, float(np.sqrt(np.mean(residuals**2)))


def unmet_leak_conditions(trend: Trend, policy: TrendPolicy) -> list[str]:
    """Why this trend is not a leak, as short phrases; an empty list means it is one."""
    unmet: list[str] = []
    if not trend.p_value < policy.alpha:
        unmet.append(f"no significant trend (Kendall p={trend.p_value:.2g} ≥ {policy.alpha:g})")
    if not trend.ci_low > 0:
        unmet.append("the slope's 95% CI includes 0")
    if not trend.growth >= growth_threshold(trend, policy):
        unmet.append(BELOW_THRESHOLD)
    if trend.slope > 0:
        unmet.extend(_uneven_growth(trend, policy))
    if policy.max_slope is not None and not trend.slope > policy.max_slope:
        unmet.append(WITHIN_SLOPE)
    return unmet


BELOW_THRESHOLD = "growth below the threshold"
WITHIN_SLOPE = "slope within the tolerated slope"
BORDERLINE_P_FACTOR = 10.0
"""A Kendall p within this factor of alpha (either side) is near the line."""


def borderline(trend: Trend, policy: TrendPolicy, unmet: Sequence[str]) -> str:
    """Why a run `policy.reach` × as long could turn this verdict ("" when it is clear). Three cases, each with
    every other condition of a leak met, so that one line alone decides: the trend is significant but its
    growth is below the threshold, and `reach` × the growth would cross it (a small leak over a short run:
    the growth scales with the run, the threshold does not); the `slope` limit lies inside the slope's 95%
    interval; or Kendall's p is within BORDERLINE_P_FACTOR of alpha, on either side."""
    significant = trend.p_value < policy.alpha and trend.ci_low > 0
    if significant and list(unmet) == [BELOW_THRESHOLD] and \
            policy.reach * trend.growth >= growth_threshold(trend, policy):
        return "a significant trend whose growth is below the threshold, which a longer run would cross"
    within = [u for u in unmet if u != WITHIN_SLOPE]
    if policy.max_slope is not None and trend.ci_low <= policy.max_slope <= trend.ci_high and not within:
        return "the tolerated slope lies within the slope's 95% CI"
    others = [u for u in unmet if not u.startswith("no significant trend")]
    near = policy.alpha / BORDERLINE_P_FACTOR <= trend.p_value < policy.alpha * BORDERLINE_P_FACTOR
    if near and not others and trend.ci_low > 0:
        return f"Kendall p={trend.p_value:.2g} near alpha={policy.alpha:g}"
    return ""


def growth_threshold(trend: Trend, policy: TrendPolicy) -> float:
    return max(policy.min_growth, policy.noise_factor * trend.noise)


def _uneven_growth(trend: Trend, policy: TrendPolicy) -> list[str]:
    """A leak rises at its rate all along; a step, a plateau or a warm-up does not."""
    if trend.early_slope < policy.spread * trend.slope:
        return ["no growth in the first half (a step, or growth that started late)"]
    if trend.late_slope < policy.spread * trend.slope:
        return ["no growth in the second half (plateau)"]
    if trend.late_slope < policy.levelling * trend.early_slope:
        share = trend.late_slope / trend.early_slope
        return [f"growth levelling off (second-half slope {share:.0%} of the first half's)"]
    return []


def _kendall_rising(x: np.ndarray, y: np.ndarray) -> float:
    if np.all(y == y[0]):
        return 1.0
    return stats.kendall_rising_p(x, y)


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2:
        return 0.0
    return stats.theil_sen(y, x).slope
