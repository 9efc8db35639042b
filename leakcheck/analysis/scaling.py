"""Two-point scaling for a probe with no iteration axis (it never ticks): the same probe run at N and at 4N
iterations (LEAKCHECK_ITERATIONS), its end-of-run figures compared. A leak scales with N; a plateau does not.

The figures are a generic mapping {name: number} per run (today the outside sampler's peak and last RSS and
its last fds, threads and processes; an exit snapshot's figures plug in by name). For each figure, the last
step (from the run before to the last run):
- grows when it rises by more than its threshold: for bytes the larger of MIN_BYTES and RELATIVE_NOISE of the
  earlier value (two fresh processes differ by a few pages and some allocator slack), for counts the growth
  the probe allows (`fd_growth`, `thread_growth`, `counter_growth`; default 0);
- a growing step is a leak, *confirmed* when the step before it grew too and the growth per added iteration
  kept up (at least PROPORTIONAL of the earlier step's): a cache that fills between N and 4N grows once, a
  leak in every step. An unconfirmed growth is a leak marked borderline, so that escalation runs 4× more to
  confirm it (or clear it: the next step is flat);
- a flat step is a plateau only if the last run took at least DURATION_GROWTH × as long as the run before:
  otherwise the probe may not read LEAKCHECK_ITERATIONS (or its start-up dwarfs its loop), and flat figures
  prove nothing (inconclusive).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leakcheck.analysis import signals
from leakcheck.analysis.model import Finding
from leakcheck.units import format_quantity

MIN_BYTES = 256 * 1024
"""As the trend's smallest growth: below it RSS cannot tell a leak from the allocator's slack."""
RELATIVE_NOISE = 0.1
PROPORTIONAL = 0.5
DURATION_GROWTH = 2.0
COUNT_ALLOWANCES = {"fds": "fd_growth", "threads": "thread_growth"}
OWN_COUNTS = frozenset({"fds", "threads", "processes"})
"""Counts of the probe's own resources, exact at exit: a growth of ONE_STEP_COUNT or more in one step is
confirmed at once (a pool grows by a handful; 16 more fds or threads in a run 4× as long is no pool)."""
ONE_STEP_COUNT = 16.0
COUNT_NOISE = 16.0
"""Other counts at exit (the preload counter's live blocks) move by a few blocks between two fresh processes
(the runtime's own start-up): a step must exceed this as well as the allowance to grow."""
"""Which limit allows a count figure growth; other counts take `counter_growth`."""


@dataclass(frozen=True)
class RunFigures:
    """One run of a tick-less probe: its iterations, its duration and its end-of-run figures."""

    iterations: int
    duration_s: float
    figures: Mapping[str, float]


def scaling_findings(runs: Sequence[RunFigures], allowances: Mapping[str, float]) -> list[Finding]:
    """A finding per figure present in the last two runs (in increasing iterations); none with fewer runs.
    `allowances`: limit key ("fd_growth", ...) to its value."""
    ordered = sorted(runs, key=lambda run: run.iterations)
    if len(ordered) < 2 or ordered[-2].iterations == ordered[-1].iterations:
        return []
    shared = [name for name in ordered[-1].figures if name in ordered[-2].figures]
    return [_figure_finding(name, ordered, allowances) for name in shared]


def _figure_finding(name: str, runs: Sequence[RunFigures], allowances: Mapping[str, float]) -> Finding:
    with_figure = [run for run in runs if name in run.figures]
    before, last = with_figure[-2], with_figure[-1]
    unit = signals.unit(name) if name != "peak_rss" else "bytes"
    step = last.figures[name] - before.figures[name]
    threshold = _threshold(name, unit, before.figures[name], allowances)
    added = last.iterations - before.iterations
    figures = {"before": before.figures[name], "after": last.figures[name], "growth": step, "threshold": threshold,
               "iterations_before": float(before.iterations), "iterations_after": float(last.iterations),
               "per_x": step / added}
    label = "peak RSS" if name == "peak_rss" else signals.label(name)
    detail = (f"{label} at the end of a run: {format_quantity(before.figures[name], unit)} after "
              f"{before.iterations:,} iterations, {format_quantity(last.figures[name], unit)} after "
              f"{last.iterations:,} ({format_quantity(step, unit, signed=True)}, "
              f"{format_quantity(step / added, unit, signed=True)}/iter; threshold {format_quantity(threshold, unit)})")
    signal = f"scaling:{name}"
    if step > threshold:
        if _confirmed(name, with_figure, allowances) or (name in OWN_COUNTS and step >= ONE_STEP_COUNT):
            return Finding(signal, "scaling", True, figures, f"{detail}: grows with the iterations, in every step")
        return Finding(signal, "scaling", True, figures, f"{detail}: grows with the iterations (one step)",
                       borderline="growth seen in one step only: confirmed or cleared by a run 4× as long")
    if last.duration_s >= DURATION_GROWTH * before.duration_s:
        return Finding(signal, "scaling", False, figures, f"{detail}: not a leak: does not grow with the iterations")
    return Finding(signal, "scaling", False, figures,
                   f"{detail}: not judged: the run with more iterations took {last.duration_s:.2f} s, the one "
                   f"before {before.duration_s:.2f} s, so flat figures prove nothing (does the probe read "
                   f"LEAKCHECK_ITERATIONS? or its start-up dwarfs its loop: raise iterations)", inconclusive=True)


def _confirmed(name: str, runs: Sequence[RunFigures], allowances: Mapping[str, float]) -> bool:
    """The step before the last grew above its threshold too, and the last kept up with it per iteration."""
    if len(runs) < 3:
        return False
    first, middle, last = runs[-3], runs[-2], runs[-1]
    unit = signals.unit(name) if name != "peak_rss" else "bytes"
    earlier = middle.figures[name] - first.figures[name]
    if earlier <= _threshold(name, unit, first.figures[name], allowances):
        return False
    earlier_rate = earlier / (middle.iterations - first.iterations)
    later_rate = (last.figures[name] - middle.figures[name]) / (last.iterations - middle.iterations)
    return later_rate >= PROPORTIONAL * earlier_rate


def _threshold(name: str, unit: str, before: float, allowances: Mapping[str, float]) -> float:
    if unit == "bytes":
        return max(MIN_BYTES, RELATIVE_NOISE * before)
    allowed = allowances.get(COUNT_ALLOWANCES.get(name, "counter_growth"), 0.0)
    return allowed if name in OWN_COUNTS else max(allowed, COUNT_NOISE)
