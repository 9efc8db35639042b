"""The probe running when the run is interrupted is in results.json: outcome ERROR (no outcome of the set
means "stopped from outside"), `interrupted` true, a reason saying so, and the series it had."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .cli import LEAKCHECK, behaviour_probe, ended


def wait_for_tick(events: Path, at_least: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        lines = events.read_text().splitlines() if events.exists() else []
        ticks = [json.loads(line)["i"] for line in lines if '"tick"' in line]
        if ticks and ticks[-1] >= at_least:
            return
        assert time.monotonic() < deadline, f"no tick {at_least} in {events}"
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_probe_in_flight_is_listed_with_its_series(tmp_path: Path, sig: signal.Signals, jobs: str) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_text(behaviour_probe("hang"))  # ticks to iteration 99 of 200, then sleeps in the 100th
    run_dir = tmp_path / "run"
    with subprocess.Popen([*LEAKCHECK, "run", "--config", str(config), "--run-dir", str(run_dir), "--jobs", jobs],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as run, ended(run):
        wait_for_tick(run_dir / "python.hang" / "attempt-1" / "events.jsonl", at_least=99)
        time.sleep(0.3)  # a few samples at the hang
        os.kill(run.pid, sig)
        stdout, stderr = run.communicate(timeout=30)
    assert run.returncode == 130, stderr
    document = json.loads((run_dir / "results.json").read_text())
    assert document["interrupted"] is True and document["complete"] is False
    assert document["summary"] == {"ERROR": 1}
    probe = document["probes"][0]
    attempt = probe["attempts"][0]
    assert probe["name"] == "python.hang" and probe["outcome"] == "ERROR" and attempt["interrupted"] is True
    assert probe["reason"].startswith("interrupted: the run was stopped while the probe ran, in phase measure "
                                      "at iteration 99 of 200 (")
    assert attempt["last_tick"] == 99 and attempt["ticks"][-1]["i"] == 99
    assert attempt["samples"]["count"] > 10 and attempt["samples"]["rows"][-1][1] == 99
    assert Path(attempt["files"]["samples"]).read_text().count("\n") == attempt["samples"]["count"] + 1
    assert "Traceback" not in stderr and "interrupted: the run was stopped" in stdout


def blocked_in_open(pid: int) -> None:
    """Waits until `pid` sleeps in a FIFO's open (the kernel's wait_for_partner); where the kernel hides
    wait channels ("0"), gives it long enough to get there."""
    deadline = time.monotonic() + 30
    while (wchan := Path(f"/proc/{pid}/wchan").read_text()) != "wait_for_partner":
        if wchan == "0":
            time.sleep(3)
            return
        assert time.monotonic() < deadline, wchan
        time.sleep(0.05)


def test_ctrl_c_before_any_probe_runs_is_130_and_one_line(tmp_path: Path) -> None:
    """Here leakcheck is stopped while it opens its configuration, a FIFO no one writes to."""
    config = tmp_path / "leakcheck.toml"
    os.mkfifo(config)
    with subprocess.Popen([*LEAKCHECK, "list", "--config", str(config)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as run, ended(run):
        blocked_in_open(run.pid)
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=30)
    assert run.returncode == 130 and stderr == "leakcheck: interrupted\n"
