"""Which frames belong to the code under test, and which of them allocated.

The code under test is every object that is neither the probe's own executable, nor installed in the
system (libvips, glib, libc under /usr and /lib), nor the tool's runtime: for libpyjamaz probes that is
libpyjamaz.so wherever PYJAMAZ_LIB_PATH points; for a user's probe, the user's library. Blocks the probe
itself leaks at exit (its test images) and one-time allocations inside the system libraries are then
not the library's leaks, without any suppression list to keep up to date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
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


class Subject:
    """Decides which objects are the code under test, for one probe (its executable is not)."""

    def __init__(self, executable: str, cwd: Path) -> None:
        self._cwd = cwd
        self._executable = _canonical(executable, cwd)

    def owns(self, frame: Frame) -> bool:
        if not frame.object:
            return False
        path = _canonical(frame.object, self._cwd)
        if path == self._executable or TOOL_RUNTIMES.search(path):
            return False
        return not path.startswith(SYSTEM_PREFIXES)

    def attribute(self, record: LeakRecord) -> LeakRecord:
        mine = [f for f in record.stack if self.owns(f)]
        return replace(record, in_subject=bool(mine), allocated_in=_first_real(mine))

    def attribute_fd(self, leak: FdLeak, subject_files: frozenset[str]) -> FdLeak:
        """valgrind's text log names a frame's source file but not its object: a frame is the subject's when
        its object is, or its source file is one the leak records place in a subject object."""
        mine = [f for f in leak.stack if self.owns(f) or (f.file and f.file in subject_files)]
        return replace(leak, in_subject=bool(mine), opened_in=_first_real(mine))


def subject_files(records: Sequence[LeakRecord], subject: Subject) -> frozenset[str]:
    return frozenset(f.file for r in records for f in r.stack if f.file and subject.owns(f))


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
