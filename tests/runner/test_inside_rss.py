"""RSS judged on the SDK's own figure per tick when the outside poll saw too little of a short run."""

from __future__ import annotations

from leakcheck.report.model import chart_data
from leakcheck.results import Attempt, Sample, Tick
from leakcheck.runner.series import build_series

MIB = 1024 * 1024


def _ticks(count: int, rss: float = 20 * MIB) -> list[Tick]:
    return [Tick(t=i * 0.001, i=i, phase="measure", counters={"rss": rss + i * 1024, "fds": 4.0}) for i in range(count)]


def _samples(count: int, processes: int = 1) -> list[Sample]:
    return [Sample(t=i * 0.01, i=i * 10, rss=21 * MIB, vms=0, fds=4, threads=1, processes=processes)
            for i in range(count)]


def test_a_short_run_is_judged_on_the_rss_of_its_ticks() -> None:
    series = build_series(_samples(12), _ticks(200), teardown_at=None, exact_patterns=(), warmup=20)
    assert len(series.memory["rss"]) == 200
    assert series.memory["rss"][-1] == (199.0, 20 * MIB + 199 * 1024)
    assert "rss" not in series.counters


def test_a_run_sampled_enough_keeps_the_outside_samples() -> None:
    series = build_series(_samples(100), _ticks(1000), teardown_at=None, exact_patterns=(), warmup=20)
    assert {value for _, value in series.memory["rss"]} == {21.0 * MIB}
    assert "rss" not in series.counters


def test_a_process_with_children_keeps_the_outside_samples() -> None:
    # The probe's own RSS leaves its children out; the tree's, sampled from outside, has them.
    series = build_series(_samples(12, processes=2), _ticks(200), teardown_at=None, exact_patterns=(), warmup=20)
    assert {value for _, value in series.memory["rss"]} == {21.0 * MIB}


def test_the_report_draws_the_rss_that_was_judged_and_no_rss_counter() -> None:
    attempt = Attempt(number=1, outcome="PASS", reasons=(), key_figure="", returncode=0, phase="done",
                      last_tick=199, duration_s=0.2, peak_rss=0, files={}, samples=tuple(_samples(12)),
                      ticks=tuple(_ticks(200)), iterations=200)
    chart = chart_data(attempt)
    assert len(chart.memory["rss"][0]) == 200
    assert "rss" not in chart.counters and "fds" in chart.counters
