"""The verdict of one probe run: every finding, then the outcome they imply.

Each signal gets a finding by the rule of its class: RSS and soft counters by the trend of their floors
(analysis.trend); exact counters by their return to baseline, process-wide counts (open fds, threads, child
processes, the counters named process-wide) by the segment rule (analysis.counts); absolute limits by their
bound (analysis.absolute). A finding is failed, passed or inconclusive (its signal lacked evidence).

The outcome, in this order:
1. LEAK when any trend, count or scaling finding failed;
2. OVER_LIMIT when an absolute limit is exceeded;
3. INCONCLUSIVE when any signal the run has was left without a judged finding: each signal sees leaks the
   others cannot (RSS every kind of memory, an exact counter only what its code owns, fds and threads their
   own resources), so a PASS of one says nothing of what another lacked the evidence to show. A signal's
   inconclusive finding is covered only by a judged finding of the same signal (`covered_signal`: the
   two-point scaling of end-of-run figures stands for RSS, fds and threads of a probe without ticks);
4. PASS.
A failure is never hidden by missing evidence elsewhere: a leak seen is a leak. A probe with no outside
samples at all (it ended before the sampler's first look) is INCONCLUSIVE too.

The `slope` limit is a tolerance on the memory trend, `counter_growth` on exact and process-wide counters,
`fd_growth`/`thread_growth` on those counts; `freed` belongs to the probe's own checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from leakcheck.analysis import signals
from leakcheck.analysis.absolute import absolute_findings
from leakcheck.analysis.counts import baseline_finding, segment_finding
from leakcheck.analysis.evidence import MIN_SAMPLED_POINTS, lacking
from leakcheck.analysis.findings import trend_finding
from leakcheck.analysis.model import INCONCLUSIVE, LEAK, OVER_LIMIT, PASS, Finding, Judgement, ProbeSeries
from leakcheck.analysis.trend import TrendPolicy

if TYPE_CHECKING:  # limits imports analysis.units; a runtime import here would be circular
    from leakcheck.limits import Limit

COUNT_MIN_GROWTH = 100.0
"""Smallest growth of a soft count counter (one neither exact nor process-wide) that can be called a leak."""
PROCESS_COUNTS = (("fds", "fd_growth"), ("threads", "thread_growth"), ("processes", None))
"""Outside (or SDK) counts, always process-wide, with the limit that allows them growth."""

DEFAULT_POLICY = TrendPolicy()


def judge(series: ProbeSeries, limits: Sequence[Limit], policy: TrendPolicy = DEFAULT_POLICY) -> Judgement:
    findings = (_memory_findings(series, limits, policy) + _counter_findings(series, limits, policy)
                + absolute_findings(series, limits, policy.windows))
    return combine(findings)


def combine(findings: Sequence[Finding]) -> Judgement:
    """The verdict of findings judged already (a run's, with the scaling findings of its runs added)."""
    return Judgement(outcome(findings), tuple(findings), _reasons(findings))


def _memory_findings(series: ProbeSeries, limits: Sequence[Limit], policy: TrendPolicy) -> list[Finding]:
    findings = []
    if "rss" in series.memory:  # absent under a tool, whose allocator moves RSS: not judged at all
        rss = series.memory["rss"]
        slope = _limit_value(limits, "slope")
        findings.append(trend_finding("rss", "rss", rss, series, replace(policy, max_slope=slope),
                                      min_points=MIN_SAMPLED_POINTS) if rss else
                        lacking("rss", "RSS", "trend", 0, MIN_SAMPLED_POINTS, "samples", series, []))
    for name, key in PROCESS_COUNTS:
        points = series.memory.get(name)
        if points:
            allowed = (_limit_value(limits, key) if key else None) or 0.0
            findings.append(segment_finding(name, name, points, series, allowed))
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
        elif name in series.process_wide_counters:
            findings.append(segment_finding(f"counter:{name}", name, points, series, allowed))
        elif not signals.is_high_water_mark(name):
            soft = policy if signals.unit(name) == "bytes" else replace(policy, min_growth=COUNT_MIN_GROWTH)
            findings.append(trend_finding(f"counter:{name}", name, points, series, soft))
    return findings


def _limit_value(limits: Sequence[Limit], key: str) -> float | None:
    return next((limit.value for limit in limits if limit.key == key), None)


def covered_signal(finding: Finding) -> str:
    """The signal a finding judges: a scaling finding's figure stands for the series it summarises."""
    if finding.kind != "scaling":
        return finding.signal
    figure = finding.signal.removeprefix("scaling:")
    return "rss" if figure in ("rss", "peak_rss") else figure


def outcome(findings: Sequence[Finding]) -> str:
    """The rule of the module docstring."""
    if any(f.failed and f.kind != "limit" for f in findings):
        return LEAK
    if any(f.failed for f in findings):
        return OVER_LIMIT
    judged = {covered_signal(f) for f in findings if not f.inconclusive}
    if any(f.inconclusive and covered_signal(f) not in judged for f in findings):
        return INCONCLUSIVE
    return PASS


def _reasons(findings: Sequence[Finding]) -> tuple[str, ...]:
    """Failed first, then what lacked evidence with nothing judged in its place, then the judged findings, then
    the inconclusive ones another finding covered."""
    judged = {covered_signal(f) for f in findings if not f.inconclusive}
    def rank(finding: Finding) -> int:
        if finding.failed:
            return 0
        if finding.inconclusive:
            return 3 if covered_signal(finding) in judged else 1
        return 2
    return tuple(f.reason for f in sorted(findings, key=rank))
