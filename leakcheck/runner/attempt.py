"""One attempt of one probe: spawn, read events, sample, watch, then turn what happened into a result."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from leakcheck.analysis.verdict import judge
from leakcheck.config import DEFAULT_LOG_CAP, ProbeSpec
from leakcheck.results import (
    CRASH,
    ERROR,
    FAIL,
    INCONCLUSIVE,
    KEPT_ROWS,
    LEAK,
    OVER_LIMIT,
    PASS,
    SAMPLE_KEEP,
    SKIP,
    TICK_KEEP,
    TIMEOUT,
    Attempt,
    Crash,
    Hang,
    Sample,
    Tick,
)
from leakcheck.runner import crash as crashes
from leakcheck.runner import escape, lifetime
from leakcheck.runner import preload as preloading
from leakcheck.runner.capture import CappedFile, StreamCut, cap_written_file
from leakcheck.runner.command import (
    CannotRun,
    RequirementMissing,
    probe_command,
    probe_environment,
    sdk_options,
)
from leakcheck.runner.exceptions import sdk_not_importable, uncaught_exception
from leakcheck.runner.explain import crash_reason, hang_reason, iteration_text, key_figure
from leakcheck.runner.plan import plan_failures, plan_notes
from leakcheck.runner.process import (
    OutputFiles,
    Spawned,
    abandon,
    group_alive,
    kill_group,
    spawn,
    terminate_group,
)
from leakcheck.runner.protocol import ProtocolReader
from leakcheck.runner.sampler import Sampler
from leakcheck.runner.series import build_series
from leakcheck.runner.stacks import dump_stacks
from leakcheck.thinning import thinned
from leakcheck.tools import Tool, scaling, with_scaling
from leakcheck.tools import verdict as tool_verdict
from leakcheck.tools.growth import GrowthWatch
from leakcheck.tools.model import ToolReport

POLL_MS = 50
PIPE_GRACE_S = 1.0  # after the probe exits, how long a descendant may keep the event pipe open
OUTPUT_TAIL_LINES = 40
CORE_DUMP_LANGS = frozenset({"node", "zig", "native"})  # Python probes have faulthandler instead
TOOL_BLIND_SIGNALS = frozenset({"rss", "vms"})
EXIT_STUCK_S = 5.0


@dataclass(frozen=True)
class AttemptPlan:
    probe: ProbeSpec
    root: Path
    suite: str
    iterations: int
    number: int
    directory: Path
    seed: int
    timeout_s: float
    environment: Mapping[str, str]
    repeat: int = 1
    cancel: threading.Event = field(default_factory=threading.Event)
    """Set when the run is interrupted: a probe running in a worker thread is killed and the attempt ends."""
    tool: Tool | None = None
    """valgrind or LSan around the probe (`leakcheck run --tool`)."""
    tool_subject: re.Pattern[str] | None = None
    """Objects or source files that are the code under test (default: every non-system object but the probe's)."""
    log_cap: int = DEFAULT_LOG_CAP
    """Bytes kept on disk of each captured stream (stdout, stderr, events)."""
    tracemalloc: bool = False
    """Python SDK probes trace their allocations and report the sites that grew (`leakcheck run --tracemalloc`)."""

    @property
    def label(self) -> str:
        return self.probe.name if self.repeat == 1 else f"{self.probe.name}#{self.repeat}"


class Cancelled(KeyboardInterrupt):
    """The run was interrupted while this attempt ran (raised in the worker thread that ran it)."""


class AttemptInterrupted(KeyboardInterrupt):
    """The run was interrupted while this attempt ran; `attempt` is what it had got to (outcome ERROR)."""

    def __init__(self, attempt: Attempt) -> None:
        super().__init__(attempt.reason)
        self.attempt = attempt


@dataclass(frozen=True)
class Progress:
    probe: str
    """The probe's label: its name, with #N for a repeat after the first."""
    attempt: int
    phase: str
    iteration: int | None
    iterations: int
    rss: int


ProgressCallback = Callable[[Progress], None]


def run_attempt(plan: AttemptPlan, on_progress: ProgressCallback) -> Attempt:
    plan.directory.mkdir(parents=True, exist_ok=True)
    outputs = OutputFiles(plan.directory / "stdout.log", plan.directory / "stderr.log", plan.log_cap)
    files = {"stdout": str(outputs.stdout), "stderr": str(outputs.stderr),
             "events": str(plan.directory / "events.jsonl"), "samples": str(plan.directory / "samples.csv")}
    try:
        command = probe_command(plan.probe, plan.root)
        environment = probe_environment(plan.probe, root=plan.root, suite=plan.suite, iterations=plan.iterations,
                                        seed=plan.seed, base=plan.environment)
        environment.update(sdk_options(plan.tracemalloc))
    except RequirementMissing as exc:
        return _early(plan, SKIP, str(exc), {})
    except CannotRun as exc:
        return _early(plan, ERROR, str(exc), {})
    executable = command[0]
    environment, preload = preloading.prepare(environment, wanted=plan.tool is None and plan.probe.preload,
                                              attempt_directory=plan.directory)
    if preload.directory is not None:
        files["preload"] = str(preload.directory)
    if plan.tool is not None:
        command, environment = plan.tool.wrap(command, _tool_warmup(environment, plan.iterations), plan.directory)
    want_core = plan.probe.lang in CORE_DUMP_LANGS and shutil.which("gdb") is not None
    started = time.monotonic()
    try:
        spawned = spawn(command, cwd=plan.root, env=environment, outputs=outputs, core_dumps=want_core,
                        memory_cap=plan.probe.memory_cap_bytes,
                        limit_address_space=plan.tool is None or plan.tool.limits_address_space)
    except OSError as exc:
        return _early(plan, ERROR, f"cannot start {command[0]}: {exc.strerror or exc}", {"stderr": files["stderr"]})
    except KeyboardInterrupt:  # spawn has given the probe up
        raise AttemptInterrupted(_interrupted_at_start(plan, files)) from None
    try:
        watch = _Watch(plan, spawned, started)
        watch.tool_watch = plan.tool.watch(plan.directory, plan.iterations) if plan.tool else None
    except BaseException as stop:  # Ctrl-C (or psutil losing the process) before the watch took over
        abandon(spawned)
        if isinstance(stop, KeyboardInterrupt):
            raise AttemptInterrupted(_interrupted_at_start(plan, files)) from None
        raise
    interrupted = False
    try:
        watch.pump(on_progress)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM here, or Cancelled in a worker thread
        interrupted = True
    finally:
        watch.close()
        if watch.tool_watch is not None:  # no vgdb outlives its attempt
            watch.tool_watch.finish()
    if interrupted:
        raise AttemptInterrupted(watch.interrupted_result(files))
    attempt = watch.result(files, command, want_core, preload)
    if plan.tool is None:
        return attempt
    report = plan.tool.collect(plan.directory, plan.root, executable, plan.tool_subject)
    scaling_tool = plan.tool.scaling_runs(report, unexplained=tool_verdict.unexplained(report, attempt.outcome))
    if scaling_tool is not None:
        report = _with_scaling(plan, scaling_tool, report, on_progress)
    # Under a tool the probe runs few iterations and its series are not the judge: lacking evidence there is
    # no INCONCLUSIVE, the tool's report decides.
    base = PASS if attempt.outcome == INCONCLUSIVE else attempt.outcome
    outcome, reasons = tool_verdict.apply(report, base, attempt.reasons)
    if watch.exit_hung:
        reasons = (*reasons, (f"{plan.tool.name}: the probe hung in exit after done and was killed (the ASan "
                             f"runtime's deadlock in p11-kit's destructor); its events were complete"))
    return _with_tool_logs_capped(replace(attempt, outcome=outcome, reasons=reasons, tool=report), plan.log_cap)


def _with_tool_logs_capped(attempt: Attempt, cap: int) -> Attempt:
    """The tool's own files, once read, within the log cap like the captured streams (a leak of a million
    blocks under valgrind writes a log of gigabytes)."""
    cuts = {Path(name).name: cut for name in (attempt.tool.files if attempt.tool else ())
            if Path(name).is_file() and (cut := cap_written_file(Path(name), cap)) is not None}
    if not cuts:
        return attempt
    return replace(attempt, log_cuts={**attempt.log_cuts, **{name: cut.document() for name, cut in cuts.items()}},
                   notes=(*attempt.notes, *(cut.note(name) for name, cut in cuts.items())))


def _with_scaling(plan: AttemptPlan, tool: Tool, report: ToolReport, on_progress: ProgressCallback) -> ToolReport:
    """The probe twice more, short and long, under LSan with no roots: what grew names the allocation behind a
    failing verdict LSan saw no loss in (tools.scaling). Attribution only: the outcome stays the first run's."""
    short, long = scaling.pass_iterations(plan.iterations)
    runs = [run_attempt(replace(plan, tool=tool, iterations=n, directory=plan.directory / f"{scaling.DIRECTORY}-{n}"),
                        on_progress).tool for n in (short, long)]
    return with_scaling(report, runs[0], runs[1], long - short)


def _tool_warmup(environment: dict[str, str], iterations: int) -> dict[str, str]:
    """Under a tool the iterations are few: a warm-up sized for the full count would leave none measured."""
    configured = environment.get("LEAKCHECK_WARMUP", "")
    warmup = min(int(configured) if configured.isdigit() else iterations // 10, iterations // 5)
    return {**environment, "LEAKCHECK_WARMUP": str(max(1, warmup))}


class _Watch:
    """The live state of a running attempt (mutable while it runs; the `Attempt` it yields is frozen)."""

    def __init__(self, plan: AttemptPlan, spawned: Spawned, started: float) -> None:
        self.plan = plan
        self.spawned = spawned
        self.started = started
        self.started_at = time.time()
        self.reader = ProtocolReader(self.clock)
        self.sampler = Sampler(spawned.pid, started_at=started, last_tick=lambda: self.reader.last_tick,
                               memory_cap=plan.probe.memory_cap_bytes, csv_path=plan.directory / "samples.csv")
        self.sampler.start()
        self.hang: Hang | None = None
        self.duration = 0.0
        self.x_unit = "iter"
        self.exit_hung = False
        self.tool_watch: GrowthWatch | None = None
        self._exit_cpu: tuple[float, float] | None = None
        self.log_cuts: dict[str, StreamCut] = {}
        self.left_running: tuple[escape.LeftRunning, ...] = ()
        # The event lines as received, kept beside stdout/stderr for a look after a crash.
        self.events_log = CappedFile(plan.directory / "events.jsonl", plan.log_cap)

    def clock(self) -> float:
        return time.monotonic() - self.started

    def pump(self, on_progress: ProgressCallback) -> None:
        poller = select.poll()
        poller.register(self.spawned.events_fd, select.POLLIN | select.POLLHUP)
        pipe_open = True
        exited_at: float | None = None
        last_progress = 0.0
        while True:
            if pipe_open:
                pipe_open = self._read_events(poller)
                if self.tool_watch is not None and self.spawned.process.poll() is None:
                    self.tool_watch.tick(self.spawned.pid, self.reader.phase, self.reader.last_tick)
            else:
                time.sleep(POLL_MS / 1000)
            if self.plan.cancel.is_set():
                raise Cancelled
            now = self.clock()
            if self.spawned.process.poll() is not None:
                exited_at = exited_at if exited_at is not None else now
                if not pipe_open or now - exited_at > PIPE_GRACE_S:
                    return
            elif self._watchdog(now) or self._stuck_in_exit(now):
                return
            if now - last_progress >= 0.1:
                last_progress = now
                on_progress(Progress(self.plan.label, self.plan.number, self.reader.phase,
                                     self.reader.last_tick, self.plan.iterations, self.sampler.peak_rss))

    def _read_events(self, poller: select.poll) -> bool:
        if not poller.poll(POLL_MS):
            return True
        data = os.read(self.spawned.events_fd, 1 << 16)
        if not data:
            self.reader.finish()
            return False
        self.events_log.write(data)
        self.reader.feed(data)
        return True

    def _watchdog(self, now: float) -> bool:
        """True when the probe is hung: stacks are dumped, then the group is terminated."""
        stall = self.plan.probe.stall_timeout_s
        last_event = self.reader.last_event_at
        if now > self.plan.timeout_s:
            fired, seconds = "timeout", self.plan.timeout_s
        elif stall is not None and last_event is not None and now - last_event > stall:
            fired, seconds = "stall", stall
        else:
            return False
        stacks = dump_stacks(self.spawned.pid, lang=self.plan.probe.lang,
                             python_sdk=(self.reader.hello or {}).get("lang") == "python",
                             stderr_path=self.plan.directory / "stderr.log")
        (self.plan.directory / "stacks.txt").write_text(stacks + "\n", encoding="utf-8")
        self.hang = Hang(fired, seconds, self.reader.phase, stacks)
        terminate_group(self.spawned)
        return True

    def close(self) -> None:
        """Whatever happened (normal exit, hang, Ctrl-C): no process of the attempt is left behind."""
        self.duration = self.clock()
        self.sampler.stop()
        self._kill_what_is_left()
        os.close(self.spawned.events_fd)
        self.log_cuts = dict(self.spawned.capture.finish(PIPE_GRACE_S))
        events_cut = self.events_log.close()
        if events_cut is not None:
            self.log_cuts["events"] = events_cut

    def _kill_what_is_left(self) -> None:
        """The group, and the processes the probe left running: those still running after it exited by itself
        (in its group or not) and those that escaped the group (setsid) whatever ended the probe; they are
        reported (runner.escape), killed, and the guardian lets go of the attempt."""
        token, seen, subreaper = self.spawned.token, self.sampler.seen, lifetime.is_subreaper()
        left = escape.left_running(token, seen, subreaper=subreaper) if self.spawned.process.poll() is not None \
            else []
        if self.spawned.process.poll() is None or group_alive(self.spawned.pid):
            kill_group(self.spawned)
        escaped = escape.left_running(token, seen, subreaper=subreaper, skip_group=self.spawned.pid)
        self.left_running = escape.kill({p.pid: p for p in (*left, *escaped)}.values())
        escape.reap(seen)
        self.spawned.release()

    def _stuck_in_exit(self, now: float) -> bool:
        """Under a tool whose runtime can hang in exit (see `Tool.exit_may_hang`): the probe said done, then
        used no CPU for EXIT_STUCK_S. Its events are all in; the group is killed and the run judged."""
        tool = self.plan.tool
        if tool is None or not tool.exit_may_hang or self.reader.done_iterations is None:
            return False
        try:
            cpu = sum(psutil.Process(self.spawned.pid).cpu_times()[:2])
        except psutil.Error:
            return False
        if self._exit_cpu is None or cpu != self._exit_cpu[1]:
            self._exit_cpu = (now, cpu)
            return False
        if now - self._exit_cpu[0] < EXIT_STUCK_S:
            return False
        self.exit_hung = True
        kill_group(self.spawned)
        return True

    def result(self, files: dict[str, str], command: list[str], want_core: bool,
               preload: preloading.PreloadUse) -> Attempt:
        returncode = self.spawned.process.returncode
        if self.plan.tool is not None:
            returncode = self.plan.tool.probe_status(returncode, exit_hung=self.exit_hung)
        stderr_text = Path(files["stderr"]).read_text(encoding="utf-8", errors="replace")
        crash = self._crash(returncode, stderr_text, command, want_core)
        outcome, reasons, findings = self._decide(returncode, crash, stderr_text)
        stats = self.sampler.stats
        samples, ticks = self._kept_series()
        return Attempt(
            number=self.plan.number, outcome=outcome, reasons=reasons,
            key_figure=key_figure(crash, self.hang, self.sampler.peak_rss, findings, self.x_unit),
            returncode=returncode, phase=self.reader.phase, last_tick=self.reader.last_tick,
            duration_s=self.duration, peak_rss=self.sampler.peak_rss, files=files, started_at=self.started_at,
            probe_peak_rss=self.sampler.probe_peak_rss,
            samples=samples, ticks=ticks, tick_count=self.reader.ticks.count, checks=tuple(self.reader.checks),
            findings=findings, crash=crash, hang=self.hang, sampler=stats,
            output_tail="\n".join(stderr_text.splitlines()[-OUTPUT_TAIL_LINES:]),
            hello=self.reader.announced,
            log_cuts={name: cut.document() for name, cut in self.log_cuts.items()},
            left_running=tuple(process.document() for process in self.left_running),
            notes=(*self._notes(), *((preload.note,) if preload.note else ())), sites=self.reader.sites,
            exit_snapshot=preload.exit_snapshot(self.spawned.pid),
        )

    def _kept_series(self) -> tuple[tuple[Sample, ...], tuple[Tick, ...]]:
        """What the ended attempt keeps of its series: KEPT_ROWS of each (the judgement saw MEMORY_SAMPLES)."""
        return (tuple(thinned(self.sampler.samples.items(), KEPT_ROWS, SAMPLE_KEEP)),
                tuple(thinned(self.reader.ticks.items(), KEPT_ROWS, TICK_KEEP)))

    def _notes(self) -> tuple[str, ...]:
        plan = plan_notes(self.reader.announced, config_name=self.plan.probe.name,
                          requested_iterations=self.plan.iterations)
        left = (escape.note(self.left_running),) if self.left_running else ()
        dropped = self.reader.checks_dropped
        checks = ((f"checks: the first {len(self.reader.checks):,} are kept, {dropped:,} later ones were counted "
                   f"and dropped"),) if dropped else ()
        return (*plan, *left, *checks, *(cut.note(name) for name, cut in self.log_cuts.items()))

    def interrupted_result(self, files: dict[str, str]) -> Attempt:
        """The attempt the run's interruption cut short: not judged (ERROR, for no outcome means "stopped
        from outside"; `interrupted` says which ERROR this is), with the series it had."""
        at = "before its first iteration" if self.reader.last_tick is None else \
            f"at iteration {iteration_text(self.reader.last_tick)} of {self.plan.iterations:,}"
        reason = (f"interrupted: the run was stopped while the probe ran, in phase {self.reader.phase} {at} "
                  f"({self.duration:.1f} s); not judged, its series so far is kept")
        stderr_text = Path(files["stderr"]).read_text(encoding="utf-8", errors="replace")
        samples, ticks = self._kept_series()
        return Attempt(
            number=self.plan.number, outcome=ERROR, reasons=(reason,), key_figure="interrupted",
            returncode=self.spawned.process.returncode, phase=self.reader.phase, last_tick=self.reader.last_tick,
            duration_s=self.duration, peak_rss=self.sampler.peak_rss, files=files, started_at=self.started_at,
            probe_peak_rss=self.sampler.probe_peak_rss,
            samples=samples, ticks=ticks, tick_count=self.reader.ticks.count, checks=tuple(self.reader.checks),
            sampler=self.sampler.stats, output_tail="\n".join(stderr_text.splitlines()[-OUTPUT_TAIL_LINES:]),
            log_cuts={name: cut.document() for name, cut in self.log_cuts.items()},
            left_running=tuple(process.document() for process in self.left_running), notes=self._notes(),
            interrupted=True,
        )

    def _crash(self, returncode: int | None, stderr_text: str, command: list[str], want_core: bool) -> Crash | None:
        if self.hang is not None or returncode is None:
            return None
        if self.sampler.killed_over_cap_at is not None:
            return Crash("SIGKILL", int(signal.SIGKILL), self.reader.phase, "out-of-memory", "")
        if returncode >= 0:
            return None
        crash = crashes.classify_signal(-returncode, stderr_text, self.reader.phase)
        core = self.plan.root / "core"
        if want_core and core.is_file() and core.stat().st_mtime >= time.time() - self.duration - 1:
            if not crash.backtrace:
                crash = Crash(crash.signal, crash.number, crash.phase, crash.kind,
                              crashes.backtrace_from_core(core, shutil.which(command[0]) or command[0]))
            core.unlink(missing_ok=True)  # cores are large; the backtrace is what is kept
        return crash

    def _decide(self, returncode: int | None, crash: Crash | None,
                stderr_text: str) -> tuple[str, tuple[str, ...], tuple[dict[str, Any], ...]]:
        phase = self.reader.phase
        if self.hang is not None:
            return TIMEOUT, (hang_reason(self.hang, self.reader.last_tick),), ()
        if crash is not None:
            return CRASH, (crash_reason(crash, self.sampler.peak_rss, self.plan.probe.memory_cap_bytes,
                                         self.reader.last_tick),), ()
        if self.reader.error is not None:
            return ERROR, (self.reader.error,), ()
        missing_sdk = sdk_not_importable(stderr_text) if self.reader.hello is None and returncode else None
        if missing_sdk is not None:  # the probe never ran: a set-up problem, not a failure of the code under test
            return ERROR, (missing_sdk,), ()
        failures = self._failures(returncode, phase, stderr_text)
        outcome, reasons, findings = self._judge()
        if not failures:
            return outcome, reasons, findings
        # A probe whose own checks failed is still judged on its series: a leak the series shows is the
        # more telling verdict (a leak mutant is a LEAK, not merely a failed check).
        if outcome in (LEAK, OVER_LIMIT):
            return outcome, reasons + failures, findings
        return FAIL, failures, findings if outcome != ERROR else ()

    def _failures(self, returncode: int | None, phase: str, stderr_text: str) -> tuple[str, ...]:
        broken_plan = plan_failures(self.reader.announced, self.reader.done_iterations)
        failed = self.reader.failed_checks
        if failed:
            return broken_plan + tuple(f"check {c.name} failed: {c.value:g} {c.op} {c.limit:g} is false"
                                       for c in failed)
        if broken_plan:
            return broken_plan
        if returncode != 0:
            exception = uncaught_exception(stderr_text)
            return (f"exited with status {returncode} in phase {phase}" + (f": {exception}" if exception else ""),)
        if self.reader.hello is not None and self.reader.done_iterations is None:
            return (f"exited in phase {phase} without writing done",)
        return ()

    def _judge(self) -> tuple[str, tuple[str, ...], tuple[dict[str, Any], ...]]:
        announced = self.reader.announced
        series = build_series(self.sampler.samples.items(), self.reader.ticks.items(),
                              teardown_at=self.reader.phase_started.get("teardown"),
                              exact_patterns=self.plan.probe.exact_counters,
                              process_wide_patterns=self.plan.probe.process_wide_counters,
                              warmup=announced.warmup if announced is not None else None)
        self.x_unit = series.x_unit
        if self.plan.tool is not None:  # the tool's allocator and shadow memory move RSS/VMS, not the probe
            series = replace(series, memory={k: v for k, v in series.memory.items() if k not in TOOL_BLIND_SIGNALS})
        try:
            judgement = judge(series, self.plan.probe.limits)
        except Exception as exc:  # noqa: BLE001 — an analysis failure is a result, never the end of the run
            return ERROR, (f"analysis failed: {type(exc).__name__}: {exc}",), ()
        findings = tuple({**asdict(f), "figures": dict(f.figures)} for f in judgement.findings)
        return judgement.outcome, judgement.reasons, findings


def _early(plan: AttemptPlan, outcome: str, reason: str, files: dict[str, str]) -> Attempt:
    return Attempt(number=plan.number, outcome=outcome, reasons=(reason,), key_figure="", returncode=None,
                   phase="start", last_tick=None, duration_s=0.0, peak_rss=0, files=files)


def _interrupted_at_start(plan: AttemptPlan, files: dict[str, str]) -> Attempt:
    """The attempt a Ctrl-C cut short while its probe was being started: listed like any interrupted one."""
    reason = "interrupted: the run was stopped as the probe was being started; not judged"
    return replace(_early(plan, ERROR, reason, files), key_figure="interrupted", interrupted=True)
