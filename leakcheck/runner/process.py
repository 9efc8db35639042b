"""Starting a probe: a fresh process (spawned, never a bare fork) in its own process group and session,
with stdout/stderr copied into capped files leakcheck owns and the write end of the event pipe passed down."""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from leakcheck.config import DEFAULT_LOG_CAP
from leakcheck.runner.capture import CappedFile, Capture
from leakcheck.runner.lifetime import LIFELINE, MARKER, exec_error, with_death_signal


@dataclass(frozen=True)
class OutputFiles:
    stdout: Path
    stderr: Path
    cap: int = DEFAULT_LOG_CAP
    """Bytes kept of each stream on disk (runner.capture)."""

    def open(self) -> tuple[CappedFile, CappedFile]:
        return CappedFile(self.stdout, self.cap), CappedFile(self.stderr, self.cap)


@dataclass
class Spawned:
    process: subprocess.Popen[bytes]
    events_fd: int
    """Read end of the event pipe."""
    capture: Capture
    """Copies the probe's stdout and stderr into their files until `capture.finish`."""
    token: str
    """The attempt's marker (runner.lifetime.MARKER) in the probe's environment and its descendants'."""

    def release(self) -> None:
        """The attempt is over and nothing of it is left: the guardian no longer needs to watch it."""
        LIFELINE.release(self.pid, self.token)

    @property
    def pid(self) -> int:
        return self.process.pid


ADDRESS_SPACE_HEADROOM = 4 << 30  # runtimes reserve far more than they touch (Node ~1 GiB, thread arenas)


def spawn(command: list[str], *, cwd: Path, env: dict[str, str], outputs: OutputFiles,
          core_dumps: bool, memory_cap: int, limit_address_space: bool = True) -> Spawned:
    """Start `command`; raises OSError when it cannot be started (e.g. not found)."""
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)
    stdout, stderr = outputs.open()
    (stdout_read, stdout_write), (stderr_read, stderr_write) = os.pipe(), os.pipe()
    report_read, report_write = os.pipe()
    token = secrets.token_hex(8)
    try:
        process = subprocess.Popen(
            with_death_signal(command, report_write), cwd=cwd,
            env={**env, "LEAKCHECK_FD": str(write_end), MARKER: token}, stdin=subprocess.DEVNULL,
            stdout=stdout_write, stderr=stderr_write, pass_fds=(write_end, report_write), start_new_session=True,
        )
    except BaseException:
        for fd in (read_end, stdout_read, stderr_read):
            os.close(fd)
        stdout.close()
        stderr.close()
        raise
    finally:
        for fd in (write_end, stdout_write, stderr_write, report_write):
            os.close(fd)
    LIFELINE.hold(process.pid, token)
    spawned = Spawned(process, read_end, Capture([("stdout", stdout_read, stdout), ("stderr", stderr_read, stderr)]),
                      token)
    try:
        failed = exec_error(report_read, command[0])
    except BaseException:
        abandon(spawned)
        raise
    finally:
        os.close(report_read)
    if failed is not None:  # as Popen would have raised it without the wrapper
        abandon(spawned)
        raise failed
    # Limits are set from outside after the spawn, so no code runs between fork and exec (the death-signal
    # wrapper is a program of its own, exec'd: runner.lifetime); the probe has only just started its
    # runtime, long before it reaches the code under test.
    if core_dumps:
        _set_limit(process.pid, resource.RLIMIT_CORE, resource.RLIM_INFINITY)
    # The memory cap itself is the sampler's (RSS over the cap kills the group); this address-space
    # limit is the backstop for one huge mapping touched faster than the sampler looks.
    # (Not under ASan, which reserves terabytes of shadow address space it never touches.)
    if limit_address_space:
        _set_limit(process.pid, resource.RLIMIT_AS, 2 * memory_cap + ADDRESS_SPACE_HEADROOM)
    return spawned


def abandon(spawned: Spawned) -> None:
    """A probe given up before its attempt could watch it: nothing of it is left open or running."""
    kill_group(spawned)
    spawned.release()
    spawned.capture.finish(0)
    os.close(spawned.events_fd)


def _set_limit(pid: int, which: int, value: int) -> None:
    with contextlib.suppress(OSError, ValueError):
        resource.prlimit(pid, which, (value, value))


def signal_group(pgid: int, sig: signal.Signals) -> bool:
    """Send `sig` to the whole group; False when no process of it is left."""
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def terminate_group(spawned: Spawned, *, grace_s: float = 3.0) -> None:
    """SIGTERM to the group, then SIGKILL to whatever is left after `grace_s`; reaps the leader."""
    if spawned.process.poll() is None or group_alive(spawned.pid):
        signal_group(spawned.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and group_alive(spawned.pid):
            spawned.process.poll()
            time.sleep(0.02)
    kill_group(spawned)


def kill_group(spawned: Spawned) -> None:
    signal_group(spawned.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        spawned.process.wait(timeout=10)
