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
from leakcheck.results import OUTCOMES, PASSING
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


def build_report(document: Mapping[str, Any], run_id: str,
                 trends: Mapping[str, Sequence[TrendPoint]] | None = None,
                 mutation: MutationView | None = None) -> ReportView:
    trends = trends or {}
    probes = [_probe_view(probe, index, tuple(trends.get(probe["name"], ())))
              for index, probe in enumerate(document.get("probes", []))]
    probes.sort(key=lambda p: (p.passed, OUTCOMES.index(p.outcome) if p.outcome in OUTCOMES else 0, p.name))
    summary = document.get("summary") or {}
    selection = document.get("selection") or {}
    return ReportView(
        title=f"leakcheck {run_id}", run_id=run_id, suite=str(selection.get("suite", "")),
        complete=bool(document.get("complete")),
        counts=tuple((outcome, int(summary[outcome])) for outcome in OUTCOMES if summary.get(outcome)),
        provenance=_provenance_rows(document), probes=tuple(probes),
        regressions=tuple(sorted(name for name, points in trends.items()
                                 if points and points[-1].run_id == run_id and points[-1].regression)),
        mutation=mutation)


def build_mutation_report(document: Mapping[str, Any], name: str) -> ReportView:
    """A page of its own for a mutation score document (`leakcheck mutants --html`): the same page, with
    no probe of a single run, the score's section and its provenance."""
    selection = document.get("selection") or {}
    return ReportView(title=f"leakcheck mutants {name}", run_id=name, suite=str(selection.get("suite", "")),
                      complete=bool(document.get("complete")), counts=(), provenance=_provenance_rows(document),
                      probes=(), mutation=build_mutation_view(document))


def _probe_view(probe: Mapping[str, Any], index: int, trend: tuple[TrendPoint, ...]) -> ProbeView:
    attempts = probe.get("attempts") or [{}]
    attempt = attempts[-1]
    outcome = str(probe.get("outcome", "ERROR"))
    reasons = tuple(str(r) for r in attempt.get("reasons") or ()) or (str(probe.get("reason", "")),)
    checks = tuple((str(c["name"]), f"{c['value']:g} {c['op']} {c['limit']:g}", bool(c["ok"]))
                   for c in attempt.get("checks") or ())
    return ProbeView(anchor=f"probe-{index}-{_slug(str(probe.get('name', '')))}", name=str(probe.get("name", "")),
                     lang=str(probe.get("lang", "")), outcome=outcome, passed=outcome in PASSING,
                     key_figure=str(attempt.get("key_figure", "")), reasons=reasons, attempts=len(attempts),
                     duration_s=float(attempt.get("duration_s") or 0.0),
                     peak_rss=format_bytes(float(attempt.get("peak_rss") or 0)), chart=chart_data(attempt),
                     checks=checks, failure=_failure(attempt),
                     output_tail=str(attempt.get("output_tail") or ""), trend=trend,
                     attribution=attribution_view(attempt),
                     signals={str(f["signal"]): (bool(f["failed"]), str(f["reason"]))
                              for f in attempt.get("findings") or ()})


def chart_data(attempt: Mapping[str, Any]) -> ChartData:
    samples = attempt.get("samples") or {}
    columns: list[str] = list(samples.get("columns") or [])
    rows: list[list[Any]] = list(samples.get("rows") or [])
    ticks: list[Mapping[str, Any]] = list(attempt.get("ticks") or [])
    by_iteration = bool(ticks) and "i" in columns and any(r[columns.index("i")] is not None for r in rows)
    x_of = _x_getter(columns, by_iteration)
    kept = [row for row in rows if x_of(row) is not None]
    xs = tuple(float(x_of(row)) for row in kept)

    def column(name: str) -> Line:
        return (xs, tuple(float(row[columns.index(name)]) for row in kept)) if name in columns else ((), ())

    memory: dict[str, Line] = {name: column(name) for name in ("rss", "vms") if name in columns}
    handles: dict[str, Line] = {name: column(name) for name in ("fds", "threads") if name in columns}
    end = warmup_end(attempt) if by_iteration else None
    return ChartData(x_label="iteration" if by_iteration else "seconds since start", memory=memory,
                     counters=_counter_lines(ticks) if by_iteration else {}, handles=handles, warmup_end=end,
                     phases=_phase_starts(ticks) if by_iteration else (),
                     slope=_slope_line(attempt, memory.get("rss"), end) if by_iteration else None,
                     limits=_limit_lines(attempt, memory.get("rss"), end))


