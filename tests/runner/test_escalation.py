"""When an attempt is run again with more iterations, and when it is not: next_escalation on attempts built
as the runner builds them, and what an escalation that had to stop leaves."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from leakcheck.results import INCONCLUSIVE, LEAK, PASS, Attempt, Tick
from leakcheck.runner.escalation import next_escalation, unconfirmed_as_inconclusive

TICKS = tuple(Tick(i=i, t=i * 0.01, phase="measure", counters={}) for i in range(1, 2001))


def _finding(signal: str, *, failed: bool, borderline: str = "") -> dict[str, Any]:
    return {"signal": signal, "kind": "segments", "failed": failed, "borderline": borderline, "figures": {},
            "reason": signal, "inconclusive": False}


def _attempt(outcome: str, *findings: dict[str, Any]) -> Attempt:
    return Attempt(number=1, outcome=outcome, reasons=(), key_figure="", returncode=0, phase="done",
                   last_tick=2000, duration_s=2.0, peak_rss=0, files={}, ticks=TICKS, findings=findings,
                   iterations=2000)


def test_a_borderline_pass_runs_four_times_longer() -> None:
    attempt = _attempt(PASS, _finding("counter:preload_live_bytes", failed=False, borderline="near its line"))
    escalation = next_escalation([attempt], 2000, 600.0)
    assert escalation.iterations == 8000
    assert "borderline" in escalation.why


def test_a_leak_that_is_itself_borderline_runs_again() -> None:
    attempt = _attempt(LEAK, _finding("rss", failed=True, borderline="Kendall p near alpha"))
    assert next_escalation([attempt], 2000, 600.0).iterations == 8000


def _scaling(*, failed: bool, borderline: str = "") -> dict[str, Any]:
    return {**_finding("scaling:peak_rss", failed=failed, borderline=borderline), "kind": "scaling",
            "reason": "peak RSS at the end of a run: 40.4 MiB after 3,200 iterations, 47.8 MiB after 12,800"}


def test_a_leak_seen_in_one_step_that_cannot_be_confirmed_is_inconclusive() -> None:
    attempt = replace(_attempt(LEAK, _scaling(failed=True, borderline="growth seen in one step only")),
                      reasons=("peak RSS at the end of a run: 40.4 MiB after 3,200 iterations, 47.8 MiB after 12,800",))
    settled = unconfirmed_as_inconclusive(attempt)
    assert settled.outcome == INCONCLUSIVE
    assert settled.reason.endswith("not confirmed, and a run 4× as long is out of reach: not judged")
    assert not any(f["failed"] for f in settled.findings)


def test_a_leak_grown_in_every_step_stays_a_leak() -> None:
    attempt = _attempt(LEAK, _scaling(failed=True))
    assert unconfirmed_as_inconclusive(attempt).outcome == LEAK


def test_a_leak_with_another_clear_failure_stays_a_leak() -> None:
    attempt = _attempt(LEAK, _scaling(failed=True, borderline="growth seen in one step only"),
                       _finding("scaling:preload_live_blocks", failed=True))
    assert unconfirmed_as_inconclusive(attempt).outcome == LEAK


def _trend(signal: str, *, failed: bool) -> dict[str, Any]:
    return {**_finding(signal, failed=failed), "kind": "trend"}


def test_an_rss_leak_the_malloc_counter_does_not_show_is_confirmed_once() -> None:
    first = _attempt(LEAK, _trend("rss", failed=True), _finding("counter:preload_live_bytes", failed=False))
    escalation = next_escalation([first], 2000, 600.0)
    assert escalation.iterations == 8000
    assert "live malloc bytes do not show" in escalation.why
    again = replace(first, number=2, iterations=8000, escalation=escalation.why)
    assert next_escalation([first, again], 2000, 600.0).iterations == 0


def test_an_rss_leak_escalated_for_another_reason_is_still_confirmed() -> None:
    first = replace(_attempt(LEAK, _trend("rss", failed=True), _finding("counter:preload_live_bytes", failed=False)),
                    iterations=500)
    second = replace(first, number=2, iterations=2000,
                     escalation="confirming a LEAK seen in growth over fewer than 1,000 iterations: 500 → 2,000")
    assert next_escalation([first, second], 500, 600.0).iterations == 8000


def test_an_rss_leak_the_malloc_counter_also_shows_is_not_run_again() -> None:
    attempt = _attempt(LEAK, _trend("rss", failed=True), _finding("counter:preload_live_bytes", failed=True))
    assert next_escalation([attempt], 2000, 600.0).iterations == 0


def test_an_rss_leak_without_the_malloc_counter_is_not_run_again() -> None:
    assert next_escalation([_attempt(LEAK, _trend("rss", failed=True))], 2000, 600.0).iterations == 0
