"""The end-of-run figures two-point scaling compares: what the run held at its end, not what its teardown left."""

from __future__ import annotations

from leakcheck.results import Sample
from leakcheck.runner.series import MIN_END_SAMPLES, end_of_run_figures

MIB = 1024 * 1024


def _samples(rss_mib: list[float], fds: list[int] | None = None) -> list[Sample]:
    fds = fds or [4] * len(rss_mib)
    return [Sample(t=i * 0.01, i=None, rss=int(r * MIB), vms=0, fds=f, threads=1, processes=1)
            for i, (r, f) in enumerate(zip(rss_mib, fds, strict=True))]


def test_a_teardown_sample_at_the_end_does_not_lower_the_figures() -> None:
    # Start-up, a transient peak, the held plateau, then teardown frees the 8 MiB and closes a file.
    rss = [10.0, 22.8] + [18.8] * 12 + [10.8]
    fds = [4, 4] + [5] * 12 + [4]
    figures = end_of_run_figures(_samples(rss, fds), peak_rss=int(26.0 * MIB))
    assert figures["rss"] == int(18.8 * MIB)
    assert figures["peak_rss"] == int(26.0 * MIB)  # the sampler's peak (the kernel's mark), not the samples' max
    assert figures["fds"] == 5


def test_a_rise_late_in_the_run_is_its_end_figure() -> None:
    rss = [10.0 + i for i in range(20)]
    assert end_of_run_figures(_samples(rss), peak_rss=29 * MIB)["rss"] == 29 * MIB


def test_too_few_samples_give_only_the_exit_snapshot() -> None:
    figures = end_of_run_figures(_samples([10.0] * (MIN_END_SAMPLES - 1)), 10 * MIB,
                                 {"preload_live_blocks": 29.0})
    assert figures == {"preload_live_blocks": 29.0}


def test_rss_is_judged_as_its_anonymous_part_when_every_sample_has_it() -> None:
    with_anon = [Sample(t=k * 0.01, i=None, rss=50 * MIB, vms=0, fds=4, threads=1, processes=1, anon=10 * MIB)
                 for k in range(MIN_END_SAMPLES)]
    assert end_of_run_figures(with_anon, 50 * MIB)["rss"] == 10 * MIB
    older = [*with_anon[:-1], Sample(t=1.0, i=None, rss=50 * MIB, vms=0, fds=4, threads=1, processes=1)]
    assert end_of_run_figures(older, 50 * MIB)["rss"] == 50 * MIB  # a document from before: RSS whole
