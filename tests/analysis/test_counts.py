"""Counts judged as counts: exact counters by their net growth, process-wide counts (fds, threads, allocated
blocks) by CPython's refleak rule (every segment grows), and what is inconclusive for lack of ticks."""

from __future__ import annotations

import numpy as np

from leakcheck.analysis import INCONCLUSIVE, LEAK, PASS, ProbeSeries
from leakcheck.analysis.counts import SEGMENTS
from leakcheck.analysis.verdict import judge
from leakcheck.limits import parse_limits

from .synthetic import WARMUP, flat, linear, memory_points, rss_series

ITERATIONS = 300


def _ticks(values: list[float]) -> list[tuple[float, float]]:
    return [(float(i), value) for i, value in enumerate(values)]


def _series(counter: str, values: list[float], *, exact: bool = False, warmup: float = 30.0) -> ProbeSeries:
    """A counter on every tick, with a flat RSS sampled alongside so that only the counter decides."""
    rss = memory_points(flat(), seed=3, iterations=len(values), samples_per_iter=4)
    return ProbeSeries(memory={"rss": rss}, counters={counter: _ticks(values)}, warmup_end=warmup,
                       exact_counters=frozenset({counter}) if exact else frozenset(),
                       process_wide_counters=frozenset() if exact else frozenset({counter}))


def test_process_wide_one_off_plus_one_is_not_a_leak() -> None:
    # sys.getallocatedblocks() in a clean loop: one block more, once, two thirds of the way (the interpreter's
    # own cache), then steady.
    blocks = [52_000.0 + (i >= 200) for i in range(ITERATIONS)]
    judgement = judge(_series("py_allocated_blocks", blocks), [])
    assert judgement.outcome == PASS, judgement.reasons
    reason = next(f.reason for f in judgement.findings if f.signal == "counter:py_allocated_blocks")
    assert "rising in 1 of 4 segments" in reason
    assert "not in every segment" in reason


def test_the_same_one_off_declared_exact_is_a_leak() -> None:
    # What the issue saw: declared exact, the interpreter's +1 is a leak by that (strict) rule.
    blocks = [52_000.0 + (i >= 200) for i in range(ITERATIONS)]
    assert judge(_series("py_allocated_blocks", blocks, exact=True), []).outcome == LEAK


