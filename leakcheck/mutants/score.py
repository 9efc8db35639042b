"""The mutation score, computed from probe results: for each mutant and language, whether a probe of that
language caught it (and by which signal), and per language the share of mutants caught."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from leakcheck.mutants.catalog import Mutant
from leakcheck.mutants.signals import Signal, catch_signals
from leakcheck.results import FLAKY, PASS, ProbeResult

CAUGHT, HOLE, NOT_RUN = "caught", "hole", "not run"
PRODUCTION_PASSING = frozenset({PASS, FLAKY})
"""On the production library every probe must pass (FLAKY: on a retry), or a failure on a mutant means
nothing. A SKIP is no pass: a probe that cannot run here catches nothing."""


@dataclass(frozen=True)
class ProbeVerdict:
    probe: str
    lang: str
    outcome: str
    signals: tuple[Signal, ...]
    """The signals that failed; empty when the probe passed (or could not judge: ERROR, SKIP)."""
    reason: str
    duration_s: float

    @property
    def caught(self) -> bool:
        return bool(self.signals)

    @classmethod
    def of(cls, result: ProbeResult) -> ProbeVerdict:
        return cls(result.name, result.lang, result.outcome, catch_signals(result.final), result.reason,
                   round(sum(attempt.duration_s for attempt in result.attempts), 3))


@dataclass(frozen=True)
class MutantRun:
    mutant: Mutant
    library: str
    run_dir: str
    verdicts: tuple[ProbeVerdict, ...]
    """Every probe run against this mutant (in first-catch mode, only up to each language's first catch)."""


@dataclass(frozen=True)
class Cell:
    """One mutant in one language."""

    mutant: str
    lang: str
    status: str
    """caught (by at least one probe), hole (every selected probe ran, none caught) or not run (stopped
    before: budget spent or interrupted)."""
    caught_by: tuple[ProbeVerdict, ...]
    ran: tuple[ProbeVerdict, ...]


@dataclass(frozen=True)
class LanguageScore:
    lang: str
    caught: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.caught / self.total if self.total else 0.0


@dataclass(frozen=True)
class MutationScore:
    probes: Mapping[str, tuple[str, ...]]
    """The selected probes by language (the languages scored, in order)."""
    mutants: tuple[Mutant, ...]
    """The selected mutants."""
    production: tuple[ProbeVerdict, ...]
    runs: tuple[MutantRun, ...]
    """The mutants run so far (all of them unless the production run failed, the budget ran out or the
    run was interrupted)."""
    interrupted: bool = False

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.probes)

    @property
    def production_passed(self) -> bool:
        ran = {verdict.probe for verdict in self.production}
        every_probe = {name for names in self.probes.values() for name in names}
        return ran == every_probe and all(v.outcome in PRODUCTION_PASSING for v in self.production)

    def cells(self) -> tuple[Cell, ...]:
        runs = {run.mutant.name: run for run in self.runs}
        return tuple(self._cell(mutant.name, lang, runs.get(mutant.name))
                     for mutant in self.mutants for lang in self.languages)

    def _cell(self, mutant: str, lang: str, run: MutantRun | None) -> Cell:
        ran = tuple(v for v in (run.verdicts if run else ()) if v.lang == lang)
        caught = tuple(v for v in ran if v.caught)
        every_probe_ran = {v.probe for v in ran} >= set(self.probes[lang])
        status = CAUGHT if caught else HOLE if every_probe_ran else NOT_RUN
        return Cell(mutant, lang, status, caught, ran)

    def language_scores(self) -> tuple[LanguageScore, ...]:
        cells = self.cells()
        return tuple(LanguageScore(lang, sum(c.status == CAUGHT for c in cells if c.lang == lang),
                                   len(self.mutants)) for lang in self.languages)

    def misses(self) -> tuple[Cell, ...]:
        """Every mutant and language not (yet) shown caught: holes, and cells not run."""
        return tuple(cell for cell in self.cells() if cell.status != CAUGHT)

    @property
    def passed(self) -> bool:
        return self.production_passed and not self.interrupted and not self.misses()
