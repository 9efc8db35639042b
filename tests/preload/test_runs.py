"""The preload counter in `leakcheck run`: in every probe unless `preload = false`, never under --tool; the
root process's exit snapshot in the results and the terminal, so a probe with no SDK and no ticks still has
exact figures; without a compiler the probe runs without it and a note says why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    results: dict[str, Any]

    def attempt(self, name: str) -> dict[str, Any]:
        return next(p for p in self.results["probes"] if p["name"] == name)["attempts"][-1]


def native_probe(name: str, command: list[str], extra: str = "") -> str:
    return (f'[probes."native.{name}"]\nlang = "native"\ncommand = {json.dumps(command)}\n'
            f"iterations = 10\n{extra}\n")


def leakcheck_run(tmp_path: Path, config: str, *args: str, **variables: str) -> CliRun:
    (tmp_path / "leakcheck.toml").write_text(config)
    results = tmp_path / "results.json"
    command = [sys.executable, "-m", "leakcheck.cli", "run", "--config", str(tmp_path / "leakcheck.toml"),
               "--json", str(results), "--run-dir", str(tmp_path / "run"), "-v", *args]
    completed = subprocess.run(command, env={**os.environ, **variables}, capture_output=True, text=True,
                               timeout=600, check=False)
    assert results.exists(), completed.stdout + completed.stderr
    return CliRun(completed.returncode, completed.stdout, json.loads(results.read_text()))


def shows_preload(allocations: Path, mode: str = "leak", n: int = 10) -> list[str]:
    """The probe prints whether the counter is in its LD_PRELOAD, then runs the allocations program."""
    script = (f'case "$LD_PRELOAD" in *libleakcheck_preload.so*) echo preloaded;; *) echo bare;; esac; '
              f"exec {allocations} {mode} {n} 100")
    return ["/bin/sh", "-c", script]


def stdout_of(attempt: dict[str, Any]) -> str:
    return Path(attempt["files"]["stdout"]).read_text()


def test_a_probe_with_no_sdk_gets_the_exit_snapshot_of_its_process(allocations: Path, library: Path,
                                                                    tmp_path: Path) -> None:
    config = (native_probe("leak", shows_preload(allocations, "leak", 500))
              + native_probe("clean", shows_preload(allocations, "clean", 500)))
    run = leakcheck_run(tmp_path, config)
    leak, clean = run.attempt("native.leak"), run.attempt("native.clean")
    assert stdout_of(leak).startswith("preloaded")
    # The program allocates nothing else (it prints with write): the 500 blocks it leaked, 104 B each (100 B
    # asked, rounded up to glibc's chunk size), and none after the clean pattern.
    assert leak["exit_snapshot"]["preload_live_blocks"] == 500
    assert leak["exit_snapshot"]["preload_live_bytes"] >= 500 * 100
    assert clean["exit_snapshot"]["preload_live_blocks"] == 0
    assert leak["exit_snapshot"]["fds"] >= 3 and leak["exit_snapshot"]["threads"] == 1
    assert "at exit: preload_live_blocks 500, preload_live_bytes " in run.stdout
    assert (tmp_path / "run" / "native.leak" / "attempt-1" / "preload").is_dir()


@pytest.mark.parametrize("where", ["probe", "top"])
def test_preload_false_runs_the_probe_without_it(allocations: Path, library: Path, tmp_path: Path,
                                                 where: str) -> None:
    probe = native_probe("off", shows_preload(allocations), "preload = false" if where == "probe" else "")
    config = ("preload = false\n" if where == "top" else "") + probe + native_probe(
        "on", shows_preload(allocations), "preload = true" if where == "top" else "")
    run = leakcheck_run(tmp_path, config)
    off, on = run.attempt("native.off"), run.attempt("native.on")
    assert stdout_of(off).startswith("bare") and off["exit_snapshot"] is None
    assert not any("preload" in note for note in off["notes"])  # turned off is not "could not be loaded"
    assert stdout_of(on).startswith("preloaded") and on["exit_snapshot"]["preload_live_blocks"] == 10


def test_a_bad_preload_value_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "leakcheck.toml").write_text(native_probe("x", ["true"], 'preload = "no"'))
    completed = subprocess.run([sys.executable, "-m", "leakcheck.cli", "run", "--config",
                                str(tmp_path / "leakcheck.toml")], capture_output=True, text=True, timeout=60,
                               check=False)
    assert completed.returncode == 2
    assert ("probes.'native.x'.preload = 'no'; allowed: true (LD_PRELOAD the malloc counter into the probe) or "
            "false (run the probe without it)") in completed.stderr
    assert "Traceback" not in completed.stderr


def test_without_a_compiler_the_probe_runs_without_it_and_a_note_says_why(allocations: Path,
                                                                          tmp_path: Path) -> None:
    run = leakcheck_run(tmp_path, native_probe("leak", shows_preload(allocations)), CC="/nonexistent/cc",
                        XDG_CACHE_HOME=str(tmp_path / "cache"))
    attempt = run.attempt("native.leak")
    assert attempt["outcome"] not in ("ERROR", "CRASH")  # the probe ran (however its short series is judged)
    assert stdout_of(attempt).startswith("bare") and attempt["exit_snapshot"] is None
    assert ("preload counter not loaded: no C compiler (/nonexistent/cc) to build it: install one (apt-get install "
            "-y gcc) or set CC") in attempt["notes"]
    assert "note: preload counter not loaded: no C compiler" in run.stdout


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_under_valgrind_the_counter_is_absent(allocations: Path, library: Path, tmp_path: Path) -> None:
    run = leakcheck_run(tmp_path, native_probe("leak", shows_preload(allocations)), "--tool", "valgrind",
                        LD_PRELOAD=str(library))  # even one inherited from an outer process is taken out
    attempt = run.attempt("native.leak")
    assert stdout_of(attempt).startswith("bare")
    assert attempt["exit_snapshot"] is None
    assert not (tmp_path / "run" / "native.leak" / "attempt-1" / "preload").exists()


def doctor(tmp_path: Path, config: str, **variables: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "leakcheck.toml").write_text(config)
    return subprocess.run([sys.executable, "-m", "leakcheck.cli", "doctor", "--config", str(tmp_path / "leakcheck.toml")],
                          env={**os.environ, "COLUMNS": "400", **variables}, capture_output=True, text=True,
                          timeout=300, check=False)


def test_doctor_says_whether_the_counter_is_available(library: Path, tmp_path: Path) -> None:
    config = native_probe("x", ["true"]) + native_probe("y", ["true"], "preload = false")
    found = doctor(tmp_path, config)
    line = next(line for line in found.stdout.splitlines() if "preload counter" in line)
    assert "native.x" in line and "native.y" not in line and "found" in line and str(library) in line
    missing = doctor(tmp_path, config, CC="/nonexistent/cc", XDG_CACHE_HOME=str(tmp_path / "cache"))
    line = next(line for line in missing.stdout.splitlines() if "preload counter" in line)
    assert missing.returncode == 0  # optional: the probes run without it
    assert "missing (optional)" in line and "no C compiler (/nonexistent/cc)" in line
    assert "preload counter" not in doctor(tmp_path, native_probe("y", ["true"], "preload = false")).stdout
