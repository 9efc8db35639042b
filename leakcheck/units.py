"""Human figures for reasons: sizes in binary units, counts with thousands separators."""

from __future__ import annotations

_BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def format_bytes(value: float, *, signed: bool = False) -> str:
    """1046.0 -> "1.02 KiB"; three significant figures above one KiB."""
    sign = "-" if value < 0 else ("+" if signed else "")
    size = abs(value)
    unit = 0
    while size >= 1024 and unit < len(_BINARY_UNITS) - 1:
        size /= 1024
        unit += 1
    if unit == 0:
        return f"{sign}{size:.0f} B" if size >= 10 or size == int(size) else f"{sign}{size:.2f} B"
    return f"{sign}{_three_figures(size)} {_BINARY_UNITS[unit]}"


def format_count(value: float, *, signed: bool = False) -> str:
    """1800.0 -> "1,800"; fractions keep two decimals."""
    text = f"{value:+,.0f}" if signed else f"{value:,.0f}"
    if value != int(value) and abs(value) < 100:
        text = f"{value:+,.2f}" if signed else f"{value:,.2f}"
    return text


def format_quantity(value: float, unit: str, *, signed: bool = False) -> str:
    """A figure in the unit of its signal: "bytes" or "count"."""
    return format_bytes(value, signed=signed) if unit == "bytes" else format_count(value, signed=signed)


def _three_figures(size: float) -> str:
    if size >= 100:
        return f"{size:.0f}"
    if size >= 10:
        return f"{size:.1f}"
    return f"{size:.2f}"


def format_rate(slope: float, low: float, high: float, unit: str, x_unit: str) -> str:
    """ "1.02 KiB/iter, 95% CI [0.97, 1.07]": the interval in the slope's own scale."""
    if unit != "bytes":
        return f"{_plain(slope)}/{x_unit}, 95% CI [{_plain(low)}, {_plain(high)}]"
    scale = 0
    size = abs(slope) if slope else max(abs(low), abs(high))
    while size >= 1024 and scale < len(_BINARY_UNITS) - 1:
        size /= 1024
        scale += 1
    factor = 1024**scale
    name = _BINARY_UNITS[scale]
    return (f"{_plain(slope / factor)} {name}/{x_unit}, "
            f"95% CI [{_plain(low / factor)}, {_plain(high / factor)}]")


def format_span(value: float, x_unit: str) -> str:
    """ "1,800 iterations" or "12.5 s"."""
    return f"{value:,.0f} iterations" if x_unit == "iter" else f"{value:.1f} s"


def _plain(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 100 or magnitude == 0:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.01:
        return f"{value:.2f}"
    return f"{value:.2g}"
