"""LeakSanitizer logs captured from real runs of the Zig probe (`leakcheck run --tool lsan`, symbolize=0):
tests/tools/data/lsan-result-buffer-optimize.log (the result-buffer mutant), lsan-production-optimize.log."""

from __future__ import annotations

from pathlib import Path

from leakcheck.tools import lsan
from leakcheck.tools.attribution import Subject
from leakcheck.tools.model import DEFINITE, INDIRECT, Frame, LeakRecord

DATA = Path(__file__).parent / "data"
CWD = Path("/work/main")  # where the probe ran: the log's module paths are relative to it
SUBJECT = Subject("/work/main/zig-out/bin/pyjamaz-probe", CWD)


def _records(name: str) -> tuple[LeakRecord, ...]:
    parsed = lsan.parse_log((DATA / name).read_text())
    return tuple(SUBJECT.attribute(r) for r in lsan.build_records(parsed, CWD, {}))


def test_every_leak_of_the_log_is_parsed_with_its_size_and_frames() -> None:
    parsed = lsan.parse_log((DATA / "lsan-result-buffer-optimize.log").read_text())
    assert [(kind, size, blocks) for kind, size, blocks, _ in parsed][:3] == [
        (DEFINITE, 84825, 150), (DEFINITE, 24046, 34), (DEFINITE, 10429, 16)]
    assert parsed[-1][:3] == (INDIRECT, 15300, 8)
    assert sum(size for _, size, _, _ in parsed) == 136140  # the log's own SUMMARY line
    first_frames = parsed[0][3]
    assert first_frames[0] == ("/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.so", 0xd4757)
    assert first_frames[1] == ("zig-out/mutants/result-buffer/lib/libpyjamaz.so", 0x46e55)


def test_the_mutant_s_blocks_go_through_the_library_and_the_probe_s_own_do_not() -> None:
    records = _records("lsan-result-buffer-optimize.log")
    through_library = [r for r in records if r.in_subject]
    assert {r.bytes for r in through_library} >= {84825, 24046, 10429}
    assert through_library[0].allocated_in == Frame(
        "?", object="/work/main/zig-out/mutants/result-buffer/lib/libpyjamaz.so")
    # The probe's test images, alive until exit, are LSan leaks but not the library's.
    assert [r.bytes for r in records if not r.in_subject] == [128, 15300]


def test_the_production_library_leaks_nothing_through_itself() -> None:
    records = _records("lsan-production-optimize.log")
    assert len(records) == 2 and not any(r.in_subject for r in records)


def test_a_log_without_leaks_or_with_garbage_yields_nothing() -> None:
    assert lsan.parse_log("") == []
    assert lsan.parse_log("    #0 0x1 (x.so+0x1)\nnot a report\n") == []


def test_return_addresses_are_symbolized_at_the_call(tmp_path: Path) -> None:
    (tmp_path / "lsan.1").write_text((DATA / "lsan-result-buffer-optimize.log").read_text())
    assert lsan.log_files(tmp_path) == [tmp_path / "lsan.1"]
    assert lsan.call_site(0x46e55, 0) == 0x46e55 and lsan.call_site(0x46e55, 1) == 0x46e54
