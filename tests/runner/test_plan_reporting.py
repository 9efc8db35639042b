"""Where a probe's plan shows: its hello and notes in the results document, the terminal's note lines, the JUnit
output, and the warm-up the history figures start from."""

from __future__ import annotations

from dataclasses import replace

from leakcheck.history.figures import warmup_end
from leakcheck.output.junit import junit_tree
from leakcheck.output.terminal import note_lines
from leakcheck.results import Attempt, Hello, ProbeResult, Tick
from leakcheck.schema import attempt_document, probe_document

NOTE = "the probe planned 60 iterations, not the 200 of LEAKCHECK_ITERATIONS"
ATTEMPT = Attempt(number=1, outcome="PASS", reasons=("ok",), key_figure="", returncode=0, phase="teardown",
                  last_tick=59, duration_s=1.0, peak_rss=1, files={},
                  hello=Hello(2, "python.x", "python", 60, 6), notes=(NOTE,))


def result(attempt: Attempt, repeat: int = 1) -> ProbeResult:
    return ProbeResult(name="python.x", lang="python", suite="fast", iterations=200, outcome=attempt.outcome,
                       attempts=(attempt,), repeat=repeat)


def test_the_results_document_has_the_hello_and_the_notes() -> None:
    document = attempt_document(ATTEMPT)
    assert document["hello"] == {"protocol": 2, "probe": "python.x", "lang": "python", "iterations": 60, "warmup": 6}
    assert document["notes"] == [NOTE]
    assert probe_document(result(ATTEMPT))["notes"] == [NOTE]
    assert attempt_document(replace(ATTEMPT, hello=None, notes=()))["hello"] is None


def test_the_terminal_prints_one_line_per_note_with_the_probes_label() -> None:
    assert note_lines([result(ATTEMPT), result(replace(ATTEMPT, notes=()))]) == [f"note: python.x: {NOTE}"]
    assert note_lines([result(ATTEMPT, repeat=2)]) == [f"note: python.x#2: {NOTE}"]


def test_junit_carries_the_notes_in_system_out() -> None:
    case = junit_tree([result(ATTEMPT)], suite="fast", interrupted=False).getroot().find("testcase")
    assert case is not None
    output = case.findtext("system-out") or ""
    assert output.splitlines() == ["attempt 1: PASS: ok", f"note: {NOTE}"]


def test_history_starts_the_measure_phase_at_the_announced_warmup() -> None:
    ticks = (Tick(0.1, 4, "warmup", {}), Tick(0.2, 8, "measure", {}))
    assert warmup_end(replace(ATTEMPT, ticks=ticks)) == 6
    assert warmup_end(replace(ATTEMPT, ticks=ticks, hello=Hello(1, "python.x", "python"))) == 8  # v1: first measure tick
    assert warmup_end(replace(ATTEMPT, ticks=ticks, hello=None)) == 8  # results written before protocol 2
