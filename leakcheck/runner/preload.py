"""The preload counter around one attempt: LD_PRELOADed into the probe unless the probe says `preload = false`
or a native tool runs it (valgrind and LSan bring allocators of their own), and, after the probe exited, the
exit snapshot its root process wrote."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from leakcheck.sdk import preload

DIRECTORY_NAME = "preload"
"""The attempt directory's folder where each process of the probe writes its <pid>.counters."""


@dataclass(frozen=True)
class PreloadUse:
    directory: Path | None
    """Where the probe's processes write their counters; None when the counter is not loaded."""
    note: str = ""
    """Why it is not loaded although the probe wanted it ("" otherwise): a note on the result."""

    def exit_snapshot(self, pid: int) -> dict[str, float] | None:
        return preload.exit_snapshot(self.directory, pid) if self.directory is not None else None


def prepare(environment: Mapping[str, str], *, wanted: bool, attempt_directory: Path) -> tuple[dict[str, str],
                                                                                                 PreloadUse]:
    """The probe's environment with the counter (or without any copy of it), and what was done."""
    if not wanted:
        return preload.without_preload(environment), PreloadUse(None)
    built = preload.build()
    if built.library is None:
        return preload.without_preload(environment), PreloadUse(None, f"preload counter not loaded: {built.problem}")
    directory = attempt_directory / DIRECTORY_NAME
    shutil.rmtree(directory, ignore_errors=True)  # a reused --run-dir: no file of an earlier attempt is read
    directory.mkdir(parents=True)
    return preload.with_preload(environment, built.library, directory), PreloadUse(directory)
