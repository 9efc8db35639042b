"""Probe SDK for Python probes: protocol v1 events on the pipe named by ``LEAKCHECK_FD``.

A probe is a loop body; this module runs the phases (setup, warmup, measure, teardown), writes the
events and adds the Python-side counters (tracemalloc, gc objects) to every tick.
"""

from __future__ import annotations

import faulthandler
import gc
import json
import os
import signal
import sys
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, NoReturn

PROTOCOL_VERSION = 1
TICKS_PER_RUN = 200
CHECK_OPS: Mapping[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
}

Counters = Callable[[], Mapping[str, float]]


class ProbeUsageError(Exception):
    """A bad parameter given to the probe (environment or arguments); reported without a traceback."""


class EventWriter:
    """Writes one JSON object per line to the protocol pipe, flushed per line; a no-op without a pipe."""

    def __init__(self, stream: IO[str] | None) -> None:
        self._stream = stream

    @classmethod
    def from_environment(cls) -> EventWriter:
        raw = os.environ.get("LEAKCHECK_FD")
        if raw is None or raw == "":
            return cls(None)
        fd = _parse_int("LEAKCHECK_FD", raw, minimum=0)
        try:
            return cls(os.fdopen(fd, "w", buffering=1, encoding="utf-8", closefd=True))
        except OSError as exc:
            raise ProbeUsageError(f"LEAKCHECK_FD={raw} is not an open file descriptor ({exc.strerror})") from exc

    def emit(self, event: str, **fields: Any) -> None:
        if self._stream is None:
            return
        try:
            self._stream.write(json.dumps({"event": event, **fields}, separators=(",", ":")) + "\n")
            self._stream.flush()
        except BrokenPipeError:
            # The orchestrator went away; the probe keeps running and writes nowhere.
            self._stream = None


@dataclass(frozen=True)
class ProbeSettings:
    iterations: int
    warmup: int
    seed: int
    suite: str
    tick_every: int

    @classmethod
    def from_environment(cls, default_iterations: int, tick_every: int | None) -> ProbeSettings:
        iterations = _env_int("LEAKCHECK_ITERATIONS", default_iterations, minimum=1)
        warmup = _env_int("LEAKCHECK_WARMUP", max(1, iterations // 10), minimum=0)
        if warmup >= iterations:
            raise ProbeUsageError(f"LEAKCHECK_WARMUP={warmup} must be less than the iterations ({iterations})")
        if tick_every is not None and tick_every < 1:
            raise ProbeUsageError(f"tick_every={tick_every} must be at least 1")
        return cls(
            iterations=iterations,
            warmup=warmup,
            seed=_env_int("LEAKCHECK_SEED", 0, minimum=0),
            suite=os.environ.get("LEAKCHECK_SUITE", "fast"),
            tick_every=tick_every or max(1, iterations // TICKS_PER_RUN),
        )


@dataclass
class ProbeContext:
    """What a probe body sees: its parameters, a free-form ``state`` dict, checks and counters."""

    iterations: int
    seed: int
    suite: str
    state: dict[str, Any] = field(default_factory=dict)
    _writer: EventWriter = field(default_factory=lambda: EventWriter(None), repr=False)
    _counters: Counters | None = field(default=None, repr=False)
    failed_checks: list[str] = field(default_factory=list)

    def check(self, name: str, value: float, op: str, limit: float) -> bool:
        """Evaluate ``value op limit``, emit a ``check`` event and remember a failure for the exit status."""
        compare = CHECK_OPS.get(op)
        if compare is None:
            raise ProbeUsageError(f"check {name!r}: unknown op {op!r}; allowed: {', '.join(CHECK_OPS)}")
        ok = bool(compare(float(value), float(limit)))
        self._writer.emit("check", name=name, value=value, op=op, limit=limit, ok=ok)
        if not ok:
            self.failed_checks.append(name)
        return ok

    def counters_now(self) -> dict[str, float]:
        """The counters a tick would carry now: the probe's own plus tracemalloc and gc objects."""
        gc.collect()
        values: dict[str, float] = {}
        if self._counters is not None:
            values.update({name: float(value) for name, value in self._counters().items()})
        if tracemalloc.is_tracing():
            current, peak = tracemalloc.get_traced_memory()
            values["py_tracemalloc_current"] = float(current)
            values["py_tracemalloc_peak"] = float(peak)
        values["py_gc_objects"] = float(len(gc.get_objects()))
        return values


def run_probe(
    name: str,
    body: Callable[[ProbeContext, int], None],
    *,
    iterations: int = 1000,
    setup: Callable[[ProbeContext], None] | None = None,
    teardown: Callable[[ProbeContext], None] | None = None,
    counters: Counters | None = None,
    tick_every: int | None = None,
) -> NoReturn:
    """Run a probe through its phases and exit: 0 when every check passed, 1 otherwise, 2 on bad parameters."""
    _install_stack_dumps()
    try:
        settings = ProbeSettings.from_environment(iterations, tick_every)
        writer = EventWriter.from_environment()
    except ProbeUsageError as exc:
        print(f"leakcheck probe {name}: {exc}", file=sys.stderr)
        sys.exit(2)
    ctx = ProbeContext(settings.iterations, settings.seed, settings.suite, _writer=writer, _counters=counters)
    writer.emit("hello", probe=name, lang="python", protocol=PROTOCOL_VERSION, pid=os.getpid())
    _run_phases(ctx, writer, settings, body, setup, teardown)
    writer.emit("done", iterations=settings.iterations)
    sys.exit(1 if ctx.failed_checks else 0)


def _run_phases(
    ctx: ProbeContext,
    writer: EventWriter,
    settings: ProbeSettings,
    body: Callable[[ProbeContext, int], None],
    setup: Callable[[ProbeContext], None] | None,
    teardown: Callable[[ProbeContext], None] | None,
) -> None:
    writer.emit("phase", name="setup")
    tracemalloc.start()
    if setup is not None:
        setup(ctx)
    last = settings.iterations - 1
    for i in range(settings.iterations):
        if i == 0 and settings.warmup > 0:
            writer.emit("phase", name="warmup")
        if i == settings.warmup:
            writer.emit("phase", name="measure")
        body(ctx, i)
        if i % settings.tick_every == 0 or i == last:
            writer.emit("tick", i=i, counters=ctx.counters_now())
    writer.emit("phase", name="teardown")
    if teardown is not None:
        teardown(ctx)


def _install_stack_dumps() -> None:
    # A crash prints Python stacks to stderr; SIGUSR1 (sent by the hang watchdog) prints them too, even
    # while a native call holds the GIL, because faulthandler dumps from its C signal handler.
    faulthandler.enable(all_threads=True)
    faulthandler.register(signal.SIGUSR1, all_threads=True, chain=False)


def _env_int(variable: str, default: int, *, minimum: int) -> int:
    raw = os.environ.get(variable)
    if raw is None or raw.strip() == "":
        return default
    return _parse_int(variable, raw, minimum=minimum)


def _parse_int(variable: str, raw: str, *, minimum: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ProbeUsageError(f"{variable}={raw!r} is not an integer") from None
    if value < minimum:
        raise ProbeUsageError(f"{variable}={value} must be at least {minimum}")
    return value
