"""No process of a probe outlives its attempt, nor leakcheck: a grandchild that escapes the probe's group
(setsid) is reported and killed when the attempt ends; leakcheck killed by SIGKILL takes every probe process
with it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil

from .cli import LEAKCHECK, alive, ended, leakcheck, probe_table, write_probe

ESCAPER = """
    import os, subprocess, sys, time
    from pathlib import Path
    # A daemon-like grandchild: its own session and group, so a kill of the probe's group misses it.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"], start_new_session=True)
    Path(sys.argv[1]).write_text(str(child.pid))
    time.sleep(float(sys.argv[2]))
"""


def wait_for_pids(path: Path, seconds: float = 60) -> list[int]:
    deadline = time.monotonic() + seconds
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)
    return [int(pid) for pid in path.read_text().split()]


def gone_within(processes: list[tuple[int, float]], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(pid, created) for pid, created in processes):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def run_escaper(tmp_path: Path, probe_lives_s: float) -> tuple[subprocess.CompletedProcess[str], dict, int]:
    script = write_probe(tmp_path, "escaper", ESCAPER)
    pid_file = tmp_path / "grandchild.pid"
    (tmp_path / "leakcheck.toml").write_text(
        f'[probes."native.escaper"]\nlang = "native"\n'
        f'command = ["{{python}}", "{script}", "{pid_file}", "{probe_lives_s}"]\niterations = 1\n')
    # One attempt: an escalation would start another grandchild (the verdict is not what these tests are about).
    completed = leakcheck("run", "--no-escalate", "--config", str(tmp_path / "leakcheck.toml"), "--run-dir",
                          str(tmp_path / "run"))
    attempt = json.loads((tmp_path / "run" / "results.json").read_text())["probes"][0]["attempts"][0]
    return completed, attempt, int(pid_file.read_text())


def test_a_setsid_grandchild_is_reported_and_killed(tmp_path: Path) -> None:
    completed, attempt, pid = run_escaper(tmp_path, probe_lives_s=1.5)  # the sampler sees it
    assert attempt["left_running"] == [{"pid": pid, "command": attempt["left_running"][0]["command"]}]
    assert "time.sleep(3600)" in attempt["left_running"][0]["command"]
    assert attempt["notes"][0].startswith(f"left running: 1 process: {pid} ")
    assert f"native.escaper: left running: 1 process: {pid}" in completed.stdout
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_grandchild_the_sampler_never_saw_is_found_by_its_marker(tmp_path: Path) -> None:
    _, attempt, pid = run_escaper(tmp_path, probe_lives_s=0)  # the probe ends before the first children scan
    assert [p["pid"] for p in attempt["left_running"]] == [pid]
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_clean_probe_has_nothing_left_running(tmp_path: Path) -> None:
    (tmp_path / "leakcheck.toml").write_text(probe_table("quiet", write_probe(tmp_path, "quiet", "print('hi')\n")))
    # A bare print is too short to judge: INCONCLUSIVE is allowed, for what is left running is this test's subject.
    completed = leakcheck("run", "--no-escalate", "--allow", "inconclusive", "--config",
                          str(tmp_path / "leakcheck.toml"), "--run-dir", str(tmp_path / "run"))
    attempt = json.loads((tmp_path / "run" / "results.json").read_text())["probes"][0]["attempts"][0]
    assert completed.returncode == 0 and attempt["left_running"] == [] and attempt["notes"] == []


FAMILY = """
    import subprocess, sys, time
    from pathlib import Path
    sleeper = [sys.executable, "-c", "import time; time.sleep(3600)"]
    in_group = subprocess.Popen(sleeper)
    escaped = subprocess.Popen(sleeper, start_new_session=True)
    Path(sys.argv[1]).write_text(f"{in_group.pid} {escaped.pid}")
    time.sleep(3600)
"""


def start_family(tmp_path: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """leakcheck running a probe that hangs with a child in its group and one escaped; (leakcheck, children)."""
    script = write_probe(tmp_path, "family", FAMILY)
    pids = tmp_path / "pids"
    (tmp_path / "leakcheck.toml").write_text(f'[probes."native.family"]\nlang = "native"\n'
                                             f'command = ["{{python}}", "{script}", "{pids}"]\niterations = 1\n')
    run = subprocess.Popen([*LEAKCHECK, "run", "--config", str(tmp_path / "leakcheck.toml"), "--run-dir",
                            str(tmp_path / "run")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return run, wait_for_pids(pids)


def test_leakcheck_killed_by_sigkill_takes_the_probe_and_all_it_started_with_it(tmp_path: Path) -> None:
    run, _ = start_family(tmp_path)
    with ended(run):
        harness = psutil.Process(run.pid)
        family = [(p.pid, p.create_time()) for p in harness.children(recursive=True)]
        assert len(family) >= 3  # the probe and its two children (and the guardian)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    assert gone_within(family, seconds=10), [p for p in family if alive(*p)]


def test_the_probe_dies_with_leakcheck_by_its_death_signal_alone(tmp_path: Path) -> None:
    """The guardian killed first: what remains to end the probe is PR_SET_PDEATHSIG, set before its exec."""
    run, children = start_family(tmp_path)
    with ended(run):
        probe = psutil.Process(children[0]).parent()
        guardians = [p for p in psutil.Process(run.pid).children() if p.pid != probe.pid]
        assert len(guardians) == 1 and "-I" in guardians[0].cmdline()
        guardians[0].kill()
        assert gone_within([(guardians[0].pid, guardians[0].create_time())], seconds=10)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    try:
        assert gone_within([(probe.pid, probe.create_time())], seconds=10)
    finally:  # without the guardian nothing kills the probe's children: this test does
        for pid in children:
            psutil.Process(pid).kill()


def test_a_command_that_cannot_be_executed_is_still_an_error_naming_why(tmp_path: Path) -> None:
    """The death-signal wrapper execs the probe: a failed exec comes back as the spawn's error, as before."""
    program = tmp_path / "not-a-program"
    program.write_bytes(b"\x7fELF, but not really")
    program.chmod(0o755)
    (tmp_path / "leakcheck.toml").write_text(f'[probes."native.noexec"]\nlang = "native"\n'
                                             f'command = ["{program}"]\niterations = 1\n')
    completed = leakcheck("run", "--config", str(tmp_path / "leakcheck.toml"), "--run-dir", str(tmp_path / "run"))
    probe = json.loads((tmp_path / "run" / "results.json").read_text())["probes"][0]
    assert completed.returncode == 1
    assert (probe["outcome"], probe["reason"]) == ("ERROR", f"cannot start {program}: Exec format error")
