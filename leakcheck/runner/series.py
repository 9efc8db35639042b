"""From what was seen (outside samples, ticks) to the `ProbeSeries` the analysis judges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from leakcheck.analysis import Point, ProbeSeries
from leakcheck.analysis.evidence import MIN_SAMPLED_POINTS
from leakcheck.config import exact_counter_names
from leakcheck.results import Sample, Tick

MEMORY_SIGNALS = ("rss", "vms", "fds", "threads", "processes")
INSIDE_COUNTS = ("fds", "threads")
INSIDE_RSS = "rss"
"""The tick counter the SDKs carry their process's RSS in (docs/protocol.md): a memory signal, never a counter."""
"""Tick counters of these names are the probe process's own counts (docs/protocol.md), judged in place of
the outside samples."""
TIME_WARMUP_FRACTION = 0.1
MIN_END_SAMPLES = 10
"""Outside samples a run needs for its end-of-run figures (a native loop of 3,200 calls ran 2 ms: its one
sample showed 16 KiB of RSS, against 1.8 MiB for 12,800 calls, and scaling read a leak into a full cache)."""
END_SIGNALS = ("rss", "fds", "threads", "processes")
LATE_FRACTION = 0.25
"""A run's end figures are the highest of its last quarter of samples, not its last sample: the last one may
fall in the interpreter's teardown, which frees what the run held (a plateau probe holding 8 MiB ended at
10.8 MiB after 20 iterations and 18.8 MiB after 80, and scaling read a leak into the teardown)."""


def build_series(samples: Sequence[Sample], ticks: Sequence[Tick], *, teardown_at: float | None,
                 exact_patterns: tuple[str, ...], warmup: int | None = None,
                 process_wide_patterns: tuple[str, ...] = ()) -> ProbeSeries:
    """Samples go on the iteration axis (their last tick) when the probe ticks, else on seconds.

    Samples before the first tick (start-up, setup) and from teardown on are left out of the memory
    series: they belong to no iteration. The raw samples are kept in the results regardless.
    The warm-up ends at `warmup`, the iteration a protocol 2 hello announced; without it (protocol 1), at the
    first tick of the measure phase, else at a tenth of the ticked iterations.
    """
    end = teardown_at if teardown_at is not None else float("inf")
    if ticks:
        measured = [s for s in samples if s.i is not None and s.t < end]
        axis = [float(s.i) for s in measured if s.i is not None]
        memory = {name: list(zip(axis, judged_values(measured, name), strict=True)) for name in MEMORY_SIGNALS}
        warmup_end = float(warmup) if warmup is not None else _derived_warmup_end(ticks)
        x_unit = "iter"
    else:
        measured = [s for s in samples if s.t < end]
        memory = {name: list(zip((s.t for s in measured), judged_values(measured, name), strict=True))
                  for name in MEMORY_SIGNALS}
        warmup_end = (measured[-1].t * TIME_WARMUP_FRACTION) if measured else 0.0
        x_unit = "s"
    counters: dict[str, list[Point]] = {}
    for tick in ticks:
        for name, value in tick.counters.items():
            counters.setdefault(name, []).append((float(tick.i), value))
    for name in INSIDE_COUNTS:
        # The SDKs count fds and threads from inside with every tick: exact per iteration, where the outside
        # poll (5 Hz) sees a count that rises in jumps. The outside series stays in the results' samples.
        if name in counters and len(counters[name]) == len(ticks):
            memory[name] = counters.pop(name)
    counters.pop(INSIDE_RSS, None)
    inside = inside_rss(ticks, memory["rss"], warmup_end, [s.processes for s in measured])
    if inside is not None:
        memory["rss"] = inside
    exact = exact_counter_names(exact_patterns, set(counters))
    return ProbeSeries(memory=memory, counters=counters, warmup_end=warmup_end, x_unit=x_unit, exact_counters=exact,
                       process_wide_counters=exact_counter_names(process_wide_patterns, set(counters) - exact))


def anonymous_rss(samples: Sequence[Sample]) -> bool:
    """RSS is judged as its anonymous part (Sample.anon) when every sample has it: what files back (code paged
    in as a runtime runs) is no leak. Older documents have RSS alone."""
    return all(s.anon is not None for s in samples)


def judged_values(samples: Sequence[Sample], name: str) -> list[float]:
    """One signal of the samples, RSS as judged (anonymous_rss)."""
    if name == "rss" and anonymous_rss(samples):
        return [float(s.anon) for s in samples if s.anon is not None]
    return [float(getattr(s, name)) for s in samples]


def inside_rss(ticks: Sequence[Tick], outside: Sequence[Point], warmup_end: float,
               processes: Iterable[int]) -> list[Point] | None:
    """The RSS the SDK carried with every tick, when it stands in for the outside samples: the poll saw too few
    of a short run's measure phase to judge (a loop of 2,000 fast calls ran 0.2 s whatever its iterations, its
    ticks' own cost). Only for a lone process: the probe's own RSS leaves out its children, which the outside
    samples include. None when the outside samples are judged."""
    points = [(float(tick.i), float(tick.counters[INSIDE_RSS])) for tick in ticks if INSIDE_RSS in tick.counters]
    if not points or len(points) != len(ticks) or any(count > 1 for count in processes):
        return None
    return points if sum(1 for x, _ in outside if x >= warmup_end) < MIN_SAMPLED_POINTS else None


def _derived_warmup_end(ticks: Sequence[Tick]) -> float:
    """A protocol 1 probe does not say where its warm-up ends: the first measure tick does, or a tenth."""
    first_measure = next((tick.i for tick in ticks if tick.phase == "measure"), None)
    return float(first_measure if first_measure is not None else ticks[-1].i * TIME_WARMUP_FRACTION)


def end_of_run_figures(samples: Sequence[Sample], peak_rss: int,
                       exit_snapshot: Mapping[str, float] | None = None) -> dict[str, float]:
    """What a run left at its end: its peak RSS (the sampler's, which holds the kernel's high-water mark, so
    a start-up spike counts the same in every run whenever the samples fell), the highest RSS, fds, threads
    and processes of its last samples, and the preload counter's exit snapshot (live blocks and bytes; its
    fds and threads, counted at exit() from inside, replace the outside poll's): the figures two-point
    scaling compares (analysis.scaling)."""
    figures: dict[str, float] = {}
    if len(samples) >= MIN_END_SAMPLES:  # a process of a few ms is sampled once, at its start: no end figures
        late = samples[-max(1, int(len(samples) * LATE_FRACTION)):]
        figures = {"peak_rss": float(peak_rss), **{name: max(judged_values(late, name)) for name in END_SIGNALS}}
    return {**figures, **(exit_snapshot or {})}
