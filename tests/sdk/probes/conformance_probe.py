"""The conformance probe in Python; conformance_probe.js and .zig do the same, driven by the same variables:

CONFORMANCE_NAME (the name in hello), CONFORMANCE_FIXED (a fixed iteration count, overriding
LEAKCHECK_ITERATIONS), CONFORMANCE_LEAK=1 (the exact counter live_items grows by one per iteration),
CONFORMANCE_THROW_AT (the body raises at that iteration), CONFORMANCE_CHECK_LIMIT (teardown checks
calls_made >= it), CONFORMANCE_PAUSE_MS (each iteration sleeps this long, so that a run is long enough to be
sampled and judged rather than INCONCLUSIVE). Python only: CONFORMANCE_HANG_AT (the body sleeps there, for the stack dump on SIGUSR1).
"""

import os
import time

from leakcheck_probe import ProbeContext, run_probe

LEAK = os.environ.get("CONFORMANCE_LEAK") == "1"
THROW_AT = os.environ.get("CONFORMANCE_THROW_AT")
HANG_AT = os.environ.get("CONFORMANCE_HANG_AT")
FIXED = os.environ.get("CONFORMANCE_FIXED")
PAUSE_S = int(os.environ.get("CONFORMANCE_PAUSE_MS", "0")) / 1000
live = {"items": 0}


def setup(ctx: ProbeContext) -> None:
    ctx.state["calls"] = 0


def body(ctx: ProbeContext, i: int) -> None:
    ctx.state["calls"] += 1
    if LEAK:
        live["items"] += 1
    if str(i) == HANG_AT:
        time.sleep(3600)
    if PAUSE_S:
        time.sleep(PAUSE_S)
    if str(i) == THROW_AT:
        raise RuntimeError(f"thrown at {i}")


def teardown(ctx: ProbeContext) -> None:
    ctx.check("calls_made", ctx.state["calls"], ">=", float(os.environ.get("CONFORMANCE_CHECK_LIMIT", "0")))


run_probe(os.environ.get("CONFORMANCE_NAME", "python.conformance"), body, iterations=50, setup=setup,
          teardown=teardown, counters=lambda: {"live_items": float(live["items"])},
          fixed_iterations=int(FIXED) if FIXED else None)
