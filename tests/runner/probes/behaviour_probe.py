"""A probe of the runner tests; BEHAVIOUR picks what it does (pass, leak, crash, hang, ...)."""

import ctypes
import os
import signal
import sys
import time
from pathlib import Path

from leakcheck_probe import ProbeContext, run_probe

BEHAVIOUR = os.environ.get("BEHAVIOUR", "pass")
HELD: list[bytes] = []


def body(ctx: ProbeContext, i: int) -> None:
    # 2 ms an iteration: 200 iterations of an empty body take a few ms, too short to sample and judge
    # (INCONCLUSIVE); these tests are about outcomes, so each run lasts long enough to have one.
    time.sleep(0.002)
    if BEHAVIOUR in ("leak", "leak-failcheck"):
        HELD.append(bytes(64 * 1024) + i.to_bytes(8, "little"))  # 64 KiB kept every iteration
    elif i == ctx.iterations // 2:
        act_once(ctx)


def act_once(ctx: ProbeContext) -> None:
    if BEHAVIOUR == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif BEHAVIOUR == "abort":
        os.abort()
    elif BEHAVIOUR == "hang":
        time.sleep(3600)
    elif BEHAVIOUR == "hang-native-gil":
        # libc sleep through PyDLL keeps the GIL held: the watchdog must still see and dump it.
        ctypes.PyDLL(None).sleep(3600)
    elif BEHAVIOUR == "exit":
        sys.exit(3)
    elif BEHAVIOUR == "garbage":
        os.write(int(os.environ["LEAKCHECK_FD"]), b"this is not json\n")
    elif BEHAVIOUR == "memhog":
        HELD.extend(b"\x01" * (16 << 20) for _ in range(10_000))  # touched pages, until the cap stops it
    elif BEHAVIOUR == "flaky":
        marker = Path(os.environ["FLAKY_MARKER"])
        if not marker.exists():
            marker.write_text("failed once")
            sys.exit(1)


def teardown(ctx: ProbeContext) -> None:
    if BEHAVIOUR in ("failcheck", "leak-failcheck"):
        ctx.check("freed", 0.2, ">=", 0.7)


run_probe(f"python.{BEHAVIOUR}", body, iterations=200, teardown=teardown)
