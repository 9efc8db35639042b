"""Reachable growth: memcheck's `leak_check full reachable increased` output and the probe's /proc maps, captured
from a real valgrind run of the vips-unref mutant (zig.optimize_memory, 20 iterations), in tests/tools/data."""

from __future__ import annotations

import gzip
from pathlib import Path

from leakcheck.results import LEAK, PASS
from leakcheck.tools import TOOLS
from leakcheck.tools.attribution import Subject
from leakcheck.tools.growth import MAPS_NAME, OUTPUT_NAME, parse_increased, read_growth
from leakcheck.tools.model import GROWING, ToolReport
from leakcheck.tools.verdict import apply

DATA = Path(__file__).parent / "data"
SUBJECT = Subject("/work/main/zig-out/bin/pyjamaz-probe", Path("/work/main"))


def _text(name: str) -> str:
    return gzip.decompress((DATA / name).read_bytes()).decode()


def _report() -> ToolReport:
    records = parse_increased(_text("vgdb-vips-unref-optimize-increased.txt.gz"),
                              _text("vgdb-vips-unref-optimize-maps.txt.gz"))
    return ToolReport("valgrind", tuple(SUBJECT.attribute(r) for r in records), sees_fds=True)


def test_records_carry_the_increase_and_each_frame_its_object_from_the_maps() -> None:
    records = parse_increased(_text("vgdb-vips-unref-optimize-increased.txt.gz"),
                              _text("vgdb-vips-unref-optimize-maps.txt.gz"))
    assert len(records) == 195 and all(r.kind == GROWING for r in records)
    first = records[0]  # "864 (+576) bytes in 6 (+4) blocks are still reachable"
    assert (first.bytes, first.blocks) == (576, 4)
    assert first.stack[0].function == "malloc" and first.stack[0].object.endswith("vgpreload_memcheck-amd64-linux.so")
    sourced = [f for r in records for f in r.stack if f.file == "optimizer.zig"]
    assert sourced and all(f.object.endswith("/libpyjamaz.so.1.0.0") for f in sourced)


def test_the_image_the_mutant_never_unrefs_is_named_where_libpyjamaz_decodes_it() -> None:
    grown = _report().subject_growth
    top = grown[0]
    assert top.blocks == 212 and top.allocated_in is not None
    # zig/src/optimizer.zig:143 is the vips_image_new_from_buffer whose unref the mutant skips.
    assert (top.allocated_in.function, top.allocated_in.file, top.allocated_in.line) == ("prepare", "optimizer.zig", 143)


def test_growth_explains_a_failing_verdict_and_never_makes_one() -> None:
    report = _report()
    outcome, reasons = apply(report, LEAK, ("libvips live objects +149", "library live bytes +0"))
    assert outcome == LEAK and reasons[0] == "libvips live objects +149"
    assert reasons[1] == ("valgrind: still reachable +212 block(s) (+9.94 KiB) during the loop, allocated in prepare "
                          "(optimizer.zig:143)")
    assert apply(report, PASS, ())[0] == PASS


def test_an_attempt_directory_without_the_second_search_has_no_growth(tmp_path: Path) -> None:
    assert read_growth(tmp_path) == ()
    (tmp_path / OUTPUT_NAME).write_text(_text("vgdb-vips-unref-optimize-increased.txt.gz"))
    assert len(read_growth(tmp_path)) == 195 and not (tmp_path / MAPS_NAME).exists()
    assert TOOLS["valgrind"].watch(tmp_path, 20) is not None and TOOLS["lsan"].watch(tmp_path, 20) is None
