"""Results files: the schema check, and the migration path from older schema versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leakcheck.history import store
from leakcheck.results import SCHEMA_VERSION

from .runs import SyntheticProbe, write_run


def as_version_1(path: Path) -> None:
    """The document at `path` as leakcheck wrote it before schema 2: every tick kept, no tick_count, the
    samples table with the stride it was thinned by."""
    document = json.loads(path.read_text())
    document["schema_version"] = 1
    for probe in document["probes"]:
        for attempt in probe["attempts"]:
            del attempt["tick_count"]
            attempt["samples"]["stride"] = 1
    path.write_text(json.dumps(document))


def test_a_version_1_document_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    path = write_run(tmp_path / "run", [SyntheticProbe("zig.a", samples=20, iterations=100)])
    as_version_1(path)
    document = store.load_run(path)
    attempt = document["probes"][0]["attempts"][0]
    assert document["schema_version"] == SCHEMA_VERSION == 2
    assert attempt["tick_count"] == len(attempt["ticks"]) > 0 and "stride" not in attempt["samples"]
    assert store.read_run(path).probes[0].attempts[0].tick_count == len(attempt["ticks"])


def test_a_malformed_version_1_document_is_migrated_as_far_as_it_goes_then_named(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"schema": "leakcheck.run", "schema_version": 1,
                                "probes": [{"name": "zig.a", "attempts": ["not an attempt", {"ticks": 3}]}]}))
    with pytest.raises(store.RunFileError, match=r"results.json: probes\[0\]"):
        store.read_run(path)


def test_an_older_version_is_migrated_step_by_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_run(tmp_path / "run", [SyntheticProbe("zig.a", samples=20, iterations=100)])
    as_version_1(path)

    def rename_summary(document: dict[str, Any]) -> dict[str, Any]:  # what a version 3 might change
        outcomes = document.pop("summary")
        return {**document, "outcomes": outcomes}

    monkeypatch.setattr(store, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(store, "MIGRATIONS", {**store.MIGRATIONS, 2: rename_summary})
    document = store.load_run(path)
    assert document["schema_version"] == 3 and document["outcomes"] == {"PASS": 1} and "summary" not in document
    assert document["probes"][0]["attempts"][0]["tick_count"] > 0  # the 1 -> 2 step ran first


def test_a_version_without_a_migration_is_refused_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_run(tmp_path / "run", [SyntheticProbe("zig.a", samples=20, iterations=100)])
    monkeypatch.setattr(store, "SCHEMA_VERSION", 3)
    with pytest.raises(store.RunFileError, match=r"run/results.json: no migration from schema_version 2"):
        store.load_run(path)


@pytest.mark.parametrize(("text", "message"), [("[]", "not a leakcheck results file"),
                                               ('{"schema": "other"}', "not a leakcheck results file"),
                                               ('{"schema": "leakcheck.run", "schema_version": 1}', "no probes list")])
def test_foreign_documents_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(text)
    with pytest.raises(store.RunFileError, match=message):
        store.load_run(path)
