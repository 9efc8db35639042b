"""A run: every selected probe (repeats, retries), one at a time or `jobs` at once, results handed to the
writers as each ends.

A failure at any probe is a result; only Ctrl-C/SIGTERM ends the run early (children killed, the run
marked incomplete). Running probes side by side does not blur their verdicts much: RSS and the exact
counters are per process and on an iteration axis, so another probe only costs wall time.
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import Protocol

from leakcheck.config import DEFAULT_LOG_CAP, ProbeSpec
from leakcheck.results import ERROR, FLAKY, PASSING, SKIP, Attempt, ProbeResult
from leakcheck.runner.attempt import AttemptInterrupted, AttemptPlan, Progress, run_attempt
from leakcheck.runner.escalation import Escalation, next_escalation, unconfirmed_as_inconclusive, with_scaling
from leakcheck.runner.lifetime import become_subreaper
from leakcheck.runner.sites import attribute_sites
from leakcheck.tools import TOOL_LANGS, Tool


@dataclass(frozen=True)
class RunOptions:
    root: Path
    suite: str
    run_dir: Path
    repeat: int = 1
    retries: int = 0
    timeout_s: float | None = None
    """Overrides every probe's own timeout."""
    seed: int = 0
    jobs: int = 1
    """Probes run at once."""
    cancel: threading.Event = field(default_factory=threading.Event)
    tool: Tool | None = None
    """valgrind or LSan around each probe (only Zig and native probes; the others are skipped)."""
    tool_iterations: int | None = None
    """Iterations under the tool (default: the tool's own, or the probe's when smaller)."""
    tool_subject: re.Pattern[str] | None = None
    """Objects or source files that are the code under test under the tool (default: see tools.attribution)."""
    log_cap: int = DEFAULT_LOG_CAP
    """Bytes kept on disk of each captured stream of an attempt."""
    escalate: bool = True
    """Re-run an inconclusive or borderline attempt with more iterations (runner.escalation; run --no-escalate)."""
    tracemalloc: bool = False
    """Python SDK probes trace their allocations (a LEAK is attributed from its own run, not a re-run)."""

    def iterations_for(self, probe: ProbeSpec) -> int:
        iterations = probe.iterations_for(self.suite)
        if self.tool is None:
            return iterations
        return self.tool_iterations or min(iterations, self.tool.iterations)

    def timeout_for(self, probe: ProbeSpec) -> float:
        if self.timeout_s:
            return self.timeout_s
        return probe.timeout_s if self.tool is None else max(probe.timeout_s, self.tool.timeout_s)


class RunListener(Protocol):
    def probe_started(self, probe: ProbeSpec, iterations: int, repeat: int) -> None: ...
    def progress(self, update: Progress) -> None: ...
    def probe_finished(self, result: ProbeResult) -> None: ...


@dataclass(frozen=True)
class RunOutcome:
    results: tuple[ProbeResult, ...]
    interrupted: bool

    def passed(self, fail_on: frozenset[str] = frozenset(), allow: frozenset[str] = frozenset()) -> bool:
        """Every probe passed; outcomes in `fail_on` (SKIP, FLAKY) count as failures too, those in `allow`
        (INCONCLUSIVE) as passes."""
        return all((result.passed or result.outcome in allow) and result.outcome not in fail_on
                   for result in self.results)


def run_probes(probes: Sequence[ProbeSpec], options: RunOptions, listener: RunListener) -> RunOutcome:
    # Orphans of the probes (a setsid grandchild whose parent ended) come back to leakcheck, to be reported
    # and killed at the end of their attempt (runner.escape), instead of living on under init.
    become_subreaper()
    work = [(probe, repeat) for probe in probes for repeat in range(1, options.repeat + 1)]
    results: list[ProbeResult] = []

    def finished(result: ProbeResult) -> None:
        results.append(result)
        listener.probe_finished(result)

    try:
        with _sigterm_as_interrupt():
            if options.jobs == 1:
                for probe, repeat in work:
                    finished(run_probe(probe, options, listener, repeat))
            else:
                _run_side_by_side(work, options, listener, finished)
    except KeyboardInterrupt as stop:
        options.cancel.set()
        if isinstance(stop, ProbeInterrupted):  # the probe that was running is listed, as far as it got
            finished(stop.result)
        return RunOutcome(tuple(results), interrupted=True)
    return RunOutcome(tuple(results), interrupted=False)


class ProbeInterrupted(KeyboardInterrupt):
    """The run was interrupted while this probe ran: `result` holds its attempts, the last one interrupted."""

    def __init__(self, result: ProbeResult) -> None:
        super().__init__(result.reason)
        self.result = result


