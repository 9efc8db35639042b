"""What a native tool reports about one probe run: leaked blocks with their allocation stacks, open fds."""

from __future__ import annotations

from dataclasses import dataclass

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
"""The schema of a tool report inside an attempt (written and read by leakcheck.schema)."""
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
