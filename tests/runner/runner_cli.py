"""Helpers of the runner tests: run the real `leakcheck` CLI on a configuration, read its JSON results."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROBES = Path(__file__).parent / "probes"


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    results: dict[str, Any] | None

    def probe(self, name: str) -> dict[str, Any]:
        assert self.results is not None, self.stderr
        return next(p for p in self.results["probes"] if p["name"] == name)


def python_probe(name: str, behaviour: str, **extra: str) -> str:
    """A [probes."python.<name>"] table running behaviour_probe.py."""
    env = ", ".join(f'{k} = "{v}"' for k, v in {"BEHAVIOUR": behaviour, **extra}.items())
    return (f'[probes."python.{name}"]\nlang = "python"\n'
            f'command = ["{{python}}", "{PROBES / "behaviour_probe.py"}"]\n'
            f"iterations = {{ fast = 200 }}\nenv = {{ {env} }}\n")


def run_leakcheck(tmp_path: Path, config_text: str, *args: str, timeout: float = 120) -> CliRun:
    config = tmp_path / "leakcheck.toml"
    config.write_text(config_text)
    results = tmp_path / "results.json"
    command = [sys.executable, "-m", "leakcheck.cli", "run", "--config", str(config), "--json", str(results),
               "--run-dir", str(tmp_path / "run"), *args]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    document = json.loads(results.read_text()) if results.exists() else None
    return CliRun(completed.returncode, completed.stdout, completed.stderr, document)
