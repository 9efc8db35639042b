"""Still-reachable blocks that grow while the probe loops, from memcheck's own leak search (valgrind only).

A leak that something still points to is no leak to memcheck or LSan: a GObject-based library keeps every
live object in a global table, so an object the code forgets to unref stays "still reachable" to the end. memcheck can
say which reachable blocks *grew* between two leak searches: at the first measured iteration the orchestrator
asks for a summary (`vgdb leak_check summary`, the baseline), near the end of the loop for the loss records
that increased since (`leak_check full reachable increased`). Their stacks are text, without objects, so each
frame's object is looked up in the probe's /proc/PID/maps taken at the same moment.

This only names what grew; the verdict stays with the exact counters (a one-time cache filled during the loop
grows too).
"""

from __future__ import annotations

import bisect
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from leakcheck.tools.model import GROWING, Frame, LeakRecord

OUTPUT_NAME = "vgdb-increased.txt"
MAPS_NAME = "vgdb-maps.txt"
FINISH_WAIT_S = 5.0
MAX_RECORDS = 200
CHECK_AT = 0.9
"""The second search runs at this fraction of the loop: early enough that the probe is still looping."""

_RECORD = re.compile(r"^==\d+== ([\d,]+) \(\+([\d,]+)\) bytes in ([\d,]+) \(\+([\d,]+)\) blocks are still reachable")
_FRAME = re.compile(r"^==\d+==\s+(?:at|by) 0x([0-9A-Fa-f]+): (.*?)(?: \((?:in )?(.*)\))?$")
_SOURCE = re.compile(r"^(.*):(\d+)$")
_MAPS = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s+(/\S.*)$")


@dataclass
class GrowthWatch:
    """Per attempt: starts the two leak searches as the probe's ticks pass (mutable while the probe runs).

    vgdb runs beside the pump, never blocking it: a probe that ends while vgdb waits for it would hold the
    attempt for vgdb's whole wait. `finish` collects the second search, or gives it up after FINISH_WAIT_S."""

    directory: Path
    iterations: int
    baseline_at: int | None = None
    searches: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def tick(self, pid: int, phase: str, iteration: int | None) -> None:
        if iteration is None or len(self.searches) == 2 or shutil.which("vgdb") is None:
            return
        if self.baseline_at is None:
            if phase == "measure":
                self.baseline_at = iteration
                self._start(pid, "leak_check summary", None)
            return
        baseline_done = self.searches and self.searches[0].poll() is not None
        if baseline_done and iteration >= max(self.baseline_at + 1, int(self.iterations * CHECK_AT)):
            (self.directory / MAPS_NAME).write_text(_read_maps(pid), encoding="utf-8")
            output = self.directory / OUTPUT_NAME
            output.write_text(f"# increased between iterations {self.baseline_at} and {iteration}\n", encoding="utf-8")
            self._start(pid, f"leak_check full reachable increased limited {MAX_RECORDS}", output)

    def finish(self) -> None:
        """After the probe ended: the second search's output is whole, or removed."""
        for search in self.searches:
            try:
                search.wait(timeout=FINISH_WAIT_S)
            except subprocess.TimeoutExpired:
                search.kill()
                search.wait()
        if len(self.searches) == 2 and self.searches[1].returncode != 0:
            (self.directory / OUTPUT_NAME).unlink(missing_ok=True)

    def _start(self, pid: int, command: str, output: Path | None) -> None:
        with (output.open("ab") if output else open(os.devnull, "wb")) as sink:
            self.searches.append(subprocess.Popen(["vgdb", f"--pid={pid}", *command.split()], stdout=sink,
                                                  stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL))


def _read_maps(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def read_growth(directory: Path) -> tuple[LeakRecord, ...]:
    """The grown records an attempt's watch saved ((), when it saved none)."""
    output = directory / OUTPUT_NAME
    if not output.exists():
        return ()
    maps = directory / MAPS_NAME
    return parse_increased(output.read_text(encoding="utf-8", errors="replace"),
                           maps.read_text(encoding="utf-8", errors="replace") if maps.exists() else "")


def parse_increased(text: str, maps: str) -> tuple[LeakRecord, ...]:
    """Loss records of `leak_check ... increased`: bytes and blocks are the increase; frames get their object."""
    regions = _regions(maps)
    records: list[tuple[int, int, list[Frame]]] = []
    for line in text.splitlines():
        record = _RECORD.match(line)
        if record:
            records.append((_number(record.group(2)), _number(record.group(4)), []))
            continue
        frame = _FRAME.match(line)
        if frame and records:
            records[-1][2].append(_frame(int(frame.group(1), 16), frame.group(2), frame.group(3) or "", regions))
    return tuple(LeakRecord(kind=GROWING, bytes=size, blocks=blocks, stack=tuple(frames))
                 for size, blocks, frames in records)


def _frame(ip: int, function: str, where: str, regions: tuple[list[int], list[tuple[int, str]]]) -> Frame:
    source = _SOURCE.match(where)
    obj = _object_at(ip, regions) or ("" if source else where)
    if source:
        return Frame(function=function, file=source.group(1), line=int(source.group(2)), object=obj)
    return Frame(function=function, object=obj)


def _regions(maps: str) -> tuple[list[int], list[tuple[int, str]]]:
    spans = sorted((int(m.group(1), 16), int(m.group(2), 16), m.group(3).strip())
                   for m in (_MAPS.match(line) for line in maps.splitlines()) if m)
    return [start for start, _, _ in spans], [(end, path) for _, end, path in spans]


def _object_at(ip: int, regions: tuple[list[int], list[tuple[int, str]]]) -> str:
    starts, ends = regions
    index = bisect.bisect_right(starts, ip) - 1
    if index >= 0 and ip < ends[index][0]:
        return ends[index][1]
    return ""


def _number(text: str) -> int:
    return int(text.replace(",", ""))
