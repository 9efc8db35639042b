"""From what was seen (outside samples, ticks) to the `ProbeSeries` the analysis judges."""

from __future__ import annotations

from collections.abc import Sequence

from leakcheck.analysis import Point, ProbeSeries
from leakcheck.config import exact_counter_names
from leakcheck.results import Sample, Tick

MEMORY_SIGNALS = ("rss", "vms", "fds", "threads")
TIME_WARMUP_FRACTION = 0.1


def build_series(samples: Sequence[Sample], ticks: Sequence[Tick], *, teardown_at: float | None,
                 exact_patterns: tuple[str, ...]) -> ProbeSeries:
    """Samples go on the iteration axis (their last tick) when the probe ticks, else on seconds.

    Samples before the first tick (start-up, setup) and from teardown on are left out of the memory
    series: they belong to no iteration. The raw samples are kept in the results regardless.
    """
    end = teardown_at if teardown_at is not None else float("inf")
    if ticks:
        measured = [s for s in samples if s.i is not None and s.t < end]
        memory = {name: [(float(s.i), float(getattr(s, name))) for s in measured if s.i is not None]
                  for name in MEMORY_SIGNALS}
        first_measure = next((tick.i for tick in ticks if tick.phase == "measure"), None)
        warmup_end = float(first_measure if first_measure is not None
                           else ticks[-1].i * TIME_WARMUP_FRACTION)
        x_unit = "iter"
    else:
        measured = [s for s in samples if s.t < end]
        memory = {name: [(s.t, float(getattr(s, name))) for s in measured] for name in MEMORY_SIGNALS}
        warmup_end = (measured[-1].t * TIME_WARMUP_FRACTION) if measured else 0.0
        x_unit = "s"
    counters: dict[str, list[Point]] = {}
    for tick in ticks:
        for name, value in tick.counters.items():
            counters.setdefault(name, []).append((float(tick.i), value))
    return ProbeSeries(memory=memory, counters=counters, warmup_end=warmup_end, x_unit=x_unit,
                       exact_counters=exact_counter_names(exact_patterns, set(counters)))
