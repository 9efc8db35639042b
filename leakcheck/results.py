"""What a run produces: attempts, probe results and the run, as frozen, serialisable objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leakcheck.outcomes import (
    CRASH,
    ERROR,
    FAIL,
    FLAKY,
    INCONCLUSIVE,
    LEAK,
    OUTCOMES,
    OVER_LIMIT,
    PASS,
    PASSING,
    SKIP,
    TIMEOUT,
    Outcome,
)
from leakcheck.thinning import Keep, lowest_and_highest, starts_and_last
from leakcheck.tools.model import ToolReport

__all__ = ["CRASH", "ERROR", "FAIL", "FLAKY", "INCONCLUSIVE", "LEAK", "OUTCOMES", "OVER_LIMIT", "PASS", "PASSING", "SKIP", "TIMEOUT",
           "Outcome"]

SCHEMA = "leakcheck.run"
SCHEMA_VERSION = 2
"""2: an attempt's samples and ticks are thinned to KEPT_ROWS (the whole series is in its samples.csv and
events.jsonl), and `tick_count` says how many ticks there were."""




@dataclass(frozen=True)
class Sample:
    """One outside measurement of the probe's process tree."""

    t: float
    """Seconds since the probe started."""
    i: int | None
    """The probe's last tick when the sample was taken (None before the first tick)."""
    rss: int
    vms: int
    fds: int
    threads: int
    processes: int
    anon: int | None = None
    """The tree's anonymous resident memory: RSS less its file-backed and shared pages (statm's resident less
    shared), where a leak lives; the analysis judges it in place of RSS. None in documents that predate it."""


@dataclass(frozen=True)
class Tick:
    t: float
    i: int
    phase: str
    counters: Mapping[str, float]


SAMPLE_KEEP: Keep[Sample] = lowest_and_highest(lambda sample: float(sample.rss))
"""A thinned stretch of samples keeps its lowest RSS (the floors a trend is fitted to) and its highest (peaks)."""
TICK_KEEP: Keep[Tick] = starts_and_last(lambda tick: tick.phase)
"""A thinned stretch of ticks keeps each phase's first tick and its last (the baseline and the end)."""
MEMORY_SAMPLES = 16_384
MEMORY_TICKS = 16_384
"""What a running attempt keeps in memory and judges (hours of 100 Hz samples thin to these)."""
KEPT_ROWS = 2_000
"""What an ended attempt keeps of each series, in memory and in results.json (the report draws 400 a panel)."""


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    op: str
    limit: float
    ok: bool


@dataclass(frozen=True)
class Hello:
    """What a probe's hello announced (docs/protocol.md); a protocol 1 hello has no plan."""

    protocol: int
    probe: str | None
    lang: str | None
    iterations: int | None = None
    """Protocol 2: the iterations the probe will run."""
    warmup: int | None = None
    """Protocol 2: the measure phase starts at this iteration."""


@dataclass(frozen=True)
class SamplerStats:
    samples: int
    rate_hz: float
    cpu_seconds: float
    cpu_fraction: float
    """The sampler thread's CPU time over the wall time it ran (1.0 = one full core)."""


@dataclass(frozen=True)
class Crash:
    signal: str
    """e.g. "SIGSEGV"; for a Zig segfault handler that aborts, the signal it caught."""
    number: int
    phase: str
    kind: str
    """"signal", "zig-segfault", "zig-panic", "python-fatal", "out-of-memory"."""
    backtrace: str
    """Stacks from faulthandler, Zig's trace, or gdb, as far as they could be had ("" otherwise)."""


@dataclass(frozen=True)
class Hang:
    watchdog: str
    """"timeout" (whole run) or "stall" (no event for too long)."""
    seconds: float
    phase: str
    stacks: str
    """Stack dumps taken before the kill (faulthandler, py-spy, gdb)."""


@dataclass(frozen=True)
class AllocationSite:
    """A source line whose live Python allocations grew over a probe's measure phase (its `sites` event)."""

    file: str
    line: int
    bytes: int
    """Growth between the snapshots at the start and the end of the measure phase."""
    blocks: int
    bytes_per_iteration: float

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class SiteReport:
    """What a probe traced by tracemalloc reported: the sites that grew most over `iterations` measured ones."""

    iterations: int
    sites: tuple[AllocationSite, ...]


