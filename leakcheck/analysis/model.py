"""The data the analysis reads (series of one probe run) and what it returns (findings and a verdict)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from leakcheck.outcomes import LEAK, OVER_LIMIT, PASS

Point = tuple[float, float]
"""(x, value): x is the probe's iteration (aligned to its last tick) or, without ticks, elapsed seconds."""

__all__ = ["LEAK", "OVER_LIMIT", "PASS", "Finding", "Judgement", "Point", "ProbeSeries"]


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


@dataclass(frozen=True)
class Finding:
    """The result of one signal, e.g. the RSS trend or the library's live allocations."""

    signal: str
    """"rss", "vms", "counter:lib_live_bytes", "fds", "limit:rss_growth", ..."""
    kind: str
    """"trend" | "baseline" | "limit" | "growth"."""
    failed: bool
    figures: Mapping[str, float]
    reason: str


@dataclass(frozen=True)
class Judgement:
    outcome: str
    """PASS | LEAK | OVER_LIMIT."""
    findings: tuple[Finding, ...]
    reasons: tuple[str, ...]
    """Failed findings' reasons first, then the others."""
