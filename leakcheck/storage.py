"""Files a run leaves behind, written so that a reader never sees half of one."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SAMPLE_COLUMNS = ("t", "i", "rss", "vms", "fds", "threads", "processes")


def write_atomically(path: Path, text: str) -> None:
    """A temporary file beside `path`, then a rename: a reader sees the old document or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_samples_csv(path: Path, attempt_samples: Sequence[Any]) -> None:
    """Every sample of an attempt, beside its stdout and stderr."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(SAMPLE_COLUMNS) + "\n")
        for s in attempt_samples:
            handle.write(f"{s.t:.4f},{'' if s.i is None else s.i},{s.rss},{s.vms},{s.fds},{s.threads},{s.processes}\n")
