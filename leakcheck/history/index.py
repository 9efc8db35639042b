"""The history index: one small JSON file summarising every run under reports/runs, so that history,
compare and the trend chart read one file instead of hundreds of results files. A run's entry is
re-read only when its results file changed (size or mtime); writers take an exclusive lock and replace
the file atomically, so runs finishing at once corrupt nothing."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakcheck.history.figures import ProbeSummary, run_figures
from leakcheck.history.store import RunFileError, find_run_files, read_run, run_id
from leakcheck.schema import Fields, RunDocument, SchemaError, as_integer, as_run_document
from leakcheck.storage import write_atomically

INDEX_VERSION = 2


@dataclass(frozen=True)
class RunEntry:
    run_id: str
    path: str
    time: str
    commit: str
    dirty: bool
    suite: str
    summary: Mapping[str, int]
    probes: tuple[ProbeSummary, ...]
    """Each probe's figures (ProbeFigures.summary()), in run order."""
    library: str = ""
    """The library the probes loaded (the subject's, or a leak mutant's build)."""

    def document(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "path": self.path, "time": self.time, "commit": self.commit,
                "dirty": self.dirty, "suite": self.suite, "summary": dict(self.summary), "library": self.library,
                "probes": [probe.document() for probe in self.probes]}

    @classmethod
    def from_document(cls, value: object, where: str) -> RunEntry:
        entry = Fields(value, where)
        return cls(run_id=entry.text("run_id"), path=entry.text("path"), time=entry.text("time"),
                   commit=entry.text("commit"), dirty=entry.flag("dirty"), suite=entry.text("suite"),
                   summary=entry.table_of("summary", as_integer),
                   probes=entry.each("probes", ProbeSummary.from_document, required=True),
                   library=entry.text("library", ""))


@dataclass(frozen=True)
class History:
    runs: tuple[RunEntry, ...]
    """Oldest first."""
    warnings: tuple[str, ...]
    """Files skipped (corrupt, unknown schema version), each naming the file."""


def index_path(runs_directory: Path) -> Path:
    return runs_directory.parent / "history" / "index.json"


def load_history(runs_directory: Path, *, write_index: bool = True) -> History:
    """Bring the index up to date with the results files under `runs_directory` and return it.

    `write_index=False`: the same history, but nothing is created or written (no directory, lock or index;
    an index already there is still used as a cache), for reading runs where leakcheck is not configured."""
    path = index_path(runs_directory)
    if not write_index:
        return _history(_entries(runs_directory, _read_index(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.with_name(".index.lock")):
        cached = _read_index(path)
        entries = _entries(runs_directory, cached)
        if entries != cached:
            write_atomically(path, json.dumps({"version": INDEX_VERSION, "runs": entries}))
    return _history(entries)


def _entries(runs_directory: Path, cached: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each results file's entry, re-read only when the file changed since `cached` was made."""
    entries: dict[str, dict[str, Any]] = {}
    for results in find_run_files(runs_directory):
        stat = results.stat()
        key = {"mtime_ns": stat.st_mtime_ns, "size": stat.st_size}
        entry = cached.get(str(results))
        entries[str(results)] = entry if entry is not None and entry.get("key") == key else _entry(results, key)
    return entries


def _history(entries: Mapping[str, dict[str, Any]]) -> History:
    runs = [RunEntry.from_document({k: v for k, v in e.items() if k != "key"}, path) for path, e in entries.items()
            if "error" not in e]
    warnings = [f"skipped {e['error']}" for e in entries.values() if "error" in e]
    return History(tuple(sorted(runs, key=lambda r: r.run_id)), tuple(warnings))


def entry_for(document: RunDocument | Mapping[str, Any], path: Path) -> RunEntry:
    run = as_run_document(document)
    provenance = run.provenance
    return RunEntry(run_id=run_id(path), path=str(path), time=provenance.time or "", commit=provenance.commit or "",
                    dirty=bool(provenance.dirty), suite=run.selection.suite, summary=dict(run.summary),
                    library=provenance.library_path or "",
                    probes=tuple(figures.summary() for group in run_figures(run).values() for figures in group))


def _entry(results: Path, key: Mapping[str, int]) -> dict[str, Any]:
    """The index's entry for one results file: its figures, or why it was skipped (the file and the field)."""
    try:
        return {"key": dict(key), **entry_for(read_run(results), results).document()}
    except RunFileError as exc:
        return {"key": dict(key), "error": str(exc)}


def _read_index(path: Path) -> dict[str, dict[str, Any]]:
    """The cached entries; an index that cannot be read is rebuilt from the results files."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("version") != INDEX_VERSION:
        return {}
    runs = document.get("runs")
    return {path: entry for path, entry in runs.items() if _cached(entry, path)} if isinstance(runs, dict) else {}


def _cached(entry: object, path: str) -> bool:
    """An entry as this index writes it; any other (an index edited or cut short) is read again from its file."""
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), dict):
        return False
    if isinstance(entry.get("error"), str):
        return True
    try:
        RunEntry.from_document({k: v for k, v in entry.items() if k != "key"}, path)
    except SchemaError:
        return False
    return True


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

