"""Exact counters back to baseline, fd/thread growth on the floor, absolute limits and tolerances."""

from __future__ import annotations

from leakcheck.analysis import LEAK, OVER_LIMIT, PASS, ProbeSeries
from leakcheck.analysis.verdict import judge
from leakcheck.limits import parse_limits

from .synthetic import WARMUP, flat, linear, memory_points, rss_series

TICKS = range(0, 2000, 10)


def test_exact_counter_that_grows_one_per_iteration_is_a_leak() -> None:
    counter = [(float(i), 12.0 + i) for i in TICKS]
    judgement = judge(rss_series(memory_points(flat(), seed=1), lib_live_allocations=counter), [])
    assert judgement.outcome == LEAK
    assert judgement.reasons[0].startswith("lib_live_allocations +1,790 over 1,790 iterations")


def test_exact_counter_that_returns_to_baseline_passes() -> None:
    # Allocations come and go inside the warm-up; at every measure tick the count is back at 40.
    counter = [(float(i), 40.0 + (i < WARMUP) * i) for i in TICKS]
    judgement = judge(rss_series(memory_points(flat(), seed=1), lib_live_allocations=counter), [])
    assert judgement.outcome == PASS, judgement.reasons


def test_exact_counter_off_by_one_at_the_end_is_a_leak() -> None:
    counter = [(float(i), 40.0 + (i == 1990)) for i in TICKS]
    judgement = judge(rss_series(memory_points(flat(), seed=1), live_results=counter), [])
    assert judgement.outcome == LEAK


def test_counter_growth_limit_tolerates_growth() -> None:
    counter = [(float(i), 40.0 + (i == 1990)) for i in TICKS]
    limits = parse_limits({"counter_growth": "+1"}, "test")
    assert judge(rss_series(memory_points(flat(), seed=1), live_results=counter), limits).outcome == PASS


def _counts(name: str, values: list[float]) -> ProbeSeries:
    points = [(float(i), values[i]) for i in range(len(values))]
    return ProbeSeries(memory={name: points}, counters={}, warmup_end=WARMUP)


def test_leaked_file_descriptors_are_growth() -> None:
    judgement = judge(_counts("fds", [5.0 + i // 100 for i in range(2000)]), [])
    assert judgement.outcome == LEAK
    assert judgement.reasons[0].startswith("open file descriptors +14 over 1,799 iterations, rising in 4 of 4")
    assert judgement.findings[0].kind == "segments"


def test_descriptor_open_only_during_a_call_is_not_growth() -> None:
    judgement = judge(_counts("fds", [5.0 + (i % 2) for i in range(2000)]), [])
    assert judgement.outcome == PASS, judgement.reasons


def test_thread_growth_within_its_limit_passes() -> None:
    series = _counts("threads", [1.0 + i // 100 for i in range(2000)])
    assert judge(series, []).outcome == LEAK
    assert judge(series, parse_limits({"thread_growth": "+20 threads"}, "test")).outcome == PASS


def test_thread_pool_that_stops_growing_is_not_a_leak() -> None:
    # A pool starting one worker every 50 calls until it has 8, well before mid-run.
    judgement = judge(_counts("threads", [1.0 + min(8, i // 50) for i in range(2000)]), [])
    assert judgement.outcome == PASS, judgement.reasons
    assert "not a leak" in judgement.reasons[0]


def test_worker_threads_coming_and_going_are_not_growth() -> None:
    # libvips workers: 9 or 10 threads all along, 12 for a moment at the end.
    values = [9.0 + (i // 37) % 2 + 3 * (i > 1950) for i in range(2000)]
    assert judge(_counts("threads", values), []).outcome == PASS


def test_rss_growth_over_its_limit_without_a_trend_is_over_limit() -> None:
    # A one-off 16 MB step is not a leak, but it breaks a 10MB growth limit.
    points = [(float(i), 60e6 + 16e6 * (i >= 1100)) for i in range(2000)]
    judgement = judge(rss_series(points), parse_limits({"rss_growth": "10MB"}, "test"))
    assert judgement.outcome == OVER_LIMIT
    assert judgement.reasons[0] == "RSS growth 15.3 MiB exceeds the limit rss_growth = 10MB"


def test_peak_rss_limit() -> None:
    points = memory_points(flat(), seed=2)
    assert judge(rss_series(points), parse_limits({"peak_rss": "100MB"}, "t")).outcome == PASS
    assert judge(rss_series(points), parse_limits({"peak_rss": "50MB"}, "t")).outcome == OVER_LIMIT


def test_slope_limit_tolerates_a_slower_trend() -> None:
    points = memory_points(linear(1024), seed=3)
    assert judge(rss_series(points), parse_limits({"slope": "2KiB/iter"}, "t")).outcome == PASS
    assert judge(rss_series(points), parse_limits({"slope": "512B/iter"}, "t")).outcome == LEAK


def test_soft_counter_trend_is_a_leak() -> None:
    # A Python object kept per iteration: the GC object count rises 1 per iteration.
    objects = [(float(i), 50_000.0 + i) for i in TICKS]
    series = ProbeSeries(memory={}, counters={"py_gc_objects": objects}, warmup_end=WARMUP)
    judgement = judge(series, [])
    assert judgement.outcome == LEAK
    assert judgement.reasons[0].startswith("Python GC objects slope 1.00/iter")


def test_high_water_mark_counter_is_not_trended() -> None:
    peak = [(float(i), 1e6 + 1e3 * i) for i in TICKS]
    series = ProbeSeries(memory={}, counters={"py_tracemalloc_peak": peak}, warmup_end=WARMUP)
    assert judge(series, []).findings == ()


def test_series_in_seconds_reads_in_seconds() -> None:
    points = [(i / 100, 60e6 + 100e3 * i / 100) for i in range(1000)]
    series = ProbeSeries(memory={"rss": points}, counters={}, warmup_end=1.0, x_unit="s")
    judgement = judge(series, [])
    assert judgement.outcome == LEAK
    assert "KiB/s" in judgement.reasons[0] and "after 1.0 s warm-up" in judgement.reasons[0]


def test_points_that_are_not_numbers_are_left_out() -> None:
    points = [(float(i), float("nan") if i % 7 == 0 else 60e6 + 2048 * i) for i in range(2000)]
    judgement = judge(rss_series(points), [])
    assert judgement.outcome == LEAK
    assert judgement.findings[0].figures["slope"] == 2048
