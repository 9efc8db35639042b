"""A probe's announced plan against the harness' request and the probe's done; the warm-up it sets."""

from __future__ import annotations

from leakcheck.results import Hello, Sample, Tick
from leakcheck.runner.plan import plan_failures, plan_notes
from leakcheck.runner.series import build_series

V2 = Hello(2, "python.x", "python", iterations=100, warmup=10)


def test_done_after_the_planned_count_is_no_failure() -> None:
    assert plan_failures(V2, 100) == ()
    assert plan_failures(V2, None) == ()  # no done at all is judged by the exit status, not here
    assert plan_failures(Hello(1, "python.x", "python"), 7) == ()  # v1 announces no plan


def test_done_after_another_count_fails_with_both_figures() -> None:
    assert plan_failures(V2, 60) == ("done reports 60 iterations, the probe's hello planned 100",)


def test_a_matching_hello_has_no_notes() -> None:
    assert plan_notes(V2, config_name="python.x", requested_iterations=100) == ()
    assert plan_notes(None, config_name="python.y", requested_iterations=5) == ()


def test_another_name_and_another_count_are_noted() -> None:
    notes = plan_notes(V2, config_name="python.y", requested_iterations=2000)
    assert notes == (("the probe's hello names it 'python.x', the configuration 'python.y' (results are kept "
                      "under the configuration's name)"),
                     ("the probe planned 100 iterations, not the 2,000 of LEAKCHECK_ITERATIONS (it fixes its own "
                      "count); judged on the iterations it ran"))


def test_a_protocol_1_hello_is_noted_for_its_name_only() -> None:
    notes = plan_notes(Hello(1, "python.x", "python"), config_name="python.y", requested_iterations=5)
    assert len(notes) == 1 and "'python.x'" in notes[0]


def _run(phase_of: dict[int, str]) -> tuple[list[Sample], list[Tick]]:
    ticks = [Tick(float(i), i, phase, {"c": 1.0}) for i, phase in phase_of.items()]
    samples = [Sample(float(i), i, 1000 + i, 0, 3, 1, 1) for i in phase_of]
    return samples, ticks


def test_the_announced_warmup_ends_the_warmup_not_the_first_measure_tick() -> None:
    # Ticks every 4th iteration: the first measure tick (12) comes after the announced warm-up (10).
    samples, ticks = _run({i: "warmup" if i < 10 else "measure" for i in range(0, 40, 4)})
    announced = build_series(samples, ticks, teardown_at=None, exact_patterns=(), warmup=10)
    derived = build_series(samples, ticks, teardown_at=None, exact_patterns=())
    assert announced.warmup_end == 10.0
    assert derived.warmup_end == 12.0
