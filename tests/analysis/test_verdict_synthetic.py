"""The verdict on seeded synthetic series: leaks are LEAK, plateaus, steps, sawtooths and noise PASS."""

from __future__ import annotations

import pytest

from leakcheck.analysis import INCONCLUSIVE, LEAK, PASS
from leakcheck.analysis.verdict import judge

from .synthetic import (
    flat,
    linear,
    logarithmic,
    memory_points,
    plateau,
    rss_series,
    sawtooth,
    staircase,
    step,
)

SEEDS = range(20)


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_leak_of_one_kib_per_iteration_is_a_leak(seed: int) -> None:
    judgement = judge(rss_series(memory_points(linear(1024), seed=seed)), [])
    assert judgement.outcome == LEAK
    rss = judgement.findings[0]
    assert rss.signal == "rss" and rss.failed
    assert 0.9 * 1024 < rss.figures["slope"] < 1.1 * 1024
    assert 0 < rss.figures["ci_low"] <= rss.figures["slope"] <= rss.figures["ci_high"]


def test_leak_reason_states_slope_interval_span_and_warmup() -> None:
    judgement = judge(rss_series(memory_points(linear(1024), seed=1, noise=2e3)), [])
    reason = judgement.reasons[0]
    assert reason.startswith("RSS slope 1.00 KiB/iter, 95% CI [1.00, 1.00]")
    assert "over 1,799 iterations after 200 warm-up" in reason


@pytest.mark.parametrize("seed", SEEDS)
def test_pure_noise_is_not_a_leak(seed: int) -> None:
    judgement = judge(rss_series(memory_points(flat(), seed=seed, noise=300e3)), [])
    assert judgement.outcome == PASS, judgement.reasons


@pytest.mark.parametrize("seed", SEEDS)
def test_bounded_cache_that_plateaus_is_not_a_leak(seed: int) -> None:
    # Fills 8 MiB over the first half of the measure phase, then stays full.
    judgement = judge(rss_series(memory_points(plateau(8 * 1024, until=1000), seed=seed)), [])
    assert judgement.outcome == PASS, judgement.reasons
    assert "plateau" in judgement.reasons[0]


@pytest.mark.parametrize("at", [500, 1100, 1500])
def test_single_step_is_not_a_leak(at: int) -> None:
    judgement = judge(rss_series(memory_points(step(at, 16e6), seed=at)), [])
    assert judgement.outcome == PASS, judgement.reasons


@pytest.mark.parametrize("seed", SEEDS)
def test_gc_sawtooth_with_rising_minima_is_a_leak(seed: int) -> None:
    # 20 MB of garbage collected every 60 iterations; what survives collection grows 2 KiB per iteration.
    judgement = judge(rss_series(memory_points(sawtooth(60, 20e6, 2048), seed=seed)), [])
    assert judgement.outcome == LEAK, judgement.reasons


@pytest.mark.parametrize("seed", SEEDS)
def test_gc_sawtooth_with_flat_minima_is_not_a_leak(seed: int) -> None:
    judgement = judge(rss_series(memory_points(sawtooth(60, 20e6), seed=seed)), [])
    assert judgement.outcome == PASS, judgement.reasons


def test_leak_every_kth_call_is_a_leak() -> None:
    judgement = judge(rss_series(memory_points(staircase(25, 64 * 1024), seed=3)), [])
    assert judgement.outcome == LEAK, judgement.reasons


def test_significant_growth_below_the_minimum_is_not_a_leak() -> None:
    # 64 B/iter is a real trend in a quiet series, but 112 KiB over the run is below the 256 KiB minimum.
    judgement = judge(rss_series(memory_points(linear(64), seed=5, noise=500)), [])
    assert judgement.outcome == PASS
    assert "growth below the threshold" in judgement.reasons[0]


def test_minimum_growth_scales_with_noise() -> None:
    # 300 B/iter adds ~530 KiB: above the absolute minimum, below 4 sigma of a 1 MB noise floor.
    judgement = judge(rss_series(memory_points(linear(300), seed=7, noise=1e6)), [])
    assert judgement.outcome == PASS
    assert judgement.findings[0].figures["threshold"] > 256 * 1024


def test_samples_several_per_iteration_judge_the_same() -> None:
    points = memory_points(linear(2048), seed=2, samples_per_iter=5)
    assert judge(rss_series(points), []).outcome == LEAK


def test_too_few_samples_are_inconclusive_never_a_pass() -> None:
    # Five samples of a steep leak: no trend can be fitted, so nothing is known either way.
    points = [(float(i), 1e6 + i * 1e6) for i in range(200, 205)]
    judgement = judge(rss_series(points), [])
    assert judgement.outcome == INCONCLUSIVE
    assert judgement.reasons[0].startswith("RSS: 5 measure-phase samples, 30 needed: not judged; raise iterations")


def test_warmup_growth_is_discarded() -> None:
    # 20 MB of arena growth during the 200 warm-up iterations, flat afterwards.
    judgement = judge(rss_series(memory_points(plateau(100e3, until=200), seed=4)), [])
    assert judgement.outcome == PASS, judgement.reasons


@pytest.mark.parametrize("seed", SEEDS)
def test_allocator_warming_up_logarithmically_is_not_a_leak(seed: int) -> None:
    # +5 MiB over the measure phase, but the second half grows a third as fast as the first.
    judgement = judge(rss_series(memory_points(logarithmic(3 * 2**20), seed=seed)), [])
    assert judgement.outcome == PASS, judgement.reasons
    assert "levelling off" in judgement.reasons[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_leak_just_above_the_rss_threshold_is_caught(seed: int) -> None:
    # 256 B/iter = 450 KiB over the measure phase, with page-sized noise.
    judgement = judge(rss_series(memory_points(linear(256), seed=seed, noise=4096)), [])
    assert judgement.outcome == LEAK, judgement.reasons


@pytest.mark.parametrize("floor_per_iter", [0.0, 1024.0])
def test_collection_cycle_longer_than_a_window_uses_wider_windows(floor_per_iter: float) -> None:
    # A 20 MB sawtooth every 150 iterations: longer than the 90-iteration default window.
    points = memory_points(sawtooth(150, 20e6, floor_per_iter), seed=11)
    judgement = judge(rss_series(points), [])
    assert judgement.findings[0].figures["windows"] < 20
    assert judgement.outcome == (LEAK if floor_per_iter else PASS), judgement.reasons
