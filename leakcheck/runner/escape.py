"""Processes a probe left running: found when its attempt ends, reported on the result, killed.

Two ways find them, so that neither a process that changed its environment nor one that lived too briefly
for the sampler to see is missed: the descendants the sampler saw while the probe ran (pid and start time,
so a reused pid is not mistaken for one), and the processes that carry the attempt's marker in their
environment (runner.lifetime.MARKER), among leakcheck's children when it is a subreaper (an orphan comes
back to it) or else among all of the user's processes. What they started is taken along.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import psutil  # type: ignore[import-untyped]

from leakcheck.runner.lifetime import MARKER

KILL_WAIT_S = 5.0
MAX_LISTED = 10
COMMAND_WIDTH = 120


@dataclass(frozen=True)
class LeftRunning:
    pid: int
    command: str

    def document(self) -> dict[str, object]:
        return {"pid": self.pid, "command": self.command}


def left_running(token: str, seen: Mapping[int, float], *, subreaper: bool,
                 skip_group: int | None = None) -> list[psutil.Process]:
    """The live processes of the attempt marked `token` (not zombies), but those in process group
    `skip_group` (a group leakcheck has just killed: its members are dying, not left running)."""
    found: dict[int, psutil.Process] = {}
    for process in (*_seen_alive(seen), *_marked(token, subreaper)):
        found[process.pid] = process
        for child in _children(process):
            found[child.pid] = child
    return [p for p in found.values() if _running(p) and (skip_group is None or _group(p) != skip_group)]


def kill(processes: Iterable[psutil.Process]) -> tuple[LeftRunning, ...]:
    """SIGKILL to each (then reaped, when it is leakcheck's child); what they were."""
    described = []
    targets = list(processes)
    for process in targets:
        described.append(LeftRunning(process.pid, _command(process)))
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(targets, timeout=KILL_WAIT_S)
    return tuple(described)


def reap(seen: Mapping[int, float]) -> None:
    """Zombies among the seen descendants that became leakcheck's children (a subreaper's orphans): no one
    else waits for them. Only these pids, never any child: a wait for one subprocess manages would steal its
    exit status."""
    for pid, created in seen.items():
        try:
            process = psutil.Process(pid)
            if process.create_time() == created and process.ppid() == os.getpid() and \
                    process.status() == psutil.STATUS_ZOMBIE:
                os.waitpid(pid, os.WNOHANG)
        except (psutil.Error, ChildProcessError):
            continue


def note(processes: tuple[LeftRunning, ...]) -> str:
    listed = ", ".join(f"{p.pid} {p.command}" for p in processes[:MAX_LISTED])
    more = f" and {len(processes) - MAX_LISTED} more" if len(processes) > MAX_LISTED else ""
    count = f"{len(processes)} process{'es' if len(processes) != 1 else ''}"
    return f"left running: {count}: {listed}{more} (killed at the end of the attempt)"


def _seen_alive(seen: Mapping[int, float]) -> list[psutil.Process]:
    alive = []
    for pid, created in seen.items():
        try:
            process = psutil.Process(pid)
            if process.create_time() == created:
                alive.append(process)
        except psutil.Error:
            continue
    return alive


def _marked(token: str, subreaper: bool) -> list[psutil.Process]:
    candidates = psutil.Process().children() if subreaper else psutil.process_iter()
    uid = os.getuid()
    marked = []
    for process in candidates:
        try:
            if process.uids().real == uid and process.environ().get(MARKER) == token:
                marked.append(process)
        except psutil.Error:
            continue
    return marked


def _children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return list(process.children(recursive=True))
    except psutil.Error:
        return []


def _running(process: psutil.Process) -> bool:
    try:
        return bool(process.is_running()) and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _group(process: psutil.Process) -> int | None:
    try:
        return os.getpgid(process.pid)
    except OSError:
        return None


def _command(process: psutil.Process) -> str:
    try:
        command = " ".join(process.cmdline()) or process.name()
    except psutil.Error:
        command = "?"
    return command if len(command) <= COMMAND_WIDTH else command[: COMMAND_WIDTH - 1] + "…"
