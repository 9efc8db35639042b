"""The verdict of one probe run: every finding, then the outcome they imply.

LEAK when any signal keeps growing (memory trend, an exact counter not back at its baseline, fds or
threads growing); otherwise OVER_LIMIT when an absolute limit is exceeded; otherwise PASS.
The `slope` limit is a tolerance on the memory trend, `counter_growth` on exact counters,
`fd_growth`/`thread_growth` on those counts; `freed` belongs to the probe's own checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from leakcheck.analysis import signals
from leakcheck.analysis.absolute import absolute_findings
from leakcheck.analysis.findings import baseline_finding, trend_finding
from leakcheck.analysis.model import LEAK, OVER_LIMIT, PASS, Finding, Judgement, ProbeSeries
from leakcheck.analysis.trend import TrendPolicy

if TYPE_CHECKING:  # limits imports analysis.units; a runtime import here would be circular
    from leakcheck.limits import Limit

COUNT_MIN_GROWTH = 100.0
"""Smallest growth of a soft count counter (e.g. Python GC objects) that can be called a leak."""

DEFAULT_POLICY = TrendPolicy()


def judge(series: ProbeSeries, limits: Sequence[Limit], policy: TrendPolicy = DEFAULT_POLICY) -> Judgement:
    findings = (_memory_findings(series, limits, policy) + _counter_findings(series, limits, policy)
                + absolute_findings(series, limits, policy.windows))
    return Judgement(_outcome(findings), tuple(findings), _reasons(findings))


def _memory_findings(series: ProbeSeries, limits: Sequence[Limit], policy: TrendPolicy) -> list[Finding]:
    findings = []
    rss = series.memory.get("rss")
    if rss:
        slope = _limit_value(limits, "slope")
        findings.append(trend_finding("rss", "rss", rss, series, replace(policy, max_slope=slope)))
    for name, key in (("fds", "fd_growth"), ("threads", "thread_growth")):
        points = series.memory.get(name)
        if points:
            # A pool (a library's worker threads, libuv threads, cached files) moves within a band or levels off;
            # a leak rises in steps all along, by more than the allowed growth.
            allowed = _limit_value(limits, key) or 0.0
            count_policy = replace(policy, min_growth=allowed + 1, max_slope=None)
            findings.append(trend_finding(name, name, points, series, count_policy, kind="growth"))
    return findings


def _counter_findings(series: ProbeSeries, limits: Sequence[Limit], policy: TrendPolicy) -> list[Finding]:
    findings = []
    allowed = _limit_value(limits, "counter_growth") or 0.0
    for name in sorted(series.counters):
        points = series.counters[name]
        if not points:
            continue
        if name in series.exact_counters:
            findings.append(baseline_finding(name, points, series, allowed))
        elif not signals.is_high_water_mark(name):
            soft = policy if signals.unit(name) == "bytes" else replace(policy, min_growth=COUNT_MIN_GROWTH)
            findings.append(trend_finding(f"counter:{name}", name, points, series, soft))
    return findings


def _limit_value(limits: Sequence[Limit], key: str) -> float | None:
    return next((limit.value for limit in limits if limit.key == key), None)


def _outcome(findings: Sequence[Finding]) -> str:
    if any(f.failed and f.kind != "limit" for f in findings):
        return LEAK
    if any(f.failed for f in findings):
        return OVER_LIMIT
    return PASS


def _reasons(findings: Sequence[Finding]) -> tuple[str, ...]:
    failed = [f.reason for f in findings if f.failed]
    return tuple(failed + [f.reason for f in findings if not f.failed])
