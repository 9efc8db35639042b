"""Replays every saved fuzz input (regressions/) on both backends with the fuzzer's own check: a
documented outcome, and every exact counter back at its baseline after each input. Shows the check
fails on real leaks: a short fuzz run against each leak-mutant library must report the leak and save
the input that caused it; and a fuzzer process killed by a real SIGSEGV is reported with its input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import pyjamaz
from fuzz_check import InputRunner
from fuzz_driver import REGRESSIONS, REPO_ROOT
from fuzz_input import FuzzInput

SAVED_INPUTS = sorted(REGRESSIONS.glob("*.bin"))
DRIVER = Path(__file__).parent / "fuzz_driver.py"
MUTANTS = ("error-message", "result-buffer", "file-descriptor", "vips-unref", "losing-candidates")


@pytest.fixture(scope="module")
def runner() -> Iterator[InputRunner]:
    os.environ.setdefault("VIPS_WARNING", "0")
    created = InputRunner()
    yield created
    created.close()


def test_regressions_folder_holds_saved_inputs() -> None:
    assert len(SAVED_INPUTS) >= 10, f"expected the seeded regression inputs in {REGRESSIONS}"


@pytest.mark.parametrize("backend", pyjamaz.BACKENDS)
@pytest.mark.parametrize("saved", SAVED_INPUTS, ids=[path.name for path in SAVED_INPUTS])
def test_saved_input_replays_cleanly(runner: InputRunner, saved: Path, backend: str) -> None:
    fuzz_input = FuzzInput.decode(saved.read_bytes())
    runner.rebaseline()
    outcome = runner.run(fuzz_input, backend)
    assert outcome.problems == (), f"{fuzz_input.describe()} -> {outcome.result}"


def test_header_round_trips() -> None:
    raw = bytes(range(40))
    assert FuzzInput.decode(raw).encode() == raw
    assert FuzzInput.decode(b"\x01").backend == "cffi"  # a short header is zero-padded, never refused


@pytest.mark.parametrize("mutant", MUTANTS)
def test_fuzz_run_reports_a_leak_mutant(mutant: str, tmp_path: Path) -> None:
    library = REPO_ROOT / "zig-out" / "mutants" / mutant / "lib" / "libpyjamaz.so"
    if not library.is_file():
        pytest.skip(f"{library} not built (scripts/zig build library -Dleak-mutant={mutant})")
    regressions = tmp_path / "regressions"
    completed = subprocess.run(
        [
            sys.executable,
            str(DRIVER),
            "--runs",
            "2000",
            "--seconds",
            "60",
            "--workdir",
            str(tmp_path / "work"),
            "--regressions",
            str(regressions),
        ],
        env={**os.environ, pyjamaz.LIB_PATH_ENV: str(library)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "findings: 1" in completed.stdout
    assert any(f"{name} " in completed.stdout for name in ("lib_live_bytes", "vips_live_objects", "open_fds"))
    saved = list(regressions.iterdir())
    assert len(saved) == 1 and saved[0].name.startswith("crash-")
    assert f"saved as {saved[0]}" in completed.stdout


def test_fuzz_run_reports_a_crash_with_its_input(tmp_path: Path) -> None:
    regressions, log = tmp_path / "regressions", tmp_path / "work" / "fuzz.log"
    command = [sys.executable, str(DRIVER), "--seconds", "120", "--coverage", "python"]
    command += ["--workdir", str(tmp_path / "work"), "--regressions", str(regressions)]
    driver = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        harness = fuzzing_harness(driver.pid, log)
        harness.send_signal(signal.SIGSEGV)  # what a wild pointer in the library would do to the process
        output, _ = driver.communicate(timeout=60)
    finally:
        driver.kill()
    assert driver.returncode == 1, output
    assert "crash: deadly signal; input: " in output
    saved = list(regressions.iterdir())
    assert len(saved) == 1 and saved[0].name.startswith("crash-")


def fuzzing_harness(driver_pid: int, log: Path) -> psutil.Process:
    """The driver's fuzz_harness.py child, once libFuzzer has run the seeds and is mutating."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = psutil.Process(driver_pid).children()
        if children and log.is_file() and "INITED" in log.read_text(errors="replace"):
            return children[0]
        time.sleep(0.1)
    raise AssertionError(f"no fuzzing harness within 60 s; log: {log}")
