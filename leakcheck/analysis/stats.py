"""The four rank statistics the verdicts use, on numpy alone: Theil–Sen slope with Sen's confidence
interval, Kendall's tau-b test for a rising series, the normal-consistent median absolute deviation and the
one-sided Mann–Whitney U test.

Why not scipy: it is 113 MB of the harness's install for four functions, and leakcheck is installed into
other people's environments. Each function follows scipy 1.17's definitions (exact p-values where scipy
uses them, the same asymptotic forms and tie corrections elsewhere); tests/analysis/test_stats.py checks
them against scipy on seeded series.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

MAD_NORMAL_SCALE = 1.482602218505602
"""1 / Φ⁻¹(3/4): makes the median absolute deviation estimate σ for normal data."""
KENDALL_EXACT_MAX_N = 33
MWU_EXACT_MAX_SMALLER = 8
_NORMAL = NormalDist()


@dataclass(frozen=True)
class TheilSen:
    slope: float
    intercept: float
    ci_low: float
    ci_high: float


def theil_sen(y: Sequence[float] | np.ndarray, x: Sequence[float] | np.ndarray,
              confidence: float = 0.95) -> TheilSen:
    """Median of the pairwise slopes; intercept median(y) - slope·median(x); Sen's (1968) interval."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    dx = xs[:, np.newaxis] - xs
    dy = ys[:, np.newaxis] - ys
    slopes = np.sort(dy[dx > 0] / dx[dx > 0])
    if not slopes.size:
        return TheilSen(math.nan, math.nan, math.nan, math.nan)
    slope = float(np.median(slopes))
    intercept = float(np.median(ys) - slope * np.median(xs))
    z = _NORMAL.inv_cdf((1 - confidence) / 2)
    n = len(ys)
    sigma = math.sqrt((n * (n - 1) * (2 * n + 5) - _tie_term(xs) - _tie_term(ys)) / 18)
    upper = min(int(np.round((slopes.size - z * sigma) / 2)), slopes.size - 1)
    lower = max(int(np.round((slopes.size + z * sigma) / 2)) - 1, 0)
    return TheilSen(slope, intercept, float(slopes[lower]), float(slopes[upper]))


def median_abs_deviation(values: Sequence[float] | np.ndarray) -> float:
    """Scaled to estimate the standard deviation of normal data."""
    data = np.asarray(values, dtype=float)
    return float(np.median(np.abs(data - np.median(data))) * MAD_NORMAL_SCALE)


def kendall_rising_p(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """One-sided p-value of Kendall's tau-b against "y does not rise with x" (nan when one side is constant)."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(xs)
    sign = np.sign(xs[:, np.newaxis] - xs) * np.sign(ys[:, np.newaxis] - ys)
    upper = np.triu_indices(n, k=1)
    concordant = int(np.sum(sign[upper] > 0))
    discordant = int(np.sum(sign[upper] < 0))
    total = n * (n - 1) // 2
    x_ties, y_ties = _tied_pairs(xs), _tied_pairs(ys)
    if x_ties == total or y_ties == total:
        return math.nan
    if x_ties == 0 and y_ties == 0 and (n <= KENDALL_EXACT_MAX_N or min(discordant, total - discordant) <= 1):
        return _kendall_exact_greater(n, concordant)
    m = n * (n - 1.0)
    variance = ((m * (2 * n + 5) - _tie_term(xs) - _tie_term(ys)) / 18
                + (2 * x_ties * y_ties) / m + _tie_cubic(xs) * _tie_cubic(ys) / (9 * m * (n - 2)))
    return 1 - _NORMAL.cdf((concordant - discordant) / math.sqrt(variance))


def mann_whitney_greater_p(first: Sequence[float], second: Sequence[float]) -> float:
    """One-sided p-value against "values of `first` are not stochastically greater than `second`'s"."""
    n1, n2 = len(first), len(second)
    combined = np.asarray([*first, *second], dtype=float)
    ranks, tie_counts = _average_ranks(combined)
    u = float(np.sum(ranks[:n1]) - n1 * (n1 + 1) / 2)
    if (n1 <= MWU_EXACT_MAX_SMALLER or n2 <= MWU_EXACT_MAX_SMALLER) and not np.any(tie_counts > 1):
        return min(max(_mwu_exact_sf(int(u), n1, n2), 0.0), 1.0)
    n = n1 + n2
    tie_term = float(np.sum(tie_counts**3 - tie_counts))
    spread = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    if spread == 0:
        return math.nan
    return 1 - _NORMAL.cdf((u - n1 * n2 / 2 - 0.5) / spread)


def _tie_counts(values: np.ndarray) -> np.ndarray:
    _, counts = np.unique(values, return_counts=True)
    return counts[counts > 1].astype(float)


def _tie_term(values: np.ndarray) -> float:
    counts = _tie_counts(values)
    return float(np.sum(counts * (counts - 1) * (2 * counts + 5)))


def _tied_pairs(values: np.ndarray) -> int:
    counts = _tie_counts(values)
    return int(np.sum(counts * (counts - 1) // 2))


def _tie_cubic(values: np.ndarray) -> float:
    counts = _tie_counts(values)
    return float(np.sum(counts * (counts - 1) * (counts - 2)))


def _kendall_exact_greater(n: int, concordant: int) -> float:
    """P(C ≥ concordant) over the n! equally likely orders: the Mahonian numbers (inversion counts)."""
    total = n * (n - 1) // 2
    counts = [1]
    for size in range(2, n + 1):  # permutations of `size` by inversions, from those of size - 1
        grown = [0] * (len(counts) + size - 1)
        for inversions, ways in enumerate(counts):
            for extra in range(size):
                grown[inversions + extra] += ways
        counts = grown
    discordant = total - concordant
    return sum(counts[: discordant + 1]) / math.factorial(n)


def _mwu_exact_sf(u: int, n1: int, n2: int) -> float:
    """P(U ≥ u): U's distribution is the Gaussian binomial coefficient [n1+n2, n1] in q."""
    coefficients = [1]
    for i in range(1, n1 + 1):  # multiply by (1 - q^(n2+i)) / (1 - q^i)
        shifted = coefficients + [0] * (n2 + i)
        for k in range(len(shifted) - 1, n2 + i - 1, -1):
            shifted[k] -= shifted[k - n2 - i]
        for k in range(i, len(shifted)):
            shifted[k] += shifted[k - i]
        coefficients = shifted[: n1 * n2 + 1]
    return sum(coefficients[u:]) / math.comb(n1 + n2, n1)


def _average_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-based ranks, ties sharing their mean rank, and the size of each group of equal values."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    starts = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    group = np.cumsum(starts) - 1
    counts = np.bincount(group).astype(float)
    ends = np.cumsum(counts)
    mean_rank = ends - (counts - 1) / 2
    ranks = np.empty(len(values))
    ranks[order] = mean_rank[group]
    return ranks, counts
