"""The preload counter is built on first use by the system's C compiler into a cache keyed by the source
and the compiler, atomically (concurrent builds leave one whole library and no partial file); without a
compiler, or with one that fails, the build says why instead of raising."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def build_in(cache: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """`python -m leakcheck.sdk.preload` in a fresh process: the library's path, or why there is none."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT), **variables}
    return subprocess.run([sys.executable, "-m", "leakcheck.sdk.preload"], env=environment, capture_output=True,
                          text=True, timeout=180, check=False)


def test_a_build_is_cached_and_reused(tmp_path: Path) -> None:
    first = build_in(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    library = Path(first.stdout.strip())
    assert library.is_file() and library.is_relative_to(tmp_path / "leakcheck" / "preload")
    built_at = library.stat().st_mtime_ns
    second = build_in(tmp_path)
    assert second.stdout.strip() == str(library) and library.stat().st_mtime_ns == built_at


def test_concurrent_builds_leave_one_whole_library(tmp_path: Path) -> None:
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, "-m", "leakcheck.sdk.preload"], env=environment,
                                  stdout=subprocess.PIPE, text=True) for _ in range(4)]
    paths = {process.communicate(timeout=180)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert len(paths) == 1
    library = Path(paths.pop())
    assert [p.name for p in library.parent.iterdir()] == [library.name]  # no temporary file left behind
    loaded = subprocess.run(["/bin/sh", "-c", ":"], env={**os.environ, "LD_PRELOAD": str(library)},
                            capture_output=True, text=True, timeout=30, check=False)
    assert loaded.returncode == 0 and loaded.stderr == ""


@pytest.mark.parametrize(("compiler", "problem"), [
    ("/nonexistent/cc", "no C compiler (/nonexistent/cc) to build it: install one (apt-get install -y gcc) or set CC"),
    ("false", "false failed to compile leakcheck_preload.c (exit 1): (no message)"),
])
def test_without_a_working_compiler_the_build_says_why(tmp_path: Path, compiler: str, problem: str) -> None:
    completed = build_in(tmp_path, CC=compiler)
    assert completed.returncode == 1
    assert completed.stdout.strip() == f"leakcheck preload counter: {problem}"
    assert "Traceback" not in completed.stderr
    assert not list(tmp_path.rglob("*.so"))


def test_a_cache_path_ld_preload_cannot_hold_is_refused(tmp_path: Path) -> None:
    completed = build_in(tmp_path / "with space")
    assert completed.returncode == 1
    assert "has a space or colon, which LD_PRELOAD cannot hold: set XDG_CACHE_HOME" in completed.stdout