def test_process_wide_plus_one_per_segment_is_a_leak() -> None:
    # One block more in each fifth of the measure phase (a leak of one block every 54 calls).
    span = (ITERATIONS - 30) / SEGMENTS
    blocks = [52_000.0 + (max(0, i - 30) // span) for i in range(ITERATIONS)]
    judgement = judge(_series("py_allocated_blocks", blocks), [])
    assert judgement.outcome == LEAK
    assert "grows in every segment" in judgement.reasons[0]


def test_process_wide_growth_within_the_allowance_passes() -> None:
    blocks = [52_000.0 + i // 54 for i in range(ITERATIONS)]
    assert judge(_series("py_allocated_blocks", blocks), []).outcome == LEAK
    limits = parse_limits({"counter_growth": "+10"}, "test")
    assert judge(_series("py_allocated_blocks", blocks), limits).outcome == PASS


def test_process_wide_noise_is_not_a_leak_in_any_of_20_seeds() -> None:
    # GC objects wandering by a few dozen around a steady level, tick to tick.
    for seed in range(20):
        noise = np.random.default_rng(seed).integers(-30, 30, ITERATIONS)
        objects = [float(40_000 + n) for n in noise]
        judgement = judge(_series("py_gc_objects", objects), [])
        assert judgement.outcome == PASS, (seed, judgement.reasons)


def test_exact_counter_plus_one_net_is_a_leak_with_no_allowance() -> None:
    live = [40.0] * (ITERATIONS - 1) + [41.0]
    judgement = judge(_series("live_results", live, exact=True), parse_limits({"counter_growth": "+0"}, "t"))
    assert judgement.outcome == LEAK
    assert "did not return to baseline" in judgement.reasons[0]


def _fds(values: list[float], warmup: float = 50.0) -> ProbeSeries:
    rss = memory_points(flat(), seed=5, iterations=len(values), samples_per_iter=4)
    return ProbeSeries(memory={"rss": rss, "fds": _ticks(values)}, counters={}, warmup_end=warmup)


def test_one_fd_per_call_polled_in_jumps_is_a_leak_at_plus_zero() -> None:
    # The case: one fd leaked per call over 500 calls, seen by a 5 Hz poll as jumps of ~36.
    polled = [float(5 + (i // 36) * 36) for i in range(500)]
    judgement = judge(_fds(polled), parse_limits({"fd_growth": "+0 fds"}, "test"))
    assert judgement.outcome == LEAK, judgement.reasons
    assert judgement.reasons[0].startswith("open file descriptors +")


def test_fd_opened_once_late_is_not_a_leak_but_exceeds_nothing() -> None:
    fds = [5.0 + (i >= 400) for i in range(500)]
    assert judge(_fds(fds), parse_limits({"fd_growth": "+0 fds"}, "test")).outcome == PASS


def test_few_ticks_make_a_process_wide_count_inconclusive() -> None:
    judgement = judge(_fds([5.0 + i for i in range(12)], warmup=4.0), [])
    assert judgement.outcome == INCONCLUSIVE
    reason = next(r for r in judgement.reasons if r.startswith("open file descriptors"))
    assert reason.startswith("open file descriptors: 8 measure-phase ticks, 10 needed (2 in each of 5 segments)")
    assert "raise iterations to ≥ 14" in reason


def test_a_count_judged_pass_does_not_make_up_for_rss_without_evidence() -> None:
    # fds flat over 300 ticks, but RSS sampled only 12 times: RSS could not see a memory leak.
    rss = memory_points(linear(50e3), seed=2, iterations=ITERATIONS)[::25]
    series = ProbeSeries(memory={"rss": rss, "fds": _ticks([5.0] * ITERATIONS)}, counters={}, warmup_end=30.0)
    judgement = judge(series, [])
    assert judgement.outcome == INCONCLUSIVE
    assert judgement.reasons[0].startswith("RSS: 10 measure-phase samples, 30 needed"), judgement.reasons


def test_a_leak_seen_wins_over_missing_evidence() -> None:
    # fds leak one per call; RSS has too few samples to say anything.
    rss = memory_points(flat(), seed=2, iterations=ITERATIONS)[::25]
    series = ProbeSeries(memory={"rss": rss, "fds": _ticks([5.0 + i for i in range(ITERATIONS)])}, counters={},
                         warmup_end=30.0)
    assert judge(series, []).outcome == LEAK


def test_no_samples_at_all_is_inconclusive() -> None:
    series = ProbeSeries(memory={"rss": [], "fds": []}, counters={}, warmup_end=0.0, x_unit="s")
    judgement = judge(series, [])
    assert judgement.outcome == INCONCLUSIVE
    assert judgement.reasons[0].startswith("RSS: 0 measure-phase samples, 30 needed: not judged; make the run longer")


def test_warmup_is_left_out_of_the_segments() -> None:
    # A pool of 8 threads started during the warm-up, steady after it.
    threads = [1.0 + min(8, i // 5) for i in range(ITERATIONS)]
    series = ProbeSeries(memory={"rss": memory_points(flat(), seed=1, iterations=ITERATIONS, samples_per_iter=4),
                                 "threads": _ticks(threads)}, counters={}, warmup_end=WARMUP / 4)
    assert judge(series, []).outcome == PASS


def test_a_small_leak_over_a_short_run_is_borderline_a_creep_is_not() -> None:
    # 2 KiB per iteration over 90 measured iterations: significant, +180 KiB, below 256 KiB; 4× would cross it.
    short = rss_series(memory_points(linear(2048), seed=7, iterations=290, noise=2e3, samples_per_iter=4))
    finding = judge(short, []).findings[0]
    assert not finding.failed and finding.borderline.startswith("a significant trend whose growth is below")
    creep = rss_series(memory_points(linear(64), seed=7, iterations=290, noise=200, samples_per_iter=4))
    assert judge(creep, []).findings[0].borderline == ""


def test_process_wide_growth_that_slows_down_is_borderline_not_a_leak() -> None:
    # A library's caches warming up, as a Zig probe's preload blocks did (7,727, 7,739, 7,748, 7,752, 7,754,
    # here ten times the rises, above the runtime's allowance): rising in every segment, each less.
    floors = [7_727.0, 7_847.0, 7_937.0, 7_977.0, 7_997.0]
    span = (ITERATIONS - 30) / SEGMENTS
    blocks = [floors[min(SEGMENTS - 1, int(max(0, i - 30) // span))] for i in range(ITERATIONS)]
    judgement = judge(_series("preload_live_blocks", blocks), [])
    finding = next(f for f in judgement.findings if f.signal == "counter:preload_live_blocks")
    assert judgement.outcome == PASS and not finding.failed and "slowing down" in finding.reason
    assert finding.borderline  # escalation runs it longer
    steady = [7_727.0 + 60 * min(SEGMENTS - 1, int(max(0, i - 30) // span)) for i in range(ITERATIONS)]
    assert judge(_series("preload_live_blocks", steady), []).outcome == LEAK


def test_one_segment_carrying_the_growth_is_a_step_not_a_leak() -> None:
    # python.gc_verification's allocated blocks: +13, +26, +7,763, +27 (the probe's own round of snapshots).
    floors = [80_891.0, 80_904.0, 80_930.0, 88_693.0, 88_720.0]
    span = (ITERATIONS - 30) / SEGMENTS
    blocks = [floors[min(SEGMENTS - 1, int(max(0, i - 30) // span))] for i in range(ITERATIONS)]
    judgement = judge(_series("py_allocated_blocks", blocks), [])
    assert judgement.outcome == PASS and "a step" in judgement.reasons[-1] + " ".join(judgement.reasons)


def test_the_preload_counter_allows_the_runtime_its_own_few_blocks_but_not_a_leak() -> None:
    span = (ITERATIONS - 30) / SEGMENTS
    runtime = [33_212.0 + 9 * min(SEGMENTS - 1, int(max(0, i - 30) // span)) for i in range(ITERATIONS)]
    assert judge(_series("preload_live_blocks", runtime), []).outcome == PASS  # +36: V8's own
    leak = [33_212.0 + max(0, i - 30) for i in range(ITERATIONS)]  # a block a call
    assert judge(_series("preload_live_blocks", leak), []).outcome == LEAK
