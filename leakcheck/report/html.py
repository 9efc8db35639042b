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
    """Peak RSS and the RSS slope, one point per recorded run in order (the table below names them)."""
    runs = tuple(float(index) for index in range(len(points)))
    regressed = [p.run_id for p in points if p.regression]
    reason = f"regression in {', '.join(regressed)}" if regressed else ""
    sloped = [(x, p.slope) for x, p in zip(runs, points, strict=True) if p.slope is not None]
    shown = [svg.Panel("peak RSS", "bytes", runs, tuple(float(p.peak_rss) for p in points),
                       failed=bool(regressed), reason=reason)]
    if sloped:
        shown.append(svg.Panel("RSS slope per iteration", "bytes", tuple(x for x, _ in sloped),
                               tuple(float(s) for _, s in sloped)))
    return Markup(svg.render(shown, svg.Frame("run")))
