"""Samples a probe's process tree from outside: RSS and VMS at a fixed rate (100 Hz), open fds and threads
at 5 Hz, children included.

Runs in its own thread; each sample is tagged with the probe's last tick so the analysis can put memory
on an iteration axis. It also enforces the memory cap: the tree's RSS over the cap kills the group at once.
Every sample is written to samples.csv as it is taken; memory holds a thinned series of bounded size
(leakcheck.thinning: each stretch's lowest and highest RSS), so an hour at 100 Hz costs what a minute does.

Cost: on this kind of VM every wake-up finds cold caches, and psutil's memory_info() then costs ~100 us,
num_threads() ~120 us, children() ~1 ms. So the 100 Hz path reads /proc/PID/statm through a file
descriptor kept open (~20 us), while psutil (portable, exact) does the slow parts at a lower rate: fds and
threads every DETAIL_EVERY samples (5 Hz), the list of children once a second.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from leakcheck.results import MEMORY_SAMPLES, SAMPLE_KEEP, Sample, SamplerStats
from leakcheck.storage import SamplesCsv
from leakcheck.thinning import Thinned

DEFAULT_RATE_HZ = 100.0
DETAIL_EVERY = 20
CHILDREN_REFRESH_S = 1.0
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
_HIGH_WATER = re.compile(rb"^VmHWM:\s+(\d+) kB", re.MULTILINE)


class _Tracked:
    """One process of the tree, with its statm kept open (or psutil where /proc is not there)."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        try:
            self.statm_fd: int | None = os.open(f"/proc/{process.pid}/statm", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self.statm_fd = None
        try:
            self.status_fd: int | None = os.open(f"/proc/{process.pid}/status", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self.status_fd = None
        self.fds = 0
        self.threads = 0
        self.high_water = 0
        """The kernel's high-water mark of the process's RSS (VmHWM) at the last detail read; 0 without /proc."""

    def memory(self) -> tuple[int, int, int | None] | None:
        """(rss, vms, anonymous rss) in bytes, or None when the process is gone. The anonymous part is RSS less
        the pages that files (the program's code, its libraries, mapped files) and shared memory back: a
        runtime that pages in more of its code as it runs grows RSS by that (a clean Node loop: +192 KiB
        of file pages in 1,500 iterations, every run), and no leak lives there."""
        if self.statm_fd is None:
            try:
                info = self.process.memory_info()
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                return None
            shared = getattr(info, "shared", None)
            return int(info.rss), int(info.vms), int(info.rss - shared) if shared is not None else None
        try:
            fields = os.pread(self.statm_fd, 128, 0).split()
        except OSError:
            return None
        if len(fields) < 3 or fields[0] == b"0":  # a zombie has no memory left
            return None
        resident, shared = int(fields[1]), int(fields[2])
        return resident * PAGE_SIZE, int(fields[0]) * PAGE_SIZE, (resident - shared) * PAGE_SIZE

    def refresh_details(self) -> None:
        try:
            with self.process.oneshot():
                self.threads = self.process.num_threads()
                self.fds = self.process.num_fds()
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            pass
        self.high_water = max(self.high_water, self._read_high_water())

    def _read_high_water(self) -> int:
        if self.status_fd is None:
            return 0
        try:
            status = os.pread(self.status_fd, 4096, 0)
        except OSError:
            return 0
        found = _HIGH_WATER.search(status)  # a zombie's status has no Vm lines
        return int(found.group(1)) * 1024 if found else 0

    def close(self) -> None:
        for fd in (self.statm_fd, self.status_fd):
            if fd is not None:
                os.close(fd)
        self.statm_fd = self.status_fd = None


class Sampler:
    def __init__(self, pid: int, *, started_at: float, last_tick: Callable[[], int | None],
                 memory_cap: int, csv_path: Path, rate_hz: float = DEFAULT_RATE_HZ) -> None:
        self._root = psutil.Process(pid)
        self._pid = pid
        self._started_at = started_at
        self._last_tick = last_tick
        self._memory_cap = memory_cap
        self._interval = 1.0 / rate_hz
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"sampler-{pid}", daemon=True)
        self._tracked: dict[int, _Tracked] = {pid: _Tracked(self._root)}
        self._children_at = time.monotonic()
        self.samples: Thinned[Sample] = Thinned(MEMORY_SAMPLES, SAMPLE_KEEP)
        self._csv = SamplesCsv(csv_path)
        self.peak_rss = 0
        """The highest RSS of the tree: the sampled sums', or the kernel's high-water marks (VmHWM, read at the
        detail rate) summed over the processes alive, whichever is higher. The kernel's mark holds a short
        peak between two samples, so the figure does not depend on when the samples fell."""
        self.probe_peak_rss = 0
        """The same for the probe's own process alone, its children left out: what the code under test held,
        where the tree's figure also counts helpers the probe started (an image generator, workers)."""
        self.killed_over_cap_at: int | None = None
        """The tree's RSS when the cap was exceeded and the group killed (None: never)."""
        self.stats: SamplerStats | None = None
        self.seen: dict[int, float] = {}
        """Every descendant seen while sampling: pid -> start time (runner.escape finds the ones left running)."""

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> SamplerStats:
        self._stopping = True
        self._thread.join()
        assert self.stats is not None
        return self.stats

    def _run(self) -> None:
        cpu_start = time.thread_time()
        wall_start = time.monotonic()
        count = 0
        try:
            while not self._stopping and self._sample_once(detail=count % DETAIL_EVERY == 0):
                count += 1
                # Fixed schedule, no drift. A plain sleep costs half the CPU of an Event wait; stopping
                # may therefore take one interval.
                time.sleep(max(0.0, wall_start + count * self._interval - time.monotonic()))
        finally:
            for tracked in self._tracked.values():
                tracked.close()
            self._csv.close()
            wall = max(time.monotonic() - wall_start, 1e-9)
            cpu = time.thread_time() - cpu_start
            self.stats = SamplerStats(self.samples.count, self.samples.count / wall, cpu, cpu / wall)

    def _sample_once(self, *, detail: bool) -> bool:
        now = time.monotonic()
        if now - self._children_at >= CHILDREN_REFRESH_S:
            self._refresh_children()
            self._children_at = now
        rss = vms = fds = threads = alive = high_water = 0
        anon: int | None = 0
        for pid, tracked in self._tracked.items():
            memory = tracked.memory()
            if memory is None:
                continue
            if detail:
                tracked.refresh_details()
            if pid == self._pid:
                self.probe_peak_rss = max(self.probe_peak_rss, memory[0], tracked.high_water)
            rss += memory[0]
            vms += memory[1]
            anon = None if anon is None or memory[2] is None else anon + memory[2]
            fds += tracked.fds
            threads += tracked.threads
            high_water += tracked.high_water
            alive += 1
        if alive == 0:
            return False
        sample = Sample(now - self._started_at, self._last_tick(), rss, vms, fds, threads, alive, anon)
        self.samples.append(sample)
        self._csv.write(sample)
        self.peak_rss = max(self.peak_rss, rss, high_water)
        if rss > self._memory_cap and self.killed_over_cap_at is None:
            self.killed_over_cap_at = rss
            _kill_group(self._pid)
        return True

    def _refresh_children(self) -> None:
        try:
            current = {child.pid: child for child in self._root.children(recursive=True)}
        except psutil.NoSuchProcess:
            current = {}
        for pid in set(self._tracked) - set(current) - {self._pid}:
            self._tracked.pop(pid).close()
        for pid, child in current.items():
            if pid not in self.seen:
                with contextlib.suppress(psutil.Error):
                    self.seen[pid] = child.create_time()
            if pid not in self._tracked:
                self._tracked[pid] = _Tracked(child)
                self._tracked[pid].refresh_details()


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
