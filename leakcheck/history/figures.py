"""The figures of one probe result that history, compare and the trend chart follow across runs."""

from __future__ import annotations

import dataclasses
import fnmatch
import itertools
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from leakcheck.config import DEFAULT_EXACT_COUNTERS
from leakcheck.results import OUTCOMES, PASSING, Attempt, ProbeResult
from leakcheck.schema import Fields, RunDocument, as_number, as_run_document

DELTA_WINDOWS = 20
"""Windows of the measure phase whose medians give the per-iteration RSS deltas that compare tests."""


@dataclass(frozen=True)
class ProbeFigures:
    name: str
    lang: str
    outcome: str
    reason: str
    peak_rss: int
    duration_s: float
    slope: float | None
    """Post-warm-up RSS slope in bytes per iteration (the analysis' fitted trend), if it was judged."""
    counter_growth: Mapping[str, float] = field(default_factory=dict)
    """Exact counters' growth over the measure phase."""
    exact_counters: frozenset[str] | None = None
    """Counters the analysis judged as exact (returned to baseline); None when the probe was not analysed
    (it failed its own checks or crashed), and the configuration's default patterns apply."""
    rss_deltas: tuple[float, ...] = ()
    """RSS change per iteration between windows of the measure phase: what compare tests for a shift."""

    def summary(self) -> ProbeSummary:
        """What the history index keeps (no sample series)."""
        return ProbeSummary(name=self.name, lang=self.lang, outcome=self.outcome, peak_rss=self.peak_rss,
                            duration_s=round(self.duration_s, 3), slope=self.slope,
                            counter_growth=dict(self.counter_growth))


@dataclass(frozen=True)
class ProbeSummary:
    """A probe's figures in the history index: what `history` and the report's trend show."""

    name: str
    lang: str
    outcome: str
    peak_rss: int
    duration_s: float
    slope: float | None
    counter_growth: Mapping[str, float] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "counter_growth": dict(self.counter_growth)}

    @classmethod
    def from_document(cls, value: object, where: str) -> ProbeSummary:
        summary = Fields(value, where)
        return cls(name=summary.text("name"), lang=summary.text("lang"), outcome=summary.text("outcome"),
                   peak_rss=summary.integer("peak_rss"), duration_s=summary.number("duration_s"),
                   slope=summary.optional_number("slope"), counter_growth=summary.table_of("counter_growth",
                                                                                           as_number))


def probe_figures(probe: ProbeResult) -> ProbeFigures:
    attempt = probe.final
    rss_trend = next((f for f in attempt.findings if f["signal"] == "rss" and f["kind"] == "trend"), None)
    slope = rss_trend["figures"].get("slope") if rss_trend else None  # a trend too short to fit has none
    exact = frozenset(f["signal"].removeprefix("counter:") for f in attempt.findings if f["kind"] == "baseline")
    return ProbeFigures(name=probe.name, lang=probe.lang, outcome=probe.outcome, reason=probe.reason,
                        peak_rss=attempt.peak_rss, duration_s=attempt.duration_s, slope=slope,
                        counter_growth=exact_counter_growth(attempt),
                        exact_counters=exact if attempt.findings else None, rss_deltas=tuple(rss_deltas(attempt)))


def run_figures(document: RunDocument | Mapping[str, Any]) -> dict[str, list[ProbeFigures]]:
    """Each probe's figures by name; a probe run several times (--repeat, shards) has several."""
    by_name: dict[str, list[ProbeFigures]] = {}
    for probe in as_run_document(document).probes:
        figures = probe_figures(probe)
        by_name.setdefault(figures.name, []).append(figures)
    return by_name


def exact_counter_growth(attempt: Attempt) -> dict[str, float]:
    """Each counter's last measure-phase value minus its first, from the ticks themselves (a probe that
    failed its own checks has no findings, but its ticks are kept); compare judges the exact ones."""
    ticks = [t for t in attempt.ticks if t.phase == "measure" and t.counters]
    if not ticks:
        return {}
    first, last = ticks[0].counters, ticks[-1].counters
    return {name: float(last[name]) - float(first[name]) for name in sorted(first) if name in last}


def is_exact(counter: str, figures: Sequence[ProbeFigures]) -> bool:
    """Exact as the analysis judged it (a probe may declare a counter bounded, not exact); for a probe that
    was never analysed, by the default exact-counter patterns."""
    judged = [f.exact_counters for f in figures if f.exact_counters is not None]
    if judged:
        return any(counter in exact for exact in judged)
    return any(fnmatch.fnmatchcase(counter, pattern) for pattern in DEFAULT_EXACT_COUNTERS)


def warmup_end(attempt: Attempt) -> int | None:
    """The iteration where the measure phase starts, if the probe said: its protocol 2 hello's warm-up, else
    (protocol 1) its first measure tick."""
    if attempt.hello is not None and attempt.hello.warmup is not None:
        return attempt.hello.warmup
    return next((t.i for t in attempt.ticks if t.phase == "measure"), None)


def rss_deltas(attempt: Attempt, windows: int = DELTA_WINDOWS) -> list[float]:
    """RSS change per iteration between consecutive windows of the measure phase (each window's median
    RSS at its median iteration): per-iteration deltas with the sampling noise of single samples averaged
    out, so that a shift in them is a change in growth, not in jitter."""
    start = warmup_end(attempt) or 0
    points = sorted((s.i, float(s.rss)) for s in attempt.samples if s.i is not None and s.i >= start)
    size = len(points) // windows
    if size < 1:
        return []
    centres = [(statistics.median(i for i, _ in chunk), statistics.median(rss for _, rss in chunk))
               for chunk in (points[k * size:(k + 1) * size] for k in range(windows))]
    return [(b_rss - a_rss) / (b_i - a_i) for (a_i, a_rss), (b_i, b_rss) in itertools.pairwise(centres)
            if b_i > a_i]


def worst_outcome(outcomes: Iterable[str]) -> str:
    """Of a probe's repeats, the outcome to show: any failure before any pass, in OUTCOMES' order."""
    return min(outcomes, key=lambda o: (o in PASSING, OUTCOMES.index(o) if o in OUTCOMES else 0))
