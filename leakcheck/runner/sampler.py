"""Samples a probe's process tree from outside (psutil): RSS, VMS, fds, threads, at a fixed rate.

Runs in its own thread; each sample is tagged with the probe's last tick so the analysis can put memory
on an iteration axis. It also enforces the memory cap: the tree's RSS over the cap kills the group at once.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

import psutil  # type: ignore[import-untyped]

from leakcheck.results import Sample, SamplerStats

DEFAULT_RATE_HZ = 100.0
CHILDREN_REFRESH_S = 0.25  # listing children scans /proc; new children are rare, so look less often


class Sampler:
    def __init__(self, pid: int, *, started_at: float, last_tick: Callable[[], int | None],
                 memory_cap: int, rate_hz: float = DEFAULT_RATE_HZ) -> None:
        self._root = psutil.Process(pid)
        self._pid = pid
        self._started_at = started_at
        self._last_tick = last_tick
        self._memory_cap = memory_cap
        self._interval = 1.0 / rate_hz
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sampler-{pid}", daemon=True)
        self._processes: list[psutil.Process] = [self._root]
        self._children_at = 0.0
        self.samples: list[Sample] = []
        self.peak_rss = 0
        self.killed_over_cap_at: int | None = None
        """The tree's RSS when the cap was exceeded and the group killed (None: never)."""
        self.stats: SamplerStats | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> SamplerStats:
        self._stop.set()
        self._thread.join()
        assert self.stats is not None
        return self.stats

    def _run(self) -> None:
        cpu_start = time.thread_time()
        wall_start = time.monotonic()
        tick = 0
        while not self._stop.is_set():
            if not self._sample_once():
                break
            tick += 1
            # Fixed schedule (no drift); a late sample does not shorten the next wait below zero.
            self._stop.wait(max(0.0, wall_start + tick * self._interval - time.monotonic()))
        wall = max(time.monotonic() - wall_start, 1e-9)
        cpu = time.thread_time() - cpu_start
        self.stats = SamplerStats(len(self.samples), len(self.samples) / wall, cpu, cpu / wall)

    def _sample_once(self) -> bool:
        now = time.monotonic()
        if now - self._children_at >= CHILDREN_REFRESH_S:
            self._refresh_children()
            self._children_at = now
        rss = vms = fds = threads = alive = 0
        for process in self._processes:
            try:
                with process.oneshot():
                    memory = process.memory_info()
                    threads += process.num_threads()
                    fds += process.num_fds()
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
            rss += memory.rss
            vms += memory.vms
            alive += 1
        if alive == 0:
            return False
        self.samples.append(Sample(now - self._started_at, self._last_tick(), rss, vms, fds, threads, alive))
        self.peak_rss = max(self.peak_rss, rss)
        if rss > self._memory_cap and self.killed_over_cap_at is None:
            self.killed_over_cap_at = rss
            _kill_group(self._pid)
        return True

    def _refresh_children(self) -> None:
        try:
            self._processes = [self._root, *self._root.children(recursive=True)]
        except psutil.NoSuchProcess:
            self._processes = [self._root]


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
