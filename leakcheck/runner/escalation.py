"""Escalation: an attempt whose verdict lacks evidence (INCONCLUSIVE) or stands near its line (a finding marked
borderline: analysis.trend.borderline, analysis.scaling) is run again with ESCALATION_FACTOR × the iterations,
like psleak's growing call counts and CPython's `-R` warm-ups: more iterations settle what few could not.
Three more reasons to run longer: a probe that never ticks (its first run has no iteration axis; the scaling of
two runs judges it, and its plateau is confirmed once more when they were fewer than CONFIRM_BELOW iterations
apart); a LEAK seen only as growth over fewer than CONFIRM_BELOW iterations (confirmed or
cleared by a longer run: a bounded cache grows all through a short one); and a LEAK of RSS alone that the
live malloc bytes judged over the same iterations do not show (confirmed once).

Bounds, per probe: at most ESCALATION_CAP × its configured iterations, and a time budget, the smaller of its
timeout and BUDGET_FACTOR × its first attempt's duration (at least MIN_BUDGET_S, so a 0.1 s probe may grow
to a few seconds): an escalation runs only when the time spent so far plus the next attempt's projected
duration (ESCALATION_FACTOR × the last one's) fits. A probe that fixes its own count (its hello plans another
than LEAKCHECK_ITERATIONS) is not escalated: more iterations would not reach it. The verdict is the last
attempt's, the one with the most evidence; every attempt is kept with its iterations and why it was run.

A probe that never ticks is judged across its attempts too: the two-point scaling of its end-of-run figures
(analysis.scaling), added to the findings of each attempt after the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

from leakcheck.analysis.model import Finding
from leakcheck.analysis.scaling import RunFigures, scaling_findings
from leakcheck.analysis.verdict import DEFAULT_POLICY, combine
from leakcheck.config import ProbeSpec
from leakcheck.results import INCONCLUSIVE, LEAK, OVER_LIMIT, PASS, Attempt
from leakcheck.runner.explain import key_figure
from leakcheck.runner.series import end_of_run_figures

ESCALATION_FACTOR = int(DEFAULT_POLICY.reach)
"""The trend's borderline rule reckons with the next run being this much longer."""
ESCALATION_CAP = 64
CONFIRM_BELOW = 1_000
OWN_RESOURCES = frozenset({"fds", "threads", "processes"})
BUDGET_FACTOR = 25.0
MIN_BUDGET_S = 30.0
JUDGED = frozenset({PASS, LEAK, OVER_LIMIT, INCONCLUSIVE})
"""Outcomes that come from the verdict (a crash, hang or failed check is not re-judged)."""


@dataclass(frozen=True)
class Escalation:
    iterations: int
    """The next attempt's iterations (0: no escalation)."""
    why: str
    """Why the next attempt runs more (when `iterations`), or why it was not escalated though it could have
    helped ("" when nothing called for it)."""


def next_escalation(attempts: Sequence[Attempt], configured: int, timeout_s: float) -> Escalation:
    last = attempts[-1]
    why = _why(last) or _unscaled(attempts) or _unconfirmed(last) or _uncorroborated(attempts)
    if not why:
        return Escalation(0, "")
    current = last.iterations or configured
    planned = last.hello.iterations if last.hello is not None else None
    if planned is not None and planned != current:
        return Escalation(0, f"not escalated: the probe plans {planned:,} iterations itself, not "
                             f"LEAKCHECK_ITERATIONS")
    following = current * ESCALATION_FACTOR
    if following > ESCALATION_CAP * configured:
        return Escalation(0, f"not escalated further: {following:,} iterations would exceed the cap of "
                             f"{ESCALATION_CAP}× the configured {configured:,}")
    budget = min(timeout_s, max(MIN_BUDGET_S, BUDGET_FACTOR * attempts[0].duration_s))
    spent = sum(attempt.duration_s for attempt in attempts)
    projected = ESCALATION_FACTOR * last.duration_s
    if spent + projected > budget:
        return Escalation(0, f"not escalated further: {spent:.1f} s spent and ~{projected:.1f} s more would "
                             f"exceed the probe's escalation budget of {budget:.0f} s")
    return Escalation(following, f"{why}: {current:,} → {following:,} iterations")


def _unconfirmed(attempt: Attempt) -> str:
    """A LEAK that only growth shows (a trend or rising segments, no exact counter off its baseline) over fewer
    than CONFIRM_BELOW iterations is confirmed by a run 4× as long, like psleak's growing call counts: a cache
    of a thousand entries grows all through a short run and levels off in a longer one."""
    if attempt.outcome != LEAK or not attempt.ticks or (attempt.iterations or 0) >= CONFIRM_BELOW:
        return ""
    failed = [f for f in attempt.findings if f["failed"]]
    # fds, threads and processes rising in every segment are the probe's own resources, not a cache's memory.
    if not failed or any(f["kind"] not in ("trend", "segments") or f["signal"] in OWN_RESOURCES for f in failed):
        return ""
    return f"confirming a LEAK seen in growth over fewer than {CONFIRM_BELOW:,} iterations"


MALLOC_COUNTER = "counter:preload_live_bytes"
UNCORROBORATED = "confirming an RSS LEAK that the live malloc bytes do not show"