@dataclass(frozen=True)
class Attribution:
    """The Python allocation sites behind a probe's LEAK: from its own attempt when tracemalloc traced it, else
    from one re-run with tracemalloc on (leakcheck.runner.sites)."""

    source: str
    """"attempt" (the final attempt traced) or "re-run"."""
    report: SiteReport | None
    """None when the run the sites were asked of wrote none (it failed, or the probe does not use the SDK)."""
    outcome: str
    """The outcome of the run the sites come from."""
    summary: str
    """One line saying what the sites mean, or why there are none."""
    directory: str = ""
    """The re-run's logs."""


@dataclass(frozen=True)
class Attempt:
    number: int
    outcome: str
    reasons: tuple[str, ...]
    key_figure: str
    returncode: int | None
    phase: str
    last_tick: int | None
    duration_s: float
    peak_rss: int
    files: Mapping[str, str]
    probe_peak_rss: int = 0
    """The peak RSS of the probe's own process, without the children it started (0: not measured)."""
    samples: tuple[Sample, ...] = ()
    """The outside samples, thinned to KEPT_ROWS (all of them are in files["samples"])."""
    ticks: tuple[Tick, ...] = ()
    """The ticks, thinned to KEPT_ROWS."""
    tick_count: int | None = None
    """Ticks received in all (None: as many as `ticks` holds)."""
    checks: tuple[Check, ...] = ()
    findings: tuple[Mapping[str, Any], ...] = ()
    started_at: float = 0.0
    """Wall-clock time (seconds since the epoch) the probe was started."""
    crash: Crash | None = None
    hang: Hang | None = None
    sampler: SamplerStats | None = None
    output_tail: str = ""
    tool: ToolReport | None = None
    """What valgrind or LSan reported (`leakcheck run --tool`); None without a tool."""
    hello: Hello | None = None
    """The probe's hello, None when it wrote none."""
    log_cuts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """Streams (stdout, stderr, events) whose middle was left out of the file to keep it within the log cap:
    {"written", "kept", "cut"} bytes each."""
    left_running: tuple[Mapping[str, Any], ...] = ()
    """Processes the probe left running ({"pid", "command"}), killed when the attempt ended."""
    notes: tuple[str, ...] = ()
    """Warnings that leave the outcome alone (docs/protocol.md): e.g. the probe named itself differently, a
    log was cut, a process was left running."""
    interrupted: bool = False
    """The run was interrupted while this attempt ran: outcome ERROR, not judged, the series as far as it got."""
    iterations: int | None = None
    """The iterations this attempt was asked for (LEAKCHECK_ITERATIONS); None in documents that predate it."""
    escalation: str = ""
    """Why this attempt ran more iterations than the one before it (session.escalation); "" otherwise."""
    sites: SiteReport | None = None
    """The allocation sites the probe reported (a Python SDK probe under tracemalloc); None when it wrote none."""
    exit_snapshot: Mapping[str, float] | None = None
    """What the preload counter saw of the probe's root process at its end ({name: number}: live blocks and
    bytes, and fds and threads when it ended through exit()); None without the counter."""

    @property
    def reason(self) -> str:
        return self.reasons[0] if self.reasons else ""


@dataclass(frozen=True)
class ProbeResult:
    name: str
    lang: str
    suite: str
    iterations: int
    outcome: str
    attempts: tuple[Attempt, ...]
    repeat: int = 1
    attribution: Attribution | None = None
    """The Python allocation sites behind a LEAK (leakcheck.runner.sites); None for other outcomes and languages."""

    @property
    def final(self) -> Attempt:
        return self.attempts[-1]

    @property
    def reason(self) -> str:
        if self.outcome == FLAKY:
            failed = [a for a in self.attempts if a.outcome not in PASSING]
            return f"passed on attempt {self.final.number} after {failed[0].outcome}: {failed[0].reason}"
        return self.final.reason

    @property
    def passed(self) -> bool:
        return self.outcome in PASSING


@dataclass(frozen=True)
class RunInfo:
    suite: str
    config: str
    run_dir: str
    provenance: Mapping[str, Any] = field(default_factory=dict)
