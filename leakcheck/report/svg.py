"""Charts as static SVG, one signal per panel on its own scale (small multiples), so that a counter that rose by
538 is a visible rise and not a flat line on a shared axis: values are drawn and labelled relative to the
start of the measure phase, the warm-up and measure phases are shaded spans, the fitted trend is drawn over
the measure phase, a limit only when it is within sight of the data (otherwise it is stated in words), and a
failing signal's panel comes first, outlined, with its reason. No script: the page's CSP allows none, and
each point's value is in a <title> the browser shows on hover."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from leakcheck.units import format_quantity

WIDTH = 900
PANEL_HEIGHT = 130
PLOT_LEFT, PLOT_RIGHT = 84, 16
PLOT_TOP, PLOT_BOTTOM = 34, 22
MAX_POINTS = 400
"""Points drawn per panel: enough for the eye; each share of a longer series keeps its lowest and highest value."""
WARMUP_LABEL_WIDTH = 56
"""Pixels the "warm-up" label needs (12 px text) before the measure phase's label."""
LIMIT_SIGHT = 1.0
"""A limit is drawn when it lies within this many data ranges of the data; further off it would squash it."""
FLAT_LINE_HEIGHT, FLAT_LINE_CHARS = 18, 120
FAILED, LINE, TREND, LIMIT, SHADE = "#b00020", "#1f5fa8", "#111", "#c0392b", "#eceff3"


@dataclass(frozen=True)
class Panel:
    title: str
    unit: str
    """"bytes" or "count"."""
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    baseline: float | None = None
    """The value at the start of the measure phase: the axis reads growth from it."""
    trend: tuple[float, float, float, float] | None = None
    """(x0, y0, x1, y1): the fitted trend over the measure phase."""
    limit: float | None = None
    """An absolute value the signal must stay under (e.g. baseline + rss_growth)."""
    limit_label: str = ""
    failed: bool = False
    reason: str = ""
    always_drawn: bool = False
    """Drawn even when flat (RSS and VMS: the picture of the run); other flat signals are listed in a line."""


@dataclass(frozen=True)
class Frame:
    x_label: str
    """"iteration" or "seconds since start"."""
    warmup_end: float | None = None
    x_ticks: tuple[tuple[float, str], ...] = ()
    """Labelled positions in place of round numbers (e.g. one per commit)."""


def order(panels: Sequence[Panel]) -> list[Panel]:
    """Failing signals first, each group in the given order."""
    return [p for p in panels if p.failed] + [p for p in panels if not p.failed]


def limit_in_sight(panel: Panel) -> bool:
    if panel.limit is None or not panel.ys:
        return False
    low, high = min(panel.ys), max(panel.ys)
    reach = max(high - low, abs(high) * 0.05, 1.0) * LIMIT_SIGHT
    return low - reach <= panel.limit <= high + reach


def is_flat(panel: Panel) -> bool:
    """A passing signal that never moved: stated in one line under the panels, not drawn as a panel of its own
    (a probe's dozen counters that stay at 0 would bury the ones that moved)."""
    return not panel.failed and not panel.always_drawn and bool(panel.ys) and min(panel.ys) == max(panel.ys)


def render(panels: Sequence[Panel], frame: Frame) -> str:
    drawn = [p for p in order(panels) if p.xs]
    if not drawn:
        return ""
    shown = [p for p in drawn if not is_flat(p)]
    flat_lines = _flat_lines([p for p in drawn if is_flat(p)])
    x_low = min(min(p.xs) for p in drawn)
    x_high = max(max(p.xs) for p in drawn)
    height = PANEL_HEIGHT * len(shown) + FLAT_LINE_HEIGHT * len(flat_lines) + (8 if flat_lines else 0)
    body = [_panel(panel, index * PANEL_HEIGHT, (x_low, x_high), frame) for index, panel in enumerate(shown)]
    top = PANEL_HEIGHT * len(shown) + FLAT_LINE_HEIGHT
    body += [f'<text class="flat" x="{PLOT_LEFT}" y="{top + k * FLAT_LINE_HEIGHT}" fill="#555">{escape(line)}</text>'
             for k, line in enumerate(flat_lines)]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img" font-family="system-ui, sans-serif" font-size="12">'
            + "".join(body) + "</svg>")


