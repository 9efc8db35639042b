"""Native attribution: a probe run under valgrind memcheck or LeakSanitizer (`leakcheck run --tool`).

A tool wraps the probe's command or environment, and after the run reads the tool's report into leaked
blocks with the stacks that allocated them. Only probes of native code (Zig, native) run under a tool:
a Python or Node runtime under memcheck mostly measures the runtime itself.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from leakcheck.tools import growth, lsan, scaling, valgrind
from leakcheck.tools.attribution import Subject
from leakcheck.tools.model import ToolReport

TOOL_LANGS = frozenset({"zig", "native"})


@dataclass(frozen=True)
class Tool:
    name: str
    iterations: int
    """Default iterations under the tool (a probe's own count when it is smaller): the tool's slowdown."""
    timeout_s: float
    """Default timeout of one probe under the tool."""
    limits_address_space: bool
    """False when the tool's runtime reserves terabytes of shadow memory (ASan): no RLIMIT_AS then."""
    exit_may_hang: bool
    """The ASan runtime preloaded into a process that loads p11-kit (GnuTLS, through many GLib-based
    libraries) deadlocks in p11-kit's destructor at exit (glibc's
    locale lock, seen with clang 14 on Debian 12, with or without the leak check): a probe that said done
    and then sleeps is killed, and judged on its events and the tool's log."""
    note: str
    alive_at_exit: bool = False
    """LSan with no roots (tools.scaling): the runs that explain a failing verdict, never the probe's own."""

    def missing(self) -> str | None:
        """Why the tool cannot run here (None when it can)."""
        if self.name == "valgrind":
            return None if shutil.which("valgrind") else "valgrind is not installed (Debian package valgrind)"
        if lsan.runtime() is None:
            return "clang's ASan/LSan runtime is not installed (Debian package libclang-rt-14-dev)"
        if lsan.symbolizer() is None:
            return "llvm-symbolizer is not installed (Debian package llvm-14)"
        return None

    def probe_status(self, returncode: int | None, *, exit_hung: bool) -> int | None:
        """The probe's own exit status: LSan's exit status after a leak report, or a kill after an exit that
        hung, stand for a probe that finished (its checks arrived as events)."""
        if self.name == "lsan" and (exit_hung or returncode == lsan.EXIT_STATUS):
            return 0
        return returncode

    def wrap(self, command: list[str], environment: Mapping[str, str],
             directory: Path) -> tuple[list[str], dict[str, str]]:
        """The command and environment that run the probe under the tool, its output going to `directory`."""
        for stale in self.output_files(directory):  # a reused --run-dir: no report of an earlier run is read
            stale.unlink()
        if self.name == "valgrind":
            return valgrind.command(command, directory), dict(environment)
        runtime = lsan.runtime()
        assert runtime is not None, "checked by missing() before the run"
        if self.alive_at_exit:
            return list(command), lsan.environment({**environment, **scaling.ENVIRONMENT}, directory, runtime,
                                                   scaling.LEAK_OPTIONS)
        return list(command), lsan.environment(environment, directory, runtime)

    def scaling_runs(self, report: ToolReport, *, unexplained: bool) -> Tool | None:
        """The tool for the two runs of tools.scaling, when this LSan run's verdict failed `unexplained` by a
        lost block (None otherwise: a passing probe, or one whose lost blocks already say why, runs once)."""
        if self.name != "lsan" or self.alive_at_exit or report.problem or not unexplained:
            return None
        return replace(self, alive_at_exit=True)

    def watch(self, directory: Path, iterations: int) -> growth.GrowthWatch | None:
        """What runs beside the probe as its ticks pass: valgrind's leak searches for reachable growth."""
        return growth.GrowthWatch(directory, iterations) if self.name == "valgrind" else None

    def output_files(self, directory: Path) -> list[Path]:
        if self.name == "valgrind":
            names = (valgrind.XML_NAME, valgrind.LOG_NAME, growth.OUTPUT_NAME, growth.MAPS_NAME)
            return [directory / n for n in names if (directory / n).exists()]
        return lsan.log_files(directory)

    def collect(self, directory: Path, cwd: Path, executable: str,
                subject_pattern: re.Pattern[str] | None = None) -> ToolReport:
        """The tool's report of one attempt, attributed to the code under test (never raises)."""
        subject = Subject(executable, cwd, subject_pattern)
        if self.name == "valgrind":
            return _valgrind_report(directory, subject)
        try:
            records = lsan.records(directory, cwd)
        except (OSError, ValueError) as exc:
            return ToolReport("lsan", (), problem=f"the LSan log cannot be read: {exc}")
        files = tuple(str(p) for p in lsan.log_files(directory))
        return ToolReport("lsan", tuple(subject.attribute(r) for r in records), files=files)


def _valgrind_report(directory: Path, subject: Subject) -> ToolReport:
    xml, log = directory / valgrind.XML_NAME, directory / valgrind.LOG_NAME
    files = tuple(str(p) for p in (xml, log, directory / growth.OUTPUT_NAME) if p.exists())
    try:
        records = tuple(subject.attribute(r) for r in (*valgrind.parse_xml(xml), *growth.read_growth(directory)))
    except valgrind.ReportError as exc:
        return ToolReport("valgrind", (), files=files, problem=str(exc), sees_fds=True)
    try:
        fds = tuple(subject.attribute_fd(f) for f in valgrind.parse_fds(log, xml))
    except valgrind.ReportError as exc:
        return ToolReport("valgrind", records, files=files, problem=str(exc), sees_fds=True)
    return ToolReport("valgrind", records, fds, files=files, sees_fds=True, problem=valgrind.log_problem(log))


TOOLS: Mapping[str, Tool] = {
    "valgrind": Tool("valgrind", iterations=20, timeout_s=1800.0, limits_address_space=True, exit_may_hang=False,
                     note="memcheck runs the probe ~20-50x slower"),
    "lsan": Tool("lsan", iterations=200, timeout_s=600.0, limits_address_space=False, exit_may_hang=True,
                 note="ASan's allocator runs the probe ~2-3x slower"),
}


def with_scaling(report: ToolReport, short: ToolReport | None, long: ToolReport | None,
                 extra_iterations: int) -> ToolReport:
    """The first report with the records of tools.scaling added (unchanged when either run has no report)."""
    if short is None or long is None or short.problem or long.problem:
        return report
    found = scaling.scaling_records(short.records, long.records, extra_iterations)
    return replace(report, records=report.records + found, files=report.files + short.files + long.files)
