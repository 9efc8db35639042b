"""What a probe's body, setup and teardown see: the run's parameters, a state dict, checks, counters."""

from __future__ import annotations

import gc
import os
import sys
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._events import EventWriter
from ._preload import preload_counts
from ._settings import ProbeUsageError

CHECK_OPS: Mapping[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
}

Counters = Callable[[], Mapping[str, float]]


@dataclass
class ProbeContext:
    """Passed to every hook. Mutable on purpose: `state` carries the probe's objects across iterations.

    Attributes: `name`, `iterations` (the count this run performs), `warmup` (the measure phase starts at
    iteration `warmup`), `seed` and `suite` (LEAKCHECK_SEED, LEAKCHECK_SUITE), `state` (a free-form dict,
    empty at setup) and `failed_checks` (names of the checks that failed so far).
    """

    iterations: int
    seed: int
    suite: str
    warmup: int = 0
    name: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    failed_checks: list[str] = field(default_factory=list)
    _writer: EventWriter = field(default_factory=lambda: EventWriter(None), repr=False)
    _counters: Counters | None = field(default=None, repr=False)

    def check(self, name: str, value: float, op: str, limit: float) -> bool:
        """Evaluates ``value op limit`` (op: <, <=, >, >=, ==), writes a ``check`` event and returns whether
        it held; a failed check makes the probe exit 1 at the end (the harness reports it as FAIL)."""
        compare = CHECK_OPS.get(op)
        if compare is None:
            raise ProbeUsageError(f"check {name!r}: unknown op {op!r}; allowed: {', '.join(CHECK_OPS)}")
        ok = bool(compare(float(value), float(limit)))
        self._writer.emit("check", name=name, value=value, op=op, limit=limit, ok=ok)
        if not ok:
            self.failed_checks.append(name)
        return ok

    def counters_now(self) -> dict[str, float]:
        """The counters a tick would carry now (after a full gc): the probe's own, then
        ``py_allocated_blocks`` (the interpreter's live memory blocks: a process-wide count that a leak of Python
        objects raises on every call, however small), ``py_tracemalloc_current`` / ``py_tracemalloc_peak`` (bytes,
        only while tracemalloc traces), ``py_gc_objects``, the process's ``fds``, ``threads`` and ``rss``, and,
        when leakcheck preloaded its malloc counter, ``preload_live_blocks`` and ``preload_live_bytes``."""
        gc.collect()
        blocks = sys.getallocatedblocks()  # first: before this method's own allocations
        values: dict[str, float] = {}
        if self._counters is not None:
            values.update({name: float(value) for name, value in self._counters().items()})
        values["py_allocated_blocks"] = float(blocks)
        if tracemalloc.is_tracing():
            current, peak = tracemalloc.get_traced_memory()
            values["py_tracemalloc_current"] = float(current)
            values["py_tracemalloc_peak"] = float(peak)
        values["py_gc_objects"] = float(len(gc.get_objects()))
        values.update(process_counts())
        values.update(preload_counts())
        return values


def process_counts() -> dict[str, float]:
    """This process's open file descriptors, threads and anonymous resident memory (RssAnon), read from
    /proc/self with every tick (a few microseconds), so that the harness judges them per iteration and not from
    its poll from outside (which a run of a fraction of a second samples too few times). Nothing where /proc is
    not there."""
    try:
        fds = len(os.listdir("/proc/self/fd")) - 1  # less the descriptor the listing itself had open
        # Read as bytes: decoding it as text kept ~0.5 interpreter block per read for the first ~200 reads,
        # which py_allocated_blocks counted as growth in every clean probe.
        with open("/proc/self/status", "rb") as status:
            fields = dict(line.split(b":", 1) for line in status if line.startswith((b"Threads:", b"RssAnon:")))
        threads, rss_kib = int(fields[b"Threads"]), int(fields[b"RssAnon"].split()[0])
    except (OSError, KeyError, ValueError):
        return {}
    return {"fds": float(fds), "threads": float(threads), "rss": float(rss_kib * 1024)}
