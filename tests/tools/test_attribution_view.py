"""The report's view of a probe's native attribution, from a tool document built on a real LSan log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leakcheck.output.terminal import attribution_lines
from leakcheck.report.attribution import attribution_view
from leakcheck.report.html import render_html
from leakcheck.report.model import build_report
from leakcheck.results import Attempt, ProbeResult
from leakcheck.schema import probe_document, tool_report_document
from leakcheck.tools import lsan
from leakcheck.tools.attribution import Subject
from leakcheck.tools.model import Frame, ToolReport

DATA = Path(__file__).parent / "data"
CWD = Path("/work/main")
LIBRARY = "/work/main/zig-out/mutants/result-buffer/lib/libpyjamaz.so"
NAMES = {(LIBRARY, 0x46e54): (Frame("heap.CAllocator.alloc", "/z/lib/std/heap.zig", 210, LIBRARY),),
         (LIBRARY, 0x37adc): (Frame("counting_allocator.CountingAllocator.alloc",
                                    "/work/main/zig/src/counting_allocator.zig", 57, LIBRARY),),
         (LIBRARY, 0x3ce65): (Frame("mem.Allocator.dupe", "/z/lib/std/mem/Allocator.zig", 436, LIBRARY),
                              Frame("optimizer.Search.searchFormat", "/work/main/zig/src/optimizer.zig", 397, LIBRARY))}
"""What llvm-symbolizer answered for the first frames of the log's largest leak (inline frames included)."""


def _document() -> dict[str, Any]:
    subject = Subject("/work/main/zig-out/bin/pyjamaz-probe", CWD)
    parsed = lsan.parse_log((DATA / "lsan-result-buffer-optimize.log").read_text())
    records = tuple(subject.attribute(r) for r in lsan.build_records(parsed, CWD, NAMES))
    return tool_report_document(ToolReport("lsan", records, files=("lsan.3768",)))


def test_the_view_lists_the_library_s_lost_blocks_largest_first_from_the_allocating_frame() -> None:
    view = attribution_view({"tool": _document()})
    assert view is not None and view.tool == "lsan" and not view.problem
    assert view.totals == (("definitely lost", "118 KiB", 203),)
    largest = view.blocks[0]
    assert largest.title == "82.8 KiB in 150 block(s) definitely lost"
    assert largest.allocated_in == "optimizer.Search.searchFormat (/work/main/zig/src/optimizer.zig:397)"
    assert largest.frames[0].text.startswith("optimizer.Search.searchFormat") and largest.frames[0].in_subject
    assert "does not track file descriptors" in view.fd_note
    assert view.other.startswith("2 record(s)")  # the probe's own buffers alive at exit


def test_an_attempt_without_a_tool_has_no_attribution() -> None:
    assert attribution_view({"outcome": "PASS"}) is None


def test_terminal_lines_and_the_page_carry_the_blocks_under_the_probe() -> None:
    view = attribution_view({"tool": _document()})
    assert view is not None
    lines = attribution_lines("zig.optimize_memory", view)
    assert lines[0] == "zig.optimize_memory under lsan: definitely lost 118 KiB in 203 block(s)"
    assert lines[1] == ("  82.8 KiB in 150 block(s) definitely lost, allocated in optimizer.Search.searchFormat "
                        "(/work/main/zig/src/optimizer.zig:397)")
    report = ToolReport("lsan", (), files=("lsan.3768",))
    attempt = Attempt(number=1, outcome="LEAK", reasons=("lsan: leak",), key_figure="", returncode=0,
                      phase="teardown", last_tick=None, duration_s=1.0, peak_rss=1, files={}, tool=report)
    probe = ProbeResult(name="zig.optimize_memory", lang="zig", suite="fast", iterations=30, outcome="LEAK",
                        attempts=(attempt,))
    document = {"probes": [{**probe_document(probe), "attempts": [{**probe_document(probe)["attempts"][0],
                                                                   "tool": _document()}]}]}
    page = render_html(build_report(document, "run"))
    assert "Under lsan" in page and "optimizer.Search.searchFormat" in page
