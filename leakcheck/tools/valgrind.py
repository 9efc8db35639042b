"""valgrind memcheck: the probe's command wrapped, the XML leak report and the fd list parsed.

valgrind 3.19 writes leaks to the XML file, but open file descriptors (--track-fds) only to its text log,
so both are kept: `memcheck.xml` and `valgrind.log` in the attempt directory.

Still-reachable blocks are not listed: a GLib-based library keeps thousands of one-time allocations from its
initialisation reachable at exit (a 20-call run listed 7,000 loss records, 25 MB of XML), and a block something
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
           "--track-fds=yes", "--num-callers=40", "--child-silent-after-fork=yes", "--xml=yes")


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


def log_problem(log: Path) -> str:
    """What in valgrind's log explains a run it could not finish ("" when nothing does)."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    if "Unrecognised instruction" in text:
        return ("valgrind cannot decode an instruction of the probe or the library (built for this machine's CPU? "
                "build for a portable one, e.g. zig build -Dcpu=x86_64_v3)")
    return ""


def parse_fds(log: Path, xml: Path) -> tuple[FdLeak, ...]:
    """The descriptors open at exit that the probe did not inherit, each with the stack that opened it.

    valgrind 3.19 in XML mode writes the fd list to the text log but each opening stack to the XML file, as a
    bare <stack> after the run's status, in the same order as the log's non-inherited descriptors."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        raise ReportError(f"{log}: valgrind wrote no log") from None
    opened: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        header = _FD_HEADER.match(line)
        inherited = index + 1 < len(lines) and "<inherited from parent>" in lines[index + 1]
        if header and not inherited:
            opened.append((int(header.group(1)), header.group(2)))
    stacks = _bare_stacks(xml) if opened else []
    return tuple(FdLeak(fd=fd, path=path, stack=stacks[k] if k < len(stacks) else ())
                 for k, (fd, path) in enumerate(opened))


def _bare_stacks(xml: Path) -> list[tuple[Frame, ...]]:
    try:
        root = ElementTree.parse(xml).getroot()
    except (FileNotFoundError, ElementTree.ParseError):
        return []
    return [tuple(_frame(f) for f in stack.iter("frame")) for stack in root.findall("stack")]
