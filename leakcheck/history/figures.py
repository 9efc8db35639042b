"""The figures of one probe result that history, compare and the trend chart follow across runs."""

from __future__ import annotations

import fnmatch
import itertools
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from leakcheck.config import DEFAULT_EXACT_COUNTERS
from leakcheck.results import OUTCOMES, PASSING

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

    def summary(self) -> dict[str, Any]:
        """What the history index keeps (no sample series)."""
        return {"name": self.name, "lang": self.lang, "outcome": self.outcome, "peak_rss": self.peak_rss,
                "duration_s": round(self.duration_s, 3), "slope": self.slope,
                "counter_growth": dict(self.counter_growth)}


def probe_figures(probe: Mapping[str, Any]) -> ProbeFigures:
    attempt = probe["attempts"][-1] if probe.get("attempts") else {}
    findings = attempt.get("findings") or []
    rss_trend = next((f for f in findings if f.get("signal") == "rss" and f.get("kind") == "trend"), None)
    slope = rss_trend["figures"].get("slope") if rss_trend else None
    growth = exact_counter_growth(attempt)
    exact = frozenset(f["signal"].removeprefix("counter:") for f in findings if f.get("kind") == "baseline")
    return ProbeFigures(name=str(probe["name"]), lang=str(probe.get("lang", "")), outcome=str(probe["outcome"]),
                        reason=str(probe.get("reason", "")), peak_rss=int(attempt.get("peak_rss") or 0),
                        duration_s=float(attempt.get("duration_s") or 0.0), slope=slope,
                        counter_growth=growth, exact_counters=exact if findings else None,
                        rss_deltas=tuple(rss_deltas(attempt)))


def run_figures(document: Mapping[str, Any]) -> dict[str, list[ProbeFigures]]:
    """Each probe's figures by name; a probe run several times (--repeat, shards) has several."""
    by_name: dict[str, list[ProbeFigures]] = {}
    for probe in document.get("probes", []):
        figures = probe_figures(probe)
        by_name.setdefault(figures.name, []).append(figures)
    return by_name


def exact_counter_growth(attempt: Mapping[str, Any]) -> dict[str, float]:
    """Each counter's last measure-phase value minus its first, from the ticks themselves (a probe that
    failed its own checks has no findings, but its ticks are kept); compare judges the exact ones."""
    ticks = [t for t in attempt.get("ticks") or [] if t.get("phase") == "measure" and t.get("counters")]
    if not ticks:
        return {}
    first, last = ticks[0]["counters"], ticks[-1]["counters"]
    return {name: float(last[name]) - float(first[name]) for name in sorted(first)
            if name in last and isinstance(first[name], (int, float)) and isinstance(last[name], (int, float))}


def is_exact(counter: str, figures: Sequence[ProbeFigures]) -> bool:
    """Exact as the analysis judged it (a probe may declare a counter bounded, not exact); for a probe that
    was never analysed, by the default exact-counter patterns."""
    judged = [f.exact_counters for f in figures if f.exact_counters is not None]
    if judged:
        return any(counter in exact for exact in judged)
    return any(fnmatch.fnmatchcase(counter, pattern) for pattern in DEFAULT_EXACT_COUNTERS)


def warmup_end(attempt: Mapping[str, Any]) -> int | None:
    """The iteration where the measure phase starts, if the probe said: its protocol 2 hello's warm-up, else
    (protocol 1) its first measure tick."""
    announced = (attempt.get("hello") or {}).get("warmup")
    if isinstance(announced, int):
        return announced
    return next((int(t["i"]) for t in attempt.get("ticks") or [] if t.get("phase") == "measure"), None)


def rss_deltas(attempt: Mapping[str, Any], windows: int = DELTA_WINDOWS) -> list[float]:
    """RSS change per iteration between consecutive windows of the measure phase (each window's median
    RSS at its median iteration): per-iteration deltas with the sampling noise of single samples averaged
    out, so that a shift in them is a change in growth, not in jitter."""
    samples = attempt.get("samples") or {}
    columns: Sequence[str] = samples.get("columns") or []
    if "i" not in columns or "rss" not in columns:
        return []
    at_i, at_rss = columns.index("i"), columns.index("rss")
    start = warmup_end(attempt) or 0
    points = sorted((int(row[at_i]), float(row[at_rss])) for row in samples.get("rows") or []
                    if row[at_i] is not None and row[at_i] >= start)
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
