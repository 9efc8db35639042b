"""leakcheck's rank statistics against scipy's (a test-only dependency) on seeded series: slopes, intervals and
p-values agree to rounding, on the exact and the asymptotic paths, with and without ties."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats  # type: ignore[import-untyped]

from leakcheck.analysis import stats

SEEDS = range(12)


def _series(seed: int, n: int, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.arange(n, dtype=float)
    y = rng.normal(0.0, 1.0, n) + rng.choice([0.0, 0.05, 0.3]) * x
    return x, np.round(y) if ties else y


@pytest.mark.parametrize("n", [3, 8, 20, 33, 34, 60])
@pytest.mark.parametrize("ties", [False, True])
def test_theil_sen_and_kendall_match_scipy(n: int, ties: bool) -> None:
    for seed in SEEDS:
        x, y = _series(seed, n, ties)
        ours = stats.theil_sen(y, x)
        theirs = scipy_stats.theilslopes(y, x, alpha=0.95)
        assert (ours.slope, ours.intercept, ours.ci_low, ours.ci_high) == pytest.approx(tuple(theirs)[:4])
        expected = scipy_stats.kendalltau(x, y, alternative="greater").pvalue
        assert stats.kendall_rising_p(x, y) == pytest.approx(expected, rel=1e-9, abs=1e-12, nan_ok=True)


def test_kendall_is_nan_for_a_constant_series() -> None:
    assert np.isnan(stats.kendall_rising_p(np.arange(5.0), np.ones(5)))


def test_median_abs_deviation_matches_scipy() -> None:
    values = np.random.default_rng(3).standard_t(3, 101)
    assert stats.median_abs_deviation(values) == pytest.approx(
        scipy_stats.median_abs_deviation(values, scale="normal"))


@pytest.mark.parametrize(("n1", "n2"), [(3, 3), (5, 8), (8, 30), (12, 15), (40, 9)])
@pytest.mark.parametrize("ties", [False, True])
def test_mann_whitney_matches_scipy(n1: int, n2: int, ties: bool) -> None:
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        first = rng.normal(rng.choice([0.0, 0.5, 2.0]), 1.0, n1)
        second = rng.normal(0.0, 1.0, n2)
        if ties:
            first, second = np.round(first), np.round(second)
        expected = scipy_stats.mannwhitneyu(first, second, alternative="greater").pvalue
        assert stats.mann_whitney_greater_p(list(first), list(second)) == pytest.approx(
            expected, rel=1e-9, abs=1e-12, nan_ok=True)
