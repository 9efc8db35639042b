"""Counts judged as counts, by integer rules rather than the RSS trend: a count that rises in jumps (fds
polled at 5 Hz, a thread started now and then) misleads the trend's step and plateau guards.

- **exact** (a counter the code under test owns: its live allocations, handles): `baseline_finding`, any net
  growth from the start to the end of the measure phase beyond the allowance (`counter_growth`) is a leak.
- **process-wide** (exact, but shared with the runtime: open fds, threads, child processes, Python's
  allocated blocks and GC objects, the preload counter's live blocks and bytes): `segment_finding`, the rule
  of CPython's refleak hunter. `regrtest -R` runs a test a few times after warm-ups and calls it leaking only
  when *every* run's delta is ≥ 1 (Lib/test/libregrtest/refleak.py, `check_rc_deltas`: "[3, 0, 0]",
  "[0, 1, 0]" and "[8, -8, 1]" are false positives to ignore, "[5, 5, 6]" and "[10, 1, 1]" leaks). Here the
  measure phase (after the probe's own warm-up, as -R's warm-ups) is cut into SEGMENTS equal spans, each
  represented by its floor (its lowest value, which a transient open or a GC sawtooth does not move); a leak
  when each floor is above the one before it (every segment grew) and the last floor exceeds the first by more
  than the allowance (`fd_growth`, `thread_growth`, `counter_growth`). A one-off +1 raises one segment, a pool
  that fills up the first ones; only growth that goes on with the calls raises them all. A leak rarer than
  once per segment is below this rule's resolution (and left to RSS and the exact counters).
  Growth in every segment that slows down (the second half of the measure phase rises less than SLOWING of the
  first half's rise) is not called a leak but borderline: a library's caches warming up look like that (a Zig
  probe's preload blocks: floors 7,727, 7,739, 7,748, 7,752, 7,754, flat by 4,000 iterations), and escalation's
  longer run tells them from a leak, which rises alike in both halves.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from leakcheck.analysis import signals
from leakcheck.analysis.evidence import lacking
from leakcheck.analysis.model import Finding, Point, ProbeSeries
from leakcheck.analysis.series import after_warmup, span
from leakcheck.units import format_quantity, format_span

SEGMENTS = 5
"""Five floors, four rises: stationary noise orders five floors increasingly 1 time in 120."""
SLOWING = 0.5
STEP_SHARE = 0.75
"""One segment that carries more than this share of the net growth is a step (a one-off), not a leak."""
RUNTIME_NOISE = {"preload_live_blocks": 64.0, "preload_live_bytes": 64.0 * 1024}
"""The least net growth of the preload counter's figures that can be a leak: a process's libraries fill their
own caches as it runs, by a few blocks a segment and slowing down (an image codec library's clean probes: +63
blocks and +34 KiB over 449 iterations from Zig, +62 blocks and +41 KiB over 134 from Node). A leak of 16 B a
call passes both within 64 calls. (The clean Node loop once quoted here, +38 blocks and +34 KiB over 1,799
iterations, was koffi's own leak in `koffi.decode` with a length, ~18 B a call.)"""
MIN_POINTS_PER_SEGMENT = 2
MIN_EXACT_POINTS = 2
"""An exact counter needs a start and an end of the measure phase."""


def baseline_finding(name: str, points: Sequence[Point], series: ProbeSeries, allowed: float) -> Finding:
    """An exact counter must end where the measure phase began (up to `allowed`)."""
    measured = after_warmup(points, series.warmup_end)
    label, unit = signals.label(name), signals.unit(name)
    signal = f"counter:{name}"
    if len(measured) < MIN_EXACT_POINTS:
        return lacking(signal, label, "baseline", len(measured), MIN_EXACT_POINTS, "ticks", series, measured)
    baseline, final = measured[0][1], measured[-1][1]
    growth = final - baseline
    length = span(measured)
    figures = {"baseline": baseline, "final": final, "growth": growth, "allowed": allowed,
               "span": length, "per_x": growth / length if length else 0.0}
    detail = (f"{label} {format_quantity(growth, unit, signed=True)} over "
              f"{format_span(length, series.x_unit)} (baseline {format_quantity(baseline, unit)}, "
              f"final {format_quantity(final, unit)})")
    failed = growth > allowed
    verdict = "did not return to baseline" if failed else "returned to baseline"
    tolerance = f", allowed {format_quantity(allowed, unit, signed=True)}" if allowed else ""
    return Finding(signal, "baseline", failed, figures, f"{detail}: {verdict}{tolerance}")


def segment_finding(signal: str, name: str, points: Sequence[Point], series: ProbeSeries, allowed: float) -> Finding:
    """A process-wide count: a leak when every segment's floor rises and the net growth exceeds `allowed`."""
    measured = after_warmup(points, series.warmup_end)
    label, unit = signals.label(name), signals.unit(name)
    segments = _segments(measured)
    noun = "ticks" if series.x_unit == "iter" and len({x for x, _ in measured}) == len(measured) else "samples"
    if segments is None:
        return lacking(signal, label, "segments", len(measured), SEGMENTS * MIN_POINTS_PER_SEGMENT, noun, series,
                       measured, f" ({MIN_POINTS_PER_SEGMENT} in each of {SEGMENTS} segments)")
    lowest = [min(segment, key=lambda point: point[1]) for segment in segments]
    floors = [value for _, value in lowest]
    rises = sum(later > earlier for earlier, later in itertools.pairwise(floors))
    growth = floors[-1] - floors[0]
    length = span(measured)
    allowed = max(allowed, RUNTIME_NOISE.get(name, 0.0))
    # Per iteration between the first and the last floor, where they were: a steady leak's floors sit at their
    # segments' starts, four fifths of the span apart (over the whole span a 1,032 B leak read as 827 B).
    between = lowest[-1][0] - lowest[0][0]
    figures = {"segments": float(SEGMENTS), "rises": float(rises), "growth": growth, "allowed": allowed,
               "first": floors[0], "last": floors[-1], "span": length, "per_x": growth / between if between else 0.0}
    shown = ", ".join(format_quantity(f, unit) for f in floors)
    detail = (f"{label} {format_quantity(growth, unit, signed=True)} over {format_span(length, series.x_unit)}, "
              f"rising in {rises} of {SEGMENTS - 1} segments (floors {shown})")
    every = rises == SEGMENTS - 1
    tolerance = f", allowed {format_quantity(allowed, unit, signed=True)}" if allowed else ""
    middle = floors[SEGMENTS // 2]
    first_half, second_half = middle - floors[0], floors[-1] - middle
    largest = max(later - earlier for earlier, later in itertools.pairwise(floors))
    if every and growth > allowed and largest > STEP_SHARE * growth:
        return Finding(signal, "segments", False, figures,
                       f"{detail}: not a leak: one segment carries {largest / growth:.0%} of the growth (a step)")
    if every and growth > allowed and second_half < SLOWING * first_half:
        return Finding(signal, "segments", False, figures,
                       f"{detail}: not a leak yet: grows in every segment but slowing down (second half "
                       f"{format_quantity(second_half, unit, signed=True)}, first "
                       f"{format_quantity(first_half, unit, signed=True)}): a cache warming up?",
                       borderline="growth slowing down: a longer run tells a cache from a leak")
    if every and growth > allowed:
        return Finding(signal, "segments", True, figures, f"{detail}: grows in every segment{tolerance}")
    why = ("no growth" if rises == 0 else "not in every segment (a one-off, or a pool filling up)") if not every \
        else f"within the allowance{tolerance}"
    return Finding(signal, "segments", False, figures, f"{detail}: not a leak: {why}")


def _segments(measured: Sequence[Point]) -> list[list[Point]] | None:
    """SEGMENTS equal x-spans of the measure phase, or None when one has fewer than MIN_POINTS_PER_SEGMENT."""
    if len(measured) < SEGMENTS * MIN_POINTS_PER_SEGMENT:
        return None
    first, length = measured[0][0], span(measured)
    if length <= 0:
        return None
    segments: list[list[Point]] = [[] for _ in range(SEGMENTS)]
    for point in measured:
        segments[min(int((point[0] - first) / length * SEGMENTS), SEGMENTS - 1)].append(point)
    return segments if all(len(s) >= MIN_POINTS_PER_SEGMENT for s in segments) else None