def _x_getter(columns: list[str], by_iteration: bool) -> Any:
    at = columns.index("i" if by_iteration else "t") if columns else 0
    return lambda row: row[at]


def _counter_lines(ticks: Sequence[Mapping[str, Any]]) -> dict[str, Line]:
    names = sorted({name for tick in ticks for name in (tick.get("counters") or {})})
    lines: dict[str, Line] = {}
    for name in names:
        points = [(float(t["i"]), float(t["counters"][name])) for t in ticks if name in (t.get("counters") or {})]
        lines[name] = (tuple(p[0] for p in points), tuple(p[1] for p in points))
    return lines


def _phase_starts(ticks: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, float], ...]:
    starts: dict[str, float] = {}
    for tick in ticks:
        starts.setdefault(str(tick.get("phase", "")), float(tick["i"]))
    return tuple(starts.items())


def _finding(attempt: Mapping[str, Any], signal: str) -> Mapping[str, Any] | None:
    return next((f for f in attempt.get("findings") or () if f.get("signal") == signal), None)


def _measured(rss: Line | None, end: float | None) -> list[tuple[float, float]]:
    if not rss:
        return []
    return [(x, y) for x, y in zip(*rss, strict=True) if end is None or x >= end]


def _slope_line(attempt: Mapping[str, Any], rss: Line | None, end: float | None) -> SlopeLine | None:
    trend = _finding(attempt, "rss")
    measured = _measured(rss, end)
    if trend is None or trend.get("kind") != "trend" or "slope" not in trend["figures"] or not measured:
        return None
    figures = trend["figures"]
    xs = sorted(x for x, _ in measured)
    ys = sorted(y for _, y in measured)
    # Anchored at the medians: the fitted slope is robust (Theil-Sen style), so is its centre.
    return SlopeLine(x0=xs[len(xs) // 2], y0=ys[len(ys) // 2], x_end=xs[-1], slope=float(figures["slope"]),
                     ci_low=float(figures.get("ci_low", figures["slope"])),
                     ci_high=float(figures.get("ci_high", figures["slope"])))


def _limit_lines(attempt: Mapping[str, Any], rss: Line | None, end: float | None) -> tuple[tuple[str, float], ...]:
    lines = []
    peak = _finding(attempt, "limit:peak_rss")
    if peak:
        lines.append(("peak_rss limit", float(peak["figures"]["limit"])))
    growth = _finding(attempt, "limit:rss_growth")
    measured = _measured(rss, end)
    if growth and measured:
        lines.append(("rss_growth limit", measured[0][1] + float(growth["figures"]["limit"])))
    return tuple(lines)


def _failure(attempt: Mapping[str, Any]) -> Failure | None:
    crash, hang = attempt.get("crash"), attempt.get("hang")
    if crash:
        title = f"{crash.get('signal')} ({crash.get('number')}), {crash.get('kind')}"
        return Failure("crash", title, str(crash.get("phase", "")), str(crash.get("backtrace") or ""))
    if hang:
        title = f"{hang.get('watchdog')} after {float(hang.get('seconds') or 0):.1f} s"
        return Failure("timeout", title, str(hang.get("phase", "")), str(hang.get("stacks") or ""))
    return None


def _provenance_rows(document: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    provenance = document.get("provenance") or {}
    machine = provenance.get("machine") or {}
    versions = provenance.get("versions") or {}
    selection = document.get("selection") or {}
    rows = [("time", provenance.get("time")), ("commit", provenance.get("commit")),
            ("dirty tree", provenance.get("dirty")), ("suite", selection.get("suite")),
            ("languages", selection.get("lang") or "all"), ("machine", machine.get("hostname")),
            ("platform", machine.get("platform")), ("CPUs", machine.get("cpus")),
            ("load (1 min) at start", machine.get("load_1min")),
            ("library", provenance.get("library_path")), ("complete", document.get("complete")),
            ("exit code", document.get("exit_code"))]
    rows += [(f"{name} version", version) for name, version in versions.items()]
    return tuple((label, _text(value)) for label, value in rows if value is not None)


def _text(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
