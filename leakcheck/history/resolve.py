"""Which run a user means: a path (run directory or results file), "latest", a run id or a commit."""

from __future__ import annotations

import re
from pathlib import Path

from leakcheck.history.index import History, RunEntry
from leakcheck.history.store import RunFileError, results_path

LATEST = "latest"
_COMMIT = re.compile(r"^[0-9a-f]{4,40}$", re.IGNORECASE)


def resolve_run(reference: str, history: History) -> Path:
    path = Path(reference)
    if path.exists():
        return results_path(path)
    entry = _match(reference, history.runs)
    if entry is None:
        known = ", ".join(r.run_id for r in history.runs[-3:]) or "none yet"
        raise RunFileError(f"{reference!r} is neither a results file, a run directory, {LATEST!r}, a run id nor "
                           f"a commit of a recorded run (latest runs: {known})")
    return Path(entry.path)


def _match(reference: str, runs: tuple[RunEntry, ...]) -> RunEntry | None:
    if not runs:
        return None
    if reference == LATEST:
        return runs[-1]
    by_id = [r for r in runs if r.run_id == reference] or [r for r in runs if r.run_id.startswith(reference)]
    if by_id:
        return by_id[-1]
    if _COMMIT.match(reference):
        by_commit = [r for r in runs if r.commit.lower().startswith(reference.lower())]
        return by_commit[-1] if by_commit else None
    return None
