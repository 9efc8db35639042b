"""A probe's captured streams (stdout, stderr, the events log) kept on disk within a cap.

A probe that prints in its loop for an hour must not fill the disk, nor make leakcheck read gigabytes back
to find a crash message. Each stream keeps its first half-cap as written and its latest half-cap in a ring
right behind it (so the file never grows past the cap while the probe runs); when the stream ends, the ring
is put back in order behind one line saying how much was cut. The head holds the start-up and the first
errors, the tail the crash message or stack dump, which is what a reader of the log looks for.

stdout and stderr reach the files through pipes that a `Capture` thread copies (a file the child writes
itself cannot be capped); a probe that writes faster than the thread copies waits on the pipe, it loses
nothing.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from leakcheck.units import format_bytes

COPY_CHUNK = 1 << 20
READ_CHUNK = 1 << 16
POLL_MS = 100
DRAIN_READS = 64  # a pipe buffer holds 64 KiB; more is a writer still running, which is not waited for


@dataclass(frozen=True)
class StreamCut:
    """What a capped stream left out of its file."""

    written: int
    """Bytes the probe wrote to the stream."""
    kept: int
    """Bytes on disk (head and tail; the line that marks the cut not counted)."""

    @property
    def cut(self) -> int:
        return self.written - self.kept

    def document(self) -> dict[str, int]:
        return {"written": self.written, "kept": self.kept, "cut": self.cut}

    def note(self, stream: str) -> str:
        return (f"{stream}: {format_bytes(self.cut)} of {format_bytes(self.written)} cut from the middle of the "
                f"log (the first and the last {format_bytes(self.kept // 2)} are kept)")


class CappedFile:
    """Bytes written to `path`, at most `cap` of them on disk (see the module's docstring)."""

    def __init__(self, path: Path, cap: int) -> None:
        self.path = path
        self._head = cap // 2
        self._tail = cap - self._head
        self._written = 0
        self._broken = False
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)

    def write(self, data: bytes) -> None:
        offset = self._written
        self._written += len(data)
        if offset < self._head:
            taken = min(len(data), self._head - offset)
            self._put(data[:taken], offset)
            data, offset = data[taken:], offset + taken
        if len(data) > self._tail:  # only its last `tail` bytes can stay in the ring
            offset += len(data) - self._tail
            data = data[-self._tail:]
        while data:
            position = (offset - self._head) % self._tail
            taken = min(len(data), self._tail - position)
            self._put(data[:taken], self._head + position)
            data, offset = data[taken:], offset + taken

    def _put(self, data: bytes, offset: int) -> None:
        """A full disk must not stop the copy (the probe would block on its pipe): what cannot be written
        is dropped, and the stream is still read to its end."""
        while data and not self._broken:
            try:
                done = os.pwrite(self._fd, data, offset)
            except OSError:
                self._broken = True
                return
            data, offset = data[done:], offset + done

    def close(self) -> StreamCut | None:
        """Puts the ring in order behind the cut line; the cut, or None when the stream fit."""
        try:
            if self._written <= self._head + self._tail or self._broken:
                return None
            self._reorder()
            return StreamCut(self._written, self._head + self._tail)
        finally:
            os.close(self._fd)

    def _reorder(self) -> None:
        oldest = (self._written - self._head) % self._tail
        temporary = self.path.with_name(f".{self.path.name}.reordered")
        with open(self.path, "rb") as source, open(temporary, "wb") as target:
            _copy(source, target, 0, self._head)
            target.write(_cut_marker(self._written, self._head, self._tail))
            _copy(source, target, self._head + oldest, self._tail - oldest)
            _copy(source, target, self._head, oldest)
        os.replace(temporary, self.path)


def cap_written_file(path: Path, cap: int) -> StreamCut | None:
    """A file a tool wrote itself (valgrind's and LSan's logs), cut to `cap` once it is read: its head and
    tail with the same line between them as a captured stream's; the cut, or None when it fit."""
    written = path.stat().st_size
    head = cap // 2
    tail = cap - head
    if written <= cap:
        return None
    temporary = path.with_name(f".{path.name}.capped")
    with open(path, "rb") as source, open(temporary, "wb") as target:
        _copy(source, target, 0, head)
        target.write(_cut_marker(written, head, tail))
        _copy(source, target, written - tail, tail)
    os.replace(temporary, path)
    return StreamCut(written, cap)


def _cut_marker(written: int, head: int, tail: int) -> bytes:
    return (f"\n[leakcheck: {written - head - tail:,} bytes cut here; the stream wrote {written:,} bytes, the "
            f"first {head:,} and the last {tail:,} are kept]\n").encode()


def _copy(source: BinaryIO, target: BinaryIO, start: int, length: int) -> None:
    source.seek(start)
    while length > 0:
        chunk = source.read(min(COPY_CHUNK, length))
        if not chunk:
            return
        target.write(chunk)
        length -= len(chunk)


class Capture:
    """Copies pipes into capped files in a thread of its own, until each pipe ends or `finish` says stop."""

    def __init__(self, streams: Sequence[tuple[str, int, CappedFile]]) -> None:
        self._streams = {fd: (name, file) for name, fd, file in streams}
        self._open = set(self._streams)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)
        self._thread.start()

    def finish(self, grace_s: float) -> Mapping[str, StreamCut]:
        """Waits up to `grace_s` for every pipe to end (a descendant may still hold one open), takes what is
        in the pipes then, closes everything; the streams that were cut."""
        self._thread.join(grace_s)
        self._stop.set()
        self._thread.join()
        for fd in self._open:
            self._drain(fd)
        cuts: dict[str, StreamCut] = {}
        for fd, (name, file) in self._streams.items():
            os.close(fd)
            cut = file.close()
            if cut is not None:
                cuts[name] = cut
        return cuts

    def _run(self) -> None:
        poller = select.poll()
        for fd in self._open:
            poller.register(fd, select.POLLIN | select.POLLHUP)
        while self._open and not self._stop.is_set():
            for fd, _ in poller.poll(POLL_MS):
                if not self._copy_once(fd):
                    poller.unregister(fd)
                    self._open.discard(fd)

    def _copy_once(self, fd: int) -> bool:
        data = os.read(fd, READ_CHUNK)
        if data:
            self._streams[fd][1].write(data)
        return bool(data)

    def _drain(self, fd: int) -> None:
        """What a pipe holds now, without waiting for more (its writer may never stop or close it)."""
        os.set_blocking(fd, False)
        for _ in range(DRAIN_READS):
            try:
                if not self._copy_once(fd):
                    return
            except BlockingIOError:
                return
