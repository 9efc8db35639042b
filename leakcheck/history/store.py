"""Results files on disk: load one (checking its schema and migrating older versions), find a run by
path, run id, commit or "latest"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from leakcheck.history.migrations import MIGRATIONS, Document
from leakcheck.results import SCHEMA, SCHEMA_VERSION
from leakcheck.schema import RunDocument, SchemaError, run_from_document

RESULTS_NAME = "results.json"
# Each change of the results schema adds a step to MIGRATIONS, so every older file is read as the current one.


class RunFileError(Exception):
    """A results file that cannot be read: the message names the file and why."""


def runs_dir(project: Path) -> Path:
    return project / "reports" / "runs"


def results_path(reference: Path) -> Path:
    """A run directory or a results file -> the results file."""
    return reference / RESULTS_NAME if reference.is_dir() else reference


def load_run(path: Path) -> Document:
    """The run document at `path` (a run directory or a results file), as the current schema version: the
    parsed JSON, its fields not yet checked (`read_run` checks them)."""
    path = results_path(path)
    return migrate(read_json(path), path)


def read_run(path: Path) -> RunDocument:
    """The run at `path`, every field checked; a bad one is a RunFileError naming the file and the field."""
    path = results_path(path)
    return checked_run(load_run(path), path)


def checked_run(document: Document, path: Path) -> RunDocument:
    try:
        return run_from_document(document)
    except SchemaError as exc:
        raise RunFileError(f"{path}: {exc}") from None


def read_json(path: Path, what: str = "results file") -> Any:
    """The JSON in `path`; a missing, unreadable or malformed file is a RunFileError that names it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFileError(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunFileError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise RunFileError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None


def migrate(document: Any, path: Path) -> Document:
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise RunFileError(f"{path}: not a leakcheck results file (schema is not {SCHEMA!r})")
    version = document.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION or version < 1:
        raise RunFileError(f"{path}: unknown schema_version {version!r} (this leakcheck reads 1 to "
                           f"{SCHEMA_VERSION})")
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise RunFileError(f"{path}: no migration from schema_version {version}")
        document = step(document)
        version += 1
        document["schema_version"] = version
    if not isinstance(document.get("probes"), list):
        raise RunFileError(f"{path}: no probes list")
    checked: Document = document
    return checked


def run_id(path: Path) -> str:
    """A run's id is the name of its directory (e.g. 20261123T145442Z-fast)."""
    return results_path(path).parent.name


def find_run_files(directory: Path) -> list[Path]:
    """Every run's results file under `directory`, oldest first (run ids start with their UTC time)."""
    if not directory.is_dir():
        return []
    return sorted((d / RESULTS_NAME for d in directory.iterdir() if (d / RESULTS_NAME).is_file()),
                  key=lambda p: p.parent.name)
