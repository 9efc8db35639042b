"""The terminal: a progress bar per probe while it runs, then a summary table (view-model, then render)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from leakcheck.config import ProbeSpec
from leakcheck.report.attribution import AttributionView, attribution_view
from leakcheck.results import PASSING, ProbeResult
from leakcheck.runner.attempt import Progress as ProbeProgress
from leakcheck.tools.model import report_document
from leakcheck.units import format_bytes

OUTCOME_STYLES = {"PASS": "green", "SKIP": "yellow", "FLAKY": "yellow", "LEAK": "bold red",
                  "OVER_LIMIT": "bold red", "FAIL": "red", "CRASH": "bold magenta", "TIMEOUT": "magenta",
                  "ERROR": "red"}


@dataclass(frozen=True)
class SummaryRow:
    probe: str
    lang: str
    outcome: str
    key_figure: str
    reason: str
    attempts: int


def make_console(wide: bool = False) -> Console:
    """Not a terminal (CI logs, pipes): wide enough that reasons and paths stay readable (`wide`: tables of
    paths and install lines, which wrap badly)."""
    return Console() if sys.stdout.isatty() else Console(width=260 if wide else 160)


def summary_rows(results: Sequence[ProbeResult]) -> list[SummaryRow]:
    return [SummaryRow(probe=r.name if r.repeat == 1 else f"{r.name}#{r.repeat}", lang=r.lang,
                       outcome=r.outcome, key_figure=r.final.key_figure, reason=r.reason,
                       attempts=len(r.attempts)) for r in results]


TERMINAL_FRAMES = 8


def attribution_lines(probe: str, view: AttributionView) -> list[str]:
    """A probe's leaked blocks under a tool, each with the first frames of its stack (`>` marks the code under
    test)."""
    totals = ", ".join(f"{kind} {size} in {blocks} block(s)" for kind, size, blocks in view.totals)
    lines = [f"{probe} under {view.tool}: " + (totals or "nothing lost through the code under test")]
    if view.problem:
        lines.append(f"  problem: {view.problem}")
    for block in (*view.blocks, *view.fds):
        lines.append(f"  {block.title}, {block.verb} {block.allocated_in}")
        lines += [f"    {'>' if frame.in_subject else ' '} {frame.text}" for frame in block.frames[:TERMINAL_FRAMES]]
    if view.more:
        lines.append(f"  … {view.more} more record(s) in the results JSON")
    lines += [f"  {note}" for note in (view.fd_note, view.other) if note]
    return lines


def note_lines(results: Sequence[ProbeResult]) -> list[str]:
    """The warnings that left an outcome alone (docs/protocol.md), one line each under the table."""
    return [f"note: {r.name if r.repeat == 1 else f'{r.name}#{r.repeat}'}: {note}"
            for r in results for note in r.final.notes]


def summary_line(results: Sequence[ProbeResult], *, interrupted: bool, wall_s: float) -> str:
    failed = sum(not r.passed for r in results)
    state = "interrupted" if interrupted else ("failed" if failed else "passed")
    return f"{len(results)} probe(s), {failed} failed, {wall_s:.1f}s wall: {state}"


class TerminalReporter:
    """Implements the run listener: progress bars while probes run; `summary` renders the table."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or make_console()
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[phase]}"), TextColumn("{task.fields[rss]}"),
                                  TimeElapsedColumn(), console=self.console, transient=False)
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def probe_started(self, probe: ProbeSpec, iterations: int, repeat: int) -> None:
        label = probe.name if repeat == 1 else f"{probe.name}#{repeat}"
        self._tasks[label] = self._progress.add_task(label, total=iterations, phase="queued", rss="")

    def progress(self, update: ProbeProgress) -> None:
        task = self._tasks.get(update.probe)
        if task is not None:
            done = 0 if update.iteration is None else update.iteration + 1
            phase = update.phase if update.attempt == 1 else f"{update.phase} (attempt {update.attempt})"
            self._progress.update(task, completed=done, phase=phase, rss=f"peak {format_bytes(update.rss)}")

    def probe_finished(self, result: ProbeResult) -> None:
        task = self._tasks.get(result.name if result.repeat == 1 else f"{result.name}#{result.repeat}")
        if task is not None:
            style = OUTCOME_STYLES.get(result.outcome, "")
            last = result.final.last_tick
            self._progress.update(task, completed=0 if last is None else last + 1,
                                  phase=f"[{style}]{result.outcome}[/]")
            self._progress.stop_task(task)
        if not self.console.is_terminal:  # no live bars in a log: one line per finished probe
            self.console.print(f"{result.name}: {result.outcome} ({result.final.duration_s:.1f}s) {result.reason}")

    def summary(self, results: Sequence[ProbeResult], *, interrupted: bool, wall_s: float) -> None:
        table = Table(title="leakcheck results")
        for column in ("probe", "language", "outcome", "key figure", "reason"):
            table.add_column(column, overflow="fold")
        for row in summary_rows(results):
            outcome = row.outcome if row.attempts == 1 else f"{row.outcome} ({row.attempts} attempts)"
            style = OUTCOME_STYLES.get(row.outcome, "")
            table.add_row(row.probe, row.lang, f"[{style}]{outcome}[/]", row.key_figure, row.reason)
        self.console.print(table)
        for line in note_lines(results):
            self.console.print(line, style="yellow", markup=False, highlight=False)
        for result in results:
            self._attribution(result)
        bad = any(r.outcome not in PASSING for r in results) or interrupted
        self.console.print(summary_line(results, interrupted=interrupted, wall_s=wall_s),
                           style="bold red" if bad else "bold green")

    def _attribution(self, result: ProbeResult) -> None:
        report = result.final.tool
        if report is None:
            return
        view = attribution_view({"tool": report_document(report)})
        if view is not None:
            label = result.name if result.repeat == 1 else f"{result.name}#{result.repeat}"
            self.console.print("\n".join(attribution_lines(label, view)), markup=False, highlight=False)
