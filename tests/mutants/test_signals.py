"""Which signal caught a mutant, read from the verdict's own evidence: failed findings of the real analysis,
failed probe checks, a crash, a hang, a bare non-zero exit. A passing, erroring or skipped probe caught nothing."""

from __future__ import annotations

import dataclasses

import pytest
from analysis.synthetic import flat, linear, memory_points, rss_series

from leakcheck.analysis.verdict import judge
from leakcheck.limits import parse_limits
from leakcheck.mutants.signals import (
    CRASH_SIGNAL,
    EXACT_COUNTER,
    EXIT,
    FD_GROWTH,
    LIMIT,
    PROBE_CHECK,
    RSS_TREND,
    TIMEOUT_SIGNAL,
    Signal,
    catch_signals,
)
from leakcheck.results import Attempt, Check, Crash, Hang

TICKS = range(0, 2000, 10)


def _attempt(outcome: str, **fields: object) -> Attempt:
    attempt = Attempt(number=1, outcome=outcome, reasons=("exited with status 1 in phase teardown",), key_figure="",
                      returncode=1, phase="teardown", last_tick=1999, duration_s=1.0, peak_rss=0, files={})
    return dataclasses.replace(attempt, **fields)  # type: ignore[arg-type]


def _findings(series_leak: float, counter_leak: float, limits: dict[str, str]) -> tuple[dict[str, object], ...]:
    """Findings as the runner stores them, from the real analysis of a synthetic run."""
    counter = [(float(i), 100.0 + counter_leak * i) for i in TICKS]
    series = rss_series(memory_points(linear(series_leak) if series_leak else flat(), seed=3),
                        lib_live_bytes=counter)
    judgement = judge(series, parse_limits(limits, "test"))
    return tuple({**dataclasses.asdict(f), "figures": dict(f.figures)} for f in judgement.findings)


def test_an_exact_counter_off_its_baseline_is_named_with_the_counter() -> None:
    attempt = _attempt("LEAK", findings=_findings(0, 64, {}))
    assert catch_signals(attempt) == (Signal(EXACT_COUNTER, "lib_live_bytes"),)


def test_an_rss_trend_and_an_exceeded_limit_are_both_named() -> None:
    attempt = _attempt("LEAK", findings=_findings(4096, 0, {"rss_growth": "1MB"}))
    assert catch_signals(attempt) == (Signal(RSS_TREND, ""), Signal(LIMIT, "rss_growth"))


def test_failed_checks_are_named_beside_the_findings() -> None:
    checks = (Check("freed", 0.2, ">=", 0.7, False), Check("outputs_equal", 1, "==", 1, True))
    attempt = _attempt("FAIL", findings=({"signal": "fds", "kind": "growth", "failed": True, "figures": {},
                                          "reason": "open file descriptors grow"},), checks=checks)
    assert catch_signals(attempt) == (Signal(FD_GROWTH, ""), Signal(PROBE_CHECK, "freed"))


def test_a_crash_a_hang_and_a_bare_exit_are_signals_of_their_own() -> None:
    crash = Crash("SIGSEGV", 11, "measure", "signal", "")
    hang = Hang("stall", 30.0, "measure", "")
    assert catch_signals(_attempt("CRASH", crash=crash)) == (Signal(CRASH_SIGNAL, "SIGSEGV in measure"),)
    assert catch_signals(_attempt("TIMEOUT", hang=hang)) == (Signal(TIMEOUT_SIGNAL, "stall in measure"),)
    assert catch_signals(_attempt("FAIL")) == (Signal(EXIT, "exited with status 1 in phase teardown"),)


@pytest.mark.parametrize("outcome", ["PASS", "SKIP", "ERROR", "FLAKY"])
def test_an_outcome_that_is_not_a_failure_of_the_probe_catches_nothing(outcome: str) -> None:
    assert catch_signals(_attempt(outcome, findings=_findings(0, 64, {}))) == ()