def _flat_lines(flat: Sequence[Panel]) -> list[str]:
    if not flat:
        return []
    items = [f"{p.title} {format_quantity(p.ys[0], p.unit)}" for p in flat]
    lines, current = [], "Unchanged throughout: "
    for k, item in enumerate(items):
        piece = item + (", " if k < len(items) - 1 else "")
        if len(current) + len(piece) > FLAT_LINE_CHARS and current.strip():
            lines.append(current.rstrip())
            current = "  "
        current += piece
    return [*lines, current.rstrip()]


def _panel(panel: Panel, top: float, x_range: tuple[float, float], frame: Frame) -> str:
    y_low, y_high = _y_range(panel)
    plot = _Plot(x_range, (y_low, y_high), top)
    parts = [f'<g class="panel{" failed" if panel.failed else ""}">']
    if panel.failed:
        parts.append(f'<rect x="1" y="{top + 1}" width="{WIDTH - 2}" height="{PANEL_HEIGHT - 2}" fill="none" '
                     f'stroke="{FAILED}" stroke-width="2"/>')
    parts += _phases(plot, frame)
    parts += _axes(plot, panel, frame)
    parts.append(_polyline(plot, panel))
    if panel.trend is not None:
        x0, y0, x1, y1 = panel.trend
        parts.append(f'<line x1="{plot.x(x0):.1f}" y1="{plot.y(y0):.1f}" x2="{plot.x(x1):.1f}" y2="{plot.y(y1):.1f}" '
                     f'stroke="{TREND}" stroke-width="1.5" stroke-dasharray="6 3"><title>fitted trend</title></line>')
    parts += _limit(plot, panel)
    parts.append(_heading(panel, top))
    parts.append("</g>")
    return "".join(parts)


class _Plot:
    def __init__(self, xs: tuple[float, float], ys: tuple[float, float], top: float) -> None:
        self.xs, self.ys = xs, ys
        self.left, self.right = PLOT_LEFT, WIDTH - PLOT_RIGHT
        self.top, self.bottom = top + PLOT_TOP, top + PANEL_HEIGHT - PLOT_BOTTOM

    def x(self, value: float) -> float:
        span = self.xs[1] - self.xs[0] or 1.0
        return self.left + (value - self.xs[0]) / span * (self.right - self.left)

    def y(self, value: float) -> float:
        span = self.ys[1] - self.ys[0] or 1.0
        return self.bottom - (value - self.ys[0]) / span * (self.bottom - self.top)


def _y_range(panel: Panel) -> tuple[float, float]:
    values = list(panel.ys)
    if limit_in_sight(panel) and panel.limit is not None:
        values.append(panel.limit)
    if panel.trend is not None:
        values += [panel.trend[1], panel.trend[3]]
    low, high = min(values), max(values)
    if high == low:  # a flat series: a band around it, so that flat reads as flat
        pad = max(abs(low) * 0.01, 1.0)
        return low - pad, high + pad
    pad = (high - low) * 0.06
    return low - pad, high + pad


def _phases(plot: _Plot, frame: Frame) -> list[str]:
    if frame.warmup_end is None or not plot.xs[0] < frame.warmup_end <= plot.xs[1]:
        return []
    split = plot.x(frame.warmup_end)
    shade = (f'<rect x="{plot.left}" y="{plot.top}" width="{split - plot.left:.1f}" height="{plot.bottom - plot.top}" '
             f'fill="{SHADE}"><title>warm-up</title></rect>')
    measure = f'<text x="{split + 4:.1f}" y="{plot.top + 13}" fill="#555">measure</text>'
    if split - plot.left < WARMUP_LABEL_WIDTH:  # too narrow for its label (6 warm-up images of 10,000): the shade says it
        return [shade, measure]
    return [shade, f'<text x="{plot.left + 4}" y="{plot.top + 13}" fill="#555">warm-up</text>', measure]


