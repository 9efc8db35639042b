"""The data the analysis reads (series of one probe run) and what it returns (findings and a verdict)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from leakcheck.outcomes import INCONCLUSIVE, LEAK, OVER_LIMIT, PASS

Point = tuple[float, float]
"""(x, value): x is the probe's iteration (aligned to its last tick) or, without ticks, elapsed seconds."""

__all__ = ["INCONCLUSIVE", "LEAK", "OVER_LIMIT", "PASS", "Finding", "Judgement", "Point", "ProbeSeries"]


@dataclass(frozen=True)
class ProbeSeries:
    memory: Mapping[str, Sequence[Point]]
    """Outside samples by name: "rss", "vms" (bytes), "fds", "threads" (counts)."""
    counters: Mapping[str, Sequence[Point]]
    """In-process tick counters by name."""
    warmup_end: float
    """x where the measure phase starts; points before it are warm-up and are discarded."""
    x_unit: str = "iter"
    """"iter" or "s"."""
    exact_counters: frozenset[str] = field(default_factory=frozenset)
    """Counter names that must return to their baseline (what the code under test owns: its live allocations, handles)."""
    process_wide_counters: frozenset[str] = field(default_factory=frozenset)
    """Counter names that are exact but shared with the runtime (allocated blocks, live malloc blocks): judged by
    the segment rule (analysis.counts), robust to a one-off +1."""


@dataclass(frozen=True)
class Finding:
    """The result of one signal, e.g. the RSS trend or the library's live allocations."""

    signal: str
    """"rss", "vms", "counter:lib_live_bytes", "fds", "limit:rss_growth", ..."""
    kind: str
    """"trend" | "baseline" (exact counter) | "segments" (process-wide count) | "limit" | "scaling"."""
    failed: bool
    figures: Mapping[str, float]
    reason: str
    inconclusive: bool = False
    """The signal lacked the evidence to be judged (never also failed); the reason says what to change."""
    borderline: str = ""
    """Why more iterations could change this finding's verdict ("" when it is clear): see trend.borderline."""


@dataclass(frozen=True)
class Judgement:
    outcome: str
    """PASS | LEAK | OVER_LIMIT | INCONCLUSIVE."""
    findings: tuple[Finding, ...]
    reasons: tuple[str, ...]
    """Failed findings' reasons first, then the inconclusive ones, then the others."""

    @property
    def borderline(self) -> tuple[str, ...]:
        return tuple(f"{f.signal}: {f.borderline}" for f in self.findings if f.borderline)
