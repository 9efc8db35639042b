"""The view-model of a probe's native attribution (`leakcheck run --tool`): leaked blocks and their stacks,
from the attempt's `tool` document. Shared by the HTML page and the terminal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakcheck.results import Attempt
from leakcheck.schema import tool_report_from_document
from leakcheck.tools.model import HINTS, LOSS_KINDS, FdLeak, Frame, LeakRecord, ToolReport
from leakcheck.units import format_bytes

MAX_RECORDS = 8
MAX_FRAMES = 14
MAX_GROWTH = 3


@dataclass(frozen=True)
class FrameView:
    text: str
    """"function (file:line) · object"."""
    in_subject: bool


@dataclass(frozen=True)
class BlockView:
    title: str
    """e.g. "1.2 KiB in 20 block(s) definitely lost"."""
    allocated_in: str
    frames: tuple[FrameView, ...]
    verb: str = "allocated in"


@dataclass(frozen=True)
class AttributionView:
    tool: str
    problem: str
    totals: tuple[tuple[str, str, int], ...]
    """(kind, bytes through the code under test, blocks) for each kind with any."""
    blocks: tuple[BlockView, ...]
    """Lost blocks through the code under test, largest first (at most MAX_RECORDS), then the blocks through it
    that grew most without being lost (at most MAX_GROWTH; valgrind: reachable growth, LSan: tools.scaling)."""
    more: int
    """Further such records not shown."""
    fds: tuple[BlockView, ...]
    fd_note: str
    other: str
    """What the tool saw outside the code under test (the probe, the system libraries), in one line."""


def attribution_view(attempt: Attempt | Mapping[str, Any]) -> AttributionView | None:
    """The attempt's attribution (an attempt document's `tool` is read as such), None without a tool."""
    if isinstance(attempt, Attempt):
        return report_view(attempt.tool) if attempt.tool is not None else None
    document = attempt.get("tool")
    return report_view(tool_report_from_document(document, "tool")) if document is not None else None


def report_view(report: ToolReport) -> AttributionView:
    leaks = sorted(report.subject_leaks, key=lambda r: (-r.bytes, -r.blocks))
    totals = tuple((kind, format_bytes(size), blocks) for kind in LOSS_KINDS
                   for size, blocks in [report.total(kind, subject_only=True)] if blocks)
    others = [r for r in report.records if not r.in_subject]
    reasons = sorted({r.suppressed for r in others if r.suppressed})
    other = (f"{len(others)} record(s), {format_bytes(sum(r.bytes for r in others))}, allocated outside the code "
             "under test (the probe itself, system libraries at exit)" + "".join(f" or by {s}" for s in reasons)
             + ": not counted") if others else ""
    fd_note = ("" if report.sees_fds else
               f"{report.tool} does not track file descriptors: an fd leak shows only in the fds and open_fds signals")
    return AttributionView(tool=report.tool, problem=report.problem, totals=totals,
                           blocks=tuple(_block(r, subject=_subject_objects(r))
                                        for r in (*leaks[:MAX_RECORDS], *report.subject_growth[:MAX_GROWTH])),
                           more=max(0, len(leaks) - MAX_RECORDS),
                           fds=tuple(_fd(f) for f in report.subject_fds), fd_note=fd_note, other=other)


def _subject_objects(record: LeakRecord) -> frozenset[str]:
    """Objects of the code under test, as the attribution decided (the first subject frame's object)."""
    return frozenset({record.allocated_in.object}) if record.allocated_in and record.allocated_in.object else frozenset()


def _block(record: LeakRecord, subject: frozenset[str]) -> BlockView:
    where = record.allocated_in.describe() if record.allocated_in else "?"
    title = (f"+{record.blocks} block(s) (+{format_bytes(record.bytes)}) {record.kind}" if record.kind in HINTS
             else f"{format_bytes(record.bytes)} in {record.blocks} block(s) {record.kind}")
    return BlockView(title=title,
                     allocated_in=where, frames=_frames(_from(record.stack, record.allocated_in), subject))


def _fd(leak: FdLeak) -> BlockView:
    where = leak.opened_in.describe() if leak.opened_in else "?"
    files = frozenset({leak.opened_in.file}) if leak.opened_in else frozenset()
    stack = leak.stack[:MAX_FRAMES]
    return BlockView(title=f"fd {leak.fd} ({leak.path or '?'}) open at exit", allocated_in=where,
                     frames=tuple(FrameView(frame_text(f), f.file in files) for f in stack),
                     verb="opened in")


def _from(stack: tuple[Frame, ...], allocated_in: Frame | None) -> tuple[Frame, ...]:
    """The stack from the allocating frame outwards: the allocator plumbing above it says nothing new."""
    return stack[stack.index(allocated_in):] if allocated_in in stack else stack


def _frames(stack: tuple[Frame, ...], subject: frozenset[str]) -> tuple[FrameView, ...]:
    return tuple(FrameView(frame_text(f), f.object in subject) for f in stack[:MAX_FRAMES])


def frame_text(frame: Frame) -> str:
    source = f" ({frame.file}:{frame.line})" if frame.file and frame.line else ""
    obj = f" · {Path(frame.object).name}" if frame.object else ""
    return f"{frame.function}{source}{obj}"
