"""The report's view-model: everything the page shows, computed from a run document, with no HTML."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from leakcheck.history.figures import warmup_end
from leakcheck.history.trend import TrendPoint
from leakcheck.mutants.view import MutationView, build_mutation_view
from leakcheck.report.attribution import AttributionView, attribution_view
from leakcheck.report.sites import SitesView, sites_view
from leakcheck.results import OUTCOMES, PASSING, Attempt, ProbeResult, Tick
from leakcheck.runner.series import INSIDE_RSS, anonymous_rss, inside_rss, judged_values
from leakcheck.schema import (
    Fields,
    Provenance,
    RunDocument,
    RunSelection,
    as_run_document,
    provenance_from_document,
    selection_from_document,
)
from leakcheck.units import format_bytes

Line = tuple[tuple[float, ...], tuple[float, ...]]
"""(x values, y values)."""


@dataclass(frozen=True)
class SlopeLine:
    """The fitted post-warm-up RSS trend: through (x0, y0) with its slope and 95% confidence band."""

    x0: float
    y0: float
    x_end: float
    slope: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class ChartData:
    x_label: str
    """"iteration" or "seconds since start"."""
    memory: Mapping[str, Line]
    """"rss", "vms" in bytes."""
    counters: Mapping[str, Line]
    handles: Mapping[str, Line]
    """"fds", "threads"."""
    warmup_end: float | None
    phases: tuple[tuple[str, float], ...]
    """(phase name, x where it starts)."""
    slope: SlopeLine | None
    limits: tuple[tuple[str, float], ...]
    """(label, RSS in bytes) drawn as horizontal lines."""
    rss_title: str = "RSS"
    """"RSS, anonymous" when the samples carry it (what the verdict judges), else "RSS"."""


@dataclass(frozen=True)
class Failure:
    kind: str
    """"crash" or "timeout"."""
    title: str
    phase: str
    stacks: str


@dataclass(frozen=True)
class ProbeView:
    anchor: str
    name: str
    lang: str
    outcome: str
    passed: bool
    key_figure: str
    reasons: tuple[str, ...]
    attempts: int
    duration_s: float
    peak_rss: str
    chart: ChartData
    checks: tuple[tuple[str, str, bool], ...]
    """(check name, "value op limit", ok)."""
    failure: Failure | None
    output_tail: str
    trend: tuple[TrendPoint, ...] = ()
    attribution: AttributionView | None = None
    """Leaked blocks and their stacks when the run was under valgrind or LSan."""
    signals: Mapping[str, tuple[bool, str]] = field(default_factory=dict)
    """Each finding's signal -> (failed, reason): which chart panel failed, and why."""
    sites: SitesView | None = None
    """The Python allocation sites behind a LEAK (tracemalloc)."""


@dataclass(frozen=True)
class ReportView:
    title: str
    run_id: str
    suite: str
    complete: bool
    counts: tuple[tuple[str, int], ...]
    provenance: tuple[tuple[str, str], ...]
    probes: tuple[ProbeView, ...]
    """Failures first, then by name."""
    regressions: tuple[str, ...] = field(default_factory=tuple)
    """Probes that passed in the previous recorded run and fail in this one."""
    mutation: MutationView | None = None
    """The latest mutation score (`leakcheck mutants`), when one was recorded beside the runs."""


def build_report(document: RunDocument | Mapping[str, Any], run_id: str,
                 trends: Mapping[str, Sequence[TrendPoint]] | None = None,
                 mutation: MutationView | None = None) -> ReportView:
    run = as_run_document(document)
    trends = trends or {}
    probes = [_probe_view(probe, index, tuple(trends.get(probe.name, ()))) for index, probe in enumerate(run.probes)]
    probes.sort(key=lambda p: (p.passed, OUTCOMES.index(p.outcome) if p.outcome in OUTCOMES else 0, p.name))
    return ReportView(
        title=f"leakcheck {run_id}", run_id=run_id, suite=run.selection.suite, complete=run.complete,
        counts=tuple((outcome, run.summary[outcome]) for outcome in OUTCOMES if run.summary.get(outcome)),
        provenance=_provenance_rows(run.provenance, run.selection, run.complete, run.exit_code),
        probes=tuple(probes),
        regressions=tuple(sorted(name for name, points in trends.items()
                                 if points and points[-1].run_id == run_id and points[-1].regression)),
        mutation=mutation)


