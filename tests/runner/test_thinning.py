"""A thinned series: bounded whatever the stream's length, evenly spread over it, floors and peaks kept."""

from __future__ import annotations

import random

import pytest

from leakcheck.thinning import Thinned, lowest_and_highest, starts_and_last, thinned

LOW_HIGH = lowest_and_highest(lambda x: float(x[1]))


def stream(count: int, seed: int = 1) -> list[tuple[int, float]]:
    rng = random.Random(seed)
    return [(k, rng.gauss(0, 1)) for k in range(count)]


@pytest.mark.parametrize("count", [0, 1, 7, 1_000, 1_001, 65_537, 400_000])
def test_never_more_than_the_capacity_and_all_of_a_short_stream(count: int) -> None:
    items = stream(count)
    kept = thinned(items, 1_000, LOW_HIGH)
    assert len(kept) <= 1_000
    assert kept == items if count <= 1_000 else len(kept) >= 500
    assert [k for k, _ in kept] == sorted(k for k, _ in kept)


def test_the_lowest_and_the_highest_of_the_stream_survive_any_thinning() -> None:
    items = stream(250_000, seed=4)
    items[123_457] = (123_457, 99.0)
    items[7] = (7, -99.0)
    kept = thinned(items, 600, LOW_HIGH)
    assert (123_457, 99.0) in kept and (7, -99.0) in kept


def test_old_and_new_stretches_are_thinned_alike() -> None:
    kept = [k for k, _ in thinned(stream(100_000), 1_000, LOW_HIGH)]
    first, second = sum(k < 50_000 for k in kept), sum(k >= 50_000 for k in kept)
    assert abs(first - second) < 0.1 * len(kept), (first, second)


def test_the_first_item_of_each_phase_and_the_last_are_kept() -> None:
    phases = ["setup"] * 3 + ["warmup"] * 9_997 + ["measure"] * 90_000 + ["teardown"]
    items = list(enumerate(phases))
    kept = thinned(items, 200, starts_and_last(lambda x: x[1]))
    assert len(kept) <= 200
    assert {(0, "setup"), (3, "warmup"), (10_000, "measure"), (100_000, "teardown")} <= set(kept)


def test_a_running_series_stays_bounded_and_counts_everything() -> None:
    series: Thinned[tuple[int, float]] = Thinned(512, LOW_HIGH)
    for item in stream(1_000_000):
        series.append(item)
        assert len(series) <= 512 + 8
    assert series.count == 1_000_000 and len(series.items()) <= 512 + 2


def test_a_capacity_too_small_to_thin_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        Thinned(2, LOW_HIGH)
