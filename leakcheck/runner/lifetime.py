"""No probe outlives leakcheck, and no descendant of a probe outlives its attempt (Linux).

Three mechanisms, each for a way a process could be left behind:

- leakcheck is a child subreaper (`become_subreaper`): a descendant that leaves the probe's process group
  and session (setsid) and loses its parent comes back to leakcheck instead of init, so it can be found
  among leakcheck's children, reported and killed at the end of the attempt (runner.escape).
- Each probe gets SIGKILL when leakcheck dies (`PR_SET_PDEATHSIG`). It must be set in the child, and
  leakcheck's rule is "spawn, no code between fork and exec": a `preexec_fn` would run Python in a forked
  copy of a multi-threaded process (sampler, capture and worker threads), which can deadlock on a lock
  another thread held at the fork. So the probe is started through a tiny exec wrapper
  (`with_death_signal`): a fresh interpreter (`python -I -S`, ~12 ms) that sets the signal, checks that
  leakcheck is still its parent, and execs the probe in the same process; the setting survives exec.
  A failed exec is reported back through a close-on-exec pipe, so it stays an OSError of the spawn.
- The death signal reaches the probe only, not the processes it started. A guardian process
  (`LIFELINE`), started once, holds a pipe from leakcheck; the pipe ends when leakcheck ends, however it
  ends (SIGKILL included), and the guardian then kills the process group of every probe still running and
  every process that carries a running attempt's marker in its environment (escaped ones included).
"""

from __future__ import annotations

import ctypes
import os
import select
import subprocess
import sys
import threading
from typing import IO

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
MARKER = "LEAKCHECK_ATTEMPT"
"""Set in each probe's environment to a token of its attempt; its descendants inherit it."""
EXEC_REPORT_TIMEOUT_S = 30.0

# argv: leakcheck's pid, the report fd, the probe's command. Exit 126: leakcheck died before the signal was
# set (the probe is not started); 127: the exec failed ("errno message" written to the report fd).
_WRAPPER = f"""\
import ctypes, os, sys
parent, report, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
os.set_inheritable(report, False)
ctypes.CDLL(None).prctl({PR_SET_PDEATHSIG}, 9, 0, 0, 0)
if os.getppid() != parent:
    os._exit(126)
try:
    os.execvp(argv[0], argv)
except OSError as exc:
    os.write(report, f"{{exc.errno}} {{exc.strerror}}".encode())
    os._exit(127)
"""

_GUARDIAN = f"""\
import os, signal, sys
groups, tokens = set(), set()
actions = {{"+group": groups.add, "-group": groups.discard, "+token": tokens.add, "-token": tokens.discard}}
for line in sys.stdin.buffer:
    kind, _, value = line.decode().strip().partition(" ")
    actions[kind](value)
wanted = {{f"{MARKER}={{token}}".encode() for token in tokens}}
for _ in range(2):  # twice: a process may have forked while the first pass killed
    for group in groups:
        try:
            os.killpg(int(group), signal.SIGKILL)
        except OSError:
            pass
    for pid in (name for name in os.listdir("/proc") if name.isdigit()) if wanted else ():
        try:
            with open(f"/proc/{{pid}}/environ", "rb") as handle:
                if wanted & set(handle.read().split(b"\\0")):
                    os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
"""


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        return int(ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


_subreaper = False


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (idempotent); False where not supported."""
    global _subreaper  # noqa: PLW0603 — one flag per process: prctl is asked once
    _subreaper = _subreaper or _prctl(PR_SET_CHILD_SUBREAPER, 1)
    return _subreaper


def is_subreaper() -> bool:
    return _subreaper


def with_death_signal(command: list[str], report_fd: int) -> list[str]:
    """`command` started through the exec wrapper (see the module docstring)."""
    return [sys.executable, "-I", "-S", "-c", _WRAPPER, str(os.getpid()), str(report_fd), *command]


def exec_error(report_fd: int, program: str) -> OSError | None:
    """Waits for the wrapper to exec (the report pipe closes) or to say why it could not."""
    ready, _, _ = select.select([report_fd], [], [], EXEC_REPORT_TIMEOUT_S)
    data = os.read(report_fd, 512) if ready else b""
    if not data:
        return None
    number, _, message = data.decode(errors="replace").partition(" ")
    return OSError(int(number) if number.isdigit() else 0, message, program)


class Lifeline:
    """The guardian process of the module docstring; started on first use, one per leakcheck process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._guardian: subprocess.Popen[bytes] | None = None

    def hold(self, pgid: int, token: str) -> None:
        self._send(f"+group {pgid}\n+token {token}\n")

    def release(self, pgid: int, token: str) -> None:
        self._send(f"-group {pgid}\n-token {token}\n")

    def _send(self, lines: str) -> None:
        with self._lock:
            try:
                self._pipe().write(lines.encode())
                self._pipe().flush()
            except OSError:  # the guardian is gone (killed by someone): the death signal still holds
                pass

    def _pipe(self) -> IO[bytes]:
        if self._guardian is None:
            # Its own session: Ctrl-C and a hang-up of leakcheck's terminal do not reach it.
            self._guardian = subprocess.Popen([sys.executable, "-I", "-S", "-c", _GUARDIAN], stdin=subprocess.PIPE,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                              start_new_session=True)
        assert self._guardian.stdin is not None
        return self._guardian.stdin


LIFELINE = Lifeline()
