"""memcheck XML reports and text logs captured from real runs of the Zig probe (`leakcheck run --tool valgrind`,
20 iterations): the error-message mutant (error_recovery), the file-descriptor mutant (file_memory) and the
production library (optimize_memory), in tests/tools/data."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from leakcheck.tools import TOOLS, lsan
from leakcheck.tools.attribution import SUPPRESSIONS, Subject
from leakcheck.tools.model import DEFINITE, LOST, POSSIBLE, Frame, ToolReport
from leakcheck.tools.valgrind import LOG_NAME, XML_NAME, ReportError, parse_fds, parse_xml

DATA = Path(__file__).parent / "data"
CWD = Path("/work/main")
PROBE = "/work/main/zig-out/bin/pyjamaz-probe"


def _attempt(tmp_path: Path, name: str) -> Path:
    """The attempt directory of a captured run: memcheck.xml and valgrind.log as valgrind wrote them."""
    (tmp_path / XML_NAME).write_bytes(gzip.decompress((DATA / f"valgrind-{name}.xml.gz").read_bytes()))
    (tmp_path / LOG_NAME).write_text((DATA / f"valgrind-{name}.log").read_text())
    return tmp_path


def _report(tmp_path: Path, name: str) -> ToolReport:
    return TOOLS["valgrind"].collect(_attempt(tmp_path, name), CWD, PROBE)


def test_loss_records_carry_kind_size_and_stack_with_function_file_and_line(tmp_path: Path) -> None:
    records = parse_xml(_attempt(tmp_path, "error-message-error_recovery") / XML_NAME)
    assert {r.kind for r in records} <= {DEFINITE, POSSIBLE, "indirectly lost"}
    first = records[0]
    assert first.bytes > 0 and first.blocks > 0
    assert first.stack[0].function in {"malloc", "memalign", "calloc", "realloc"}
    assert any(f.file.endswith("zig/src/optimizer.zig") and f.line for f in first.stack + records[-1].stack)


def test_the_error_message_mutant_is_named_in_diagnostic_fail(tmp_path: Path) -> None:
    report = _report(tmp_path, "error-message-error_recovery")
    leaks = report.subject_leaks
    assert len(leaks) == 11 and all(r.kind in LOST for r in leaks)
    assert {(r.allocated_in.file.rsplit("/", 1)[-1], r.allocated_in.line) for r in leaks if r.allocated_in} == {
        ("optimizer.zig", 54)}
    # valgrind names an inlined frame by its short name: optimizer.Diagnostic.fail__anon_N or fail__anon_N
    assert all(r.allocated_in and "fail__anon_" in r.allocated_in.function for r in leaks)


def test_the_dynamic_loader_s_dlopen_block_is_suppressed_and_said_so(tmp_path: Path) -> None:
    report = _report(tmp_path, "error-message-error_recovery")
    suppressed = [r for r in report.records if r.suppressed]
    assert [(r.bytes, r.blocks) for r in suppressed] == [(2880, 12)]
    assert suppressed[0].allocated_in is not None and suppressed[0].allocated_in.function == "prepare"
    assert "dynamic loader" in suppressed[0].suppressed and not suppressed[0].in_subject


def test_no_suppression_matches_a_block_of_any_mutant(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    mutant_records = [*_report(tmp_path / "a", "error-message-error_recovery").subject_leaks]
    parsed = lsan.parse_log((DATA / "lsan-result-buffer-optimize.log").read_text())
    subject = Subject(PROBE, CWD)
    mutant_records += [r for r in (subject.attribute(x) for x in lsan.build_records(parsed, CWD, {})) if r.in_subject]
    assert mutant_records
    assert not any(s.matches(r.stack) for s in SUPPRESSIONS for r in mutant_records)
    # A suppression needs the loader's own frame: a library frame named like it is not enough.
    impostor = (Frame("_dl_open", "/work/main/zig/src/api.zig", 1, "/work/main/zig-out/lib/libpyjamaz.so"),)
    assert not any(s.matches(impostor) for s in SUPPRESSIONS)


@pytest.fixture
def fd_report(tmp_path: Path) -> ToolReport:
    return _report(tmp_path, "file-descriptor-file_memory")


def test_fds_left_open_are_paired_with_the_stacks_that_opened_them(fd_report: ToolReport) -> None:
    fds = fd_report.subject_fds
    assert len(fds) == 19 and [f.fd for f in fds][:2] == [24, 23]
    assert fds[0].path.endswith("/3.img") and fds[0].stack[0].function == "openat"
    assert {(f.opened_in.function, f.opened_in.line) for f in fds if f.opened_in} == {("readFile", 213)}


def test_inherited_fds_and_a_run_without_leaks_report_nothing(tmp_path: Path) -> None:
    report = _report(tmp_path, "production-optimize_memory")
    assert report.fds == () and report.subject_leaks == () and not report.problem


def test_a_missing_or_truncated_report_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="wrote no XML report"):
        parse_xml(tmp_path / XML_NAME)
    (tmp_path / XML_NAME).write_text("<valgrindoutput><error><kind>Leak_Defin")
    with pytest.raises(ReportError, match="incomplete"):
        parse_xml(tmp_path / XML_NAME)
    report = TOOLS["valgrind"].collect(tmp_path, CWD, PROBE)
    assert report.problem.endswith("the XML report is incomplete (no element found: line 1, column 39)")
    with pytest.raises(ReportError, match="wrote no log"):
        parse_fds(tmp_path / LOG_NAME, tmp_path / XML_NAME)
