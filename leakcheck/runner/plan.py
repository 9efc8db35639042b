"""What a probe's hello announced, held against what the harness asked for and what the probe did.

docs/protocol.md ("What the harness checks") says why a broken plan is a FAIL and the other two are notes.
"""

from __future__ import annotations

from leakcheck.results import Hello


def plan_failures(hello: Hello | None, done_iterations: int | None) -> tuple[str, ...]:
    """The probe said done after another count than its hello planned: its loop ended somewhere it did not
    say (a `break`, a swallowed error), so the series judged is not the run announced."""
    if hello is None or hello.iterations is None or done_iterations is None:
        return ()
    if done_iterations == hello.iterations:
        return ()
    return (f"done reports {done_iterations:,} iterations, the probe's hello planned {hello.iterations:,}",)


def plan_notes(hello: Hello | None, *, config_name: str, requested_iterations: int) -> tuple[str, ...]:
    """Differences that leave the measurement valid but must not pass unseen."""
    if hello is None:
        return ()
    notes = []
    if hello.probe is not None and hello.probe != config_name:
        notes.append(f"the probe's hello names it {hello.probe!r}, the configuration {config_name!r} "
                     f"(results are kept under the configuration's name)")
    if hello.iterations is not None and hello.iterations != requested_iterations:
        notes.append(f"the probe planned {hello.iterations:,} iterations, not the {requested_iterations:,} of "
                     f"LEAKCHECK_ITERATIONS (it fixes its own count); judged on the iterations it ran")
    return tuple(notes)
