"""The terminal as nextest prints it: one line per probe as it ends, the details of only what did not pass
(every reason with -v), counts in count units, and the closing tally; the lines, then a real run in a log."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from runner_cli import run_leakcheck

from leakcheck.output.terminal import detail_lines, result_line, summary_line
from leakcheck.results import Attempt, Crash, ProbeResult
from leakcheck.runner.explain import key_figure

LEAKING = {"signal": "rss", "kind": "trend", "failed": True, "reason": "RSS slope 64.0 KiB/iter", "figures": {}}
FLAT = {"signal": "fds", "kind": "growth", "failed": False, "reason": "fds slope 0/iter: not a leak", "figures": {}}
ATTEMPT = Attempt(number=1, outcome="LEAK", reasons=("RSS slope 64.0 KiB/iter", "fds slope 0/iter: not a leak"),
                  key_figure="rss +64.0 KiB/iter, peak RSS 32 MiB", returncode=0, phase="teardown", last_tick=299,
                  duration_s=0.42, peak_rss=1, files={"stderr": "/runs/x/python.y/attempt-1/stderr.log"},
                  findings=(LEAKING, FLAT), output_tail="last words\n")


def result(attempt: Attempt, outcome: str | None = None) -> ProbeResult:
    return ProbeResult(name="python.y", lang="python", suite="fast", iterations=300,
                       outcome=outcome or attempt.outcome, attempts=(attempt,))


def test_one_line_per_probe_with_outcome_time_name_and_key_figure() -> None:
    # Outcomes right-aligned in the width of the longest, INCONCLUSIVE.
    assert result_line(result(ATTEMPT)) == "        LEAK [   0.4s] python.y  rss +64.0 KiB/iter, peak RSS 32 MiB"


def test_details_show_the_failing_reasons_the_output_and_the_logs() -> None:
    lines = detail_lines(result(ATTEMPT))
    assert lines == ["--- LEAK python.y (python)", "    RSS slope 64.0 KiB/iter", "    output (last 1 lines):",
                     "      last words", "    logs: /runs/x/python.y/attempt-1"]
    assert "    fds slope 0/iter: not a leak" in detail_lines(result(ATTEMPT), every_reason=True)


def test_a_crash_shows_its_stacks_once() -> None:
    stack = "Fatal Python error: Segmentation fault\n  File \"probe.py\", line 3"
    crashed = replace(ATTEMPT, outcome="CRASH", reasons=("killed by SIGSEGV",), findings=(), output_tail=stack,
                      crash=Crash("SIGSEGV", 11, "measure", "python-fatal", stack))
    lines = detail_lines(result(crashed))
    assert lines.count("      Fatal Python error: Segmentation fault") == 1 and "    stacks (last 2 lines):" in lines


def test_the_closing_line_tallies_the_outcomes() -> None:
    passing = replace(ATTEMPT, outcome="PASS")
    line = summary_line([result(ATTEMPT), result(passing)], interrupted=False, wall_s=1.25)
    assert line == "2 probe(s), 1 failed, 1.2s wall: failed (PASS 1, LEAK 1)"


CONFIG = """\
[probes."python.clean"]
lang = "python"
command = ["{python}", "-c", "from leakcheck_probe import run_probe; run_probe('python.clean', lambda c, i: None)"]
iterations = 300
[probes."python.leaky"]
lang = "python"
command = ["{python}", "-c", "from leakcheck_probe import run_probe; K = []; run_probe('python.leaky', lambda c, i: K.append(bytearray(65536)))"]
iterations = 300
"""


def test_a_run_in_a_log_prints_a_line_per_probe_and_details_of_the_failure_only(tmp_path: Path) -> None:
    run = run_leakcheck(tmp_path, CONFIG)
    lines = run.stdout.splitlines()
    assert run.returncode == 1
    assert any(line.strip().startswith("PASS [") and "python.clean" in line and "peak RSS" in line for line in lines)
    assert any(line.strip().startswith("LEAK [") and "python.leaky" in line for line in lines)
    assert "--- LEAK python.leaky (python)" in lines and "--- PASS python.clean (python)" not in lines
    assert not any("━" in line for line in lines)  # no progress bars in a log
    (tmp_path / "verbose").mkdir()
    verbose = run_leakcheck(tmp_path / "verbose", CONFIG, "-v")
    assert "--- PASS python.clean (python)" in verbose.stdout.splitlines()


def test_a_count_is_shown_in_counts_and_bytes_in_bytes() -> None:
    counted = {"signal": "counter:allocated_blocks", "kind": "trend", "failed": True, "reason": "", "figures": {"slope": 1.0}}
    assert key_figure(None, None, 2 << 20, (counted,), "iter") == "allocated_blocks +1/iter, peak RSS 2.00 MiB"
    held = {"signal": "counter:live_bytes", "kind": "baseline", "failed": True, "reason": "", "figures": {"growth": 300.0}}
    assert key_figure(None, None, 2 << 20, (held,), "iter") == "live_bytes +300 B, peak RSS 2.00 MiB"
