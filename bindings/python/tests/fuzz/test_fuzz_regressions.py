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
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import pyjamaz
from fuzz_check import InputRunner, counter_problems, result_problems
from fuzz_driver import REGRESSIONS, REPO_ROOT
from fuzz_input import FuzzInput
from library_counters import BOUNDED_COUNTERS, EXACT_COUNTERS

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


def test_result_checks_fail_on_broken_promises() -> None:
    image = FuzzInput.decode(bytes(12) + b"x" * 100)
    larger = pyjamaz.OptimizeResult(b"y" * 101, "png", 101, None, 0.0, 4, 4, True, True, 1)
    assert any("101 bytes for a 100-byte input" in p for p in result_problems(image, larger))
    png_only = replace(image, formats=0b0010, max_width=2)
    wrong = pyjamaz.OptimizeResult(b"y" * 50, "webp", 50, 80, 0.01, 3, 1, True, True, 1)
    problems = result_problems(png_only, wrong)
    assert any("not among the requested bits" in p for p in problems)
    assert any("3x1 does not fit in 2x-" in p for p in problems)
    original = pyjamaz.OptimizeResult(image.image, "jpeg", 100, None, 0.0, 9, 9, True, True, 1)
    assert result_problems(replace(image, formats=0b0010), original) == ()  # the original wins as itself


def test_counter_checks_fail_on_growth() -> None:
    baseline = dict.fromkeys((*EXACT_COUNTERS, *BOUNDED_COUNTERS), 0.0)
    assert counter_problems(baseline, dict(baseline)) == ()
    leaked = {**baseline, "live_results": 1.0, "vips_tracked_bytes": 4096.0}
    assert counter_problems(baseline, leaked) == ("live_results 0 -> 1",)  # within the tracked-bytes bound
    over = {**baseline, "vips_tracked_bytes": BOUNDED_COUNTERS["vips_tracked_bytes"] + 1.0}
    assert len(counter_problems(baseline, over)) == 1
