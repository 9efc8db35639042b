"""Which frames belong to the code under test, and which of them allocated.

The code under test is every object that is neither the probe's own executable, nor installed in the
system (glib, libc and every other library under /usr and /lib), nor the tool's runtime: the library the
probe loads from the project's own build, wherever the configuration points it. Blocks the probe
itself leaks at exit (its test images) and one-time allocations inside the system libraries are then
not the library's leaks, without any suppression list to keep up to date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from leakcheck.tools.model import FdLeak, Frame, LeakRecord

SYSTEM_PREFIXES = ("/usr/", "/lib/", "/lib64/", "/lib32/", "/libx32/")
TOOL_RUNTIMES = re.compile(r"vgpreload_|libclang_rt\.|valgrind")
PLUMBING_FILE = re.compile(r"alloc", re.IGNORECASE)
"""Allocator plumbing by its file: Zig's std Allocator.zig, heap.zig's wrappers, a counting allocator."""
PLUMBING_DIR = re.compile(r"/lib/std/|/zig/lib/std")
PLUMBING_FUNCTION = re.compile(r"^(malloc|calloc|realloc|free|memalign|posix_memalign|aligned_alloc|valloc"
                               r"|operator new.*|g_malloc.*|g_try_malloc.*|g_realloc.*|g_slice_.*|open|open64|openat"
                               r"|__libc_open64|__open_nocancel)$")


@dataclass(frozen=True)
class Suppression:
    """A block allocated by system code on the library's behalf that is no leak of the library: it matches
    when one frame of its stack is `function` (a regex) inside an object whose path matches `object`."""

    reason: str
    object: re.Pattern[str]
    function: re.Pattern[str]

    def matches(self, stack: Sequence[Frame]) -> bool:
        return any(self.object.search(f.object) and self.function.match(f.function) for f in stack)


SUPPRESSIONS = (
    # A library that dlopen()s its loader modules on first use (seen: 2.81 KiB in 12 blocks on the first garbage
    # input); memcheck calls the old scope arrays glibc's loader drops in resize_scopes definitely lost.
    Suppression("the dynamic loader's own bookkeeping for a dlopen (once per module a library loads)",
                re.compile(r"/ld-linux[^/]*\.so"), re.compile(r"^(_dl_open|dl_open_worker\w*|resize_scopes)$")),
)
"""The only suppressions: each names system code and can match only a stack that runs through it, never the
library's own allocations (tests/tools show every mutant's blocks pass them)."""


class Subject:
    """Decides which objects are the code under test, for one probe (its executable is not)."""

    def __init__(self, executable: str, cwd: Path, pattern: re.Pattern[str] | None = None) -> None:
        self._cwd = cwd
        self._executable = _canonical(executable, cwd)
        self._pattern = pattern

    def owns(self, frame: Frame) -> bool:
        if self._pattern is not None:  # --tool-subject: e.g. a probe that links the library in statically
            return bool(self._pattern.search(frame.object) or self._pattern.search(frame.file))
        if not frame.object:
            return False
        path = _canonical(frame.object, self._cwd)
        if path == self._executable or TOOL_RUNTIMES.search(path):
            return False
        return not path.startswith(SYSTEM_PREFIXES)

    def attribute(self, record: LeakRecord) -> LeakRecord:
        mine = [f for f in record.stack if self.owns(f)]
        suppressed = next((s.reason for s in SUPPRESSIONS if s.matches(record.stack)), "") if mine else ""
        return replace(record, in_subject=bool(mine) and not suppressed, allocated_in=_first_real(mine),
                       suppressed=suppressed)

    def attribute_fd(self, leak: FdLeak) -> FdLeak:
        mine = [f for f in leak.stack if self.owns(f)]
        return replace(leak, in_subject=bool(mine), opened_in=_first_real(mine))


def _first_real(frames: Sequence[Frame]) -> Frame | None:
    """The first frame that is not allocator plumbing (else the first of them)."""
    for frame in frames:
        if not _is_plumbing(frame):
            return frame
    return frames[0] if frames else None


def _is_plumbing(frame: Frame) -> bool:
    return (bool(PLUMBING_FUNCTION.match(frame.function)) or bool(PLUMBING_DIR.search(frame.file))
            or bool(PLUMBING_FILE.search(Path(frame.file).name)))


def _canonical(path: str, cwd: Path) -> str:
    """Resolved against the probe's directory, symbolic links followed: the forms tools print compare equal."""
    try:
        return str((cwd / path).resolve())
    except OSError:
        return path
