"""The mutation score on disk: a versioned, self-describing JSON document (like a run's results.json),
written to <reports>/mutants/<time>-<suite>/mutants.json beside the stages' own run directories; the
report finds the latest there."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leakcheck.history.store import RunFileError, read_json
from leakcheck.mutants.score import Cell, MutationScore, ProbeVerdict
from leakcheck.storage import write_atomically

SCHEMA = "leakcheck.mutants"
SCHEMA_VERSION = 1
SCORE_NAME = "mutants.json"
Document = dict[str, Any]


class ScoreFileError(Exception):
    """A mutation score file that cannot be read: the message names the file and why."""


def score_document(score: MutationScore, header: Mapping[str, Any], *, out_of_budget: bool,
                   exit_code: int, wall_s: float) -> Document:
    cells = score.cells()
    runs = {run.mutant.name: run for run in score.runs}
    mutants = []
    for mutant in score.mutants:
        run = runs.get(mutant.name)
        mutants.append({"name": mutant.name, "description": mutant.description,
                        "library": run.library if run else None, "run_dir": run.run_dir if run else None,
                        "probes": [_verdict(v) for v in (run.verdicts if run else ())],
                        "languages": {c.lang: _cell(c) for c in cells if c.mutant == mutant.name}})
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, **header,
            "languages": list(score.languages), "probes": {lang: list(names) for lang, names in score.probes.items()},
            "production": {"passed": score.production_passed,
                           "probes": [_verdict(v) for v in score.production]},
            "mutants": mutants,
            "scores": [{"lang": s.lang, "caught": s.caught, "total": s.total, "percent": round(s.percent, 1)}
                       for s in score.language_scores()],
            "misses": [{"mutant": c.mutant, "lang": c.lang, "status": c.status} for c in score.misses()],
            "complete": not score.interrupted and not out_of_budget and score.production_passed,
            "interrupted": score.interrupted, "out_of_budget": out_of_budget, "passed": score.passed,
            "exit_code": exit_code, "wall_seconds": round(wall_s, 3)}


def _verdict(verdict: ProbeVerdict) -> Document:
    return {"probe": verdict.probe, "lang": verdict.lang, "outcome": verdict.outcome, "caught": verdict.caught,
            "signals": [{"kind": s.kind, "detail": s.detail} for s in verdict.signals],
            "reason": verdict.reason, "duration_s": verdict.duration_s}


def _cell(cell: Cell) -> Document:
    return {"status": cell.status, "caught_by": [v.probe for v in cell.caught_by],
            "ran": [v.probe for v in cell.ran]}


def write_score(document: Mapping[str, Any], paths: list[Path]) -> None:
    text = json.dumps(document, indent=1, default=str)
    for path in paths:
        write_atomically(path, text)


def load_score(path: Path) -> Document:
    try:
        document = read_json(path, "mutation score file")
    except RunFileError as exc:
        raise ScoreFileError(str(exc)) from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ScoreFileError(f"{path}: not a leakcheck mutation score (schema is not {SCHEMA!r})")
    if document.get("schema_version") != SCHEMA_VERSION:
        raise ScoreFileError(f"{path}: unknown schema_version {document.get('schema_version')!r} "
                             f"(this leakcheck reads {SCHEMA_VERSION})")
    checked: Document = document
    return checked


def previous_catches(directory: Path) -> dict[str, frozenset[str]]:
    """Mutant -> the probes that caught it, from the newest readable score under `directory` (else empty)."""
    path = latest_score_file(directory)
    try:
        document = load_score(path) if path is not None else {}
    except ScoreFileError:
        return {}
    return {str(mutant["name"]): frozenset(str(p["probe"]) for p in mutant.get("probes") or () if p.get("caught"))
            for mutant in document.get("mutants") or ()}


def mutants_dir(reports: Path) -> Path:
    """Where mutation scores are kept: <reports>/mutants, beside <reports>/runs."""
    return reports / "mutants"


def latest_score_file(directory: Path) -> Path | None:
    """The newest mutants.json under `directory` (its subdirectories are named by UTC time), if any."""
    if not directory.is_dir():
        return None
    files = sorted((d / SCORE_NAME for d in directory.iterdir() if (d / SCORE_NAME).is_file()),
                   key=lambda p: p.parent.name)
    return files[-1] if files else None
