"""A run's own directory under reports/runs, never shared with another run, however many start at once."""

from __future__ import annotations

from pathlib import Path


def create_run_dir(runs: Path, stamp: str, suite: str) -> Path:
    """A new, empty `runs`/<stamp>-<suite>; when another run already has it (two runs started in the same
    second), <stamp>-<suite>-02, -03, ... `mkdir` without exist_ok is atomic: of any number of runs racing for
    one name exactly one gets it, and the others move on to the next. Two-digit suffixes keep the runs of one
    second in the order they started when sorted by name (run ids sort by time)."""
    runs.mkdir(parents=True, exist_ok=True)
    number = 1
    while True:
        candidate = runs / (f"{stamp}-{suite}" if number == 1 else f"{stamp}-{suite}-{number:02d}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            number += 1
