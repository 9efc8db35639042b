"""Each probe's figures over the recorded runs up to a given run: the report's trend."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from leakcheck.history.figures import ProbeSummary, worst_outcome
from leakcheck.history.index import History, RunEntry
from leakcheck.results import PASSING

MAX_RUNS = 30


@dataclass(frozen=True)
class TrendPoint:
    run_id: str
    commit: str
    outcome: str
    peak_rss: int
    slope: float | None
    duration_s: float
    regression: bool = False


def probe_trends(history: History, reported: RunEntry) -> dict[str, tuple[TrendPoint, ...]]:
    """Up to the reported run, and only the runs of its suite that loaded the same library: a medium run's figures
    or a leak mutant's build are not the fast suite's history. A run that is not among the recorded ones (a run
    directory elsewhere) is placed by its time."""
    recorded = any(r.run_id == reported.run_id for r in history.runs)
    runs = [r for r in history.runs if (r.run_id <= reported.run_id if recorded else r.time <= reported.time)
            and r.suite == reported.suite and r.library == reported.library]
    trends: dict[str, list[TrendPoint]] = {}
    for run in runs:
        groups: dict[str, list[ProbeSummary]] = {}
        for probe in run.probes:
            groups.setdefault(probe.name, []).append(probe)
        for name, group in groups.items():
            points = trends.setdefault(name, [])
            point = _point(run.run_id, run.commit, group)
            regression = bool(points) and points[-1].outcome in PASSING and point.outcome not in PASSING
            points.append(replace(point, regression=regression))
    return {name: tuple(points[-MAX_RUNS:]) for name, points in trends.items()}


def _point(run_id: str, commit: str, group: Sequence[ProbeSummary]) -> TrendPoint:
    """A probe run several times in one run: its worst outcome and the medians of its figures."""
    slopes = [p.slope for p in group if p.slope is not None]
    return TrendPoint(run_id=run_id, commit=commit, outcome=worst_outcome(p.outcome for p in group),
                      peak_rss=int(statistics.median(p.peak_rss for p in group)),
                      slope=statistics.median(slopes) if slopes else None,
                      duration_s=statistics.median(p.duration_s for p in group))
