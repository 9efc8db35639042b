"""LSan's runs with no roots (tools.scaling), on reports captured from the vips-unref mutant (zig.optimize_memory
under `leakcheck run --tool lsan`, its 10- and 30-iteration runs) in tests/tools/data: the raw log of the long run,
and both runs' records through the library as symbolized then (tool documents)."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from leakcheck.output.terminal import attribution_lines
from leakcheck.report.attribution import attribution_view
from leakcheck.report.html import render_html
from leakcheck.report.model import build_report
from leakcheck.results import LEAK, PASS, Attempt, ProbeResult
from leakcheck.schema import probe_document, tool_report_document, tool_report_from_document
from leakcheck.tools import TOOLS, lsan, scaling, with_scaling
from leakcheck.tools.attribution import Subject
from leakcheck.tools.model import (
    DEFINITE,
    INDIRECT,
    SCALING,
    Frame,
    LeakRecord,
    ToolReport,
)
from leakcheck.tools.verdict import apply, unexplained

DATA = Path(__file__).parent / "data"
CWD = Path("/work/main")
SUBJECT = Subject("/work/main/zig-out/bin/pyjamaz-probe", CWD)
LIBRARY = "/work/main/zig-out/mutants/vips-unref/lib/libpyjamaz.so"


def _pass(iterations: int) -> ToolReport:
    name = f"lsan-alive-vips-unref-optimize-{iterations}.json.gz"
    return tool_report_from_document(json.loads(gzip.decompress((DATA / name).read_bytes())))


def test_the_no_roots_log_lists_every_block_alive_at_exit_and_the_library_s_go_through_it() -> None:
    text = gzip.decompress((DATA / "lsan-alive-vips-unref-optimize-30.log.gz").read_bytes()).decode()
    parsed = lsan.parse_log(text)
    summary = re.search(r"SUMMARY: AddressSanitizer: (\d+) byte\(s\) leaked in (\d+) allocation\(s\)", text)
    assert summary is not None
    assert (sum(size for _, size, _, _ in parsed), sum(blocks for _, _, blocks, _ in parsed)) == (
        int(summary.group(1)), int(summary.group(2)))
    assert {kind for kind, _, _, _ in parsed} == {DEFINITE, INDIRECT}
    records = tuple(SUBJECT.attribute(r) for r in lsan.build_records(parsed, CWD, {}))
    through = [r for r in records if r.in_subject]
    assert through and all(r.allocated_in is not None and r.allocated_in.object == LIBRARY for r in through)
    assert len(through) < len(records)  # libc, glib and the probe's own blocks alive at exit are not the library's


def test_only_the_stacks_that_grow_with_the_iterations_are_kept() -> None:
    short, long = _pass(10), _pass(30)
    init = [r for r in long.records if r.in_subject and r.allocated_in and r.allocated_in.function == "runtime.init"]
    # One-time GType set-up through pyjamaz_init: far more blocks on one stack than the run has iterations, so a
    # count alone would call it a leak; it has the same count in both runs.
    assert max(r.blocks for r in init) > 1000
    kept = scaling.scaling_records(short.records, long.records, 20)
    assert kept and all(r.kind == SCALING and r.blocks >= 20 for r in kept)
    # zig/src/optimizer.zig:143 is the vips_image_new_from_buffer whose unref the mutant skips.
    assert {(r.allocated_in.function, Path(r.allocated_in.file).name, r.allocated_in.line)
            for r in kept if r.allocated_in} == {("optimizer.prepare", "optimizer.zig", 143)}
    assert kept == tuple(sorted(kept, key=lambda r: -r.blocks))


def _record(blocks: int, where: str, kind: str = INDIRECT) -> LeakRecord:
    frame = Frame(where, "/src/lib.zig", 1, "/build/libsubject.so")
    return LeakRecord(kind=kind, bytes=blocks * 16, blocks=blocks, stack=(frame,), in_subject=True, allocated_in=frame)


def test_fixed_counts_stacks_in_one_run_only_and_slow_growth_are_dropped() -> None:
    short = (_record(1087, "set_up"), _record(10, "per_call"), _record(3, "per_call", DEFINITE), _record(5, "slow"))
    long = (_record(1087, "set_up"), _record(30, "per_call"), _record(3, "per_call", DEFINITE), _record(24, "slow"),
            _record(400, "long_only"))
    kept = scaling.scaling_records(short, long, 20)
    assert [(r.allocated_in.function if r.allocated_in else "", r.blocks, r.bytes) for r in kept] == [
        ("per_call", 20, 320)]  # the direct and indirect blocks of one stack count together


def test_the_runs_explain_a_failing_verdict_and_never_change_it() -> None:
    first = ToolReport("lsan", ())
    report = with_scaling(first, _pass(10), _pass(30), 20)
    assert report.subject_leaks == () and report.subject_growth
    outcome, reasons = apply(report, LEAK, ("libvips live objects +309", "library live bytes +0"))
    assert outcome == LEAK and reasons[0] == "libvips live objects +309"
    assert re.fullmatch(r"lsan: alive at exit \+265 block\(s\) \(\+12\.\d+ KiB\) more in a longer run, allocated in "
                        r"optimizer\.prepare \(/work/main/zig/src/optimizer\.zig:143\)", reasons[1]), reasons[1]
    assert apply(report, PASS, ())[0] == PASS
    assert with_scaling(first, None, _pass(30), 20) == first
    assert with_scaling(first, ToolReport("lsan", (), problem="no log"), _pass(30), 20) == first


def test_the_runs_happen_only_for_lsan_on_a_failing_verdict_no_lost_block_explains() -> None:
    lsan_tool, empty = TOOLS["lsan"], ToolReport("lsan", ())
    assert lsan_tool.scaling_runs(empty, unexplained=unexplained(empty, PASS)) is None
    lost = ToolReport("lsan", (_record(3, "lost", DEFINITE),))
    assert lsan_tool.scaling_runs(lost, unexplained=unexplained(lost, LEAK)) is None
    assert TOOLS["valgrind"].scaling_runs(empty, unexplained=True) is None
    runs = lsan_tool.scaling_runs(empty, unexplained=unexplained(empty, LEAK))
    assert runs is not None and runs.alive_at_exit and runs.scaling_runs(empty, unexplained=True) is None
    assert scaling.pass_iterations(200) == (10, 30) and scaling.pass_iterations(12) == (4, 12)


def test_the_runs_scan_no_roots_with_glib_s_slices_as_plain_mallocs(tmp_path: Path) -> None:
    if lsan.runtime() is None:
        pytest.skip(str(TOOLS["lsan"].missing()))
    runs = TOOLS["lsan"].scaling_runs(ToolReport("lsan", ()), unexplained=True)
    assert runs is not None
    _, environment = runs.wrap(["probe"], {}, tmp_path)
    assert environment["LSAN_OPTIONS"].split(":")[1:] == list(scaling.LEAK_OPTIONS)
    assert environment["G_SLICE"] == "always-malloc"
    _, plain = TOOLS["lsan"].wrap(["probe"], {}, tmp_path)
    assert plain["LSAN_OPTIONS"] == "report_objects=0" and "G_SLICE" not in plain


def test_the_terminal_json_and_page_show_them_like_valgrind_s_growth() -> None:
    report = with_scaling(ToolReport("lsan", ()), _pass(10), _pass(30), 20)
    document = tool_report_document(report)
    assert tool_report_from_document(document) == report
    view = attribution_view({"tool": document})
    assert view is not None and len(view.blocks) == 3
    assert view.blocks[0].title == "+265 block(s) (+12.4 KiB) alive at exit, grown with the iterations"
    assert view.blocks[0].allocated_in == "optimizer.prepare (/work/main/zig/src/optimizer.zig:143)"
    lines = attribution_lines("zig.optimize_memory", view)
    assert lines[1].startswith("  +265 block(s) (+12.4 KiB) alive at exit, grown with the iterations, allocated in ")
    attempt = Attempt(number=1, outcome=LEAK, reasons=("libvips live objects +309",), key_figure="", returncode=0,
                      phase="teardown", last_tick=None, duration_s=1.0, peak_rss=1, files={}, tool=report)
    probe = ProbeResult(name="zig.optimize_memory", lang="zig", suite="fast", iterations=30, outcome=LEAK,
                        attempts=(attempt,))
    page = render_html(build_report({"probes": [probe_document(probe)]}, "run"))
    assert "alive at exit, grown with the iterations</strong>, allocated in <code>optimizer.prepare" in page
