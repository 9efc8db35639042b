"""`leakcheck report [RUN] -o report.html [--summary-md PATH]`: one self-contained HTML page for a run,
with each probe's trend across the recorded runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leakcheck import provenance
from leakcheck.config import ConfigError, find_config
from leakcheck.history.index import History, entry_for, load_history
from leakcheck.history.resolve import LATEST, resolve_run
from leakcheck.history.store import RunFileError, read_run, run_id, runs_dir
from leakcheck.history.trend import probe_trends
from leakcheck.mutants.view import latest_mutation_view
from leakcheck.report.html import render_html
from leakcheck.report.markdown import render_markdown
from leakcheck.report.model import build_report
from leakcheck.schema import RunDocument, as_run_document

EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", nargs="?", default=LATEST,
                        help="a run directory, a results.json, a run id, a commit, or latest (default)")
    parser.add_argument("-o", "--output", type=Path, metavar="PATH", help="write the HTML report here")
    parser.add_argument("--summary-md", type=Path, metavar="PATH", help="write the summary as Markdown here")
    add_reports_argument(parser)


def add_reports_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs-dir", type=Path, metavar="DIR",
                        help="where the recorded runs are (default: reports/runs in this git work tree)")


def runs_directory(args: argparse.Namespace) -> Path:
    return args.runs_dir or runs_dir(provenance.project_dir(Path.cwd()))


def recorded_history(args: argparse.Namespace) -> History:
    """The runs of `runs_directory(args)`, for commands that only read them (history, report, compare). The
    index is kept up to date on disk only in a reports directory that is leakcheck's: one named with
    --runs-dir, or the one `leakcheck run` writes for the configuration found from here. In any other git
    work tree nothing is written (no reports/history, no lock, no index)."""
    directory = runs_directory(args)
    return load_history(directory, write_index=args.runs_dir is not None or _configured_runs(directory))


def _configured_runs(directory: Path) -> bool:
    try:
        config = find_config(Path.cwd())
    except ConfigError:
        return False
    return runs_dir(provenance.project_dir(config.resolve().parent)).resolve() == directory.resolve()


def execute(args: argparse.Namespace) -> int:
    if args.output is None and args.summary_md is None:
        print("leakcheck report: nothing to write: give -o PATH and/or --summary-md PATH", file=sys.stderr)
        return EXIT_USAGE
    history = recorded_history(args)
    for warning in history.warnings:
        print(f"leakcheck: warning: {warning}", file=sys.stderr)
    try:
        path = resolve_run(args.run, history)
        document = read_run(path)
    except RunFileError as exc:
        print(f"leakcheck report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    write_report(document, path, history, html_path=args.output, markdown_path=args.summary_md,
                 reports_dir=runs_directory(args).parent)
    return EXIT_OK


def write_run_report(run_dir: Path, html_path: Path) -> None:
    """`run --html`: the report of the run just written, with its trend across the runs beside it."""
    history = load_history(run_dir.parent)
    write_report(read_run(run_dir), run_dir, history, html_path=html_path, markdown_path=None,
                 reports_dir=run_dir.parent.parent)


def write_report(document: RunDocument | Mapping[str, Any], path: Path, history: History, *,
                 html_path: Path | None, markdown_path: Path | None, reports_dir: Path | None = None) -> None:
    """The report of the run at `path`. `reports_dir`: where runs/ and mutants/ are; the latest mutation score
    there gets its section."""
    run = as_run_document(document)
    mutation = latest_mutation_view(reports_dir, run.provenance.commit) if reports_dir is not None else None
    view = build_report(run, run_id(path), probe_trends(history, entry_for(run, path)), mutation)
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(view), encoding="utf-8")
        print(f"report: {html_path}")
    if markdown_path is not None:
        markdown_path.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.write_text(render_markdown(view), encoding="utf-8")
        print(f"summary: {markdown_path}")
