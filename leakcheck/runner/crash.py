"""Naming a crash: the signal, the phase, and the best backtrace the probe's runtime or gdb can give."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from pathlib import Path

from leakcheck.results import Crash

BACKTRACE_LINES = 80
GDB_TIMEOUT_S = 60.0
# Zig's segfault handler prints what it caught, dumps a trace and then aborts: the abort is not the crash.
_ZIG_FAULTS = {
    "Segmentation fault at address": signal.SIGSEGV,
    "Bus error at address": signal.SIGBUS,
    "Illegal instruction at address": signal.SIGILL,
    "Arithmetic exception at address": signal.SIGFPE,
}
_ZIG_PANIC = re.compile(r"^(thread \d+ )?panic: ", re.MULTILINE)
_PYTHON_FATAL = "Fatal Python error: "


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def classify_signal(number: int, stderr_text: str, phase: str) -> Crash:
    """The crash a death by signal `number` stands for, read with the probe's stderr."""
    if number == signal.SIGABRT:
        for marker, caught in _ZIG_FAULTS.items():
            at = stderr_text.find(marker)
            if at >= 0:
                return Crash(caught.name, int(caught), phase, "zig-segfault", _excerpt(stderr_text, at))
        panic = _ZIG_PANIC.search(stderr_text)
        if panic is not None:
            return Crash("SIGABRT", number, phase, "zig-panic", _excerpt(stderr_text, panic.start()))
    fatal = stderr_text.find(_PYTHON_FATAL)
    if fatal >= 0:
        return Crash(signal_name(number), number, phase, "python-fatal", _excerpt(stderr_text, fatal))
    return Crash(signal_name(number), number, phase, "signal", "")


def out_of_memory(peak_rss: int, cap: int, phase: str) -> Crash:
    return Crash("SIGKILL", int(signal.SIGKILL), phase, "out-of-memory", "")


def backtrace_from_core(core: Path, executable: str) -> str:
    """`gdb -batch` on a core file: every thread's native stack ("" when gdb is missing or fails)."""
    gdb = shutil.which("gdb")
    if gdb is None or not core.is_file():
        return ""
    try:
        completed = subprocess.run(
            [gdb, "-batch", "-nx", "-ex", "thread apply all bt 40", executable, str(core)],
            capture_output=True, text=True, timeout=GDB_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return f"(gdb did not finish within {GDB_TIMEOUT_S:g}s)"
    frames = [line for line in completed.stdout.splitlines() if line.startswith(("#", "Thread"))]
    return "\n".join(frames[: BACKTRACE_LINES * 2])


def _excerpt(text: str, start: int) -> str:
    return "\n".join(text[start:].splitlines()[:BACKTRACE_LINES])
