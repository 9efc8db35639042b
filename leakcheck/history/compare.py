"""Compare two runs probe by probe. A figure regresses when it grows by more than the threshold AND the
growth is significant where samples exist (one-sided Mann-Whitney U on the per-iteration RSS deltas), so
that run-to-run noise alone never flags. A verdict that goes from passing to failing is a regression (a LEAK
or OVER_LIMIT verdict only together with a figure that regressed)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from leakcheck.analysis.signals import label, unit
from leakcheck.analysis.stats import mann_whitney_greater_p
from leakcheck.history.figures import ProbeFigures, is_exact, worst_outcome
from leakcheck.results import LEAK, OVER_LIMIT, PASSING
from leakcheck.units import format_bytes, format_quantity

STATISTICAL_VERDICTS = frozenset({LEAK, OVER_LIMIT})
MIN_SAMPLES = 8
"""Fewer per-iteration deltas than this on either side: no test, the figure is only reported."""


@dataclass(frozen=True)
class ComparePolicy:
    threshold: float = 0.10
    """Relative growth that counts (0.10 = 10%)."""
    alpha: float = 0.01
    slope_floor: float = 64.0
    """Bytes per iteration: the slope's growth is measured against max(|base slope|, this), so a slope
    near zero does not turn a few bytes of noise into a large relative change."""


@dataclass(frozen=True)
class FigureChange:
    figure: str
    base: str
    head: str
    growth: float | None
    """Relative growth (0.25 = +25%); None when it has no meaning (e.g. from zero)."""
    p_value: float | None
    regression: bool
    reason: str
    compared: bool = True
    """False when one run has no data for the figure (e.g. a probe that never started): never a regression."""


@dataclass(frozen=True)
class ProbeComparison:
    name: str
    base_outcome: str | None
    head_outcome: str | None
    changes: tuple[FigureChange, ...]

    @property
    def regression(self) -> bool:
        return any(change.regression for change in self.changes)


def compare_runs(base: Mapping[str, Sequence[ProbeFigures]], head: Mapping[str, Sequence[ProbeFigures]],
                 policy: ComparePolicy = ComparePolicy()) -> tuple[ProbeComparison, ...]:
    names = sorted(set(base) | set(head))
    return tuple(_compare_probe(name, base.get(name, ()), head.get(name, ()), policy) for name in names)


def _compare_probe(name: str, base: Sequence[ProbeFigures], head: Sequence[ProbeFigures],
                   policy: ComparePolicy) -> ProbeComparison:
    if not base or not head:
        return ProbeComparison(name, _outcome(base), _outcome(head), ())
    p_value = _shift_p_value([d for f in base for d in f.rss_deltas], [d for f in head for d in f.rss_deltas])
    changes = [_verdict_change(_outcome(base), _outcome(head), corroborated=False),
               _peak_change(base, head, p_value, policy)]
    base_slopes = [f.slope for f in base if f.slope is not None]
    head_slopes = [f.slope for f in head if f.slope is not None]
    if base_slopes and head_slopes:
        base_slope, head_slope = statistics.median(base_slopes), statistics.median(head_slopes)
        changes.append(_sized_change("RSS slope (B/iter)", base_slope, head_slope,
                                     max(abs(base_slope), policy.slope_floor), p_value, policy))
    changes += [_counter_change(counter, base, head, policy)
                for counter in sorted({c for f in (*base, *head) for c in f.counter_growth})]
    changes.append(_duration_change([f.duration_s for f in base], [f.duration_s for f in head], policy))
    corroborated = any(change.regression for change in changes[1:])
    changes[0] = _verdict_change(_outcome(base), _outcome(head), corroborated=corroborated)
    return ProbeComparison(name, _outcome(base), _outcome(head), tuple(changes))


def _verdict_change(base: str | None, head: str | None, *, corroborated: bool) -> FigureChange:
    """A probe newly failing is a regression, except that LEAK and OVER_LIMIT are themselves judgements of
    a noisy RSS series: they count only when a figure of this comparison also regressed."""
    newly_failing = base in PASSING and head not in PASSING
    statistical = head in STATISTICAL_VERDICTS
    regression = newly_failing and (corroborated or not statistical)
    reason = f"verdict {base} → {head}"
    if regression:
        reason += ": now failing"
    elif newly_failing:
        reason += ": not flagged, no figure grew significantly (within run-to-run noise)"
    return FigureChange("verdict", str(base), str(head), None, None, regression, reason)


def _peak_change(base: Sequence[ProbeFigures], head: Sequence[ProbeFigures], p_value: float | None,
                 policy: ComparePolicy) -> FigureChange:
    """A run whose attempts sampled nothing (the probe never started, or exited before the first sample)
    has no peak RSS: 0 B is no figure to grow from."""
    base_peak, head_peak = _median(f.peak_rss for f in base), _median(f.peak_rss for f in head)
    if base_peak <= 0 or head_peak <= 0:
        return _not_compared("peak RSS", format_bytes(base_peak), format_bytes(head_peak),
                             "base" if base_peak <= 0 else "head")
    return _sized_change("peak RSS", base_peak, head_peak, base_peak, p_value, policy)


def _not_compared(figure: str, base: str, head: str, missing_in: str) -> FigureChange:
    return FigureChange(figure, base if missing_in != "base" else "no data",
                        head if missing_in != "head" else "no data", None, None, False,
                        f"{figure}: no data in the {missing_in} run: not compared", compared=False)


def _sized_change(figure: str, base: float, head: float, scale: float, p_value: float | None,
                  policy: ComparePolicy) -> FigureChange:
    growth = (head - base) / scale
    grew = growth > policy.threshold
    significant = p_value is None or p_value < policy.alpha  # no samples: the threshold alone decides
    text = format_bytes if "slope" not in figure else (lambda v: f"{v:,.1f}")
    if not grew:
        reason = f"{figure} {_percent(growth)}: within {_percent(policy.threshold)}"
    elif significant:
        reason = (f"{figure} {_percent(growth)} (> {_percent(policy.threshold)})"
                  + ("" if p_value is None else f", RSS deltas shifted up (Mann-Whitney p={p_value:.2g})"))
    else:
        reason = (f"{figure} {_percent(growth)} but not significant (Mann-Whitney p={p_value:.2g} ≥ "
                  f"{policy.alpha}): noise")
    return FigureChange(figure, text(base), text(head), growth, p_value, grew and significant, reason)


def _counter_change(counter: str, base_figures: Sequence[ProbeFigures], head_figures: Sequence[ProbeFigures],
                    policy: ComparePolicy) -> FigureChange:
    """Exact counters have no sampling noise: growth beyond the base's (and the threshold) is real. Bounded
    ones (e.g. a library's tracked memory, which its worker threads keep some of) are reported, not judged.
    A counter one run never reported (no measure-phase ticks, or a counter added since) is not compared."""
    figure = f"{label(counter)} growth"
    base_values = [f.counter_growth[counter] for f in base_figures if counter in f.counter_growth]
    head_values = [f.counter_growth[counter] for f in head_figures if counter in f.counter_growth]
    if not base_values or not head_values:
        base_shown, head_shown = (format_quantity(_median(v), unit(counter)) if v else ""
                                  for v in (base_values, head_values))
        return _not_compared(figure, base_shown, head_shown, "base" if not base_values else "head")
    base, head = _median(base_values), _median(head_values)
    exact = is_exact(counter, [*base_figures, *head_figures])
    growth = None if base == 0 else (head - base) / abs(base)
    regression = exact and head > base and (growth is None or growth > policy.threshold)
    shown_base, shown_head = format_quantity(base, unit(counter)), format_quantity(head, unit(counter))
    verdict = (": grew, exact counter" if regression else "" if exact
               else " (bounded counter: reported, not judged)")
    reason = f"{figure} {shown_base} → {shown_head}{verdict}"
    return FigureChange(figure, shown_base, shown_head, growth, None, regression, reason)


def _duration_change(base: list[float], head: list[float], policy: ComparePolicy) -> FigureChange:
    """Duration follows the machine's load: flagged only when repeats give samples to test."""
    base_median, head_median = statistics.median(base), statistics.median(head)
    if base_median <= 0 or head_median <= 0:
        return _not_compared("duration", f"{base_median:.2f} s", f"{head_median:.2f} s",
                             "base" if base_median <= 0 else "head")
    growth = (head_median - base_median) / base_median if base_median else None
    p_value = _shift_p_value(base, head, minimum=3)
    regression = growth is not None and growth > policy.threshold and p_value is not None and p_value < policy.alpha
    tested = "" if p_value is not None else " (one run each: not tested, load-dependent)"
    reason = f"duration {_percent(growth)}{tested}" if growth is not None else "duration"
    return FigureChange("duration", f"{base_median:.2f} s", f"{head_median:.2f} s", growth, p_value,
                        regression, reason)


def _shift_p_value(base: Sequence[float], head: Sequence[float], minimum: int = MIN_SAMPLES) -> float | None:
    """One-sided: are head's values stochastically greater than base's?"""
    if len(base) < minimum or len(head) < minimum:
        return None
    p_value = mann_whitney_greater_p(head, base)
    return None if math.isnan(p_value) else p_value


def _outcome(figures: Sequence[ProbeFigures]) -> str | None:
    """The worst outcome of a probe's repeats."""
    if not figures:
        return None
    return worst_outcome(f.outcome for f in figures)


def _median(values: Iterable[float]) -> float:
    return float(statistics.median(values))


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.0%}"
