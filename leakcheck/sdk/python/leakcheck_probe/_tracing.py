"""tracemalloc, off unless asked for, and the allocation sites that grew over the measure phase.

Off by default because it costs what it measures: every traced block carries a trace (its traceback and a hash
table entry), which about tripled the RSS a leak of Python objects cost per call. On when the probe asks
(``run_probe(..., tracemalloc=True)``) or the harness does (LEAKCHECK_TRACEMALLOC=1: ``leakcheck run
--tracemalloc``, and the re-run that attributes a Python probe's LEAK). While it traces, the SDK compares a
snapshot taken as the measure phase starts with one taken as it ends and writes the sites that grew as a
``sites`` event (docs/protocol.md), like memray's leak view.
"""

from __future__ import annotations

import fnmatch
import os
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._events import EventWriter
from ._settings import ProbeUsageError

TRACEMALLOC_ENV = "LEAKCHECK_TRACEMALLOC"
MAX_SITES = 10
"""The sites written, most growth first."""
_OWN_FILES = (tracemalloc.__file__, str(Path(__file__).resolve().parent / "*"), "<frozen importlib._bootstrap*>",
              "<unknown>")
_FILTERS = [tracemalloc.Filter(False, pattern) for pattern in _OWN_FILES]


def tracing_wanted(requested: bool) -> bool:
    """The probe's own request, or the harness's LEAKCHECK_TRACEMALLOC=1 (0 or unset: not asked)."""
    raw = os.environ.get(TRACEMALLOC_ENV, "").strip()
    if raw not in ("", "0", "1"):
        raise ProbeUsageError(f"{TRACEMALLOC_ENV}={raw!r} must be 0 or 1")
    return requested or raw == "1"


@dataclass(frozen=True)
class Site:
    """A source line whose live allocations grew in each half of the measure phase."""

    file: str
    line: int
    bytes: int
    blocks: int
    bytes_per_iteration: float

    def document(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "bytes": self.bytes, "blocks": self.blocks,
                "bytes_per_iteration": round(self.bytes_per_iteration, 3)}


class SiteTracker:
    """Starts tracemalloc, takes the measure phase's snapshots, and writes what grew by its end."""

    def __init__(self, writer: EventWriter, warmup: int, iterations: int) -> None:
        self._writer = writer
        self._start = warmup
        self._middle = warmup + (iterations - warmup) // 2
        self._iterations = iterations - warmup
        self._snapshots: list[tracemalloc.Snapshot] = []

    def start(self) -> None:
        if not tracemalloc.is_tracing():
            tracemalloc.start()
        # tracemalloc matches the filters with fnmatch, which compiles (and caches) a pattern on its first use:
        # compiled now, they are not a site that grew between the measure phase's snapshots (re/_compiler.py).
        for own in _FILTERS:
            fnmatch.fnmatch("", own.filename_pattern)

    def before(self, i: int) -> None:
        """Before iteration `i`: the snapshots where the measure phase starts and half-way through it."""
        if i in (self._start, self._middle) and len(self._snapshots) < 2:
            self._snapshots.append(_snapshot())

    def measure_ended(self) -> None:
        if len(self._snapshots) < 2:  # a measure phase of one iteration has no halves
            self._snapshots.append(self._snapshots[-1])
        before, middle = self._snapshots
        sites = growing_sites(before, middle, _snapshot(), self._iterations)
        self._snapshots.clear()
        self._writer.emit("sites", iterations=self._iterations, sites=[site.document() for site in sites])


def growing_sites(before: tracemalloc.Snapshot, middle: tracemalloc.Snapshot, after: tracemalloc.Snapshot,
                  iterations: int) -> list[Site]:
    """The lines that grew in both halves, most growth over the whole measure phase first."""
    first, second = _growth(middle, before), _growth(after, middle)
    sites = [Site(frame.filename, frame.lineno, stat.size_diff, stat.count_diff, stat.size_diff / iterations)
             for stat in after.compare_to(before, "lineno")
             for frame in [stat.traceback[0]]
             if first.get(frame, 0) > 0 and second.get(frame, 0) > 0]
    return sorted(sites, key=lambda site: -site.bytes)[:MAX_SITES]


def _growth(after: tracemalloc.Snapshot, before: tracemalloc.Snapshot) -> dict[tracemalloc.Frame, int]:
    return {stat.traceback[0]: stat.size_diff for stat in after.compare_to(before, "lineno")}


def _snapshot() -> tracemalloc.Snapshot:
    """Without the SDK's own allocations (its ticks, the snapshots) and tracemalloc's."""
    return tracemalloc.take_snapshot().filter_traces(_FILTERS)
