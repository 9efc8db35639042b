"""Helpers of the abuse tests: the real `leakcheck` CLI in a subprocess, and probes written for a test."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

LEAKCHECK = [sys.executable, "-m", "leakcheck.cli"]
BEHAVIOUR_PROBE = Path(__file__).parents[1] / "runner" / "probes" / "behaviour_probe.py"


def leakcheck(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LEAKCHECK, *args], capture_output=True, text=True, timeout=timeout, check=False,
                          cwd=cwd)


@contextmanager
def ended(run: subprocess.Popen[Any]) -> Iterator[None]:
    """A failing assertion must not leave a test waiting for a leakcheck whose probe hangs for an hour."""
    try:
        yield
    finally:
        if run.poll() is None:
            run.kill()
        run.communicate(timeout=30)


def write_probe(directory: Path, name: str, body: str) -> Path:
    """A Python script `name`.py in `directory` with `body` (dedented) as its text."""
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return path


def probe_table(name: str, script: Path, *, iterations: int = 20, extra: str = "") -> str:
    """A [probes."python.<name>"] table running `script` with leakcheck's Python."""
    return (f'[probes."python.{name}"]\nlang = "python"\ncommand = ["{{python}}", "{script}"]\n'
            f"iterations = {iterations}\n{extra}")


def run_probe_source(tmp_path: Path, source: str, *args: str, iterations: int = 20,
                     extra: str = "") -> tuple[int, dict[str, Any]]:
    """`source` as probe python.probe (its table given `extra` lines), run by `leakcheck run` with `args`: the exit
    code and the probe's result."""
    script = write_probe(tmp_path, "probe", source)
    (tmp_path / "leakcheck.toml").write_text(probe_table("probe", script, iterations=iterations, extra=extra))
    done = leakcheck("run", "--config", str(tmp_path / "leakcheck.toml"), "--run-dir", str(tmp_path / "run"),
                     *args, timeout=300)
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    return done.returncode, results["probes"][0]


def behaviour_probe(behaviour: str) -> str:
    """A [probes."python.<behaviour>"] table running the runner tests' behaviour probe (200 iterations)."""
    return (f'[probes."python.{behaviour}"]\nlang = "python"\ncommand = ["{{python}}", "{BEHAVIOUR_PROBE}"]\n'
            f'iterations = 200\nenv = {{ BEHAVIOUR = "{behaviour}" }}\n')


def alive(pid: int, create_time: float) -> bool:
    """The process that had `pid` at `create_time` still runs (a zombie or a reused pid does not count)."""
    try:
        process = psutil.Process(pid)
        return process.create_time() == create_time and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
