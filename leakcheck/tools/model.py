"""What a native tool reports about one probe run: leaked blocks with their allocation stacks, open fds."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

DEFINITE = "definitely lost"
INDIRECT = "indirectly lost"
POSSIBLE = "possibly lost"
REACHABLE = "still reachable"
GROWING = "still reachable, grown in the loop"
"""valgrind only: reachable blocks that increased between two leak searches while the probe looped."""
SCALING = "alive at exit, grown with the iterations"
"""LSan only: blocks alive at exit (no roots) whose count grew between a short and a long run (tools.scaling)."""
LOSS_KINDS = (DEFINITE, INDIRECT, POSSIBLE, REACHABLE, GROWING, SCALING)
HINTS = frozenset({GROWING, SCALING})
"""The kinds that explain a failing verdict and never make one."""
LOST = frozenset({DEFINITE, INDIRECT})
"""The kinds no pointer leads to any more: a leak whatever the program does next."""

REPORT_SCHEMA = "leakcheck.tool-report"
REPORT_VERSION = 1


@dataclass(frozen=True)
class Frame:
    function: str
    """"?" when the tool could not name it."""
    file: str = ""
    """Full path when the tool knows the directory."""
    line: int | None = None
    object: str = ""
    """The executable or shared library the code is in."""

    def describe(self) -> str:
        where = f" ({self.file}:{self.line})" if self.file and self.line else f" ({self.file})" if self.file else ""
        return f"{self.function}{where}"


@dataclass(frozen=True)
class LeakRecord:
    """Blocks of one loss kind allocated along the same stack (valgrind's loss record, LSan's leak)."""

    kind: str
    bytes: int
    blocks: int
    stack: tuple[Frame, ...]
    """Innermost first: the allocator, then its callers."""
    in_subject: bool = False
    """The stack goes through the code under test (not only the probe, the system or the runtime)."""
    allocated_in: Frame | None = None
    """The first frame in the code under test below the allocator plumbing: the function that allocated."""
    suppressed: str = ""
    """Why a record through the code under test is not its leak (a known suppression), "" otherwise."""


@dataclass(frozen=True)
class FdLeak:
    """A file descriptor open at exit that the probe did not inherit."""

    fd: int
    path: str
    stack: tuple[Frame, ...]
    in_subject: bool = False
    opened_in: Frame | None = None


@dataclass(frozen=True)
class ToolReport:
    tool: str
    """"valgrind" or "lsan"."""
    records: tuple[LeakRecord, ...]
    fds: tuple[FdLeak, ...] = ()
    files: tuple[str, ...] = ()
    """The tool's own output files, kept in the attempt directory."""
    problem: str = ""
    """Why the report is missing or partial ("" when the tool wrote it whole)."""
    sees_fds: bool = False
    """Whether this tool tracks file descriptors at all."""

    @property
    def subject_leaks(self) -> tuple[LeakRecord, ...]:
        """Lost blocks whose stacks go through the code under test: these make the verdict LEAK."""
        return tuple(r for r in self.records if r.in_subject and r.kind in LOST)

    @property
    def subject_growth(self) -> tuple[LeakRecord, ...]:
        """Blocks through the code under test that grew in the loop though not lost (HINTS), most blocks first."""
        grown = [r for r in self.records if r.in_subject and r.kind in HINTS]
        return tuple(sorted(grown, key=lambda r: (-r.blocks, -r.bytes)))

    @property
    def subject_fds(self) -> tuple[FdLeak, ...]:
        return tuple(f for f in self.fds if f.in_subject)

    def total(self, kind: str, *, subject_only: bool = False) -> tuple[int, int]:
        """(bytes, blocks) of one loss kind."""
        chosen = [r for r in self.records if r.kind == kind and (r.in_subject or not subject_only)]
        return sum(r.bytes for r in chosen), sum(r.blocks for r in chosen)


def report_document(report: ToolReport) -> dict[str, Any]:
    """The JSON form: versioned on its own, so readers of older results see no `tool` or know this shape."""
    totals = {kind: dict(zip(("bytes", "blocks"), report.total(kind), strict=True)) for kind in LOSS_KINDS}
    return {"schema": REPORT_SCHEMA, "version": REPORT_VERSION, "tool": report.tool, "problem": report.problem,
            "sees_fds": report.sees_fds, "files": list(report.files), "totals": totals,
            "records": [asdict(r) for r in report.records], "fds": [asdict(f) for f in report.fds]}


def report_from_document(document: dict[str, Any]) -> ToolReport:
    """The inverse of `report_document` (the report pages read results files)."""
    def frame(d: dict[str, Any] | None) -> Frame | None:
        return Frame(**d) if d else None

    def stack(frames: list[dict[str, Any]]) -> tuple[Frame, ...]:
        return tuple(Frame(**f) for f in frames)

    records = tuple(LeakRecord(kind=r["kind"], bytes=r["bytes"], blocks=r["blocks"], stack=stack(r["stack"]),
                               in_subject=r["in_subject"], allocated_in=frame(r["allocated_in"]),
                            suppressed=r.get("suppressed", ""))
                    for r in document.get("records", []))
    fds = tuple(FdLeak(fd=f["fd"], path=f["path"], stack=stack(f["stack"]), in_subject=f["in_subject"],
                       opened_in=frame(f["opened_in"])) for f in document.get("fds", []))
    return ToolReport(tool=document["tool"], records=records, fds=fds, files=tuple(document.get("files", [])),
                      problem=document.get("problem", ""), sees_fds=document.get("sees_fds", False))
