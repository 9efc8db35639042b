"""Helpers of the abuse tests: the real `leakcheck` CLI in a subprocess, and probes written for a test."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import psutil

LEAKCHECK = [sys.executable, "-m", "leakcheck.cli"]


def leakcheck(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LEAKCHECK, *args], capture_output=True, text=True, timeout=timeout, check=False,
                          cwd=cwd)


def write_probe(directory: Path, name: str, body: str) -> Path:
    """A Python script `name`.py in `directory` with `body` (dedented) as its text."""
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return path


def probe_table(name: str, script: Path, *, iterations: int = 20, extra: str = "") -> str:
    """A [probes."python.<name>"] table running `script` with leakcheck's Python."""
    return (f'[probes."python.{name}"]\nlang = "python"\ncommand = ["{{python}}", "{script}"]\n'
            f"iterations = {iterations}\n{extra}")


def alive(pid: int, create_time: float) -> bool:
    """The process that had `pid` at `create_time` still runs (a zombie or a reused pid does not count)."""
    try:
        process = psutil.Process(pid)
        return process.create_time() == create_time and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