def _run_side_by_side(work: Sequence[tuple[ProbeSpec, int]], options: RunOptions, listener: RunListener,
                      finished: Callable[[ProbeResult], None]) -> None:
    """`jobs` probes at once in worker threads; results are handed over in the main thread."""
    with ThreadPoolExecutor(max_workers=options.jobs, thread_name_prefix="probe") as pool:
        futures = [pool.submit(run_probe, probe, options, listener, repeat) for probe, repeat in work]
        handed: set[Future[ProbeResult]] = set()
        try:
            for future in as_completed(futures):
                finished(future.result())
                handed.add(future)
        except BaseException:
            # Workers see the event within one poll and kill their probe's group; once they are done, the
            # results not handed over yet (finished, or cut short by the interruption) are.
            options.cancel.set()
            for future in futures:
                future.cancel()
            pool.shutdown(wait=True)
            for future in futures:
                if future not in handed and future.done() and not future.cancelled():
                    error = future.exception()
                    if error is None or isinstance(error, ProbeInterrupted):
                        finished(future.result() if error is None else error.result)
            raise


def run_probe(probe: ProbeSpec, options: RunOptions, listener: RunListener, repeat: int = 1) -> ProbeResult:
    iterations = options.iterations_for(probe)
    listener.probe_started(probe, iterations, repeat)
    if options.tool is not None and probe.lang not in TOOL_LANGS:
        reason = f"--tool {options.tool.name} runs Zig and native probes only, not {probe.lang}"
        skipped = Attempt(number=1, outcome=SKIP, reasons=(reason,),
                          key_figure="", returncode=None, phase="start", last_tick=None, duration_s=0.0,
                          peak_rss=0, files={})
        return ProbeResult(probe.name, probe.lang, options.suite, iterations, SKIP, (skipped,), repeat)
    attempts: list[Attempt] = []
    retries_left, current, escalation = options.retries, iterations, ""
    while True:
        number = len(attempts) + 1
        prefix = f"repeat-{repeat}-" if options.repeat > 1 else ""
        plan = AttemptPlan(probe=probe, root=options.root, suite=options.suite, iterations=current,
                           number=number, directory=options.run_dir / probe.name / f"{prefix}attempt-{number}",
                           seed=options.seed, timeout_s=options.timeout_for(probe),
                           environment=dict(os.environ), repeat=repeat, cancel=options.cancel, tool=options.tool,
                           tool_subject=options.tool_subject, log_cap=options.log_cap,
                           tracemalloc=options.tracemalloc)
        try:
            attempt = run_attempt(plan, listener.progress)
        except AttemptInterrupted as stop:
            raise ProbeInterrupted(ProbeResult(probe.name, probe.lang, options.suite, iterations, ERROR,
                                               (*attempts, replace(stop.attempt, iterations=current,
                                                                   escalation=escalation)), repeat)) from None
        attempt = with_scaling(attempts, replace(attempt, iterations=current, escalation=escalation), probe)
        step = _escalation([*attempts, attempt], options, probe, iterations)
        if step.why and not step.iterations:  # it could have helped: say why it stopped
            attempt = unconfirmed_as_inconclusive(replace(attempt, notes=(*attempt.notes, step.why)))
        attempts.append(attempt)
        if step.iterations:
            current, escalation = step.iterations, step.why
            continue
        if attempt.outcome in PASSING or retries_left == 0:
            break
        retries_left, escalation = retries_left - 1, ""
    result = ProbeResult(probe.name, probe.lang, options.suite, iterations, _outcome(attempts), tuple(attempts),
                         repeat)
    return attribute_sites(result, plan, listener.progress, ProbeInterrupted)


def _escalation(attempts: Sequence[Attempt], options: RunOptions, probe: ProbeSpec, configured: int) -> Escalation:
    if not options.escalate or options.tool is not None:  # a tool runs its own, few, iterations
        return Escalation(0, "")
    return next_escalation(attempts, configured, options.timeout_for(probe))


def _outcome(attempts: Sequence[Attempt]) -> str:
    """The last attempt's, which has the most evidence; FLAKY when it passed on a retry (an attempt run again
    after a failure at the same count, not an escalation)."""
    last = attempts[-1].outcome
    retried = any(not attempt.escalation for attempt in attempts[1:])
    if retried and last in PASSING and last != SKIP:
        return FLAKY
    return last


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM to leakcheck ends the run like Ctrl-C: the running probe's group is killed on the way out."""
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
