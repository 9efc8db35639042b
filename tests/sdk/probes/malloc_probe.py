"""A probe whose body leaks MALLOC_PROBE_LEAK bytes of C malloc per iteration (nothing when unset): what the
preload counter's figures in the SDK's ticks must show."""

from __future__ import annotations

import ctypes
import os
import tracemalloc

from leakcheck_probe import ProbeContext, run_probe

SIZE = int(os.environ.get("MALLOC_PROBE_LEAK", "0"))
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
kept: list[int] = []


def setup(ctx: ProbeContext) -> None:
    tracemalloc.stop()  # the preload figures are left out of the ticks while it traces (its own tables grow)


def body(ctx: ProbeContext, i: int) -> None:
    if SIZE:
        kept.append(libc.malloc(SIZE))


run_probe("python.malloc", body, iterations=100, setup=setup)
