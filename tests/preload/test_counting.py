"""The preload counter counts the live blocks and bytes of the malloc family in a real process: a leak of N
blocks of S bytes is N more blocks and at least N x S more bytes, in every allocation path; a clean pattern
comes back to its baseline; figures stay right across threads, fork, exec and a SIGKILL; the exit snapshot
has the process's fds and threads."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from leakcheck.sdk.preload import DIRECTORY_VARIABLE, exit_snapshot, with_preload
from leakcheck.sdk.python.leakcheck_probe._preload import Counts, read


@dataclass(frozen=True)
class Figures:
    """One `before_blocks before_bytes after_blocks after_bytes` line of the program."""

    before_blocks: int
    before_bytes: int
    after_blocks: int
    after_bytes: int

    @property
    def blocks(self) -> int:
        return self.after_blocks - self.before_blocks

    @property
    def bytes(self) -> int:
        return self.after_bytes - self.before_bytes


@dataclass(frozen=True)
class Run:
    lines: list[Figures]
    pid: int
    directory: Path

    def file(self, pid: int | None = None) -> Counts:
        counts = read(str(self.directory / f"{self.pid if pid is None else pid}.counters"))
        assert counts is not None
        return counts


def run(allocations: Path, library: Path | None, directory: Path, *args: object) -> Run:
    directory.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", DIRECTORY_VARIABLE)}
    environment = with_preload(base, library, directory) if library is not None else base
    completed = subprocess.run([str(allocations), *map(str, args)], env=environment, capture_output=True,
                               text=True, timeout=60, check=True)
    figures = [Figures(*map(int, line.split())) for line in completed.stdout.splitlines()]
    pids = sorted(int(p.stem) for p in directory.glob("*.counters"))
    return Run(figures, pids[0] if pids else -1, directory)


N, SIZE = 1000, 100


@pytest.mark.parametrize(("mode", "blocks_per_call"), [
    ("leak", 1), ("calloc", 1), ("realloc", 1), ("aligned", 4),  # posix_memalign, aligned_alloc, memalign, valloc
])
def test_a_leak_of_n_blocks_grows_by_n_blocks_and_at_least_n_times_their_size(allocations: Path, library: Path,
                                                                              tmp_path: Path, mode: str,
                                                                              blocks_per_call: int) -> None:
    figures = run(allocations, library, tmp_path, mode, N, SIZE).lines[-1]
    assert figures.blocks == N * blocks_per_call
    assert figures.bytes >= N * blocks_per_call * SIZE
    # usable sizes: at most a chunk's rounding (16 B) above the request, the aligned ones a page at most
    assert figures.bytes <= N * blocks_per_call * (SIZE + (4096 if mode == "aligned" else 16))


@pytest.mark.parametrize("mode", ["clean", "calloc-clean", "realloc-clean", "aligned-clean"])
def test_a_clean_pattern_comes_back_to_its_baseline(allocations: Path, library: Path, tmp_path: Path,
                                                   mode: str) -> None:
    figures = run(allocations, library, tmp_path, mode, N, SIZE).lines[-1]
    assert (figures.blocks, figures.bytes) == (0, 0)
    # realloc(p, 0) frees p (glibc): counted as a free, or the clean realloc pattern would end at +1 block


def test_blocks_freed_by_another_thread_are_counted_back(allocations: Path, library: Path, tmp_path: Path) -> None:
    threads = 20
    leaking = run(allocations, library, tmp_path / "leak", "threads-leak", threads, SIZE).lines[-1]
    assert leaking.blocks >= threads * 100 and leaking.bytes >= threads * 100 * SIZE
    clean = run(allocations, library, tmp_path / "clean", "threads", threads, SIZE).lines[-1]
    # glibc keeps the stacks of ended threads for reuse, each with its malloc'd TLS vector (a few hundred
    # bytes): a handful of blocks remain, none of the 2,000 the threads allocated.
    assert 0 <= clean.blocks <= 8 and clean.bytes <= 8 * 1024


def test_more_threads_than_slots_one_after_another_are_all_counted(allocations: Path, library: Path,
                                                                   tmp_path: Path) -> None:
    """300 threads, each leaking one block and ending: more than the 127 per-thread slots, so the slots of
    ended threads are folded and reused."""
    figures = run(allocations, library, tmp_path, "churn", 300, 64).lines[-1]
    assert 300 <= figures.blocks <= 300 + 8  # + the TLS vectors of the cached thread stacks (see above)


def test_a_forked_child_starts_from_the_parents_figures_in_a_file_of_its_own(allocations: Path, library: Path,
                                                                             tmp_path: Path) -> None:
    result = run(allocations, library, tmp_path, "fork", 10, SIZE)
    child, parent = result.lines
    assert (parent.blocks, child.before_blocks, child.before_bytes) == (10, 10, parent.after_bytes)
    assert child.after_blocks == 20  # the inherited heap and its own leak
    files = sorted(tmp_path.glob("*.counters"))
    assert len(files) == 2
    parent_file = result.file()
    child_pid = next(int(p.stem) for p in files if int(p.stem) != result.pid)
    assert (parent_file.exit_blocks, result.file(child_pid).exit_blocks) == (10, 20)  # neither counted the other


def test_an_exec_starts_the_program_afresh(allocations: Path, library: Path, tmp_path: Path) -> None:
    result = run(allocations, library, tmp_path, "exec", 10, SIZE)
    exec_line, parent = result.lines
    assert (exec_line.before_blocks, exec_line.blocks) == (0, 10)  # the new program: its own 10, none of the 10 before
    assert parent.blocks == 10
    child_pid = next(int(p.stem) for p in tmp_path.glob("*.counters") if int(p.stem) != result.pid)
    assert result.file(child_pid).exit_blocks == 10


def test_the_exit_snapshot_has_the_processes_fds_and_threads(allocations: Path, library: Path,
                                                            tmp_path: Path) -> None:
    bare = run(allocations, library, tmp_path / "bare", "exit-with", 0, 0)
    busy = run(allocations, library, tmp_path / "busy", "exit-with", 5, 3)
    bare_snapshot, busy_snapshot = exit_snapshot(bare.directory, bare.pid), exit_snapshot(busy.directory, busy.pid)
    assert bare_snapshot is not None and busy_snapshot is not None
    assert busy_snapshot["fds"] == bare_snapshot["fds"] + 5
    assert (bare_snapshot["threads"], busy_snapshot["threads"]) == (1, 4)
    assert set(busy_snapshot) == {"preload_live_blocks", "preload_live_bytes", "fds", "threads"}


def test_after_a_sigkill_the_file_still_has_the_live_figures(allocations: Path, library: Path,
                                                            tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    with subprocess.Popen([str(allocations), "hang", str(N), str(SIZE)], env=with_preload(base, library, tmp_path),
                          stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        live = Figures(*map(int, process.stdout.readline().split()))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    snapshot = exit_snapshot(tmp_path, process.pid)
    assert snapshot == {"preload_live_blocks": live.after_blocks, "preload_live_bytes": live.after_bytes}
    assert live.blocks == N  # no fds or threads: the process never reached its exit


def test_without_a_directory_it_counts_and_writes_no_file(allocations: Path, library: Path, tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != DIRECTORY_VARIABLE}
    environment["LD_PRELOAD"] = str(library)
    completed = subprocess.run([str(allocations), "leak", "10", str(SIZE)], env=environment, capture_output=True,
                               text=True, timeout=60, check=True, cwd=tmp_path)
    assert Figures(*map(int, completed.stdout.split())).blocks == 10
    assert list(tmp_path.iterdir()) == []


def test_without_the_preload_nothing_is_counted(allocations: Path, tmp_path: Path) -> None:
    figures = run(allocations, None, tmp_path, "leak", 10, SIZE).lines[-1]
    assert figures == Figures(-1, -1, -1, -1)  # the program found no counter to ask
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [
    [sys.executable, "-c", "import ctypes, json, ssl, threading; threading.Thread(target=print).start()"],
    ["node", "-e", "require('crypto').randomBytes(64); setImmediate(() => {})"],
], ids=["python", "node"])
def test_runtimes_start_and_exit_under_it(library: Path, tmp_path: Path, command: list[str]) -> None:
    """Their loaders, start-up and exit run through the interposed functions (the dlsym bootstrap included)."""
    if shutil.which(command[0]) is None:
        pytest.skip("node is not installed")
    base = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    completed = subprocess.run(command, env=with_preload(base, library, tmp_path), capture_output=True, text=True,
                               timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    process_files = [read(str(path)) for path in tmp_path.glob("*.counters")]
    assert process_files and all(f is not None and f.exited and f.exit_blocks > 0 for f in process_files)
