"""Reading what the preload counter wrote: the probe's exit snapshot, from the counters file of its root
process (the probe's pid; a probe's own children write files of their own beside it)."""

from __future__ import annotations

from pathlib import Path

from leakcheck.sdk.python.leakcheck_probe._preload import Counts, read


def counters_path(directory: Path, pid: int) -> Path:
    return directory / f"{pid}.counters"


def exit_snapshot(directory: Path, pid: int) -> dict[str, float] | None:
    """{name: number} of the process at its end: live blocks and bytes, and, when it ended through exit()
    (not a signal, not _exit), its open fds and threads; None when the process wrote no counters."""
    counts = read(str(counters_path(directory, pid)))
    if counts is None or counts.pid != pid:
        return None
    return snapshot(counts)


def snapshot(counts: Counts) -> dict[str, float]:
    if not counts.exited:  # killed (SIGKILL included) or _exit: the live figures as it left them
        return {"preload_live_blocks": float(counts.live_blocks), "preload_live_bytes": float(counts.live_bytes)}
    return {"preload_live_blocks": float(counts.exit_blocks), "preload_live_bytes": float(counts.exit_bytes),
            "fds": float(counts.exit_fds), "threads": float(counts.exit_threads)}
