"""The Python allocation sites behind a LEAK, like memray's leak view: a Python probe that ended LEAK without
tracemalloc is run once more with it (LEAKCHECK_TRACEMALLOC=1), and the sites its SDK reports as grown over the
measure phase are kept on the result. A probe that already ran traced gives its own. Attribution only: the
outcome stays the probe's, and the re-run's series are in its directory, not judged into the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from leakcheck.results import LEAK, Attribution, ProbeResult, SiteReport
from leakcheck.runner.attempt import AttemptInterrupted, AttemptPlan, ProgressCallback, run_attempt
from leakcheck.units import format_bytes

RERUN_SUFFIX = "-tracemalloc"


def attribute_sites(result: ProbeResult, plan: AttemptPlan, on_progress: ProgressCallback,
                    interrupted: Callable[[ProbeResult], KeyboardInterrupt]) -> ProbeResult:
    """`result` with its attribution when it is a Python probe's LEAK (`plan`: its last attempt's); a Ctrl-C
    during the re-run raises `interrupted(result)`, the probe's result kept whole."""
    if result.outcome != LEAK or result.lang != "python" or plan.tool is not None:
        return result
    final = result.final
    if final.sites is not None:
        return replace(result, attribution=attribution("attempt", final.sites, final.outcome))
    directory = plan.directory.with_name(plan.directory.name + RERUN_SUFFIX)
    try:
        rerun = run_attempt(replace(plan, tracemalloc=True, directory=directory), on_progress)
    except AttemptInterrupted:
        raise interrupted(result) from None
    return replace(result, attribution=attribution("re-run", rerun.sites, rerun.outcome, str(directory)))


def attribution(source: str, report: SiteReport | None, outcome: str, directory: str = "") -> Attribution:
    return Attribution(source=source, report=report, outcome=outcome, summary=_summary(source, report, outcome),
                       directory=directory)


def _summary(source: str, report: SiteReport | None, outcome: str) -> str:
    traced = "under tracemalloc" if source == "attempt" else "in a re-run under tracemalloc"
    if report is None:
        return (f"no allocation sites: the probe wrote none {traced} (outcome {outcome}); the Python SDK "
                f"reports them")
    if not report.sites:
        return (f"no Python allocation site grew per iteration {traced} over {report.iterations:,} iterations: "
                f"the growth is outside what tracemalloc sees (native code's own allocations)")
    top = report.sites[0]
    return (f"{len(report.sites)} Python allocation site(s) grew {traced} over {report.iterations:,} iterations; "
            f"most at {top.where}: +{format_bytes(top.bytes_per_iteration)}/iter")
