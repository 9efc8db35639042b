"""The terminal, like nextest's: a live display of the running probes (a terminal only), one line per probe as
it ends (outcome, time, name, key figure), then the details of each probe that did not pass (every reason, its
stacks, the tail of its output, where its logs are) and a closing count. `verbose` shows every probe's reasons.
The lines are computed (`result_line`, `detail_lines`) apart from printing them."""
from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Self

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from leakcheck.config import ProbeSpec
from leakcheck.report.attribution import AttributionView, report_view
from leakcheck.report.sites import SitesView, sites_view
from leakcheck.results import PASSING, ProbeResult
from leakcheck.runner.attempt import Progress as ProbeProgress
from leakcheck.units import format_bytes

OUTCOME_STYLES = {"PASS": "green", "SKIP": "yellow", "FLAKY": "yellow", "LEAK": "bold red",
                  "OVER_LIMIT": "bold red", "FAIL": "red", "CRASH": "bold magenta", "TIMEOUT": "magenta",
                  "INCONCLUSIVE": "bold yellow", "ERROR": "red"}


class ReaderGoneConsole(Console):
    """A console whose reader may go away (`leakcheck run | head -3`): the rest of its output goes nowhere and
    the command carries on, so a run still runs every probe and writes its results. rich's own reaction, exit
    at once, left a run's later probes unrun and their results unwritten, without a word."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def make_console(wide: bool = False) -> Console:
    """Not a terminal (CI logs, pipes): wide enough that reasons and paths stay readable (`wide`: tables of
    paths and install lines, which wrap badly)."""
    return ReaderGoneConsole() if sys.stdout.isatty() else ReaderGoneConsole(width=260 if wide else 160)


OUTCOME_WIDTH = max(len(outcome) for outcome in OUTCOME_STYLES)
TAIL_LINES = 15
"""Lines of a failing probe's stacks and output shown in the terminal; the files keep all of them."""


def label_of(result: ProbeResult) -> str:
    return result.name if result.repeat == 1 else f"{result.name}#{result.repeat}"


def result_line(result: ProbeResult) -> str:
    """`   LEAK [   3.2s] python.x  rss +14.5 KiB/iter, peak RSS 59 MiB` (the figure that says most)."""
    escalated = f", escalated to {result.final.iterations:,} iterations" \
        if result.final.escalation and result.final.iterations else ""
    attempts = f" ({len(result.attempts)} attempts{escalated})" if len(result.attempts) > 1 else ""
    return (f"{result.outcome:>{OUTCOME_WIDTH}} [{result.final.duration_s:>6.1f}s] {label_of(result)}{attempts}  "
            f"{result.final.key_figure}")


def detail_lines(result: ProbeResult, *, every_reason: bool = False) -> list[str]:
    """The reasons of the final attempt that failed (`every_reason`: the passing ones too; a FLAKY probe's
    failed attempt first), its notes, the stacks of a crash or hang, the tail of its output unless the
    stacks already are that tail, and where its logs are."""
    final = result.final
    lines = [f"--- {result.outcome} {label_of(result)} ({result.lang})"]
    if result.outcome == "FLAKY":
        lines.append(f"    {result.reason}")
    lines += [f"    attempt {a.number} escalated: {a.escalation}" for a in result.attempts if a.escalation]
    passing = {str(f.get("reason")) for f in final.findings if not f.get("failed") and not f.get("inconclusive")}
    lines += [f"    {reason}" for reason in final.reasons if every_reason or reason not in passing]
    lines += [f"    note: {note}" for note in final.notes]
    lines += site_lines(sites_view(result.attribution))
    if final.exit_snapshot:
        lines.append(f"    at exit: {exit_snapshot_text(final.exit_snapshot)}")
    stacks = final.crash.backtrace if final.crash else final.hang.stacks if final.hang else ""
    lines += _tail("stacks", stacks)
    if result.outcome not in PASSING and final.output_tail.strip() not in stacks:
        lines += _tail("output", final.output_tail)
    logs = final.files.get("stderr")
    if logs:
        lines.append(f"    logs: {logs.rsplit('/', 1)[0]}")
    return lines


