"""Render the view-model to one self-contained HTML page (jinja2, autoescape on)."""

from __future__ import annotations

import importlib.util

import jinja2

from leakcheck.report.attribution_template import ATTRIBUTION_SECTION
from leakcheck.report.model import ReportView
from leakcheck.report.mutation_template import MUTATION_SECTION
from leakcheck.report.template import PAGE
from leakcheck.results import PASSING
from leakcheck.units import format_bytes


def render_html(view: ReportView) -> str:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                     loader=jinja2.DictLoader({"mutation": MUTATION_SECTION,
                                                               "attribution": ATTRIBUTION_SECTION}))
    environment.filters["bytes"] = lambda value: format_bytes(float(value))
    charts: dict[str, str] = {}
    trend_charts: dict[str, str] = {}
    if charts_available():
        from leakcheck.report.charts import memory_chart, trend_chart  # matplotlib: the `report` extra

        charts = {probe.anchor: memory_chart(probe.chart) for probe in view.probes}
        trend_charts = {probe.anchor: trend_chart(probe.trend) for probe in view.probes if len(probe.trend) > 1}
    return environment.from_string(PAGE).render(view=view, charts=charts, trend_charts=trend_charts,
                                                passing=PASSING, charts_hint=CHARTS_HINT)


CHARTS_HINT = "charts need matplotlib: pip install 'leakcheck[report]'"


def charts_available() -> bool:
    """The page is complete without charts (verdicts, reasons, tables); matplotlib is an extra because it
    is most of an install's size."""
    return importlib.util.find_spec("matplotlib") is not None
