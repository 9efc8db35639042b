"""The plan of a hand-written probe through the real CLI: the warm-up a v2 hello announces is the one judged,
a v1 probe keeps its derived warm-up, and a done off the plan is FAIL."""

from __future__ import annotations

from typing import Any

from runner_cli import PROBES


def raw_probe(name: str, **env: str) -> str:
    variables = ", ".join(f'{key} = "{value}"' for key, value in env.items())
    return (f'[probes."python.{name}"]\nlang = "python"\ncommand = ["{{python}}", "{PROBES / "raw_probe.py"}"]\n'
            f'iterations = {{ fast = 400 }}\nenv = {{ {variables} }}\nexact_counters = []\n')


def counter_reason(probe: dict[str, Any]) -> str:
    return next(f["reason"] for f in probe["attempts"][-1]["findings"] if f["signal"] == "counter:steady_bytes")


def test_the_announced_warmup_is_judged_and_a_v1_one_is_still_derived(leakcheck) -> None:
    # 2 ms an iteration: 0.7 s of measure phase, enough RSS samples for a verdict.
    run = leakcheck(raw_probe("announced", RAW_PROTOCOL="2", RAW_SLEEP="0.002")
                    + raw_probe("derived", RAW_PROTOCOL="1", RAW_SLEEP="0.002"))
    announced, derived = run.probe("python.announced"), run.probe("python.derived")
    assert (announced["outcome"], derived["outcome"]) == ("PASS", "PASS"), run.stdout
    assert "after 50 warm-up" in counter_reason(announced)  # the hello's warm-up
    assert "after 51 warm-up" in counter_reason(derived)  # v1: the first measure tick
    assert announced["attempts"][-1]["hello"] == {"protocol": 2, "probe": "python.announced", "lang": "python",
                                                  "iterations": 400, "warmup": 50}
    assert derived["attempts"][-1]["hello"] == {"protocol": 1, "probe": "python.derived", "lang": "python",
                                                "iterations": None, "warmup": None}
    assert announced["notes"] == derived["notes"] == []


def test_done_off_the_plan_is_a_failure_of_the_probe(leakcheck) -> None:
    run = leakcheck(raw_probe("short", RAW_DONE="399"))
    probe = run.probe("python.short")
    assert run.returncode == 1
    assert probe["outcome"] == "FAIL"
    assert probe["reason"] == "done reports 399 iterations, the probe's hello planned 400"


def test_a_v2_hello_without_its_plan_is_a_protocol_error(leakcheck) -> None:
    run = leakcheck(raw_probe("overlong_warmup", RAW_PROTOCOL="2", RAW_WARMUP="400"))
    probe = run.probe("python.overlong_warmup")
    assert probe["outcome"] == "ERROR"
    assert probe["reason"].startswith("protocol error: line 1 has a protocol 2 hello whose warmup (400)")
