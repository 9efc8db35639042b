"""A Python probe of what the runtime and the SDK cost around the loop (tests/sdk/test_runtime.py). RUNTIME_CASE:

- native_leak / native_clean: libfixture's fixture_leak / fixture_clean through ctypes, RUNTIME_BYTES per call
  (default 4096), no counters of the probe's own: the harness sees the leak in RSS alone;
- global_list: a list at module level gains a bytes object of RUNTIME_BYTES per call (the line marked LEAKING);
- python_clean: the same object made and dropped.

RUNTIME_PAUSE_US (default 200) is time each call takes besides, so the outside sampler sees the run;
RUNTIME_TRACEMALLOC=1 asks the SDK for tracemalloc (run_probe's own argument).
"""

import ctypes
import os
from pathlib import Path

from leakcheck_probe import ProbeContext, run_probe

ROOT = Path(__file__).resolve().parents[3]
CASE = os.environ.get("RUNTIME_CASE", "python_clean")
BYTES = int(os.environ.get("RUNTIME_BYTES", "4096"))
PAUSE_US = int(os.environ.get("RUNTIME_PAUSE_US", "200"))
fixture = ctypes.CDLL(os.environ.get("FIXTURE_LIB") or str(ROOT / "tests" / "fixtures" / "build" / "libfixture.so"))
fixture.fixture_leak.argtypes = fixture.fixture_clean.argtypes = [ctypes.c_size_t]
fixture.fixture_pause.argtypes = [ctypes.c_uint]
KEPT = []


def native_leak(ctx: ProbeContext, i: int) -> None:
    fixture.fixture_leak(BYTES)


def native_clean(ctx: ProbeContext, i: int) -> None:
    fixture.fixture_clean(BYTES)


def global_list(ctx: ProbeContext, i: int) -> None:
    KEPT.append(bytes(BYTES))  # LEAKING


def python_clean(ctx: ProbeContext, i: int) -> None:
    bytes(BYTES)


BODIES = {"native_leak": native_leak, "native_clean": native_clean, "global_list": global_list,
          "python_clean": python_clean}


def body(ctx: ProbeContext, i: int) -> None:
    fixture.fixture_pause(PAUSE_US)
    BODIES[CASE](ctx, i)


run_probe(f"python.runtime_{CASE}", body, iterations=2000, tracemalloc=os.environ.get("RUNTIME_TRACEMALLOC") == "1")
