"""Crash naming from the signal and the probe's stderr (texts as Zig 0.15, CPython and faulthandler print them)."""

from __future__ import annotations

import signal

from leakcheck.runner.crash import classify_signal, signal_name

ZIG_SEGFAULT = """Segmentation fault at address 0x0
/work/main/tests/fixtures/libfixture.c:88:12: 0x7f3c in fixture_segfault (libfixture.so)
    *p = 1;
           ^
???:?:?: 0x7f3d in ??? (libc.so.6)
"""
ZIG_PANIC = "thread 4242 panic: integer overflow\n/work/main/zig/src/api.zig:10:5: 0x1 in optimize\n"
PYTHON_FATAL = """Fatal Python error: Segmentation fault

Current thread 0x00007f (most recent call first):
  File "/probe.py", line 12 in body
"""


def test_zig_segfault_handler_abort_is_reported_as_the_segfault() -> None:
    crash = classify_signal(signal.SIGABRT, "noise before\n" + ZIG_SEGFAULT, "measure")
    assert (crash.signal, crash.number, crash.kind, crash.phase) == ("SIGSEGV", 11, "zig-segfault", "measure")
    assert crash.backtrace.startswith("Segmentation fault at address 0x0") and "fixture_segfault" in crash.backtrace


def test_zig_bus_error_is_reported_as_sigbus() -> None:
    crash = classify_signal(signal.SIGABRT, ZIG_SEGFAULT.replace("Segmentation fault", "Bus error"), "warmup")
    assert (crash.signal, crash.number) == ("SIGBUS", int(signal.SIGBUS))


def test_zig_panic_stays_an_abort_with_the_panic_message() -> None:
    crash = classify_signal(signal.SIGABRT, ZIG_PANIC, "setup")
    assert (crash.signal, crash.kind) == ("SIGABRT", "zig-panic")
    assert crash.backtrace.startswith("thread 4242 panic: integer overflow")


def test_python_fatal_error_keeps_the_python_stack() -> None:
    crash = classify_signal(signal.SIGSEGV, PYTHON_FATAL, "measure")
    assert (crash.signal, crash.kind) == ("SIGSEGV", "python-fatal")
    assert 'File "/probe.py", line 12 in body' in crash.backtrace


def test_plain_signal_without_a_runtime_message() -> None:
    crash = classify_signal(signal.SIGABRT, "", "teardown")
    assert (crash.signal, crash.kind, crash.backtrace) == ("SIGABRT", "signal", "")


def test_unknown_signal_numbers_are_named_by_number() -> None:
    assert signal_name(signal.SIGKILL) == "SIGKILL"
    assert signal_name(77) == "signal 77"
