"""The mutation score's view-model: mutant x language -> the probes that caught it and by which signals,
the score per language and the holes, computed from a mutation score document with no HTML (the
terminal table and the report section both render it)."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakcheck.mutants.document import ScoreFileError, latest_score_file, load_score, mutants_dir

CAUGHT = "caught"


@dataclass(frozen=True)
class CatchView:
    probe: str
    kinds: str
    """The kinds of signal that caught it, e.g. "exact counter, RSS trend" (what the tables show)."""
    signals: str
    """Each signal, grouped by kind, e.g. "exact counter lib_live_bytes, live_results; RSS trend"."""


@dataclass(frozen=True)
class CellView:
    lang: str
    status: str
    """caught, hole or not run."""
    catches: tuple[CatchView, ...]
    ran: int
    """Probes of this language run against the mutant."""

    @property
    def caught(self) -> bool:
        return self.status == CAUGHT


@dataclass(frozen=True)
class MutantRow:
    name: str
    description: str
    cells: tuple[CellView, ...]
    """One per language, in the view's language order."""
    run_dir: str


@dataclass(frozen=True)
class LanguageScoreView:
    lang: str
    caught: int
    total: int
    percent: float
    holes: tuple[str, ...]
    """Mutants no probe of this language caught (or that were not run in it)."""


@dataclass(frozen=True)
class MutationView:
    title: str
    passed: bool
    production_passed: bool
    production_failures: tuple[tuple[str, str, str], ...]
    """(probe, outcome, reason) of every probe that did not pass on the production library."""
    languages: tuple[str, ...]
    rows: tuple[MutantRow, ...]
    scores: tuple[LanguageScoreView, ...]
    mode: str
    """"first catch" (each language stops at its first catch) or "every probe"."""
    suite: str
    wall_s: float
    commit: str
    time: str
    notes: tuple[str, ...]
    """Why the score is incomplete or may not describe the run beside it."""


def latest_mutation_view(reports_dir: Path, run_commit: str | None) -> MutationView | None:
    """The newest score under <reports>/mutants, if any (an unreadable one is named and left out)."""
    path = latest_score_file(mutants_dir(reports_dir))
    if path is None:
        return None
    try:
        document = load_score(path)
    except ScoreFileError as exc:
        print(f"leakcheck: warning: {exc}; the report has no mutation score section", file=sys.stderr)
        return None
    return build_mutation_view(document, run_commit)


def build_mutation_view(document: Mapping[str, Any], run_commit: str | None = None) -> MutationView:
    languages = tuple(str(lang) for lang in document.get("languages") or ())
    rows = tuple(_row(mutant, languages) for mutant in document.get("mutants") or ())
    production = document.get("production") or {}
    selection = document.get("selection") or {}
    provenance = document.get("provenance") or {}
    commit = str(provenance.get("commit") or "")
    return MutationView(
        title=f"Mutation score ({len(rows)} leak mutant(s) x {len(languages)} language(s))",
        passed=bool(document.get("passed")), production_passed=bool(production.get("passed")),
        production_failures=tuple((str(p["probe"]), str(p["outcome"]), str(p.get("reason", "")))
                                  for p in production.get("probes") or () if p.get("outcome") not in ("PASS", "FLAKY")),
        languages=languages, rows=rows, scores=_scores(rows, languages),
        mode="first catch" if selection.get("first_catch") else "every probe",
        suite=str(selection.get("suite", "")), wall_s=float(document.get("wall_seconds") or 0.0), commit=commit,
        time=str(provenance.get("time") or ""), notes=_notes(document, commit, run_commit))


def _row(mutant: Mapping[str, Any], languages: Sequence[str]) -> MutantRow:
    verdicts = {str(v["probe"]): v for v in mutant.get("probes") or ()}
    cells = mutant.get("languages") or {}
    return MutantRow(name=str(mutant.get("name", "")), description=str(mutant.get("description", "")),
                     cells=tuple(_cell(lang, cells.get(lang) or {}, verdicts) for lang in languages),
                     run_dir=str(mutant.get("run_dir") or ""))


def _cell(lang: str, cell: Mapping[str, Any], verdicts: Mapping[str, Mapping[str, Any]]) -> CellView:
    catches = []
    for name in cell.get("caught_by") or ():
        signals = verdicts.get(str(name), {}).get("signals") or ()
        kinds = ", ".join(dict.fromkeys(str(signal.get("kind", "")) for signal in signals))
        catches.append(CatchView(str(name), kinds, signal_text(signals)))
    return CellView(lang, str(cell.get("status", "not run")), tuple(catches), len(cell.get("ran") or ()))


def signal_text(signals: Sequence[Mapping[str, Any]]) -> str:
    """[{kind, detail}, ...] -> "kind a, b; other kind", kinds in their first order."""
    grouped: dict[str, list[str]] = {}
    for signal in signals:
        details = grouped.setdefault(str(signal.get("kind", "")), [])
        detail = str(signal.get("detail") or "")
        if detail and detail not in details:
            details.append(detail)
    return "; ".join(f"{kind} {', '.join(details)}" if details else kind for kind, details in grouped.items())


def _scores(rows: Sequence[MutantRow], languages: Sequence[str]) -> tuple[LanguageScoreView, ...]:
    scores = []
    for index, lang in enumerate(languages):
        holes = tuple(row.name for row in rows if not row.cells[index].caught)
        caught = len(rows) - len(holes)
        scores.append(LanguageScoreView(lang, caught, len(rows), 100.0 * caught / len(rows) if rows else 0.0, holes))
    return tuple(scores)


def _notes(document: Mapping[str, Any], commit: str, run_commit: str | None) -> tuple[str, ...]:
    notes = []
    if not (document.get("production") or {}).get("passed"):
        notes.append("not every probe passed on the production library, so no mutant was judged (a probe that "
                     "cannot pass here can be left out with --exclude, -k or --lang)")
    if document.get("interrupted"):
        notes.append("interrupted before every mutant was judged")
    if document.get("out_of_budget"):
        budget = (document.get("selection") or {}).get("budget")
        notes.append(f"the wall budget of {budget} s was spent before every mutant and language was judged")
    if run_commit and commit and run_commit != commit:
        notes.append(f"scored at commit {commit[:10]}, not at this run's commit {run_commit[:10]}")
    return tuple(notes)
