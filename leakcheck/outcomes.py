"""The outcome of a probe (design.md): one enum, whose members are their own names as strings, so that a
results document reads and writes them as plain text."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    PASS = "PASS"
    LEAK = "LEAK"
    """A growth trend, or an exact counter that did not return to its baseline."""
    OVER_LIMIT = "OVER_LIMIT"
    """An absolute limit exceeded without a growth trend."""
    FAIL = "FAIL"
    """A probe's own check failed, or it exited non-zero."""
    CRASH = "CRASH"
    TIMEOUT = "TIMEOUT"
    INCONCLUSIVE = "INCONCLUSIVE"
    """The signals could not be judged (too short a run, too few samples or ticks): never a PASS; the reasons
    say which signal lacked what, and what to change."""
    ERROR = "ERROR"
    """The probe could not run, or the harness failed around it."""
    SKIP = "SKIP"
    """Only for a probe whose declared requirement is absent."""
    FLAKY = "FLAKY"
    """Passed on a retry; every attempt is kept."""


PASS, LEAK, OVER_LIMIT, FAIL = Outcome.PASS, Outcome.LEAK, Outcome.OVER_LIMIT, Outcome.FAIL
CRASH, TIMEOUT, ERROR, SKIP, FLAKY = Outcome.CRASH, Outcome.TIMEOUT, Outcome.ERROR, Outcome.SKIP, Outcome.FLAKY
INCONCLUSIVE = Outcome.INCONCLUSIVE
OUTCOMES: tuple[str, ...] = tuple(Outcome)
"""In order of severity as reports sort them."""
PASSING = frozenset({PASS, SKIP, FLAKY})
"""What lets a run exit 0 (unless --fail-on says otherwise)."""
ALLOWABLE = frozenset({INCONCLUSIVE})
"""Failing outcomes a run may be told to let pass (`run --allow inconclusive`)."""
