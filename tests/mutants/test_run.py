"""The mutation run on real probe processes: production first (a failure there stops everything), every
probe or first catch per language, the wall budget; and the score computed from the real results."""

from __future__ import annotations

from pathlib import Path

from leakcheck.mutants.document import score_document
from leakcheck.mutants.run import MutationRun
from leakcheck.mutants.score import CAUGHT, HOLE, NOT_RUN, Cell
from leakcheck.mutants.signals import CRASH_SIGNAL, EXACT_COUNTER, PROBE_CHECK, Signal
from leakcheck.mutants.view import build_mutation_view

from .mutation_runs import LIBRARIES, run_suite


def _cell(run: MutationRun, mutant: str, lang: str) -> Cell:
    return next(c for c in run.score.cells() if (c.mutant, c.lang) == (mutant, lang))


def test_every_probe_runs_against_every_mutant_and_the_score_names_catches_and_holes(every_probe: MutationRun) -> None:
    score = every_probe.score
    assert score.production_passed and [v.outcome for v in score.production] == ["PASS"] * 3
    assert [len(run.verdicts) for run in score.runs] == [3, 3]
    both_python, both_zig = _cell(every_probe, "both", "python"), _cell(every_probe, "both", "zig")
    assert both_python.status == CAUGHT and [v.probe for v in both_python.caught_by] == ["python.quick"]
    assert Signal(EXACT_COUNTER, "lib_live_bytes") in both_python.caught_by[0].signals
    assert both_python.caught_by[0].outcome == "LEAK"
    assert both_zig.status == CAUGHT and both_zig.caught_by[0].signals == (Signal(CRASH_SIGNAL, "SIGABRT in measure"),)
    python_only = _cell(every_probe, "python-only", "python")
    assert python_only.status == CAUGHT and python_only.caught_by[0].signals == (Signal(PROBE_CHECK, "handles_closed"),)
    hole = _cell(every_probe, "python-only", "zig")
    assert hole.status == HOLE and [v.outcome for v in hole.ran] == ["PASS"]
    assert [(s.lang, s.caught, s.total) for s in score.language_scores()] == [("python", 2, 2), ("zig", 1, 2)]
    assert score.misses() == (hole,) and not score.passed and not every_probe.out_of_budget


def test_first_catch_runs_each_language_cheapest_first_and_stops_at_its_catch(tmp_path: Path) -> None:
    run, _ = run_suite(tmp_path, {"production": "", "both": "python.quick=counter python.slow=counter",
                                  "slow-only": "python.slow=counter"}, languages=("python",), first_catch=True)
    ran = {r.mutant.name: [v.probe for v in r.verdicts] for r in run.score.runs}
    assert ran == {"both": ["python.quick"], "slow-only": ["python.quick", "python.slow"]}
    assert all(cell.status == CAUGHT for cell in run.score.cells()) and run.score.passed


def test_first_catch_tries_the_probes_that_caught_the_mutant_last_time_first(tmp_path: Path) -> None:
    run, _ = run_suite(tmp_path, {"production": "", "both": "python.quick=counter python.slow=counter"},
                       languages=("python",), first_catch=True, known_catches={"both": frozenset({"python.slow"})})
    assert [v.probe for v in run.score.runs[0].verdicts] == ["python.slow"] and run.score.passed


def test_a_probe_failing_on_production_stops_the_run_before_any_mutant(tmp_path: Path) -> None:
    run, stages = run_suite(tmp_path, {"production": "python.quick=check", "both": "python.slow=counter"})
    assert stages.names == ["production"] and run.score.runs == ()
    assert not run.score.production_passed and not run.score.passed
    failing = [v for v in run.score.production if v.outcome != "PASS"]
    assert [(v.probe, v.outcome) for v in failing] == [("python.quick", "FAIL")]
    view = build_mutation_view(score_document(run.score, {}, out_of_budget=False, exit_code=1, wall_s=1.0))
    assert [(probe, outcome) for probe, outcome, _ in view.production_failures] == [("python.quick", "FAIL")]
    assert view.notes[0].startswith("not every probe passed on the production library, so no mutant was judged")
    assert all(not cell.caught for row in view.rows for cell in row.cells)


def test_a_spent_budget_leaves_the_rest_not_run_and_the_score_incomplete(tmp_path: Path) -> None:
    run, stages = run_suite(tmp_path, LIBRARIES, budget_s=0.001)
    assert run.out_of_budget and stages.names == ["production"]
    assert {cell.status for cell in run.score.cells()} == {NOT_RUN} and not run.score.passed
