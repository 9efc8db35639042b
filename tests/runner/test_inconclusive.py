"""Real runs of probes too short to judge: INCONCLUSIVE, never PASS; with escalation, a short leaking probe
runs 4× longer until its leak shows (LEAK), and a plateau ends PASS."""

from __future__ import annotations

from pathlib import Path

from tests.abuse.cli import run_probe_source

BARE = """\
    import time
    time.sleep(0.1)
"""
# No SDK, no ticks: reads LEAKCHECK_ITERATIONS and leaks 200 KiB per iteration (touched, so it is resident).
LEAKING = """\
    import os, time
    kept = []
    for _ in range(int(os.environ["LEAKCHECK_ITERATIONS"])):
        kept.append(bytearray(b"x" * 200 * 1024))
        time.sleep(0.001)
"""
# No SDK, no ticks: 8 MiB once, then work that takes longer with the iterations and keeps nothing.
PLATEAU = """\
    import os, time
    held = bytearray(b"x" * 8 * 1024 * 1024)
    for _ in range(int(os.environ["LEAKCHECK_ITERATIONS"])):
        scratch = bytearray(64 * 1024)
        time.sleep(0.004)
"""


def test_a_bare_short_probe_is_inconclusive_and_fails_the_run(tmp_path: Path) -> None:
    code, probe = run_probe_source(tmp_path, BARE, "--no-escalate")
    assert probe["outcome"] == "INCONCLUSIVE"
    assert code == 1
    assert probe["attempts"][0]["reason"].startswith("RSS: ")
    assert "measure-phase samples, 30 needed: not judged; make the run longer" in probe["attempts"][0]["reason"]
    assert len(probe["attempts"]) == 1


def test_allow_inconclusive_lets_the_run_pass(tmp_path: Path) -> None:
    code, probe = run_probe_source(tmp_path, BARE, "--no-escalate", "--allow", "inconclusive")
    assert (probe["outcome"], code) == ("INCONCLUSIVE", 0)


def test_escalating_a_probe_that_ignores_its_iterations_stays_inconclusive(tmp_path: Path) -> None:
    # 20, 80, 320, 1,280 iterations (the cap: 64x): each run as short as the first, so nothing is proven.
    code, probe = run_probe_source(tmp_path, BARE)
    assert (probe["outcome"], code) == ("INCONCLUSIVE", 1)
    assert [a["iterations"] for a in probe["attempts"]] == [20, 80, 320, 1280]
    assert probe["attempts"][1]["escalation"] == "inconclusive: 20 → 80 iterations"
    assert "not escalated further" in " ".join(probe["notes"])


def test_a_short_leaking_probe_escalates_and_ends_leak(tmp_path: Path) -> None:
    code, probe = run_probe_source(tmp_path, LEAKING)
    assert (probe["outcome"], code) == ("LEAK", 1), [a["reasons"] for a in probe["attempts"]]
    attempts = probe["attempts"]
    assert attempts[0]["outcome"] == "INCONCLUSIVE"
    assert len(attempts) >= 3 and all(a["escalation"] for a in attempts[1:])
    scaling = [f for f in attempts[-1]["findings"] if f["kind"] == "scaling" and f["failed"]]
    assert scaling, attempts[-1]["reasons"]


def test_a_short_plateau_escalates_and_ends_pass(tmp_path: Path) -> None:
    code, probe = run_probe_source(tmp_path, PLATEAU)
    assert (probe["outcome"], code) == ("PASS", 0), [a["reasons"] for a in probe["attempts"]]
    assert probe["attempts"][0]["outcome"] == "INCONCLUSIVE"
    assert len(probe["attempts"]) >= 2
