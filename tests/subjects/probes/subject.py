"""The foreign subject from Python (ctypes), as a user binds it: one call per kind (tests/subjects/README.md)."""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from pathlib import Path

BUILD = Path(__file__).resolve().parent.parent / "build"
sys.path.insert(0, str(BUILD))  # the refleak extension module


def call_for(kind: str) -> Callable[[int], object]:
    if kind.startswith("pyref"):
        import refleak  # type: ignore[import-not-found]  # built into build/ by tests/subjects/build.py

        keep = refleak.keep if kind == "pyref" else refleak.keep_fixed
        return lambda i: keep(bytearray(1024))
    lib = ctypes.CDLL(os.environ.get("SUBJECT_LIB", str(BUILD / "libsubject.so")))
    calls: dict[str, Callable[[int], object]] = {
        "clean": lib.subject_clean, "leak_1k": lambda i: lib.subject_leak(i, 1024),
        "leak_64": lambda i: lib.subject_leak(i, 64), "leak_16": lambda i: lib.subject_leak(i, 16),
        "leak_every_100": lib.subject_leak_every_100, "cache": lib.subject_cache, "fd": lib.subject_fd,
        "thread": lib.subject_thread,
    }
    return calls[kind]
