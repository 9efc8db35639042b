"""`leakcheck run`: the selected probes, each isolated, judged, written to JSON/JUnit and summarised."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import time
from collections.abc import Sequence
from pathlib import Path

from leakcheck import provenance
from leakcheck.commands.common import (
    add_probe_arguments,
    add_process_arguments,
    configured_probes,
    non_negative_int,
    positive_int,
)
from leakcheck.commands.report import write_run_report
from leakcheck.config import ConfigError, ProbeSpec, parse_log_cap
from leakcheck.history.shard import Shard, parse_shard, shard_items
from leakcheck.output.json_results import JsonResults
from leakcheck.output.junit import write_junit
from leakcheck.output.run_dir import create_run_dir
from leakcheck.output.terminal import TerminalReporter
from leakcheck.results import FLAKY, INCONCLUSIVE, SKIP, ProbeResult
from leakcheck.runner.attempt import Progress
from leakcheck.session import RunOptions, run_probes
from leakcheck.tools import TOOL_LANGS, TOOLS, Tool

EXIT_PASSED, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_probe_arguments(parser, default_suite="fast")
    add_process_arguments(parser)
    parser.add_argument("--repeat", type=positive_int, default=1, metavar="N", help="run each probe N times")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="every probe's reasons at the end, not only those of probes that did not pass")
    parser.add_argument("--retries", type=non_negative_int, default=0, metavar="N",
                        help="retry a failing probe up to N times (pass after a failure: FLAKY)")
    parser.add_argument("--fail-on", type=_fail_on, default=frozenset(), metavar="OUTCOMES",
                        help="comma-separated SKIP,FLAKY: count these as failures in the exit code")
    parser.add_argument("--allow", type=_allow, default=frozenset(), metavar="OUTCOMES",
                        help="INCONCLUSIVE: let a probe whose signals lacked evidence pass the exit code (it still "
                             "shows as INCONCLUSIVE)")
    parser.add_argument("--no-escalate", dest="escalate", action="store_false",
                        help="do not re-run an inconclusive or borderline probe with 4x the iterations (up to 64x "
                             "the configured count, within a time budget)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results JSON here")
    parser.add_argument("--junit", type=Path, metavar="PATH", help="write JUnit XML here")
    parser.add_argument("--html", type=Path, metavar="PATH", help="write the HTML report here")
    parser.add_argument("--shard", type=_shard, metavar="K/N",
                        help="run only the K-th of N shares of the selected probes (join them with leakcheck merge)")
    parser.add_argument("--tool", choices=sorted(TOOLS),
                        help="run Zig and native probes under valgrind memcheck or LeakSanitizer and name the "
                             "stacks that allocated leaked blocks (other languages are skipped)")
    parser.add_argument("--tool-iterations", type=positive_int, metavar="N",
                        help="iterations under --tool (default: valgrind "
                             f"{TOOLS['valgrind'].iterations}, lsan {TOOLS['lsan'].iterations}, or the probe's own "
                             "when smaller)")
    parser.add_argument("--tool-subject", type=_regex, metavar="REGEX",
                        help="under --tool, frames whose object or source file matches are the code under test "
                             "(default: every object outside /usr and /lib but the probe's executable; needed when "
                             "the probe links the library in statically, e.g. 'libfixture')")
    parser.add_argument("--log-cap", type=_log_cap, metavar="SIZE",
                        help="bytes kept on disk of each probe's stdout, stderr and events, half from the start "
                             "and half from the end (default: the configuration's log_cap, else 16MiB)")
    parser.add_argument("--run-dir", type=Path, metavar="DIR",
                        help="where probe outputs go (default: reports/runs/<UTC time>-<suite> in the git "
                             "work tree of the configuration, else beside it)")


def execute(args: argparse.Namespace) -> int:
    config, probes = configured_probes(args)
    if args.shard:
        probes = shard_items(probes, [p.name for p in probes], args.shard)
    if not probes:
        raise ConfigError(f"no probe in {config.path} matches --suite {args.suite}"
                          + (f" --lang {args.lang}" if args.lang else "")
                          + "".join(f" -k {p}" for p in args.patterns))
    tool = _chosen_tool(args, probes)
    started = time.monotonic()
    cpu_started = time.process_time()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = args.run_dir or create_run_dir(provenance.project_dir(config.root) / "reports" / "runs", stamp,
                                             args.suite)
    options = RunOptions(root=config.root, suite=args.suite, run_dir=run_dir, repeat=args.repeat,
                         retries=args.retries, timeout_s=args.timeout, seed=args.seed,
                         jobs=args.jobs or config.jobs, tool=tool, tool_iterations=args.tool_iterations,
                         tool_subject=args.tool_subject, log_cap=args.log_cap or config.log_cap,
                         escalate=args.escalate)
    header = {"provenance": provenance.collect(config), "config": str(config.path), "run_dir": str(run_dir),
              "selection": {"suite": args.suite, "lang": args.lang, "patterns": args.patterns,
                            "excluded": args.excluded, "repeat": args.repeat, "retries": args.retries, "timeout": args.timeout,
                            "shard": str(args.shard) if args.shard else None,
                            "jobs": options.jobs, "tool": args.tool, "tool_iterations": args.tool_iterations,
                            "tool_subject": args.tool_subject.pattern if args.tool_subject else None,
                            "log_cap": options.log_cap}}
    json_paths = [run_dir / "results.json", *([args.json] if args.json else [])]
    writer = JsonResults(json_paths, header)
    with TerminalReporter(verbose=args.verbose) as terminal:
        outcome = run_probes(probes, options, RunListeners(terminal, writer))
    exit_code = (EXIT_INTERRUPTED if outcome.interrupted
                 else EXIT_PASSED if outcome.passed(args.fail_on, args.allow) else EXIT_FAILED)
    writer.finish(interrupted=outcome.interrupted, exit_code=exit_code,
                  harness=_harness_cost(started, cpu_started))
    if args.junit:
        write_junit(args.junit, outcome.results, suite=args.suite, interrupted=outcome.interrupted)
    terminal.summary(outcome.results, interrupted=outcome.interrupted, wall_s=time.monotonic() - started)
    if args.html:
        write_run_report(run_dir, args.html)
    terminal.console.print(f"results: {json_paths[-1]}")
    return exit_code


def _chosen_tool(args: argparse.Namespace, probes: Sequence[ProbeSpec]) -> Tool | None:
    """The --tool, checked: installed, and at least one selected probe it can run."""
    if args.tool is None:
        if args.tool_iterations is not None or args.tool_subject is not None:
            raise ConfigError("--tool-iterations and --tool-subject need --tool valgrind or --tool lsan")
        return None
    tool = TOOLS[args.tool]
    missing = tool.missing()
    if missing:
        raise ConfigError(f"--tool {tool.name}: {missing}")
    if not any(probe.lang in TOOL_LANGS for probe in probes):
        raise ConfigError(f"--tool {tool.name} runs Zig and native probes only; none is selected "
                          f"(try --lang zig)")
    return tool


def _harness_cost(started: float, cpu_started: float) -> dict[str, float]:
    """leakcheck's own CPU over the run (all its threads: samplers, event pumps, terminal, analysis)."""
    wall = time.monotonic() - started
    cpu = time.process_time() - cpu_started
    return {"wall_seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "cpu_fraction": round(cpu / wall, 5)}


class RunListeners:
    def __init__(self, terminal: TerminalReporter, writer: JsonResults) -> None:
        self._terminal = terminal
        self._writer = writer

    def probe_started(self, probe: ProbeSpec, iterations: int, repeat: int) -> None:
        self._terminal.probe_started(probe, iterations, repeat)

    def progress(self, update: Progress) -> None:
        self._terminal.progress(update)

    def probe_finished(self, result: ProbeResult) -> None:
        self._writer.add(result)
        self._terminal.probe_finished(result)


def _shard(text: str) -> Shard:
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _regex(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a regular expression: {exc}") from None


def _log_cap(text: str) -> int:
    try:
        return parse_log_cap(text, "--log-cap")
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fail_on(text: str) -> frozenset[str]:
    outcomes = frozenset(part.strip().upper() for part in text.split(",") if part.strip())
    if not outcomes or not outcomes <= {SKIP, FLAKY}:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: SKIP, FLAKY or both, comma-separated")
    return outcomes


def _allow(text: str) -> frozenset[str]:
    outcomes = frozenset(part.strip().upper() for part in text.split(",") if part.strip())
    if not outcomes or not outcomes <= {INCONCLUSIVE}:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: INCONCLUSIVE")
    return outcomes