def _axes(plot: _Plot, panel: Panel, frame: Frame) -> list[str]:
    parts = [f'<line x1="{plot.left}" y1="{plot.bottom}" x2="{plot.right}" y2="{plot.bottom}" stroke="#999"/>',
             f'<line x1="{plot.left}" y1="{plot.top}" x2="{plot.left}" y2="{plot.bottom}" stroke="#999"/>']
    origin = panel.baseline if panel.baseline is not None else 0.0
    for value in _ticks(*plot.ys, unit=panel.unit, origin=origin):
        y = plot.y(value)
        parts.append(f'<line x1="{plot.left - 3}" y1="{y:.1f}" x2="{plot.right}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        parts.append(f'<text x="{plot.left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_y_label(panel, value))}</text>')
    x_ticks = frame.x_ticks or tuple((value, _x_label(value)) for value in _ticks(*plot.xs))
    parts += [f'<text x="{plot.x(value):.1f}" y="{plot.bottom + 15}" text-anchor="middle" fill="#555">'
              f"{escape(text)}</text>" for value, text in x_ticks]
    return parts


def _ticks(low: float, high: float, count: int = 5, *, unit: str = "count", origin: float = 0.0) -> list[float]:
    """Round values inside [low, high], as read from `origin` (the baseline): 1, 2 or 5 times a power of ten
    apart in the unit the labels show (bytes in their binary multiple; counts in whole steps)."""
    span = high - low
    if span <= 0:
        return [low]
    scale = 1.0
    if unit == "bytes":
        while span / (scale * 1024) >= 1:
            scale *= 1024
    raw = span / scale / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw) * scale
    if unit != "bytes":
        step = max(step, 1.0)
    first = math.ceil((low - origin) / step) * step + origin
    return [first + k * step for k in range(int((high - first) / step) + 1)]


def _y_label(panel: Panel, value: float) -> str:
    if panel.baseline is None:
        return format_quantity(value, panel.unit)
    growth = value - panel.baseline
    return "0" if abs(growth) < 1e-9 else format_quantity(growth, panel.unit, signed=True)


def _x_label(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


def _polyline(plot: _Plot, panel: Panel) -> str:
    xs, ys = _thin(panel.xs, panel.ys)
    points = " ".join(f"{plot.x(x):.1f},{plot.y(y):.1f}" for x, y in zip(xs, ys, strict=True))
    colour = FAILED if panel.failed else LINE
    last = f"{panel.title} at {_x_label(xs[-1])}: {format_quantity(ys[-1], panel.unit)}"
    return (f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.4">'
            f"<title>{escape(last)}</title></polyline>")


def _limit(plot: _Plot, panel: Panel) -> list[str]:
    if not limit_in_sight(panel) or panel.limit is None:
        return []
    y = plot.y(panel.limit)
    return [(f'<line x1="{plot.left}" y1="{y:.1f}" x2="{plot.right}" y2="{y:.1f}" stroke="{LIMIT}" '
            f'stroke-dasharray="4 3"/>'),
            (f'<text x="{plot.right - 4}" y="{y - 4:.1f}" text-anchor="end" fill="{LIMIT}">'
            f"{escape(panel.limit_label)}</text>")]


def _heading(panel: Panel, top: float) -> str:
    base = "" if panel.baseline is None else f" (from {format_quantity(panel.baseline, panel.unit)} at the measure start)"
    off_chart = ""
    if panel.limit is not None and not limit_in_sight(panel):
        off_chart = f"; {panel.limit_label} at {format_quantity(panel.limit, panel.unit)}, far off the data"
    colour = FAILED if panel.failed else "#222"
    title = (f'<text x="{PLOT_LEFT}" y="{top + 15}" font-weight="bold" fill="{colour}">'
             f"{escape(panel.title + base + off_chart)}</text>")
    if not panel.reason:
        return title
    return title + (f'<text x="{PLOT_LEFT}" y="{top + 29}" fill="{FAILED if panel.failed else "#555"}">'
                    f"{escape(_shorten(panel.reason))}</text>")


def _shorten(text: str, limit: int = 130) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _thin(xs: tuple[float, ...], ys: tuple[float, ...]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """At most MAX_POINTS points: the lowest and the highest of each of MAX_POINTS / 2 equal shares of the series,
    in their order, so that a page's size does not follow the length of the run and a series that swings (RSS
    while large images are decoded) shows its floors, which the verdict judges, as well as its peaks."""
    count = len(xs)
    if count <= MAX_POINTS:
        return xs, ys
    shares = MAX_POINTS // 2
    bounds = [share * count // shares for share in range(shares + 1)]
    keep: list[int] = []
    for start, end in itertools.pairwise(bounds):
        span = range(start, end)
        keep.extend(sorted({min(span, key=ys.__getitem__), max(span, key=ys.__getitem__)}))
    return tuple(xs[k] for k in keep), tuple(ys[k] for k in keep)
