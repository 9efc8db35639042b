"""The Python and Node SDKs, run as real probe processes writing protocol v1 events on a real pipe."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROBES = Path(__file__).parent / "probes"
PYTHON_PROBE = [sys.executable, str(PROBES / "sample_probe.py")]
NODE = shutil.which("node")
NODE_PROBE = [NODE or "node", "--expose-gc", str(PROBES / "sample_probe.js")]
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@dataclass(frozen=True)
class ProbeRun:
    returncode: int
    events: list[dict[str, Any]]
    stderr: str

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["event"] == kind]


def run_with_pipe(command: list[str], **env: str) -> ProbeRun:
    read_end, write_end = os.pipe()
    environment = {**os.environ, "LEAKCHECK_FD": str(write_end), **env}
    with subprocess.Popen(command, env=environment, pass_fds=(write_end,), stderr=subprocess.PIPE,
                          text=True) as process:
        os.close(write_end)
        with os.fdopen(read_end, encoding="utf-8") as events:
            lines = events.read().splitlines()
        stderr = process.stderr.read() if process.stderr else ""
        returncode = process.wait(timeout=60)
    return ProbeRun(returncode, [json.loads(line) for line in lines], stderr)


ALL_PROBES = [pytest.param(PYTHON_PROBE, "python", id="python"),
              pytest.param(NODE_PROBE, "node", id="node", marks=needs_node)]


@pytest.mark.parametrize(("command", "lang"), ALL_PROBES)
def test_events_follow_protocol_v1(command: list[str], lang: str) -> None:
    run = run_with_pipe(command, LEAKCHECK_ITERATIONS="400", LEAKCHECK_WARMUP="40")
    assert run.returncode == 0, run.stderr
    assert run.events[0] == {"event": "hello", "probe": f"{lang}.sample", "lang": lang, "protocol": 1,
                             "pid": run.events[0]["pid"]}
    assert [e["name"] for e in run.of("phase")] == ["setup", "warmup", "measure", "teardown"]
    assert run.events[-1] == {"event": "done", "iterations": 400}
    ticks = [e["i"] for e in run.of("tick")]
    assert ticks == list(range(0, 400, 2)) + [399]  # 400 // 200 = every 2nd iteration, plus the last
    measure_at = run.events.index({"event": "phase", "name": "measure"})
    first_measure_tick = next(e for e in run.events[measure_at:] if e["event"] == "tick")
    assert first_measure_tick["i"] == 40


@pytest.mark.parametrize(("command", "lang"), ALL_PROBES)
def test_ticks_carry_language_counters(command: list[str], lang: str) -> None:
    run = run_with_pipe(command)
    counters = run.of("tick")[-1]["counters"]
    expected = ({"py_tracemalloc_current", "py_tracemalloc_peak", "py_gc_objects"} if lang == "python"
                else {"v8_heap_used", "v8_external", "v8_array_buffers"})
    assert expected | {"calls"} == set(counters)
    assert all(isinstance(value, (int, float)) and value >= 0 for value in counters.values())


@pytest.mark.parametrize(("command", "lang"), ALL_PROBES)
def test_failed_check_is_an_event_and_exit_status_1(command: list[str], lang: str) -> None:
    run = run_with_pipe(command, LEAKCHECK_ITERATIONS="10", SAMPLE_CHECK_LIMIT="11")
    assert run.returncode == 1
    assert run.of("check") == [{"event": "check", "name": "calls_made", "value": 10, "op": ">=",
                                "limit": 11.0 if lang == "python" else 11, "ok": False}]
    passing = run_with_pipe(command, LEAKCHECK_ITERATIONS="10", SAMPLE_CHECK_LIMIT="10")
    assert passing.returncode == 0 and passing.of("check")[0]["ok"] is True


@pytest.mark.parametrize(("command", "lang"), ALL_PROBES)
@pytest.mark.parametrize(("variable", "value", "message"), [
    ("LEAKCHECK_ITERATIONS", "many", "LEAKCHECK_ITERATIONS='many' is not an integer"),
    ("LEAKCHECK_ITERATIONS", "0", "LEAKCHECK_ITERATIONS=0 must be at least 1"),
    ("LEAKCHECK_WARMUP", "50", "LEAKCHECK_WARMUP=50 must be less than the iterations (50)"),
])
def test_bad_parameters_exit_2_with_a_message(command: list[str], lang: str, variable: str, value: str,
                                              message: str) -> None:
    run = run_with_pipe(command, **{variable: value})
    assert run.returncode == 2
    shown = message if lang == "python" else message.replace("'many'", '"many"')
    assert shown in run.stderr
    assert "Traceback" not in run.stderr
    assert run.events == []


@pytest.mark.parametrize(("command", "lang"), ALL_PROBES)
def test_runs_without_a_pipe(command: list[str], lang: str) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "LEAKCHECK_FD"}
    completed = subprocess.run(command, check=False, env={**environment, "LEAKCHECK_ITERATIONS": "20"}, timeout=60,
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


@needs_node
def test_node_refuses_without_expose_gc() -> None:
    completed = subprocess.run([NODE or "node", str(PROBES / "sample_probe.js")], check=False, capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode == 2
    assert "--expose-gc" in completed.stderr


def test_python_probe_dumps_stacks_on_sigusr1() -> None:
    environment = {**os.environ, "SAMPLE_HANG_AT": "3", "LEAKCHECK_ITERATIONS": "10"}
    environment.pop("LEAKCHECK_FD", None)
    with subprocess.Popen(PYTHON_PROBE, env=environment, stderr=subprocess.PIPE, text=True) as process:
        time.sleep(1.5)  # past the interpreter start-up, inside the hanging body
        process.send_signal(signal.SIGUSR1)
        time.sleep(0.5)
        process.kill()
        stderr = process.stderr.read() if process.stderr else ""
    assert "sample_probe.py" in stderr and "in body" in stderr


@pytest.mark.parametrize(("command", "lang"), ALL_PROBES)
def test_exception_in_body_exits_1_in_its_phase_with_the_error_on_stderr(command: list[str], lang: str) -> None:
    run = run_with_pipe(command, LEAKCHECK_ITERATIONS="20", SAMPLE_THROW_AT="7")
    assert run.returncode == 1
    assert "thrown at 7" in run.stderr
    assert run.of("phase")[-1]["name"] == "measure"  # warm-up is the first 2 of 20
    assert run.of("tick")[-1]["i"] == 6 and run.of("done") == []
