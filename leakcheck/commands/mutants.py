"""`leakcheck mutants`: build the project's leak mutants, run the selected suite on the production library
and then against each mutant, and print the mutation score (which probes, in which languages, caught
each mutant and by which signal). Exit 0 only when production passes and every mutant is caught in every
selected language."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from leakcheck import provenance
from leakcheck.commands.common import (
    add_probe_arguments,
    add_process_arguments,
    configured_probes,
    non_negative_int,
    positive_float,
)
from leakcheck.commands.run import RunListeners
from leakcheck.config import Config, ConfigError
from leakcheck.mutants.build import BuildError, build_command, build_library
from leakcheck.mutants.catalog import Mutant, catalogue, choose, library_path, load_mutants
from leakcheck.mutants.document import SCORE_NAME, mutants_dir, previous_catches, score_document, write_score
from leakcheck.mutants.run import PRODUCTION, MutationPlan, StageListener, run_mutation
from leakcheck.mutants.terminal import print_score
from leakcheck.mutants.view import build_mutation_view
from leakcheck.output.json_results import JsonResults
from leakcheck.output.run_dir import create_run_dir
from leakcheck.output.terminal import TerminalReporter, make_console
from leakcheck.report.html import render_html
from leakcheck.report.model import build_mutation_report
from leakcheck.results import ProbeResult

EXIT_PASSED, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_probe_arguments(parser, default_suite="fast")
    add_process_arguments(parser)
    parser.add_argument("--mutant", dest="mutants", action="append", default=[], metavar="NAME",
                        help="only this leak mutant (repeatable; default: every one the project's [mutants] list names)")
    parser.add_argument("--list", action="store_true", help="print the declared leak mutants' names and exit")
    parser.add_argument("--first-catch", action="store_true",
                        help="per mutant and language, stop at the first catch; the probes that caught the mutant in "
                             "the previous score run first, then the cheapest")
    parser.add_argument("--budget", type=positive_float, metavar="S",
                        help="wall seconds; once spent, no further round of probes starts (what is left is not "
                             "judged, and the exit code is 1)")
    parser.add_argument("--retries", type=non_negative_int, default=1, metavar="N",
                        help="retry a probe failing on the production library up to N times (default 1); "
                             "runs against mutants are never retried")
    parser.add_argument("--no-build", action="store_true",
                        help="use the libraries already built where [mutants] library and production_library say")
    parser.add_argument("--out-dir", type=Path, metavar="DIR",
                        help="where the stages' runs and mutants.json go (default: reports/mutants/<UTC time>-<suite>)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the mutation score JSON here")
    parser.add_argument("--html", type=Path, metavar="PATH", help="write the mutation score as an HTML page here")


def execute(args: argparse.Namespace) -> int:
    config, probes = configured_probes(args)
    mutants = choose(load_mutants(config), args.mutants)
    if args.list:
        print("\n".join(mutant.name for mutant in mutants))
        return EXIT_PASSED
    if not probes:
        raise ConfigError(f"no probe in {config.path} matches the selection (--suite {args.suite}"
                          + (f" --lang {args.lang}" if args.lang else "") + "".join(f" -k {p}" for p in args.patterns)
                          + ")")
    console = make_console()
    started = time.monotonic()
    try:
        libraries = _libraries(config, mutants, build=not args.no_build)
    except BuildError as exc:
        print(f"leakcheck mutants: cannot build the libraries: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("leakcheck mutants: interrupted while building the libraries", file=sys.stderr)
        return EXIT_INTERRUPTED
    build_s = time.monotonic() - started
    if not args.no_build:
        console.print(f"built the production library and {len(mutants)} leak mutant(s) in {build_s:.1f}s")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = args.out_dir or create_run_dir(mutants_dir(provenance.project_dir(config.root) / "reports"), stamp,
                                             args.suite)
    header = _header(args, config, mutants, out_dir)
    plan = MutationPlan(root=config.root, suite=args.suite, probes=probes, mutants=mutants, libraries=libraries,
                        library_env=catalogue(config).env,
                        out_dir=out_dir, jobs=args.jobs or config.jobs, first_catch=args.first_catch,
                        budget_s=args.budget, production_retries=args.retries, timeout_s=args.timeout, seed=args.seed,
                        known_catches=previous_catches(out_dir.parent) if args.first_catch else {})
    outcome = run_mutation(plan, _TerminalStages(header))
    score = outcome.score
    exit_code = EXIT_INTERRUPTED if score.interrupted else EXIT_PASSED if score.passed else EXIT_FAILED
    document = score_document(score, {**header, "build_seconds": round(build_s, 3)}, exit_code=exit_code,
                              out_of_budget=outcome.out_of_budget, wall_s=time.monotonic() - started)
    _write(args, document, out_dir, console)
    return exit_code


def _header(args: argparse.Namespace, config: Config, mutants: Sequence[Mutant], out_dir: Path) -> dict[str, Any]:
    selection = {"suite": args.suite, "lang": args.lang, "patterns": args.patterns, "excluded": args.excluded,
                 "mutants": [m.name for m in mutants], "first_catch": args.first_catch, "budget": args.budget,
                 "jobs": args.jobs or config.jobs, "retries": args.retries, "timeout": args.timeout}
    return {"provenance": provenance.collect(config), "config": str(config.path), "out_dir": str(out_dir),
            "selection": selection}


def _write(args: argparse.Namespace, document: Mapping[str, Any], out_dir: Path, console: Console) -> None:
    """mutants.json (and --json), the score in the terminal, and the --html page."""
    score_paths = [out_dir / SCORE_NAME, *([args.json] if args.json else [])]
    write_score(document, score_paths)
    print_score(console, build_mutation_view(document))
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(build_mutation_report(document, out_dir.name)), encoding="utf-8")
        console.print(f"report: {args.html}")
    console.print(f"mutation score: {score_paths[-1]}")


def _libraries(config: Config, mutants: Sequence[Mutant], *, build: bool) -> dict[str, Path]:
    """"production" and each mutant -> its library, built now (the project's build tool caches) or checked."""
    names: list[str | None] = [None, *(m.name for m in mutants)]
    libraries: dict[str, Path] = {}
    for name in names:
        library = build_library(config, name) if build else library_path(config, name)
        if not library.is_file():
            raise BuildError(f"{library} does not exist (--no-build): {' '.join(build_command(config, name))}")
        libraries[name or PRODUCTION] = library
    return libraries


class _TerminalStages:
    """Each stage (production, then each mutant) gets a heading, progress bars and its own results.json."""

    def __init__(self, header: Mapping[str, Any]) -> None:
        self._header = header

    def stage(self, name: str, library: Path, run_dir: Path) -> StageListener:
        return _StageListener(name, library, run_dir, self._header)


class _StageListener(RunListeners):
    """What `leakcheck run` shows and writes, for one stage: a heading, progress bars, the stage's results.json."""

    def __init__(self, name: str, library: Path, run_dir: Path, header: Mapping[str, Any]) -> None:
        self._terminal = TerminalReporter()
        self._terminal.console.rule(f"{name}: {library}")
        stage_provenance = {**header["provenance"], "library_path": str(library)}
        stage_header = {**header, "provenance": stage_provenance, "run_dir": str(run_dir),
                        "mutant": None if name == PRODUCTION else name}
        self._writer = JsonResults([run_dir / "results.json"], stage_header)
        super().__init__(self._terminal, self._writer)
        self._started = time.monotonic()
        self._terminal.__enter__()

    def stage_finished(self, results: Sequence[ProbeResult], interrupted: bool) -> None:
        self._terminal.__exit__(None, None, None)
        wall = time.monotonic() - self._started
        failed = any(not result.passed for result in results)
        self._writer.finish(interrupted=interrupted, exit_code=EXIT_INTERRUPTED if interrupted else int(failed),
                            harness={"wall_seconds": round(wall, 3)})
