"""The preload counter's figures for this process (docs/protocol.md, "The preload counter"): when leakcheck
preloaded its malloc counter, each process has a file $LEAKCHECK_PRELOAD_DIR/<pid>.counters holding its live
blocks and bytes (a header, then one slot per thread: a reader sums them). Nothing when it is not loaded."""

from __future__ import annotations

import os
import struct
import tracemalloc
from typing import NamedTuple

MAGIC = 0x314B50434B41454C  # "LEAKCPK1" as a little-endian word
VERSION = 1
STATE_EXITED = 2
_HEADER = struct.Struct("<QQQQQqqqqqq")  # magic, version, slot count, slot size, slots offset, pid, state, exit x4
_SLOT = struct.Struct("<qq")  # live blocks, live bytes at the start of each slot
DIRECTORY_VARIABLE = "LEAKCHECK_PRELOAD_DIR"
READ_SIZE = 1 << 14  # the whole file (8,320 bytes in version 1) in one read


class Counts(NamedTuple):
    pid: int
    exited: bool
    """The process ended through exit(): the exit_* fields are its snapshot."""
    live_blocks: int
    live_bytes: int
    exit_blocks: int
    exit_bytes: int
    exit_fds: int
    exit_threads: int


def parse(data: bytes) -> Counts | None:
    """The figures of one counters file, None when it is not one (too short, another magic or version)."""
    if len(data) < _HEADER.size:
        return None
    magic, version, count, size, offset, pid, state, blocks, nbytes, fds, threads = _HEADER.unpack_from(data)
    if magic != MAGIC or version != VERSION or size < _SLOT.size or len(data) < offset + count * size:
        return None
    live_blocks = live_bytes = 0
    for at in range(offset, offset + count * size, size):
        slot_blocks, slot_bytes = _SLOT.unpack_from(data, at)
        live_blocks += slot_blocks
        live_bytes += slot_bytes
    return Counts(pid, state == STATE_EXITED, live_blocks, live_bytes, blocks, nbytes, fds, threads)


def read(path: str) -> Counts | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        return parse(os.pread(fd, READ_SIZE, 0))
    except OSError:
        return None
    finally:
        os.close(fd)


def preload_counts() -> dict[str, float]:
    """``preload_live_blocks`` and ``preload_live_bytes`` of this process; nothing without the counter, and
    nothing while tracemalloc traces: its own tables are malloc'd and grow with every new traceback (+126
    blocks over 180 iterations of an empty body, 0 without it), so the figures would judge the instrument."""
    directory = os.environ.get(DIRECTORY_VARIABLE)
    if not directory or tracemalloc.is_tracing():
        return {}
    counts = read(os.path.join(directory, f"{os.getpid()}.counters"))
    if counts is None or counts.pid != os.getpid():
        return {}
    return {"preload_live_blocks": float(counts.live_blocks), "preload_live_bytes": float(counts.live_bytes)}
