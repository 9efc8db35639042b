"""run_probe: the phases (setup, warmup, measure, teardown) around a loop body, and the exit status."""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
from collections.abc import Callable
from typing import NoReturn

from ._context import Counters, ProbeContext
from ._events import EventWriter
from ._settings import PROTOCOL_VERSION, ProbeSettings, ProbeUsageError
from ._tracing import SiteTracker, tracing_wanted

Body = Callable[[ProbeContext, int], None]
Hook = Callable[[ProbeContext], None]


def run_probe(
    name: str,
    body: Body,
    *,
    iterations: int = 1000,
    setup: Hook | None = None,
    teardown: Hook | None = None,
    counters: Counters | None = None,
    tick_every: int | None = None,
    fixed_iterations: int | None = None,
    tracemalloc: bool = False,
) -> NoReturn:
    """Runs a probe through its phases, then exits the process.

    - `name`: the probe's name, as in the harness configuration (the harness notes a different one).
    - `body(ctx, i)`: one iteration, i = 0 .. iterations-1; warm-up first, then the measured iterations.
    - `iterations`: the count when LEAKCHECK_ITERATIONS is unset (a probe run by hand).
    - `setup(ctx)`: once, before the first iteration (phase ``setup``), e.g. to load a library into
      ``ctx.state``; `teardown(ctx)`: once after the last (phase ``teardown``), the place for final checks.
    - `counters()`: the probe's own exact figures ({name: number}), added to every tick.
    - `tick_every`: a tick every this many iterations (default: about 200 ticks per run).
    - `fixed_iterations`: run exactly this many, whatever LEAKCHECK_ITERATIONS says (the harness notes it).
    - `tracemalloc`: trace Python allocations from setup on (off by default: tracing costs memory per block; the
      harness turns it on with LEAKCHECK_TRACEMALLOC=1). While tracing, ticks carry ``py_tracemalloc_*`` and the
      sites that grew over the measure phase are written as a ``sites`` event.

    Exit status: 0 when every check held, 1 when one failed or a hook raised (the traceback goes to
    stderr and no ``done`` is written), 2 on bad parameters (a message on stderr, no events).
    """
    _install_stack_dumps()
    try:
        settings = ProbeSettings.from_environment(iterations, tick_every, fixed_iterations=fixed_iterations)
        writer = EventWriter.from_environment()
        sites = SiteTracker(writer, settings.warmup, settings.iterations) if tracing_wanted(tracemalloc) else None
    except ProbeUsageError as exc:
        print(f"leakcheck probe {name}: {exc}", file=sys.stderr)
        sys.exit(2)
    ctx = ProbeContext(settings.iterations, settings.seed, settings.suite, warmup=settings.warmup, name=name,
                       _writer=writer, _counters=counters)
    writer.emit("hello", probe=name, lang="python", protocol=PROTOCOL_VERSION, pid=os.getpid(),
                iterations=settings.iterations, warmup=settings.warmup)
    _run_phases(ctx, writer, settings, body, setup, teardown, sites)
    writer.emit("done", iterations=settings.iterations)
    sys.exit(1 if ctx.failed_checks else 0)


def _run_phases(ctx: ProbeContext, writer: EventWriter, settings: ProbeSettings, body: Body,
                setup: Hook | None, teardown: Hook | None, sites: SiteTracker | None) -> None:
    writer.emit("phase", name="setup")
    if sites is not None:
        sites.start()
    if setup is not None:
        setup(ctx)
    for i in range(settings.iterations):
        if i == 0 and settings.warmup > 0:
            writer.emit("phase", name="warmup")
        if i == settings.warmup:
            writer.emit("phase", name="measure")
        if sites is not None:
            sites.before(i)
        body(ctx, i)
        if settings.ticks_at(i):
            writer.emit("tick", i=i, counters=ctx.counters_now())
    if sites is not None:
        sites.measure_ended()
    writer.emit("phase", name="teardown")
    if teardown is not None:
        teardown(ctx)


def _install_stack_dumps() -> None:
    # A crash prints Python stacks to stderr; SIGUSR1 (sent by the hang watchdog) prints them too, even
    # while a native call holds the GIL, because faulthandler dumps from its C signal handler.
    faulthandler.enable(all_threads=True)
    faulthandler.register(signal.SIGUSR1, all_threads=True, chain=False)
