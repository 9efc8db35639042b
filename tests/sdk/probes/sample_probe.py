"""A probe of the SDK tests: counts calls, optionally fails a check or hangs, per environment."""

import os
import time

from leakcheck_probe import ProbeContext, run_probe


def setup(ctx: ProbeContext) -> None:
    ctx.state["calls"] = 0


def body(ctx: ProbeContext, i: int) -> None:
    ctx.state["calls"] += 1
    if os.environ.get("SAMPLE_HANG_AT") == str(i):
        time.sleep(3600)
    if os.environ.get("SAMPLE_THROW_AT") == str(i):
        raise RuntimeError(f"thrown at {i}")


def teardown(ctx: ProbeContext) -> None:
    limit = float(os.environ.get("SAMPLE_CHECK_LIMIT", "0"))
    ctx.check("calls_made", ctx.state["calls"], ">=", limit)


run_probe("python.sample", body, iterations=50, setup=setup, teardown=teardown,
          counters=lambda: {"calls": 0.0})
