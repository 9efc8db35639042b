"""Files a run leaves behind, written so that a reader never sees half of one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SAMPLE_COLUMNS = ("t", "i", "rss", "vms", "fds", "threads", "processes")
OPTIONAL_SAMPLE_COLUMNS = ("anon",)
"""Columns written since schema 2 began; a document without them still reads (Sample.anon is None)."""


def write_atomically(path: Path, text: str) -> None:
    """A temporary file beside `path`, then a rename: a reader sees the old document or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class SamplesCsv:
    """Every sample of an attempt, beside its stdout and stderr, written as it is taken (buffered: a probe
    killed mid-run leaves all but the last few lines; the file is complete once the attempt ends)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = path.open("w", encoding="utf-8")
        self._handle.write(",".join((*SAMPLE_COLUMNS, *OPTIONAL_SAMPLE_COLUMNS)) + "\n")

    def write(self, s: Any) -> None:
        self._handle.write(f"{s.t:.4f},{'' if s.i is None else s.i},{s.rss},{s.vms},{s.fds},{s.threads},"
                           f"{s.processes},{'' if s.anon is None else s.anon}\n")

    def close(self) -> None:
        self._handle.close()