def site_lines(view: SitesView | None) -> list[str]:
    """The allocation sites behind a Python probe's LEAK, most growth first."""
    if view is None:
        return []
    lines = [f"    {view.title}: {view.summary}"]
    lines += [f"      {site.per_iteration:>16}  {site.where}  ({site.growth})" for site in view.sites]
    return lines + ([f"      re-run logs: {view.directory}"] if view.directory else [])
def exit_snapshot_text(snapshot: Mapping[str, float]) -> str:
    """`preload_live_blocks 1,204, preload_live_bytes 96.3 KiB, fds 4, threads 1` (the preload counter's)."""
    return ", ".join(f"{name} {format_bytes(value) if name.endswith('bytes') else f'{value:,.0f}'}"
                     for name, value in snapshot.items())


def _tail(title: str, text: str) -> list[str]:
    kept = [line for line in text.splitlines() if line.strip()][-TAIL_LINES:]
    return [f"    {title} (last {len(kept)} lines):", *(f"      {line}" for line in kept)] if kept else []


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


def note_lines(results: Iterable[ProbeResult]) -> list[str]:
    """The warnings that left an outcome alone (docs/protocol.md), one line each under the table."""
    return [f"note: {r.name if r.repeat == 1 else f'{r.name}#{r.repeat}'}: {note}"
            for r in results for note in r.final.notes]


def summary_line(results: Sequence[ProbeResult], *, interrupted: bool, wall_s: float) -> str:
    """`17 probe(s), 0 failed, 59.7s wall: passed (PASS 17)`."""
    failed = sum(not r.passed for r in results)
    state = "interrupted" if interrupted else ("failed" if failed else "passed")
    counts = Counter(r.outcome for r in results)
    tally = ", ".join(f"{outcome} {counts[outcome]}" for outcome in OUTCOME_STYLES if counts[outcome])
    return f"{len(results)} probe(s), {failed} failed, {wall_s:.1f}s wall: {state}" + (f" ({tally})" if tally else "")


class TerminalReporter:
    """Implements the run listener: the live display while probes run and a line as each ends; `summary`
    prints the details of what did not pass and the closing count."""

    def __init__(self, console: Console | None = None, *, verbose: bool = False) -> None:
        self.console = console or make_console()
        self.verbose = verbose
        # Live bars only where they can be redrawn; a log (CI, a pipe) gets the plain lines alone.
        self._live = self.console.is_terminal
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[phase]}"), TextColumn("{task.fields[rss]}"),
                                  TimeElapsedColumn(), console=self.console, transient=True)
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Self:
        if self._live:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live:
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
        task = self._tasks.pop(label_of(result), None)
        if task is not None:
            self._progress.remove_task(task)
        self.console.print(result_line(result), style=OUTCOME_STYLES.get(result.outcome, ""), markup=False,
                           highlight=False)

    def summary(self, results: Sequence[ProbeResult], *, interrupted: bool, wall_s: float) -> None:
        shown = [r for r in results if self.verbose or not r.passed or r.outcome == "FLAKY"]
        for result in shown:
            self.console.print("\n".join(detail_lines(result, every_reason=self.verbose)), markup=False,
                               highlight=False,
                               style=None if result.passed else OUTCOME_STYLES.get(result.outcome))
        for line in note_lines(r for r in results if r not in shown):
            self.console.print(line, style="yellow", markup=False, highlight=False)
        for result in results:
            self._attribution(result)
        bad = any(r.outcome not in PASSING for r in results) or interrupted
        self.console.print(summary_line(results, interrupted=interrupted, wall_s=wall_s),
                           style="bold red" if bad else "bold green")
        if bad and not self.verbose:
            self.console.print("(every probe's reasons: leakcheck run -v, or the results JSON)", style="dim")

    def _attribution(self, result: ProbeResult) -> None:
        report = result.final.tool
        if report is None:
            return
        self.console.print("\n".join(attribution_lines(label_of(result), report_view(report))), markup=False,
                           highlight=False)
