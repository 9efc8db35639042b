"""The Python memory probes as real processes on a real pipe: they pass on the production library and
fail by their own checks on a leak put into a copy of the binding, or into libpyjamaz (leak mutants,
when built with `scripts/zig build -Dleak-mutant=NAME -p zig-out/mutants/NAME`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from leak_matrix import REPO_ROOT, leak_environment, run_probe_process

ITERATIONS = {"LEAKCHECK_ITERATIONS": "60", "LEAKCHECK_WARMUP": "20", "MALLOC_ARENA_MAX": "2"}


def run(probe: str, leak: str, workdir: Path) -> tuple[int, set[str], str]:
    outcome = run_probe_process(probe, {**leak_environment(leak, workdir), **ITERATIONS})
    return outcome.returncode, set(outcome.failed_checks), outcome.stderr_tail


@pytest.mark.parametrize("probe", ["ctypes_memory", "cffi_memory", "error_recovery", "lifecycle"])
def test_probe_passes_on_the_production_library(probe: str, tmp_path: Path) -> None:
    returncode, failed, stderr = run(probe, "none", tmp_path)
    assert (returncode, failed) == (0, set()), stderr


@pytest.mark.parametrize(
    ("probe", "leak", "signals"),
    [
        # Kept results are bytes, which the GC does not track: tracemalloc's growth is the check that sees them.
        ("ctypes_memory", "kept-results", {"py_tracemalloc_growth"}),
        ("cffi_memory", "cffi-skip-free", {"live_results_growth", "lib_live_bytes_growth"}),
        ("error_recovery", "ctypes-skip-free", {"live_results_growth"}),
        ("lifecycle", "cffi-skip-free", {"live_results_growth"}),
    ],
)
def test_probe_fails_on_a_python_side_leak(probe: str, leak: str, signals: set[str], tmp_path: Path) -> None:
    returncode, failed, stderr = run(probe, leak, tmp_path)
    assert returncode == 1, stderr
    assert signals <= failed


@pytest.mark.parametrize(
    ("probe", "mutant", "signal"),
    [
        ("ctypes_memory", "result-buffer", "lib_live_bytes_growth"),
        ("cffi_memory", "losing-candidates", "lib_live_bytes_growth"),
        ("lifecycle", "vips-unref", "vips_live_objects_growth"),
        ("error_recovery", "error-message", "lib_live_bytes_growth"),
        ("ctypes_memory", "file-descriptor", "open_fds_growth"),
    ],
)
def test_probe_fails_on_a_leak_mutant(probe: str, mutant: str, signal: str, tmp_path: Path) -> None:
    library = REPO_ROOT / "zig-out" / "mutants" / mutant / "lib" / "libpyjamaz.so"
    if not library.is_file():
        pytest.skip(
            f"leak mutant not built: scripts/zig build -Dleak-mutant={mutant} -p zig-out/mutants/{mutant}"
        )
    returncode, failed, stderr = run(probe, mutant, tmp_path)
    assert returncode == 1, stderr
    assert signal in failed
