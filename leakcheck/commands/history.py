"""`leakcheck history [PROBE]`: the recorded runs (from the index), or one probe's figures across them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from leakcheck.commands.report import add_reports_argument, recorded_history
from leakcheck.history.index import History
from leakcheck.units import format_bytes

EXIT_OK, EXIT_NOT_FOUND = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("probe", nargs="?", help="a probe name: its figures across runs")
    parser.add_argument("--limit", type=int, default=30, metavar="N", help="the N latest runs (default 30)")
    add_reports_argument(parser)


def execute(args: argparse.Namespace) -> int:
    history = recorded_history(args)
    for warning in history.warnings:
        print(f"leakcheck: warning: {warning}", file=sys.stderr)
    console = wide_console()
    if args.probe is None:
        console.print(_runs_table(history, args.limit))
        return EXIT_OK
    table = _probe_table(history, args.probe, args.limit)
    if table.row_count == 0:
        print(f"leakcheck history: no recorded run has probe {args.probe!r}", file=sys.stderr)
        return EXIT_NOT_FOUND
    console.print(table)
    return EXIT_OK


def wide_console() -> Console:
    """Tables of runs and figures are wide: at least 160 columns, even when the output is a pipe or a CI log."""
    return Console(highlight=False, width=max(Console().width, 160))


def _runs_table(history: History, limit: int) -> Table:
    table = Table("run", "time", "commit", "suite", "outcomes", "library",
                  title=f"{len(history.runs)} recorded run(s)")
    for run in history.runs[-limit:]:
        outcomes = ", ".join(f"{outcome} {count}" for outcome, count in sorted(run.summary.items()))
        table.add_row(run.run_id, run.time, run.commit[:10] + ("*" if run.dirty else ""), run.suite, outcomes,
                      _library(run.library))
    return table


def _probe_table(history: History, probe: str, limit: int) -> Table:
    table = Table("run", "commit", "outcome", "peak RSS", "slope (B/iter)", "duration", "library", title=probe)
    rows = [(run, figures) for run in history.runs for figures in run.probes if figures.name == probe]
    for run, figures in rows[-limit:]:
        slope = "—" if figures.slope is None else f"{figures.slope:,.1f}"
        table.add_row(run.run_id, run.commit[:10] + ("*" if run.dirty else ""), figures.outcome,
                      format_bytes(float(figures.peak_rss)), slope, f"{figures.duration_s:.1f} s",
                      _library(run.library))
    return table


def _library(path: str) -> str:
    """The library's path relative to the working directory where it is under it (a mutant's build stands
    out), else as recorded."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path
