"""Two-point scaling of a tick-less probe's end-of-run figures: a leak grows with the iterations, a plateau
does not, and flat figures of a run that did not get longer prove nothing."""

from __future__ import annotations

from leakcheck.analysis.model import Finding
from leakcheck.analysis.scaling import RunFigures, scaling_findings
from leakcheck.analysis.verdict import combine
from leakcheck.outcomes import INCONCLUSIVE, LEAK, PASS

MiB = 1 << 20


def _run(n: int, seconds: float, rss: float, fds: float = 4.0) -> RunFigures:
    return RunFigures(n, seconds, {"peak_rss": rss, "rss": rss, "fds": fds, "threads": 1.0})


def _by_signal(findings: list[Finding]) -> dict[str, Finding]:
    return {f.signal: f for f in findings}


def test_a_leak_scales_and_is_confirmed_by_a_third_run() -> None:
    # 20 KiB per iteration on top of 2 MiB.
    runs = [_run(n, 0.01 * n, 2 * MiB + 20e3 * n) for n in (100, 400, 1600)]
    rss = _by_signal(scaling_findings(runs, {}))["scaling:rss"]
    assert rss.failed and not rss.borderline
    assert "grows with the iterations, in every step" in rss.reason
    assert combine(scaling_findings(runs, {})).outcome == LEAK


def test_growth_in_one_step_is_a_borderline_leak() -> None:
    runs = [_run(n, 0.01 * n, 2 * MiB + 20e3 * n) for n in (100, 400)]
    rss = _by_signal(scaling_findings(runs, {}))["scaling:rss"]
    assert rss.failed and rss.borderline


def test_a_cache_full_by_4n_is_cleared_by_the_third_run() -> None:
    # Fills 3 MiB between 100 and 400 iterations, then stays.
    runs = [_run(100, 0.1, 3 * MiB), _run(400, 0.4, 6 * MiB), _run(1600, 1.6, 6 * MiB)]
    findings = scaling_findings(runs, {})
    assert not _by_signal(findings)["scaling:rss"].failed
    assert combine(findings).outcome == PASS


def test_flat_figures_of_a_run_that_did_not_get_longer_are_inconclusive() -> None:
    # The probe ignores LEAKCHECK_ITERATIONS: four times the count, the same 0.1 s.
    runs = [_run(100, 0.10, 3 * MiB), _run(400, 0.11, 3 * MiB)]
    findings = scaling_findings(runs, {})
    assert all(f.inconclusive for f in findings)
    assert combine(findings).outcome == INCONCLUSIVE
    assert "does the probe read LEAKCHECK_ITERATIONS" in findings[0].reason


def test_fd_growth_uses_its_allowance() -> None:
    runs = [_run(n, 0.01 * n, 2 * MiB, fds=4 + n) for n in (100, 400, 1600)]
    assert _by_signal(scaling_findings(runs, {}))["scaling:fds"].failed
    two = [_run(100, 1.0, 2 * MiB, fds=4), _run(400, 4.0, 2 * MiB, fds=6)]
    assert not _by_signal(scaling_findings(two, {"fd_growth": 2.0}))["scaling:fds"].failed
    assert _by_signal(scaling_findings(two, {"fd_growth": 0.0}))["scaling:fds"].failed


def test_one_run_has_nothing_to_compare() -> None:
    assert scaling_findings([_run(100, 0.1, MiB)], {}) == []
