"""Render the view-model to one self-contained HTML page (jinja2, autoescape on; charts as inline SVG whose
every text is escaped where it is built)."""

from __future__ import annotations

from collections.abc import Sequence

import jinja2
from markupsafe import Markup

from leakcheck.history.trend import TrendPoint
from leakcheck.report import svg
from leakcheck.report.attribution_template import ATTRIBUTION_SECTION
from leakcheck.report.model import ProbeView, ReportView
from leakcheck.report.mutation_template import MUTATION_SECTION
from leakcheck.report.panels import panels
from leakcheck.report.template import PAGE
from leakcheck.results import PASSING
from leakcheck.units import format_bytes


def render_html(view: ReportView) -> str:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                     loader=jinja2.DictLoader({"mutation": MUTATION_SECTION,
                                                               "attribution": ATTRIBUTION_SECTION}))
    environment.filters["bytes"] = lambda value: format_bytes(float(value))
    charts = {probe.anchor: probe_chart(probe) for probe in view.probes}
    trend_charts = {probe.anchor: trend_chart(probe.trend) for probe in view.probes if len(probe.trend) > 1}
    return environment.from_string(PAGE).render(view=view, charts=charts, trend_charts=trend_charts,
                                                passing=PASSING)


def probe_chart(probe: ProbeView) -> Markup:
    """Markup as it stands: svg escapes every text it puts in (names, reasons, labels)."""
    chart = probe.chart
    return Markup(svg.render(panels(chart, probe.signals), svg.Frame(chart.x_label, chart.warmup_end)))


def trend_chart(points: Sequence[TrendPoint]) -> Markup:
    """Peak RSS and the RSS slope, a point per recorded run, the runs of one commit side by side above its
    label (the table below names every run)."""
    runs = commit_positions(points)
    regressed = [p.run_id for p in points if p.regression]
    reason = f"regression in {', '.join(regressed)}" if regressed else ""
    sloped = [(x, p.slope) for x, p in zip(runs, points, strict=True) if p.slope is not None]
    shown = [svg.Panel("peak RSS", "bytes", runs, tuple(float(p.peak_rss) for p in points),
                       failed=bool(regressed), reason=reason, always_drawn=True)]
    if sloped:
        shown.append(svg.Panel("RSS slope per iteration", "bytes", tuple(x for x, _ in sloped),
                               tuple(float(s) for _, s in sloped), always_drawn=True))
    labels = tuple((float(index), commit[:7] or "no commit") for index, commit in enumerate(_commits(points)))
    return Markup(svg.render(shown, svg.Frame("commit", x_ticks=labels)))


def commit_positions(points: Sequence[TrendPoint]) -> tuple[float, ...]:
    """x of each run: its commit's ordinal, the runs of one commit spread within ±0.3 of it."""
    commits = _commits(points)
    counts = {commit: sum(p.commit == commit for p in points) for commit in commits}
    seen: dict[str, int] = {}
    positions = []
    for point in points:
        k, n = seen.get(point.commit, 0), counts[point.commit]
        seen[point.commit] = k + 1
        offset = 0.0 if n == 1 else -0.3 + 0.6 * k / (n - 1)
        positions.append(commits.index(point.commit) + offset)
    return tuple(positions)


def _commits(points: Sequence[TrendPoint]) -> list[str]:
    return list(dict.fromkeys(point.commit for point in points))
