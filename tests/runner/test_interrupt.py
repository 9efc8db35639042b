"""Ctrl-C or SIGTERM to leakcheck: no orphans, finished results on disk (the probes cut short too, as ERROR),
the run marked incomplete, 130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from runner_cli import PROBES, python_probe

from leakcheck.cli import main
from leakcheck.runner import attempt


def wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_kills_every_child_and_keeps_finished_results(tmp_path: Path, sig: signal.Signals) -> None:
    pid_file = tmp_path / "grandchild.pid"
    config = tmp_path / "leakcheck.toml"
    config.write_text(python_probe("clean", "pass")
                      + f'[probes."native.stuck"]\nlang = "native"\n'
                        f'command = ["{{python}}", "{PROBES / "spawner_probe.py"}", "{pid_file}"]\niterations = 1\n')
    results = tmp_path / "results.json"
    with subprocess.Popen([sys.executable, "-m", "leakcheck.cli", "run", "--config", str(config),
                           "--json", str(results), "--run-dir", str(tmp_path / "run")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as leakcheck:
        wait_for(pid_file, 60)
        grandchild = psutil.Process(int(pid_file.read_text()))
        probe = grandchild.parent()
        os.kill(leakcheck.pid, sig)
        returncode = leakcheck.wait(timeout=30)
    assert returncode == 130
    assert not probe.is_running() or probe.status() == psutil.STATUS_ZOMBIE
    assert not grandchild.is_running() or grandchild.status() == psutil.STATUS_ZOMBIE
    document = json.loads(results.read_text())
    assert document["complete"] is False and document["interrupted"] is True and document["exit_code"] == 130
    assert [(p["name"], p["outcome"]) for p in document["probes"]] == [("python.clean", "PASS"),
                                                                        ("native.stuck", "ERROR")]
    assert document["probes"][1]["attempts"][0]["interrupted"] is True


def test_interrupt_with_probes_side_by_side_kills_them_all(tmp_path: Path) -> None:
    pid_files = [tmp_path / f"grandchild-{n}.pid" for n in (1, 2)]
    config = tmp_path / "leakcheck.toml"
    config.write_text("".join(f'[probes."native.stuck{n}"]\nlang = "native"\n'
                              f'command = ["{{python}}", "{PROBES / "spawner_probe.py"}", "{pid_file}"]\n'
                              "iterations = 1\n" for n, pid_file in enumerate(pid_files)))
    results = tmp_path / "results.json"
    with subprocess.Popen([sys.executable, "-m", "leakcheck.cli", "run", "--config", str(config), "--jobs", "2",
                           "--json", str(results), "--run-dir", str(tmp_path / "run")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as leakcheck:
        for pid_file in pid_files:
            wait_for(pid_file, 60)
        grandchildren = [psutil.Process(int(p.read_text())) for p in pid_files]
        os.kill(leakcheck.pid, signal.SIGINT)
        returncode = leakcheck.wait(timeout=30)
    assert returncode == 130
    assert all(not g.is_running() or g.status() == psutil.STATUS_ZOMBIE for g in grandchildren)
    document = json.loads(results.read_text())
    assert document["interrupted"] is True
    assert sorted((p["name"], p["outcome"]) for p in document["probes"]) == [("native.stuck0", "ERROR"),
                                                                              ("native.stuck1", "ERROR")]
    assert all(p["reason"].startswith("interrupted: ") for p in document["probes"])


def test_ctrl_c_while_the_probe_is_being_started_still_lists_it(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A real SIGINT, sent as the sampler of the probe's attempt starts (the probe is running, the attempt
    does not watch it yet): the probe is listed as interrupted, not dropped from the results."""
    start = attempt.Sampler.start

    def start_then_interrupt(self: attempt.Sampler) -> None:
        start(self)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(attempt.Sampler, "start", start_then_interrupt)
    config = tmp_path / "leakcheck.toml"
    config.write_text(python_probe("clean", "pass"))
    results = tmp_path / "results.json"
    assert main(["run", "--config", str(config), "--json", str(results), "--run-dir", str(tmp_path / "run")]) == 130
    document = json.loads(results.read_text())
    assert document["interrupted"] is True
    assert [(p["name"], p["outcome"]) for p in document["probes"]] == [("python.clean", "ERROR")]
    assert document["probes"][0]["attempts"][0]["interrupted"] is True
    assert document["probes"][0]["reason"].startswith("interrupted: ")
