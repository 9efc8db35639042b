"""What every Python probe of pyjamaz shares: the counters attached to each tick, the baseline taken
when the measure phase starts, and the checks at teardown that fail the probe on a leak by themselves
(exact library counters back to baseline, open files back to baseline, Python-side growth bounded)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyjamaz
from leakcheck_probe import ProbeContext, run_probe
from library_counters import BOUNDED_COUNTERS, EXACT_COUNTERS, library_counters

Work = Callable[[ProbeContext, int], None]
Step = Callable[[ProbeContext], None]


@dataclass(frozen=True)
class PythonBudget:
    """Python-side growth allowed over the measure phase: interpreter noise, not per-iteration leaks."""

    tracemalloc_bytes: int = 64 * 1024
    gc_objects: int = 20


def measure_start(ctx: ProbeContext) -> int:
    """Index of the first measured iteration (the warm-up the SDK announced in hello)."""
    return ctx.warmup


def run_leak_probe(
    name: str,
    work: Work,
    *,
    iterations: int,
    setup: Step | None = None,
    before_final_check: Step | None = None,
    budget: PythonBudget = PythonBudget(),
) -> None:
    """Runs `work` through the SDK's phases; at teardown the probe fails if anything grew."""

    def prepare(ctx: ProbeContext) -> None:
        # Both backends are loaded before the baseline: a backend's first load (imports, cffi's
        # parsed declarations) is one-off Python memory, not growth.
        for backend in pyjamaz.BACKENDS:
            pyjamaz.get_backend(backend)
        if setup is not None:
            setup(ctx)

    def body(ctx: ProbeContext, i: int) -> None:
        if i == measure_start(ctx):
            ctx.state["baseline"] = ctx.counters_now()
        work(ctx, i)

    def teardown(ctx: ProbeContext) -> None:
        if before_final_check is not None:
            before_final_check(ctx)
        check_back_to_baseline(ctx, ctx.state["baseline"], ctx.counters_now(), budget)

    # tracemalloc on: the checks hold Python memory to its exact traced size (py_tracemalloc_current), which the
    # SDK leaves off by default.
    run_probe(name, body, iterations=iterations, setup=prepare, teardown=teardown, counters=library_counters,
              tracemalloc=True)


def check_back_to_baseline(
    ctx: ProbeContext, baseline: dict[str, float], final: dict[str, float], budget: PythonBudget
) -> bool:
    ok = True
    for counter in EXACT_COUNTERS:
        ok &= ctx.check(f"{counter}_growth", final[counter] - baseline[counter], "<=", 0)
    for counter, bound in BOUNDED_COUNTERS.items():
        ok &= ctx.check(f"{counter}_growth", final[counter] - baseline[counter], "<=", bound)
    ok &= ctx.check(
        "py_tracemalloc_growth",
        final["py_tracemalloc_current"] - baseline["py_tracemalloc_current"],
        "<=",
        budget.tracemalloc_bytes,
    )
    ok &= ctx.check(
        "py_gc_objects_growth", final["py_gc_objects"] - baseline["py_gc_objects"], "<=", budget.gc_objects
    )
    return ok


def count_failures(ctx: ProbeContext, key: str) -> None:
    """Counts an unexpected outcome under ctx.state[key]; a probe checks the count is 0 at teardown."""
    ctx.state[key] = ctx.state.get(key, 0) + 1


def check_no_failures(ctx: ProbeContext, key: str) -> None:
    """The teardown check that count_failures(ctx, key) was never called."""
    ctx.check(key, ctx.state.get(key, 0), "==", 0)
