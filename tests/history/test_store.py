"""Results files: the schema check, and the migration path from older schema versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leakcheck.history import store

from .runs import SyntheticProbe, write_run


def test_an_older_version_is_migrated_step_by_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_run(tmp_path / "run", [SyntheticProbe("zig.a", samples=20, iterations=100)])

    def rename_summary(document: dict[str, Any]) -> dict[str, Any]:  # what a version 2 might change
        outcomes = document.pop("summary")
        return {**document, "outcomes": outcomes}

    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(store, "MIGRATIONS", {1: rename_summary})
    document = store.load_run(path)
    assert document["schema_version"] == 2 and document["outcomes"] == {"PASS": 1} and "summary" not in document


def test_a_version_without_a_migration_is_refused_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_run(tmp_path / "run", [SyntheticProbe("zig.a", samples=20, iterations=100)])
    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    with pytest.raises(store.RunFileError, match=r"run/results.json: no migration from schema_version 1"):
        store.load_run(path)


@pytest.mark.parametrize(("text", "message"), [("[]", "not a leakcheck results file"),
                                               ('{"schema": "other"}', "not a leakcheck results file"),
                                               ('{"schema": "leakcheck.run", "schema_version": 1}', "no probes list")])
def test_foreign_documents_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(text)
    with pytest.raises(store.RunFileError, match=message):
        store.load_run(path)
