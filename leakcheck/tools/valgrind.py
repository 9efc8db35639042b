"""valgrind memcheck: the probe's command wrapped, the XML leak report and the fd list parsed.

valgrind 3.19 writes leaks to the XML file, but open file descriptors (--track-fds) only to its text log,
so both are kept: `memcheck.xml` and `valgrind.log` in the attempt directory.

Still-reachable blocks are not listed: libvips and glib keep thousands of one-time allocations from
vips_init reachable at exit (a 20-call run listed 7,000 loss records, 25 MB of XML), and a block something
still points to is no leak by memcheck's definition (nor LSan's).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

from leakcheck.tools.model import DEFINITE, INDIRECT, POSSIBLE, REACHABLE, FdLeak, Frame, LeakRecord

XML_NAME = "memcheck.xml"
LOG_NAME = "valgrind.log"
KINDS = {"Leak_DefinitelyLost": DEFINITE, "Leak_IndirectlyLost": INDIRECT, "Leak_PossiblyLost": POSSIBLE,
         "Leak_StillReachable": REACHABLE}
OPTIONS = ("--tool=memcheck", "--leak-check=full", "--show-leak-kinds=definite,indirect,possible", "--errors-for-leak-kinds=definite",
           "--track-fds=yes", "--num-callers=40", "--fullpath-after=", "--child-silent-after-fork=yes", "--xml=yes")


class ReportError(Exception):
    """The tool's output is missing or unreadable; the message says which file and why."""


def command(probe_command: list[str], directory: Path) -> list[str]:
    valgrind = shutil.which("valgrind") or "valgrind"
    return [valgrind, *OPTIONS, f"--xml-file={directory / XML_NAME}", f"--log-file={directory / LOG_NAME}",
            *probe_command]


def parse_xml(path: Path) -> tuple[LeakRecord, ...]:
    """Every leak loss record in memcheck's XML (other memcheck errors are not leaks and are left out)."""
    try:
        root = ElementTree.parse(path).getroot()
    except FileNotFoundError:
        raise ReportError(f"{path}: valgrind wrote no XML report") from None
    except ElementTree.ParseError as exc:  # a probe killed mid-write leaves a truncated file
        raise ReportError(f"{path}: the XML report is incomplete ({exc})") from None
    records = []
    for error in root.iter("error"):
        kind = KINDS.get(error.findtext("kind", ""))
        if kind is None:
            continue
        xwhat = error.find("xwhat")
        leaked_bytes = int(xwhat.findtext("leakedbytes", "0")) if xwhat is not None else 0
        leaked_blocks = int(xwhat.findtext("leakedblocks", "0")) if xwhat is not None else 0
        stack = error.find("stack")
        frames = tuple(_frame(f) for f in stack.iter("frame")) if stack is not None else ()
        records.append(LeakRecord(kind=kind, bytes=leaked_bytes, blocks=leaked_blocks, stack=frames))
    return tuple(records)


def _frame(element: ElementTree.Element) -> Frame:
    directory, file = element.findtext("dir", ""), element.findtext("file", "")
    line = element.findtext("line")
    return Frame(function=element.findtext("fn", "?"), file=f"{directory}/{file}" if directory and file else file,
                 line=int(line) if line else None, object=element.findtext("obj", ""))


_FD_HEADER = re.compile(r"^==\d+== Open (?:file descriptor|AF_\w+ socket) (\d+):\s*(.*)$")
_FD_FRAME = re.compile(r"^==\d+==\s+(?:at|by) 0x[0-9A-Fa-f]+: (.*?)(?: \((?:in )?(.*)\))?$")
_SOURCE = re.compile(r"^(.*):(\d+)$")


def parse_fds(path: Path) -> tuple[FdLeak, ...]:
    """The descriptors open at exit from the text log, less those inherited from the parent."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        raise ReportError(f"{path}: valgrind wrote no log") from None
    leaks: list[FdLeak] = []
    current: tuple[int, str] | None = None
    frames: list[Frame] = []
    inherited = False
    for line in [*lines, "==0== "]:
        header = _FD_HEADER.match(line)
        frame = _FD_FRAME.match(line)
        if frame and current:
            frames.append(_text_frame(frame.group(1), frame.group(2) or ""))
        elif "<inherited from parent>" in line:
            inherited = True
        elif header or not line.split("==", 2)[-1].strip():
            if current and not inherited:
                leaks.append(FdLeak(fd=current[0], path=current[1], stack=tuple(frames)))
            current, frames, inherited = ((int(header.group(1)), header.group(2)) if header else None), [], False
    return tuple(leaks)


def _text_frame(function: str, where: str) -> Frame:
    """`open (/build/open64.c:41)` or `fs.Dir.openFile (in /path/libpyjamaz.so)`; with --fullpath-after= the
    source path is whole (the text log never names the object of a frame that has a source line)."""
    source = _SOURCE.match(where)
    if source:
        return Frame(function=function, file=source.group(1), line=int(source.group(2)))
    return Frame(function=function, object=where)
