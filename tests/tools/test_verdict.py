"""The verdict under a tool, the attribution of frames to the code under test, and the skip of languages a tool
does not run."""

from __future__ import annotations

import threading
from pathlib import Path

from leakcheck.config import load_config
from leakcheck.results import CRASH, FAIL, LEAK, PASS, SKIP
from leakcheck.session import RunOptions, run_probe
from leakcheck.tools import TOOLS
from leakcheck.tools.attribution import Subject
from leakcheck.tools.model import DEFINITE, POSSIBLE, FdLeak, Frame, LeakRecord, ToolReport
from leakcheck.tools.verdict import apply

ROOT = Path(__file__).resolve().parents[2]
PROBE = "/work/main/zig-out/bin/pyjamaz-probe"
LIBRARY = "/work/main/zig-out/lib/libpyjamaz.so.1.0.0"
SUBJECT = Subject(PROBE, Path("/work/main"))

ALLOCATOR = (Frame("malloc", object="/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"),
             Frame("heap.CAllocator.alloc", "/z/lib/std/heap.zig", 210, LIBRARY),
             Frame("counting_allocator.CountingAllocator.alloc", "/work/main/zig/src/counting_allocator.zig", 57,
                   LIBRARY))
SEARCH = Frame("optimizer.Search.searchFormat", "/work/main/zig/src/optimizer.zig", 397, LIBRARY)
CALLER = (Frame("pyjamaz_optimize", "/work/main/zig/src/abi.zig", 53, LIBRARY),
          Frame("pyjamaz_probe.Probe.iterate", "/work/main/zig/probes/pyjamaz_probe.zig", 160, PROBE),
          Frame("__libc_start_call_main", object="/lib/x86_64-linux-gnu/libc.so.6"))


def _record(kind: str, stack: tuple[Frame, ...], size: int = 4096) -> LeakRecord:
    return SUBJECT.attribute(LeakRecord(kind=kind, bytes=size, blocks=4, stack=stack))


def test_the_allocating_frame_is_the_first_of_the_library_below_its_allocator() -> None:
    record = _record(DEFINITE, (*ALLOCATOR, SEARCH, *CALLER))
    assert record.in_subject and record.allocated_in == SEARCH


def test_blocks_the_probe_or_the_system_allocate_are_not_the_library_s() -> None:
    probe_only = _record(DEFINITE, (ALLOCATOR[0], CALLER[1], CALLER[2]))
    glib_at_init = _record(DEFINITE, (ALLOCATOR[0], Frame("g_malloc", object="/lib/x86_64-linux-gnu/libglib-2.0.so.0"),
                                      CALLER[2]))
    assert not probe_only.in_subject and not glib_at_init.in_subject


def test_a_library_call_into_libvips_is_attributed_to_the_library_function_that_called() -> None:
    vips = Frame("vips_image_new_from_buffer", object="/usr/lib/x86_64-linux-gnu/libvips.so.42.16.1")
    prepare = Frame("optimizer.prepare", "/work/main/zig/src/optimizer.zig", 143, LIBRARY)
    record = _record(DEFINITE, (ALLOCATOR[0], vips, prepare, *CALLER))
    assert record.allocated_in == prepare


def test_lost_blocks_through_the_library_make_the_verdict_leak_and_name_the_function() -> None:
    report = ToolReport("valgrind", (_record(DEFINITE, (*ALLOCATOR, SEARCH, *CALLER)),), sees_fds=True)
    outcome, reasons = apply(report, PASS, ("no growth",))
    assert outcome == LEAK
    assert reasons == (("valgrind: 4.00 KiB in 4 block(s) definitely lost, allocated in optimizer.Search.searchFormat "
                       "(/work/main/zig/src/optimizer.zig:397)"),)


def test_possibly_lost_and_foreign_blocks_leave_the_verdict_as_it_was() -> None:
    report = ToolReport("lsan", (_record(POSSIBLE, (*ALLOCATOR, SEARCH, *CALLER)),
                                 _record(DEFINITE, (ALLOCATOR[0], CALLER[1], CALLER[2]))))
    assert apply(report, PASS, ())[0] == PASS
    outcome, reasons = apply(report, FAIL, ("check open_fds growth failed",))
    assert outcome == FAIL and reasons[0] == "check open_fds growth failed"
    assert "lsan does not track fds" in reasons[-1]


def test_an_fd_the_library_opened_and_left_open_is_a_leak() -> None:
    open_frames = (Frame("openat", "/build/openat64.c", 39, "/usr/lib/x86_64-linux-gnu/libc.so.6"),
                   Frame("posix.openatZ", "/z/lib/std/posix.zig", 1844, LIBRARY),
                   Frame("api.optimizeFile", "/work/main/zig/src/api.zig", 214, LIBRARY))
    fd = SUBJECT.attribute_fd(FdLeak(fd=7, path="/tmp/img.png", stack=open_frames))
    outcome, reasons = apply(ToolReport("valgrind", (), (fd,), sees_fds=True), PASS, ())
    assert outcome == LEAK and reasons == (("valgrind: fd 7 (/tmp/img.png) left open, opened in api.optimizeFile "
                                           "(/work/main/zig/src/api.zig:214)"),)


def test_a_crash_stays_a_crash_and_a_missing_report_is_an_error() -> None:
    report = ToolReport("valgrind", (_record(DEFINITE, (*ALLOCATOR, SEARCH, *CALLER)),), sees_fds=True)
    assert apply(report, CRASH, ("SIGSEGV",))[0] == CRASH
    outcome, reasons = apply(ToolReport("valgrind", (), problem="x.xml: valgrind wrote no XML report"), PASS, ())
    assert outcome == "ERROR" and "no XML report" in reasons[0]


class _Quiet:
    def probe_started(self, *args: object) -> None: ...
    def progress(self, *args: object) -> None: ...
    def probe_finished(self, *args: object) -> None: ...


def test_a_python_probe_under_a_tool_is_skipped_with_the_reason(tmp_path: Path) -> None:
    probe = next(p for p in load_config(ROOT / "pyproject.toml").probes if p.lang == "python")
    options = RunOptions(root=ROOT, suite="fast", run_dir=tmp_path, tool=TOOLS["lsan"], cancel=threading.Event())
    result = run_probe(probe, options, _Quiet())
    assert result.outcome == SKIP and result.reason == "--tool lsan runs Zig and native probes only, not python"


def test_tool_iterations_default_to_the_tool_s_and_never_exceed_the_probe_s() -> None:
    probes = {p.name: p for p in load_config(ROOT / "pyproject.toml").probes}
    options = RunOptions(root=ROOT, suite="fast", run_dir=ROOT, tool=TOOLS["valgrind"])
    assert options.iterations_for(probes["zig.optimize_memory"]) == TOOLS["valgrind"].iterations
    assert RunOptions(root=ROOT, suite="fast", run_dir=ROOT, tool=TOOLS["valgrind"],
                      tool_iterations=7).iterations_for(probes["zig.optimize_memory"]) == 7
    assert options.timeout_for(probes["zig.optimize_memory"]) == TOOLS["valgrind"].timeout_s
