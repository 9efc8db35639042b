"""The small multiples of one probe: a panel per signal (RSS, VMS, each counter, fds, threads) from the
chart data, each marked failed with its reason where the verdict's finding on that signal failed."""

from __future__ import annotations

from collections.abc import Mapping

from leakcheck.analysis.signals import label, unit
from leakcheck.analysis.verdict import DEFAULT_POLICY
from leakcheck.report.model import ChartData, Line
from leakcheck.report.svg import Panel

SignalVerdicts = Mapping[str, tuple[bool, str]]
"""A finding's signal ("rss", "counter:NAME", "fds", "limit:rss_growth", ...) -> (failed, reason)."""
RSS_LIMITS = ("limit:rss_growth", "limit:peak_rss")
COUNTS = ("fds", "threads")
"""Judged as signals of their own (not "counter:..."), whether the SDK counted them or the outside poll did."""


def panels(chart: ChartData, verdicts: SignalVerdicts) -> list[Panel]:
    found = [_panel("rss", chart.rss_title, "bytes", chart.memory.get("rss"), chart, verdicts, RSS_LIMITS,
                    always_drawn=True),
             _panel("vms", "VMS", "bytes", chart.memory.get("vms"), chart, verdicts, ("limit:vms_growth",),
                    always_drawn=True)]
    found += [_panel(name if name in COUNTS else f"counter:{name}", label(name), unit(name), line, chart, verdicts, ())
              for name, line in sorted(chart.counters.items())]
    # The SDKs count fds and threads from inside with every tick (the series judged); the outside poll's
    # line of the same name is drawn only for a probe that does not.
    found += [_panel(name, label(name), "count", chart.handles.get(name), chart, verdicts, ())
              for name in COUNTS if name not in chart.counters]
    return [panel for panel in found if panel is not None]


def _panel(signal: str, title: str, unit_name: str, line: Line | None, chart: ChartData, verdicts: SignalVerdicts,
           limit_signals: tuple[str, ...], *, always_drawn: bool = False) -> Panel | None:
    if not line or not line[0]:
        return None
    xs, ys = line
    judged = [verdicts[s] for s in (signal, *limit_signals) if s in verdicts]
    failing = [reason for failed, reason in judged if failed]
    reason = failing[0] if failing else (judged[0][1] if judged else "")
    limit = next(iter(chart.limits), None) if signal == "rss" else None
    return Panel(title=title, unit=unit_name, xs=xs, ys=ys, baseline=_baseline(xs, ys, chart.warmup_end),
                 trend=_trend(chart) if signal == "rss" else None,
                 limit=limit[1] if limit else None, limit_label=limit[0] if limit else "",
                 failed=bool(failing), reason=reason, always_drawn=always_drawn)


BASELINE_SHARE = 1 / DEFAULT_POLICY.windows
"""The baseline is the floor of the measure phase's first window, as the trend cuts it (a twentieth)."""


def _baseline(xs: tuple[float, ...], ys: tuple[float, ...], warmup_end: float | None) -> float:
    """The lowest value of the measure phase's first twentieth (of the whole series when the phases are not
    known), as the trend's first window floor: the first sample alone may be a peak (RSS while a 6 MP image is
    decoded), and growth read from it was 100 MiB below zero all through a pressure run."""
    start = warmup_end if warmup_end is not None else xs[0]
    end = start + (xs[-1] - start) * BASELINE_SHARE
    first = [y for x, y in zip(xs, ys, strict=True) if start <= x <= end]
    return min(first) if first else next((y for x, y in zip(xs, ys, strict=True) if x >= start), ys[-1])


def _trend(chart: ChartData) -> tuple[float, float, float, float] | None:
    fit = chart.slope
    if fit is None:
        return None
    start = chart.warmup_end if chart.warmup_end is not None else fit.x0
    return (start, fit.y0 + fit.slope * (start - fit.x0), fit.x_end, fit.y0 + fit.slope * (fit.x_end - fit.x0))