def build_mutation_report(document: Mapping[str, Any], name: str) -> ReportView:
    """A page of its own for a mutation score document (`leakcheck mutants --html`): the same page, with
    no probe of a single run, the score's section and its provenance (read as a run's: the same header)."""
    score = Fields(document)
    selection = score.get("selection", selection_from_document, RunSelection())
    complete = score.flag("complete", False)
    return ReportView(title=f"leakcheck mutants {name}", run_id=name, suite=selection.suite, complete=complete,
                      counts=(), probes=(), mutation=build_mutation_view(document),
                      provenance=_provenance_rows(score.get("provenance", provenance_from_document, Provenance()),
                                                  selection, complete, score.optional_integer("exit_code")))


def peak_text(attempt: Attempt) -> str:
    """The tree's peak RSS; with the probe's own beside it when the processes it started held more than 1 MiB."""
    tree = format_bytes(float(attempt.peak_rss))
    if attempt.probe_peak_rss == 0 or attempt.peak_rss - attempt.probe_peak_rss < 2**20:
        return tree
    return f"{tree} (the probe's own process {format_bytes(float(attempt.probe_peak_rss))})"


def _probe_view(probe: ProbeResult, index: int, trend: tuple[TrendPoint, ...]) -> ProbeView:
    attempt = probe.final
    checks = tuple((c.name, f"{c.value:g} {c.op} {c.limit:g}", c.ok) for c in attempt.checks)
    return ProbeView(anchor=f"probe-{index}-{_slug(probe.name)}", name=probe.name, lang=probe.lang,
                     outcome=probe.outcome, passed=probe.outcome in PASSING, key_figure=attempt.key_figure,
                     reasons=attempt.reasons or (probe.reason,), attempts=len(probe.attempts),
                     duration_s=attempt.duration_s, peak_rss=peak_text(attempt),
                     chart=chart_data(attempt), checks=checks, failure=_failure(attempt),
                     output_tail=attempt.output_tail, trend=trend, attribution=attribution_view(attempt),
                     signals={f["signal"]: (f["failed"], f["reason"]) for f in attempt.findings},
                     sites=sites_view(probe.attribution))


def chart_data(attempt: Attempt) -> ChartData:
    samples, ticks = attempt.samples, attempt.ticks
    by_iteration = bool(ticks) and any(s.i is not None for s in samples)
    kept = [s for s in samples if s.i is not None] if by_iteration else list(samples)
    xs = tuple(float(s.i if by_iteration and s.i is not None else s.t) for s in kept)

    def column(name: str) -> Line:
        return xs, tuple(judged_values(kept, name))  # RSS as judged: its anonymous part when sampled

    memory: dict[str, Line] = {name: column(name) for name in ("rss", "vms")} if samples else {}
    handles: dict[str, Line] = {name: column(name) for name in ("fds", "threads")} if samples else {}
    end = warmup_end(attempt) if by_iteration else None
    inside = inside_rss(ticks, list(zip(*memory["rss"], strict=True)), end or 0.0, [s.processes for s in kept]) \
        if by_iteration and "rss" in memory else None
    if inside is not None:  # the RSS that was judged: the ticks' own, for a run sampled too few times
        memory["rss"] = (tuple(x for x, _ in inside), tuple(y for _, y in inside))
    anonymous = bool(kept) and inside is None and anonymous_rss(kept)
    return ChartData(x_label="iteration" if by_iteration else "seconds since start", memory=memory,
                     rss_title="RSS, anonymous" if anonymous else "RSS",
                     counters=_counter_lines(ticks) if by_iteration else {}, handles=handles, warmup_end=end,
                     phases=_phase_starts(ticks) if by_iteration else (),
                     slope=_slope_line(attempt, memory.get("rss"), end) if by_iteration else None,
                     limits=_limit_lines(attempt, memory.get("rss"), end))