def _uncorroborated(attempts: Sequence[Attempt]) -> str:
    """A LEAK that RSS alone shows, while the preload counter's live malloc bytes judged the same iterations
    and found no leak, is confirmed once by a run 4× as long. The two disagree when the allocator or the
    runtime keeps pages it is not using: a clean Node SDK loop of 2,000 calls grew its anonymous RSS
    +349 KiB (glibc's arenas up to +352 KiB, V8's committed heap +32 KiB, live malloc bytes +3 KiB) and
    was a LEAK in 1 of 4 runs; at 8,000 calls 0 of 3. A leak the allocator does not see (mmap, a runtime's
    heap) keeps growing at its rate and stays a LEAK."""
    last = attempts[-1]
    if last.outcome != LEAK or any(attempt.escalation.startswith(UNCORROBORATED) for attempt in attempts):
        return ""
    failed = {f["signal"] for f in last.findings if f["failed"]}
    malloc = [f for f in last.findings if f["signal"] == MALLOC_COUNTER]
    if failed != {"rss"} or not malloc or malloc[0]["failed"] or malloc[0].get("inconclusive"):
        return ""
    return UNCORROBORATED


def _unscaled(attempts: Sequence[Attempt]) -> str:
    """A probe that never ticks has no iteration axis: its verdict is the scaling of two runs, N and 4N. A flat
    step that added fewer than CONFIRM_BELOW iterations is taken one step further before it is called a plateau:
    a leak of 4 KiB every 100th call adds 6 blocks from 200 to 800 calls, under the exit snapshot's noise of 16,
    and 24 from 800 to 3,200."""
    tickless = [a for a in attempts if not a.ticks and a.outcome in JUDGED]
    if not tickless or tickless[-1] is not attempts[-1]:
        return ""
    if len(tickless) == 1:
        return "no iteration axis (no ticks): two-point scaling needs a run of 4× the iterations"
    added = (tickless[-1].iterations or 0) - (tickless[-2].iterations or 0)
    if tickless[-1].outcome == PASS and added < CONFIRM_BELOW:
        return f"a plateau between runs fewer than {CONFIRM_BELOW:,} iterations apart is confirmed by a run 4× as long"
    return ""


def _why(attempt: Attempt) -> str:
    if attempt.outcome == INCONCLUSIVE:
        return "inconclusive"
    if attempt.outcome not in JUDGED:
        return ""
    close = [f"{f['signal']} {f['borderline']}" for f in attempt.findings if f.get("borderline")]
    return f"borderline ({'; '.join(close)})" if close else ""


def unconfirmed_as_inconclusive(attempt: Attempt) -> Attempt:
    """The last attempt of an escalation that had to stop (cap or budget) while its LEAK rested only on scaling
    growth seen in one step (borderline: a cache that fills between N and 4N grows once too): INCONCLUSIVE, not
    LEAK. A plain Node loop's peak RSS grew 40.4 -> 47.8 MiB from 3,200 to 12,800 calls of a bounded cache
    (V8 collects when it chooses), at the cap of 64x its 200 iterations; a leak grows in every step."""
    failed = [f for f in attempt.findings if f["failed"]]
    if attempt.outcome != LEAK or not failed or any(f["kind"] != "scaling" or not f.get("borderline") for f in failed):
        return attempt
    findings = tuple({**f, "failed": False, "inconclusive": True} if f in failed else f for f in attempt.findings)
    reason = f"{failed[0]['reason']}: not confirmed, and a run 4× as long is out of reach: not judged"
    return replace(attempt, outcome=INCONCLUSIVE, findings=findings,
                   reasons=(reason, *(r for r in attempt.reasons if r != failed[0]["reason"])))


def _over_time(finding: Finding) -> Finding:
    """A tick-less run's series over seconds are start-up and teardown as much as the loop (a Node process's
    RSS rises by tens of MiB in its first second; a 0.3 s run has two polls of its fds): once the runs' scaling
    judges the probe, the trend and segments over time are shown but decide nothing."""
    if finding.kind not in ("trend", "segments") or not (finding.failed or finding.inconclusive or finding.borderline):
        return finding
    return replace(finding, failed=False, inconclusive=False, borderline="",
                   reason=f"{finding.reason} (over time: not decisive for a probe without ticks; its scaling is)")


def with_scaling(earlier: Sequence[Attempt], attempt: Attempt, probe: ProbeSpec) -> Attempt:
    """A tick-less attempt judged again with the scaling of its end-of-run figures against the earlier
    tick-less attempts' (those with fewer iterations)."""
    if attempt.ticks or attempt.outcome not in JUDGED or attempt.iterations is None:
        return attempt
    runs = [RunFigures(a.iterations, a.duration_s, end_of_run_figures(a.samples, a.peak_rss, a.exit_snapshot))
            for a in (*earlier, attempt)
            if not a.ticks and a.outcome in JUDGED and a.iterations is not None and a.iterations <= attempt.iterations]
    latest = {run.iterations: run for run in runs}  # a retry at the same count replaces the earlier run
    allowances = {limit.key: limit.value for limit in probe.limits}
    added = scaling_findings(list(latest.values()), allowances)
    if not added:
        return attempt
    # The series over seconds step aside only when the scaling decides; when it cannot (a probe that ignores
    # LEAKCHECK_ITERATIONS takes as long for 4N as for N), the probe is judged over time as before.
    if all(f.inconclusive for f in added):  # the series over time judge; the note says why the runs could not
        return replace(attempt, notes=(*attempt.notes, f"scaling: {added[0].reason.split(': ', 2)[-1]}"))
    findings = [_over_time(Finding(**{**f, "figures": dict(f["figures"])})) for f in attempt.findings] + added
    judgement = combine(findings)
    documents = tuple({**asdict(f), "figures": dict(f.figures)} for f in judgement.findings)
    x_unit = "s"
    return replace(attempt, outcome=judgement.outcome, reasons=judgement.reasons, findings=documents,
                   key_figure=key_figure(attempt.crash, attempt.hang, attempt.peak_rss, documents, x_unit))
