"""Which signal turned a probe's run into a catch: derived from its final attempt's findings, checks, crash
or hang (the verdict's own evidence), never from the reason's wording."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leakcheck.results import CRASH, FAIL, LEAK, OVER_LIMIT, TIMEOUT, Attempt

CATCHING_OUTCOMES = frozenset({LEAK, OVER_LIMIT, FAIL, CRASH, TIMEOUT})
"""A mutant made the probe fail. ERROR (a harness problem) and SKIP (not run) prove nothing."""

EXACT_COUNTER = "exact counter"
COUNTER_TREND = "counter trend"
RSS_TREND = "RSS trend"
VMS_TREND = "VMS trend"
FD_GROWTH = "fd growth"
THREAD_GROWTH = "thread growth"
LIMIT = "limit"
PROBE_CHECK = "probe check"
CRASH_SIGNAL = "crash"
TIMEOUT_SIGNAL = "timeout"
EXIT = "exit status"
_OUTSIDE = {"rss": RSS_TREND, "vms": VMS_TREND, "fds": FD_GROWTH, "threads": THREAD_GROWTH}


@dataclass(frozen=True)
class Signal:
    kind: str
    """One of the constants above, e.g. "exact counter"."""
    detail: str
    """What exactly: the counter, limit or check name, the signal and phase of a crash."""

    def __str__(self) -> str:
        return f"{self.kind} {self.detail}" if self.detail else self.kind


def catch_signals(attempt: Attempt) -> tuple[Signal, ...]:
    """Every signal that failed in this attempt; empty when the attempt did not catch anything."""
    if attempt.outcome not in CATCHING_OUTCOMES:
        return ()
    if attempt.crash is not None:
        return (Signal(CRASH_SIGNAL, f"{attempt.crash.signal} in {attempt.crash.phase}"),)
    if attempt.hang is not None:
        return (Signal(TIMEOUT_SIGNAL, f"{attempt.hang.watchdog} in {attempt.hang.phase}"),)
    found = [finding_signal(finding) for finding in attempt.findings if finding.get("failed")]
    found += [Signal(PROBE_CHECK, check.name) for check in attempt.checks if not check.ok]
    if not found:  # FAIL without a failed check: the probe exited non-zero or without `done`
        found.append(Signal(EXIT, attempt.reason))
    return tuple(found)


def finding_signal(finding: Mapping[str, Any]) -> Signal:
    name, kind = str(finding.get("signal", "")), str(finding.get("kind", ""))
    if name.startswith("limit:"):
        return Signal(LIMIT, name.removeprefix("limit:"))
    if name.startswith("counter:"):
        counter = name.removeprefix("counter:")
        return Signal(EXACT_COUNTER if kind == "baseline" else COUNTER_TREND, counter)
    return Signal(_OUTSIDE.get(name, name), "")
