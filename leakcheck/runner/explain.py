"""The words of a result: reasons for crashes and hangs, and the one key figure of the summary table."""

from __future__ import annotations

from typing import Any

from leakcheck.analysis import signals
from leakcheck.results import Crash, Hang
from leakcheck.units import format_bytes, format_quantity


def iteration_text(last_tick: int | None) -> str:
    return "-" if last_tick is None else f"{last_tick:,}"


def hang_reason(hang: Hang, last_tick: int | None) -> str:
    what = "did not finish within the timeout of" if hang.watchdog == "timeout" else "wrote no event for"
    return (f"{what} {hang.seconds:g}s, in phase {hang.phase} at iteration {iteration_text(last_tick)}; "
            "stacks dumped, process group killed")


def crash_reason(crash: Crash, peak_rss: int, cap: int, last_tick: int | None) -> str:
    where = f"in phase {crash.phase} after iteration {iteration_text(last_tick)}"
    if crash.kind == "out-of-memory":
        return (f"out of memory: RSS went over the {format_bytes(cap)} memory cap {where}; process group "
                f"killed (peak RSS {format_bytes(peak_rss)})")
    extra = {"zig-segfault": " (Zig's segfault handler, then abort)", "zig-panic": " (Zig panic)",
             "python-fatal": " (Python fatal error)"}.get(crash.kind, "")
    if crash.signal == "SIGKILL":
        extra = f" (from outside: the kernel's OOM killer sends SIGKILL; peak RSS {format_bytes(peak_rss)})"
    return f"killed by {crash.signal} ({crash.number}){extra} {where}"


def key_figure(crash: Crash | None, hang: Hang | None, peak_rss: int, findings: tuple[dict[str, Any], ...],
                x_unit: str) -> str:
    """The one figure that says most: what failed (signal, growth or slope), else the RSS slope and peak."""
    peak = f"peak RSS {format_bytes(peak_rss)}"
    if crash is not None:
        return f"out of memory, {peak}" if crash.kind == "out-of-memory" else f"{crash.signal} in {crash.phase}"
    if hang is not None:
        return f"{hang.watchdog} {hang.seconds:g}s in {hang.phase}"
    failed = [f for f in findings if f["failed"]]
    shown = failed[0] if failed else next((f for f in findings if f["signal"] == "rss"), None)
    if shown is None:
        return peak
    figure = _finding_figure(shown, x_unit)
    if not figure or shown["signal"] == "limit:peak_rss":
        return figure or peak
    return f"{figure}, {peak}"


def _finding_figure(finding: dict[str, Any], x_unit: str) -> str:
    signal_name, figures = str(finding["signal"]), finding["figures"]
    label = signal_name.removeprefix("counter:").removeprefix("limit:")
    unit = "bytes" if label in ("peak_rss", "rss_growth", "vms_growth") else signals.unit(label)
    if "slope" in figures and finding["kind"] == "trend":
        return f"{label} {format_quantity(figures['slope'], unit, signed=True)}/{x_unit}"
    if "growth" in figures:
        return f"{label} {format_quantity(figures['growth'], unit, signed=True)}"
    return ""
