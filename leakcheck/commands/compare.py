"""`leakcheck compare BASE HEAD`: per probe, verdict, peak RSS, slope, exact-counter growth and duration;
exit 1 when any probe regressed."""

from __future__ import annotations

import argparse
import math
import sys

from rich.table import Table

from leakcheck.commands.common import probability
from leakcheck.commands.history import wide_console
from leakcheck.commands.report import add_reports_argument, recorded_history
from leakcheck.history.compare import ComparePolicy, ProbeComparison, compare_runs
from leakcheck.history.figures import run_figures
from leakcheck.history.resolve import resolve_run
from leakcheck.history.store import RunFileError, read_run, run_id
from leakcheck.schema import RunDocument

EXIT_SAME, EXIT_REGRESSION, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", help="run directory, results.json, run id, commit, or latest")
    parser.add_argument("head", help="run directory, results.json, run id, commit, or latest")
    parser.add_argument("--threshold", type=_percent, default=0.10, metavar="PCT",
                        help="relative growth that counts as a regression, e.g. 10%% or 0.1 (default 10%%)")
    parser.add_argument("--alpha", type=probability, default=0.01,
                        help="significance level, between 0 and 1 (default 0.01)")
    parser.add_argument("--all", action="store_true", help="show every figure, not only changed verdicts and "
                        "regressions")
    add_reports_argument(parser)


def execute(args: argparse.Namespace) -> int:
    history = recorded_history(args)
    for warning in history.warnings:
        print(f"leakcheck: warning: {warning}", file=sys.stderr)
    try:
        base_path, head_path = resolve_run(args.base, history), resolve_run(args.head, history)
        base, head = read_run(base_path), read_run(head_path)
    except RunFileError as exc:
        print(f"leakcheck compare: {exc}", file=sys.stderr)
        return EXIT_USAGE
    comparisons = compare_runs(run_figures(base), run_figures(head), ComparePolicy(args.threshold, args.alpha))
    console = wide_console()
    console.print(f"base {run_id(base_path)} ({_commit(base)})  →  head {run_id(head_path)} ({_commit(head)})")
    console.print(_table(comparisons, show_all=args.all))
    for comparison in comparisons:
        for change in comparison.changes:
            if not change.compared:
                console.print(f"{comparison.name}: {change.reason}", markup=False)
    regressed = [c.name for c in comparisons if c.regression]
    console.print(f"regressions: {', '.join(regressed)}" if regressed else "no regression")
    return EXIT_REGRESSION if regressed else EXIT_SAME


def _table(comparisons: tuple[ProbeComparison, ...], *, show_all: bool) -> Table:
    table = Table("probe", "verdict", "figure", "base", "head", "change", "regression", "why")
    table.columns[0].no_wrap = True
    for comparison in comparisons:
        verdict = f"{comparison.base_outcome} → {comparison.head_outcome}"
        shown = ([c for c in comparison.changes if show_all or c.regression or not c.compared]
                 or comparison.changes[:1])
        if not comparison.changes:
            table.add_row(comparison.name, verdict, "", "", "", "", "", "only in one run")
        for change in shown:
            table.add_row(comparison.name, verdict, change.figure, change.base, change.head,
                          "" if change.growth is None else f"{change.growth:+.0%}",
                          "[red]yes[/red]" if change.regression else "no", change.reason, end_section=False)
        table.rows[-1].end_section = True
    return table


def _commit(run: RunDocument) -> str:
    return run.provenance.commit[:10] if run.provenance.commit else "no commit"


def _percent(text: str) -> float:
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage such as 10% or 0.1") from None
    if not value > 0 or not math.isfinite(value):  # "nan" fails both comparisons, so `not >` catches it
        raise argparse.ArgumentTypeError(f"{text!r}: the threshold must be a finite number above 0")
    return value
