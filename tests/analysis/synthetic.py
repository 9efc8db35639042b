"""Seeded synthetic series shaped like what a sampler sees: ~10 samples per tick, page-rounded RSS."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from leakcheck.analysis import Point, ProbeSeries

ITERATIONS = 2000
WARMUP = 200
BASE = 60e6
PAGE = 4096


def memory_points(shape: Callable[[np.ndarray], np.ndarray], *, seed: int, noise: float = 30e3,
                  samples_per_iter: int = 1, iterations: int = ITERATIONS) -> list[Point]:
    """RSS = BASE + shape(iteration) + Gaussian noise, rounded to whole pages like a real RSS."""
    rng = np.random.default_rng(seed)
    x = np.repeat(np.arange(iterations, dtype=float), samples_per_iter)
    y = BASE + shape(x) + rng.normal(0.0, noise, x.size)
    y = np.round(y / PAGE) * PAGE
    return list(zip(x.tolist(), y.tolist(), strict=True))


def rss_series(points: list[Point], **counters: list[Point]) -> ProbeSeries:
    return ProbeSeries(memory={"rss": points}, counters=counters, warmup_end=WARMUP, x_unit="iter",
                       exact_counters=frozenset(counters))


def linear(per_iter: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: per_iter * x


def step(at: float, height: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: np.where(x >= at, height, 0.0)


def plateau(per_iter: float, until: float) -> Callable[[np.ndarray], np.ndarray]:
    """A bounded cache: grows per iteration until it is full, then stays."""
    return lambda x: per_iter * np.minimum(x, until)


def sawtooth(period: float, amplitude: float, floor_per_iter: float = 0.0) -> Callable[[np.ndarray], np.ndarray]:
    """Garbage piling up and collected every `period` iterations; the floor rises only with a leak."""
    return lambda x: amplitude * (x % period) / period + floor_per_iter * x


def staircase(every: int, height: float) -> Callable[[np.ndarray], np.ndarray]:
    """A leak of `height` bytes on every `every`-th call."""
    return lambda x: height * np.floor(x / every)


def flat() -> Callable[[np.ndarray], np.ndarray]:
    return np.zeros_like


def logarithmic(scale: float) -> Callable[[np.ndarray], np.ndarray]:
    """An allocator or cache warming up: each new size class or arena is needed ever more rarely."""
    return lambda x: scale * np.log1p(x / 50)
