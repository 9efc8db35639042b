"""The mutation run: the selected probes on the production library first (all must pass), then against
each mutant, through the same `run_probes` a `leakcheck run` uses. Each probe is pointed at a library by the
environment variable the project's [mutants] table names, which its probes load the library from.

In first-catch mode each language's probes run one per language per round, and a language stops at its
first catch: the probes that caught the mutant in the previous score first, then the cheapest (by their
production duration). A wall budget is checked before each round."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from leakcheck.config import ProbeSpec
from leakcheck.mutants.catalog import Mutant
from leakcheck.mutants.score import MutantRun, MutationScore, ProbeVerdict
from leakcheck.results import ProbeResult
from leakcheck.session import RunListener, RunOptions, RunOutcome, run_probes

PRODUCTION = "production"


@dataclass(frozen=True)
class MutationPlan:
    root: Path
    suite: str
    probes: tuple[ProbeSpec, ...]
    mutants: tuple[Mutant, ...]
    libraries: Mapping[str, Path]
    """"production" and each mutant's name -> the library file to load."""
    library_env: str
    """The variable through which the probes load the library they are given."""
    out_dir: Path
    """Each stage's run directory goes under it: production/, then one per mutant."""
    jobs: int = 1
    first_catch: bool = False
    budget_s: float | None = None
    production_retries: int = 1
    """A probe failing on production is retried (a pass on retry is FLAKY, which counts as passing);
    mutant runs are never retried: a failure there is the point."""
    timeout_s: float | None = None
    seed: int = 0
    known_catches: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Mutant -> the probes that caught it in the previous score: tried first in first-catch mode."""


@dataclass(frozen=True)
class MutationRun:
    score: MutationScore
    out_of_budget: bool
    """The budget was spent before every mutant and language was judged."""


class StageListener(RunListener, Protocol):
    def stage_finished(self, results: Sequence[ProbeResult], interrupted: bool) -> None: ...


class Stages(Protocol):
    """What shows and records each stage: the production run, then one per mutant."""

    def stage(self, name: str, library: Path, run_dir: Path) -> StageListener: ...


def run_mutation(plan: MutationPlan, stages: Stages) -> MutationRun:
    started = time.monotonic()
    by_lang = _by_language(plan.probes)
    production = _Stage(plan, PRODUCTION, stages, started)
    production.run(_Rounds({"all": list(plan.probes)}, first_catch=False), retries=plan.production_retries)
    score = MutationScore({lang: tuple(p.name for p in probes) for lang, probes in by_lang.items()},
                          plan.mutants, tuple(ProbeVerdict.of(r) for r in production.results), (),
                          production.interrupted)
    if production.interrupted or not score.production_passed:
        return MutationRun(score, out_of_budget=False)
    durations = {result.name: result.final.duration_s for result in production.results}
    runs: list[MutantRun] = []
    for mutant in plan.mutants:
        known = plan.known_catches.get(mutant.name, frozenset())
        queues = {lang: sorted(probes, key=lambda p: (p.name not in known, durations.get(p.name, 0.0), p.name))
                  for lang, probes in by_lang.items()}
        stage = _Stage(plan, mutant.name, stages, started)
        stage.run(_Rounds(queues, plan.first_catch), retries=0)
        if stage.results:
            runs.append(MutantRun(mutant, str(plan.libraries[mutant.name]), str(stage.run_dir),
                                  tuple(ProbeVerdict.of(r) for r in stage.results)))
        if stage.interrupted or stage.out_of_budget:
            return MutationRun(replace(score, runs=tuple(runs), interrupted=stage.interrupted),
                               stage.out_of_budget)
    return MutationRun(replace(score, runs=tuple(runs)), out_of_budget=False)


class _Rounds:
    """The batches of one stage: every probe at once, or (first catch) each language's next probe until a
    probe of that language catches the mutant."""

    def __init__(self, queues: Mapping[str, Sequence[ProbeSpec]], first_catch: bool) -> None:
        self._pending = {lang: list(queue) for lang, queue in queues.items() if queue}
        self._first_catch = first_catch

    def next_batch(self) -> list[ProbeSpec]:
        if not self._first_catch:
            batch, self._pending = [p for queue in self._pending.values() for p in queue], {}
            return batch
        return [queue.pop(0) for queue in self._pending.values()]

    def record(self, results: Iterable[ProbeResult]) -> None:
        caught = {r.lang for r in results if ProbeVerdict.of(r).caught}
        self._pending = {lang: queue for lang, queue in self._pending.items() if queue and lang not in caught}


class _Stage:
    def __init__(self, plan: MutationPlan, name: str, stages: Stages, started: float) -> None:
        self.plan, self.name, self.stages, self.started = plan, name, stages, started
        self.run_dir = plan.out_dir / name
        self.results: list[ProbeResult] = []
        self.interrupted = self.out_of_budget = False

    def run(self, rounds: _Rounds, retries: int) -> None:
        listener: StageListener | None = None
        while not self.interrupted:
            if self.name != PRODUCTION and self._budget_spent():
                self.out_of_budget = True
                break
            batch = rounds.next_batch()
            if not batch:
                break
            listener = listener or self.stages.stage(self.name, self.plan.libraries[self.name], self.run_dir)
            outcome = self._run_batch(batch, listener, retries)
            self.results += outcome.results
            self.interrupted = outcome.interrupted
            rounds.record(outcome.results)
        if listener is not None:
            listener.stage_finished(self.results, self.interrupted)

    def _run_batch(self, batch: Sequence[ProbeSpec], listener: RunListener, retries: int) -> RunOutcome:
        library = self.plan.libraries[self.name]
        options = RunOptions(root=self.plan.root, suite=self.plan.suite, run_dir=self.run_dir, retries=retries,
                             timeout_s=self.plan.timeout_s, seed=self.plan.seed, jobs=self.plan.jobs)
        return run_probes([pointed_at(probe, self.plan.library_env, library) for probe in batch], options, listener)

    def _budget_spent(self) -> bool:
        return self.plan.budget_s is not None and time.monotonic() - self.started >= self.plan.budget_s


def pointed_at(probe: ProbeSpec, variable: str, library: Path) -> ProbeSpec:
    """The probe, loading `library` whatever the caller's environment says."""
    return replace(probe, env={**probe.env, variable: str(library)})


def _by_language(probes: Sequence[ProbeSpec]) -> dict[str, list[ProbeSpec]]:
    by_lang: dict[str, list[ProbeSpec]] = {}
    for probe in probes:
        by_lang.setdefault(probe.lang, []).append(probe)
    return by_lang
