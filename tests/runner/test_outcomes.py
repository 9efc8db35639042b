"""Each outcome produced end to end: real probe processes, real signals, the real CLI and its JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from runner_cli import PROBES, python_probe

from leakcheck.runner.exceptions import sdk_not_importable


def test_clean_probe_passes_with_every_series_recorded(leakcheck) -> None:
    run = leakcheck(python_probe("clean", "pass"))
    assert run.returncode == 0, run.stdout + run.stderr
    results = run.results
    assert results["schema"] == "leakcheck.run" and results["schema_version"] == 2
    assert results["complete"] is True and results["exit_code"] == 0
    assert {"commit", "dirty", "machine", "versions", "time"} <= set(results["provenance"])
    attempt = run.probe("python.clean")["attempts"][0]
    assert attempt["outcome"] == "PASS"
    assert attempt["samples"]["columns"] == ["t", "i", "rss", "vms", "fds", "threads", "processes", "anon"]
    # The interpreter's code is file-backed, so the anonymous part is less than RSS once the loop runs (a sample at
    # start-up may catch the process between fork and exec: 0 anonymous pages, seen in a run under load).
    assert all(0 < row[7] < row[2] for row in attempt["samples"]["rows"] if row[1] is not None)
    assert [tick["i"] for tick in attempt["ticks"]] == list(range(200))  # 200 // 200: a tick every iteration
    assert attempt["ticks"][-1]["counters"]["py_gc_objects"] > 0
    assert attempt["sampler"]["rate_hz"] >= 90
    assert any(f["signal"] == "rss" for f in attempt["findings"])


def test_steady_leak_is_a_leak(leakcheck) -> None:
    run = leakcheck(python_probe("leaky", "leak"))
    assert run.returncode == 1
    probe = run.probe("python.leaky")
    assert probe["outcome"] == "LEAK", probe["reason"]
    # 64 KiB a call, seen by the memory trends (RSS, or the traced memory when 200 fast calls leave RSS too few
    # samples to judge).
    failed = [f for f in probe["attempts"][-1]["findings"] if f["failed"]]
    # RSS's trend, and the preload counter's live bytes rising in every segment
    assert failed and all((f["kind"] == "trend" and f["figures"]["slope"] > 60 * 1024) or f["kind"] == "segments"
                          for f in failed), failed
    assert any(f["kind"] == "trend" for f in failed), failed


def test_segfault_is_a_crash_with_signal_phase_and_python_stack(leakcheck) -> None:
    run = leakcheck(python_probe("segv", "segv"))
    assert run.returncode == 1
    attempt = run.probe("python.segv")["attempts"][0]
    assert attempt["outcome"] == "CRASH"
    assert attempt["crash"]["signal"] == "SIGSEGV" and attempt["crash"]["number"] == 11
    assert attempt["crash"]["phase"] == "measure"
    assert "act_once" in attempt["crash"]["backtrace"]
    assert "killed by SIGSEGV (11)" in attempt["reason"] and "after iteration 99" in attempt["reason"]


def test_abort_is_a_crash_by_sigabrt(leakcheck) -> None:
    attempt = leakcheck(python_probe("abort", "abort")).probe("python.abort")["attempts"][0]
    assert (attempt["outcome"], attempt["crash"]["signal"]) == ("CRASH", "SIGABRT")


def test_hang_is_a_timeout_with_stacks_dumped_before_the_kill(leakcheck) -> None:
    run = leakcheck(python_probe("hang", "hang"), "--timeout", "3")
    attempt = run.probe("python.hang")["attempts"][0]
    assert attempt["outcome"] == "TIMEOUT"
    assert attempt["hang"]["phase"] == "measure"
    assert "Python stacks (faulthandler)" in attempt["hang"]["stacks"]
    assert "act_once" in attempt["hang"]["stacks"]
    assert Path(attempt["files"]["stderr"]).parent.joinpath("stacks.txt").exists()


def test_hang_in_native_call_holding_the_gil_is_caught_and_dumped(leakcheck) -> None:
    attempt = leakcheck(python_probe("gil", "hang-native-gil"), "--timeout", "3").probe("python.gil")["attempts"][0]
    assert attempt["outcome"] == "TIMEOUT"
    assert "act_once" in attempt["hang"]["stacks"]  # faulthandler's C handler needs no GIL
    assert attempt["duration_s"] < 40


def test_nonzero_exit_is_a_failure_naming_status_and_phase(leakcheck) -> None:
    probe = leakcheck(python_probe("exit", "exit")).probe("python.exit")
    assert probe["outcome"] == "FAIL"
    assert probe["reason"] == "exited with status 3 in phase measure"


def test_failed_probe_check_is_a_failure(leakcheck) -> None:
    probe = leakcheck(python_probe("check", "failcheck")).probe("python.check")
    assert probe["outcome"] == "FAIL"
    assert probe["reason"] == "check freed failed: 0.2 >= 0.7 is false"


def test_failed_check_with_a_growing_series_is_a_leak_keeping_the_check(leakcheck) -> None:
    probe = leakcheck(python_probe("leakcheck", "leak-failcheck")).probe("python.leakcheck")
    assert probe["outcome"] == "LEAK", probe["reason"]
    reasons = probe["attempts"][0]["reasons"]
    assert any("RSS" in r for r in reasons)
    assert "check freed failed: 0.2 >= 0.7 is false" in reasons


def test_malformed_event_line_is_a_protocol_error(leakcheck) -> None:
    probe = leakcheck(python_probe("garbage", "garbage")).probe("python.garbage")
    assert probe["outcome"] == "ERROR"
    assert probe["reason"].startswith("protocol error: line ") and "is not JSON" in probe["reason"]


def test_memory_cap_kills_and_reports_out_of_memory_with_peak(leakcheck) -> None:
    config = python_probe("hog", "memhog") + 'memory_cap = "300MB"\n'
    attempt = leakcheck(config).probe("python.hog")["attempts"][0]
    assert attempt["outcome"] == "CRASH"
    assert attempt["crash"]["kind"] == "out-of-memory"
    assert attempt["peak_rss"] > 300_000_000
    assert "out of memory" in attempt["reason"] and "peak RSS" in attempt["reason"]


def test_pass_after_failure_is_flaky_with_every_attempt_kept(leakcheck, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    config = python_probe("flaky", "flaky", FLAKY_MARKER=str(tmp_path / "marker"))
    run = leakcheck(config, "--retries", "2", "--junit", str(junit))
    assert run.returncode == 0
    probe = run.probe("python.flaky")
    assert probe["outcome"] == "FLAKY"
    assert [a["outcome"] for a in probe["attempts"]] == ["FAIL", "PASS"]
    case = ET.parse(junit).getroot().find("testcase")
    assert case is not None and case.find("flakyFailure") is not None and case.find("failure") is None


def test_without_retries_a_failure_stays_a_failure(leakcheck, tmp_path: Path) -> None:
    run = leakcheck(python_probe("flaky", "flaky", FLAKY_MARKER=str(tmp_path / "marker")))
    assert run.returncode == 1 and run.probe("python.flaky")["outcome"] == "FAIL"


def test_probe_without_sdk_is_judged_over_time(leakcheck) -> None:
    silent = (f'[probes."native.{{name}}"]\nlang = "native"\ncommand = ["{{{{python}}}}", "{PROBES / "silent_probe.py"}"]\n'
              'iterations = 1\nenv = {{ LEAK_KIB = "{kib}", DURATION = "3" }}\n')
    run = leakcheck(silent.format(name="steady", kib=0) + silent.format(name="growing", kib=200))
    steady, growing = run.probe("native.steady"), run.probe("native.growing")
    assert steady["outcome"] == "PASS", steady["reason"]
    assert growing["outcome"] == "LEAK", growing["reason"]
    assert "/s" in growing["reason"]


def test_a_probe_that_cannot_run_is_an_error_and_only_a_missing_requirement_a_skip(leakcheck) -> None:
    """Fail closed: a missing command, interpreter or a misspelt placeholder fails the run; SKIP is only for a
    path the probe declares in `requires`."""
    config = ('[probes."native.absent"]\nlang = "native"\ncommand = ["no-such-tool-here"]\niterations = 10\n'
              '[probes."python.typo"]\nlang = "python"\ncommand = ["{pythn}", "-c", "pass"]\niterations = 10\n'
              '[probes."python.venv"]\nlang = "python"\npython = "no-venv/bin/python"\n'
              'command = ["{python}", "-c", "pass"]\niterations = 10\n')
    run = leakcheck(config)
    assert run.returncode == 1
    assert run.probe("native.absent")["outcome"] == "ERROR"
    assert run.probe("native.absent")["reason"].startswith("no-such-tool-here not found (neither on PATH nor under ")
    assert run.probe("python.typo")["outcome"] == "ERROR"
    assert "unknown placeholder {pythn}" in run.probe("python.typo")["reason"]
    assert run.probe("python.venv")["outcome"] == "ERROR"
    assert "no-venv/bin/python not found" in run.probe("python.venv")["reason"]


def test_a_missing_requirement_is_a_skip_with_the_reason(leakcheck) -> None:
    config = ('setup = "make probes"\n[vars]\nout = "{root}/out"\n'
              '[probes."zig.unbuilt"]\nlang = "zig"\ncommand = ["{out}/bin/none"]\niterations = 10\n'
              'requires = ["{out}/bin/none"]\n')
    run = leakcheck(config)
    assert run.returncode == 0
    assert run.probe("zig.unbuilt")["outcome"] == "SKIP"
    assert run.probe("zig.unbuilt")["reason"].endswith("out/bin/none does not exist (run make probes)")


def test_junit_marks_crash_as_error_and_leak_as_failure(leakcheck, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    leakcheck(python_probe("segv", "segv") + python_probe("leaky", "leak"), "--junit", str(junit))
    cases = {case.get("name"): case for case in ET.parse(junit).getroot().iter("testcase")}
    error = cases["python.segv"].find("error")
    assert error is not None and error.get("type") == "SIGSEGV"
    failure = cases["python.leaky"].find("failure")
    assert failure is not None and failure.get("type") == "LEAK"


def test_native_crash_gets_a_gdb_backtrace_from_its_core_and_the_core_is_removed(leakcheck, tmp_path: Path) -> None:
    config = ('[probes."node.segv"]\nlang = "node"\n'
              "command = [\"{node}\", \"-e\", \"process.kill(process.pid, 'SIGSEGV')\"]\niterations = 1\n")
    attempt = leakcheck(config).probe("node.segv")["attempts"][0]
    assert (attempt["outcome"], attempt["crash"]["signal"]) == ("CRASH", "SIGSEGV")
    assert attempt["crash"]["backtrace"].startswith("#0 ") or "Thread 1" in attempt["crash"]["backtrace"]
    assert not (tmp_path / "core").exists()


def test_stall_watchdog_fires_when_no_event_comes(leakcheck) -> None:
    config = python_probe("stalled", "hang") + 'stall_timeout = "1s"\ntimeout = "60s"\n'
    attempt = leakcheck(config).probe("python.stalled")["attempts"][0]
    assert attempt["outcome"] == "TIMEOUT" and attempt["hang"]["watchdog"] == "stall"
    assert attempt["reason"].startswith("wrote no event for 1s, in phase measure")
    assert attempt["duration_s"] < 30


def test_repeat_runs_each_probe_again_in_a_fresh_process(leakcheck) -> None:
    run = leakcheck(python_probe("clean", "pass"), "--repeat", "2")
    assert run.returncode == 0
    probes = run.results["probes"]
    assert [(p["name"], p["repeat"], p["outcome"]) for p in probes] == [("python.clean", 1, "PASS"),
                                                                       ("python.clean", 2, "PASS")]
    first, second = (Path(p["attempts"][0]["files"]["stderr"]).parent for p in probes)
    assert first != second


def test_sampler_counts_children_of_the_probe(leakcheck) -> None:
    child = "x = b'\\\\x01' * (200 << 20); import time; time.sleep(3)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', \\\"{child}\\\"])"
    config = f'[probes."native.parent"]\nlang = "native"\ncommand = ["{{python}}", "-c", "{parent}"]\niterations = 1\n'
    attempt = leakcheck(config).probe("native.parent")["attempts"][0]
    rows = attempt["samples"]["rows"]
    assert max(row[6] for row in rows) == 2  # processes: the probe and its child
    assert attempt["peak_rss"] > 200 << 20


def test_jobs_run_probes_side_by_side_with_every_result_kept(leakcheck) -> None:
    config = "".join(python_probe(name, behaviour) for name, behaviour in
                     (("a", "pass"), ("b", "exit"), ("c", "pass"), ("d", "failcheck")))
    run = leakcheck(config, "--jobs", "2")
    outcomes = {p["name"]: p["outcome"] for p in run.results["probes"]}
    assert outcomes == {"python.a": "PASS", "python.b": "FAIL", "python.c": "PASS", "python.d": "FAIL"}
    assert run.results["selection"]["jobs"] == 2 and run.returncode == 1


def test_fail_on_turns_skip_into_a_failing_exit_code(leakcheck) -> None:
    config = ('[probes."native.absent"]\nlang = "native"\ncommand = ["true"]\niterations = 10\n'
              'requires = ["not-built"]\n')
    assert leakcheck(config).returncode == 0
    assert leakcheck(config, "--fail-on", "skip").returncode == 1
    assert leakcheck(config, "--fail-on", "pass").returncode == 2


def test_a_probe_that_cannot_load_its_sdk_is_an_error_that_says_why(leakcheck, tmp_path: Path) -> None:
    """python -I ignores the PYTHONPATH that carries the SDK: the probe dies before its hello."""
    probe = tmp_path / "isolated.py"
    probe.write_text("from leakcheck_probe import run_probe\nrun_probe('python.isolated', lambda ctx, i: None)\n")
    config = (f'[probes."python.isolated"]\nlang = "python"\ncommand = ["{{python}}", "-I", "{probe}"]\n'
              'iterations = 10\n')
    run = leakcheck(config)
    assert run.returncode == 1
    result = run.probe("python.isolated")
    assert result["outcome"] == "ERROR"
    assert result["reason"].startswith("the probe cannot load the SDK 'leakcheck_probe'")


def test_the_node_sdk_missing_is_named_too() -> None:
    stderr = "node:internal/modules/cjs/loader:1228\n  throw err;\nError: Cannot find module 'leakcheck-probe'\n"
    assert (sdk_not_importable(stderr) or "").startswith("the probe cannot load the SDK 'leakcheck-probe'")
    assert sdk_not_importable("ModuleNotFoundError: No module named 'numpy'") is None


FD_LEAKS = {
    "python": ('["{python}", "-c", "import os; from leakcheck_probe import run_probe; '
               "run_probe('python.fds', lambda c, i: os.open(os.devnull, os.O_RDONLY))\"]"),
    "node": ('["{node}", "--expose-gc", "-e", "const fs = require(\'fs\'); '
             "require('leakcheck-probe').runProbe({ name: 'node.fds', body: () => { fs.openSync('/dev/null', 'r'); } })\"]"),
}


@pytest.mark.parametrize("lang", sorted(FD_LEAKS))
def test_one_fd_per_call_is_a_leak_from_the_sdks_own_count(leakcheck, lang: str) -> None:
    """300 calls in well under a second: the 5 Hz poll sees a few jumps, the ticks see every descriptor."""
    config = f'[probes."{lang}.fds"]\nlang = "{lang}"\ncommand = {FD_LEAKS[lang]}\niterations = 300\n'
    run = leakcheck(config)
    probe = run.probe(f"{lang}.fds")
    assert probe["outcome"] == "LEAK", probe["reason"]
    assert probe["reason"].startswith("open file descriptors +"), probe["reason"]
    assert "grows in every segment" in probe["reason"]
