"""Runs started at the same moment against one reports directory each get their own run directory: no
results, logs or history entry of one run is another's."""

from __future__ import annotations

import json
import multiprocessing
import re
import subprocess
from pathlib import Path

from leakcheck.output.run_dir import create_run_dir

from .cli import LEAKCHECK, leakcheck

RUNS = 4
# The probe writes the pid of the leakcheck that runs it: the log says which run it belongs to. It ticks an
# empty body, so that its verdict is a flat series' PASS: a bare interpreter start lives 0.1 s, too short to be
# judged (INCONCLUSIVE, which fails the run), and verdicts are not what this test is about.
CONFIG = ('[probes."python.whose"]\nlang = "python"\n'
          'command = ["{python}", "-c", "import os; print(os.getppid(), flush=True); '
          "from leakcheck_probe import run_probe; run_probe('python.whose', lambda ctx, i: None)\"]\n"
          "iterations = 200\n")


def _race(runs: str, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue[str]) -> None:
    barrier.wait()
    out.put(create_run_dir(Path(runs), "20261201T120000Z", "fast").name)


def test_processes_racing_for_one_second_s_name_each_get_their_own(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(6), context.Queue()
    racers = [context.Process(target=_race, args=(str(tmp_path), barrier, out)) for _ in range(6)]
    for racer in racers:
        racer.start()
    names = sorted(out.get(timeout=60) for _ in racers)
    for racer in racers:
        racer.join(timeout=60)
    assert names == ["20261201T120000Z-fast", *(f"20261201T120000Z-fast-{n:02d}" for n in range(2, 7))]


def test_runs_started_at_once_keep_their_own_results_logs_and_history_entry(tmp_path: Path) -> None:
    (tmp_path / "leakcheck.toml").write_text(CONFIG)
    runs = [subprocess.Popen([*LEAKCHECK, "run"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(RUNS)]
    printed: dict[int, Path] = {}
    for run in runs:
        stdout, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, stdout + stderr
        printed[run.pid] = Path(re.findall(r"^results: (.+)$", stdout, re.MULTILINE)[-1])
    assert len(set(printed.values())) == RUNS
    for pid, results in printed.items():
        document = json.loads(results.read_text())
        assert document["run_dir"] == str(results.parent) and document["complete"] is True
        stdout_log = Path(document["probes"][0]["attempts"][0]["files"]["stdout"])
        assert stdout_log.parent.parent.parent == results.parent
        assert stdout_log.read_text().strip() == str(pid)
    listed = leakcheck("history", "--runs-dir", str(tmp_path / "reports" / "runs"))
    assert f"{RUNS} recorded run(s)" in listed.stdout, listed.stdout + listed.stderr
    assert all(results.parent.name in listed.stdout for results in printed.values())
