"""Figures in reasons, and the shaping of series before the statistics."""

from __future__ import annotations

import pytest

from leakcheck.analysis.series import after_warmup, window_floors
from leakcheck.units import format_bytes, format_count, format_rate, format_span


@pytest.mark.parametrize(("value", "text"), [
    (0, "0 B"), (512, "512 B"), (1046, "1.02 KiB"), (64 * 2**20, "64.0 MiB"), (3 * 2**30, "3.00 GiB"),
    (-2048, "-2.00 KiB"),
])
def test_format_bytes(value: float, text: str) -> None:
    assert format_bytes(value) == text


def test_signed_figures() -> None:
    assert format_bytes(2048, signed=True) == "+2.00 KiB"
    assert format_count(1800, signed=True) == "+1,800"
    assert format_count(0.5) == "0.50"


def test_rate_and_interval_share_one_scale() -> None:
    assert format_rate(1046, 993, 1096, "bytes", "iter") == "1.02 KiB/iter, 95% CI [0.97, 1.07]"
    assert format_rate(1.0, 0.99, 1.01, "count", "iter") == "1.00/iter, 95% CI [0.99, 1.01]"
    assert format_span(1799, "iter") == "1,799 iterations"
    assert format_span(12.34, "s") == "12.3 s"


def test_after_warmup_sorts_and_cuts() -> None:
    assert after_warmup([(5.0, 1.0), (1.0, 9.0), (3.0, 2.0)], 3.0) == [(3.0, 2.0), (5.0, 1.0)]


def test_window_floors_are_the_lowest_point_of_each_window() -> None:
    points = [(float(x), float(100 + (x % 10) - x // 10)) for x in range(100)]
    floors = window_floors(points, 10)
    assert floors == [(float(10 * w), float(100 - w)) for w in range(10)]


def test_window_floors_skip_empty_windows() -> None:
    assert window_floors([(0.0, 1.0), (100.0, 2.0)], 10) == [(0.0, 1.0), (100.0, 2.0)]
