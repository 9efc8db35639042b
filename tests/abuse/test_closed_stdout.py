"""A reader that goes away (`leakcheck run | head -1`): the run goes on, runs every probe and writes every
result, and says nothing on stderr about it (no traceback)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .cli import LEAKCHECK, behaviour_probe


def test_a_run_whose_stdout_is_closed_still_runs_and_records_every_probe(tmp_path: Path) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_text(behaviour_probe("pass") + behaviour_probe("leak"))
    command = [*LEAKCHECK, "run", "--config", str(config), "--run-dir", str(tmp_path / "run"), "--no-escalate"]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert run.stdout is not None
    run.stdout.close()  # the reader is gone before the first line
    _, stderr = run.communicate(timeout=300)
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert {p["name"]: p["outcome"] for p in results["probes"]} == {"python.pass": "PASS", "python.leak": "LEAK"}
    assert (run.returncode, stderr) == (1, "")