def _counter_lines(ticks: Sequence[Tick]) -> dict[str, Line]:
    names = sorted({name for tick in ticks for name in tick.counters} - {INSIDE_RSS})  # RSS has its own panel
    lines: dict[str, Line] = {}
    for name in names:
        points = [(float(t.i), float(t.counters[name])) for t in ticks if name in t.counters]
        lines[name] = (tuple(p[0] for p in points), tuple(p[1] for p in points))
    return lines


def _phase_starts(ticks: Sequence[Tick]) -> tuple[tuple[str, float], ...]:
    starts: dict[str, float] = {}
    for tick in ticks:
        starts.setdefault(tick.phase, float(tick.i))
    return tuple(starts.items())


def _finding(attempt: Attempt, signal: str) -> Mapping[str, Any] | None:
    return next((f for f in attempt.findings if f["signal"] == signal), None)


def _measured(rss: Line | None, end: float | None) -> list[tuple[float, float]]:
    if not rss:
        return []
    return [(x, y) for x, y in zip(*rss, strict=True) if end is None or x >= end]


def _slope_line(attempt: Attempt, rss: Line | None, end: float | None) -> SlopeLine | None:
    trend = _finding(attempt, "rss")
    measured = _measured(rss, end)
    if trend is None or trend["kind"] != "trend" or "slope" not in trend["figures"] or not measured:
        return None
    figures: Mapping[str, float] = trend["figures"]
    slope = figures["slope"]
    xs = sorted(x for x, _ in measured)
    ys = sorted(y for _, y in measured)
    # Anchored at the medians: the fitted slope is robust (Theil-Sen style), so is its centre.
    return SlopeLine(x0=xs[len(xs) // 2], y0=ys[len(ys) // 2], x_end=xs[-1], slope=float(slope),
                     ci_low=float(figures.get("ci_low", slope)), ci_high=float(figures.get("ci_high", slope)))


def _limit_lines(attempt: Attempt, rss: Line | None, end: float | None) -> tuple[tuple[str, float], ...]:
    lines = []
    peak = _finding(attempt, "limit:peak_rss")
    if peak and "limit" in peak["figures"]:
        lines.append(("peak_rss limit", float(peak["figures"]["limit"])))
    growth = _finding(attempt, "limit:rss_growth")
    measured = _measured(rss, end)
    if growth and "limit" in growth["figures"] and measured:
        lines.append(("rss_growth limit", measured[0][1] + float(growth["figures"]["limit"])))
    return tuple(lines)


def _failure(attempt: Attempt) -> Failure | None:
    if attempt.crash is not None:
        crash = attempt.crash
        return Failure("crash", f"{crash.signal} ({crash.number}), {crash.kind}", crash.phase, crash.backtrace)
    if attempt.hang is not None:
        hang = attempt.hang
        return Failure("timeout", f"{hang.watchdog} after {hang.seconds:.1f} s", hang.phase, hang.stacks)
    return None


def _provenance_rows(provenance: Provenance, selection: RunSelection, complete: bool,
                     exit_code: int | None) -> tuple[tuple[str, str], ...]:
    machine = provenance.machine
    rows: list[tuple[str, object]] = [
        ("time", provenance.time), ("commit", provenance.commit), ("dirty tree", provenance.dirty),
        ("suite", selection.suite or None), ("languages", selection.lang or "all"), ("machine", machine.hostname),
        ("platform", machine.platform), ("CPUs", machine.cpus), ("load (1 min) at start", machine.load_1min),
        ("library", provenance.library_path), ("complete", complete), ("exit code", exit_code)]
    rows += [(f"{name} version", version) for name, version in provenance.versions.items()]
    return tuple((label, _text(value)) for label, value in rows if value is not None)


def _text(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
