"""Replays every saved fuzz input (regressions/) on both backends with the fuzzer's own check: a
documented outcome, and every exact counter back at its baseline after each input. Shows the check
fails on real leaks: a short fuzz run against each leak-mutant library must report the leak and save
the input that caused it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import pyjamaz
from fuzz_check import InputRunner
from fuzz_driver import REGRESSIONS, REPO_ROOT
from fuzz_input import FuzzInput

SAVED_INPUTS = sorted(REGRESSIONS.glob("*.bin"))
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
            str(Path(__file__).parent / "fuzz_driver.py"),
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
