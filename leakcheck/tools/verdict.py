"""The verdict of a probe run under a tool: the tool's lost blocks through the code under test are a LEAK.

Under a tool the probe runs far fewer iterations, slowly, in a replaced allocator: the RSS trend and RSS
limits are not judged (valgrind's shadow memory and ASan's quarantine grow RSS on their own), while the
exact counters, fds, threads and the probe's own checks are judged as always. On top of that, blocks the
tool calls definitely or indirectly lost whose stacks go through the code under test, and (valgrind) fds
it opened and left open, make the outcome LEAK, with those blocks as the reasons.
"""

from __future__ import annotations

from leakcheck.outcomes import CRASH, ERROR, LEAK, PASS, SKIP, TIMEOUT
from leakcheck.tools.model import GROWING, FdLeak, LeakRecord, ToolReport
from leakcheck.units import format_bytes

MAX_REASONS = 3
UNCHANGED = frozenset({CRASH, TIMEOUT, ERROR, SKIP})
"""Outcomes the tool's report cannot improve on: it is attached, the outcome stays."""


def apply(report: ToolReport, outcome: str, reasons: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    found = leak_reasons(report)
    if outcome in UNCHANGED:
        return outcome, reasons + found + ((f"{report.tool}: {report.problem}",) if report.problem else ())
    if unexplained(report, outcome) and report.subject_growth:
        # Failing on the exact counters with nothing lost: what grew reachable is the likely culprit.
        return outcome, (*reasons[:1], *growth_reasons(report), *reasons[1:])
    if report.problem and not found:
        return ERROR, (f"{report.tool}: {report.problem}", *reasons)
    if found:
        earlier = reasons if outcome != PASS else ()
        return LEAK, found + earlier
    note = f"{report.tool}: no lost block" + (" or open fd" if report.sees_fds else "") + \
        " through the code under test" + ("" if report.sees_fds else f" ({report.tool} does not track fds)")
    return outcome, (*reasons, note) if outcome != PASS else (note, *reasons)


def unexplained(report: ToolReport, outcome: str) -> bool:
    """A failing verdict (not a crash, hang or error) that no lost block or open fd of the tool explains."""
    return outcome != PASS and outcome not in UNCHANGED and not leak_reasons(report)


def leak_reasons(report: ToolReport) -> tuple[str, ...]:
    leaks = sorted(report.subject_leaks, key=lambda r: (-r.bytes, -r.blocks))
    lines = [_record_reason(report.tool, r) for r in leaks[:MAX_REASONS]]
    if len(leaks) > MAX_REASONS:
        rest = leaks[MAX_REASONS:]
        lines.append(f"{report.tool}: {len(rest)} more lost record(s), {format_bytes(sum(r.bytes for r in rest))}")
    lines += [_fd_reason(report.tool, f) for f in report.subject_fds[:MAX_REASONS]]
    return tuple(lines)


def growth_reasons(report: ToolReport) -> tuple[str, ...]:
    return tuple(f"{report.tool}: {_grown(r)}, allocated in {r.allocated_in.describe() if r.allocated_in else '?'}"
                 for r in report.subject_growth[:MAX_REASONS])


def _grown(record: LeakRecord) -> str:
    size = f"+{record.blocks} block(s) (+{format_bytes(record.bytes)})"
    if record.kind == GROWING:
        return f"still reachable {size} during the loop"
    return f"alive at exit {size} more in a longer run"


def _record_reason(tool: str, record: LeakRecord) -> str:
    where = record.allocated_in.describe() if record.allocated_in else "?"
    return (f"{tool}: {format_bytes(record.bytes)} in {record.blocks} block(s) {record.kind}, "
            f"allocated in {where}")


def _fd_reason(tool: str, leak: FdLeak) -> str:
    where = leak.opened_in.describe() if leak.opened_in else "?"
    return f"{tool}: fd {leak.fd} ({leak.path or '?'}) left open, opened in {where}"
