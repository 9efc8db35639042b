"""The results schema: every writer's document reads back as the object it was written from, the file
`leakcheck run` writes reads back whole, and a bad field is an error that names its path."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from leakcheck.history.store import RunFileError, read_run
from leakcheck.output.json_results import JsonResults
from leakcheck.results import (
    AllocationSite,
    Attempt,
    Attribution,
    Check,
    Crash,
    Hang,
    Hello,
    ProbeResult,
    Sample,
    SamplerStats,
    SiteReport,
    Tick,
)
from leakcheck.schema import (
    Machine,
    Provenance,
    RunDocument,
    RunSelection,
    SchemaError,
    ShardSource,
    attempt_document,
    probe_document,
    run_document,
    run_from_document,
    summarise,
)
from leakcheck.tools.model import DEFINITE, FdLeak, Frame, LeakRecord, ToolReport

FRAME = Frame("optimizer.prepare", "/src/optimizer.zig", 143, "/lib/libsubject.so")
TOOL = ToolReport("valgrind", (LeakRecord(DEFINITE, 4096, 2, (Frame("malloc"), FRAME), True, FRAME),),
                  fds=(FdLeak(7, "/tmp/x", (FRAME,), True, FRAME),), files=("valgrind.xml",), problem="",
                  sees_fds=True)
SAMPLES = tuple(Sample(t=k * 0.25, i=None if k == 0 else 10 * k, rss=40_000_000 + 4096 * k, vms=300_000_000,
                       fds=4, threads=2, processes=1) for k in range(12))
"""Short (not thinned) and with times of at most 4 decimals, which is what the document keeps."""
SITES = SiteReport(1800, (AllocationSite("/p/probe.py", 37, 7_430_000, 1799, 4127.8),))
FINDING = {"signal": "rss", "kind": "trend", "failed": True, "figures": {"slope": 409.6, "ci_low": 400.0},
           "reason": "RSS slope 410 B/iter"}


def full_attempt(number: int, outcome: str) -> Attempt:
    return Attempt(number=number, outcome=outcome, reasons=("first reason", "second"), key_figure="slope 410 B/iter",
                   returncode=-11, phase="measure", last_tick=110, duration_s=3.5, peak_rss=40_045_056,
                   files={"stdout": "/runs/x/stdout.log", "samples": "/runs/x/samples.csv"}, samples=SAMPLES,
                   ticks=(Tick(0.5, 0, "warmup", {}), Tick(1.25, 10, "measure", {"lib_live_bytes": 64.0})),
                   tick_count=2,
                   checks=(Check("gc freed", 0.5, ">=", 0.7, False),), findings=(FINDING,),
                   started_at=1_764_000_000.5, crash=Crash("SIGSEGV", 11, "measure", "signal", "#0 f"),
                   hang=Hang("stall", 30.0, "measure", "Thread 1"), sampler=SamplerStats(12, 10.0, 0.02, 0.01),
                   output_tail="last line", tool=TOOL, hello=Hello(2, "zig.p", "zig", 120, 12),
                   notes=("the probe planned 120 iterations",),
                   log_cuts={"stdout": {"written": 3_000_000, "kept": 1_048_576, "cut": 1_951_424}},
                   left_running=({"pid": 4242, "command": "sleep 600"},), interrupted=outcome == "ERROR",
                   iterations=30 * 4 ** (number - 1),
                   escalation=f"inconclusive: 30 → {30 * 4 ** (number - 1)} iterations" if number > 1 else "",
                   sites=SITES,
                   exit_snapshot={"preload_live_blocks": 1204.0, "preload_live_bytes": 98_560.0, "fds": 4.0,
                                  "threads": 1.0})


def full_run() -> RunDocument:
    probes = (ProbeResult("zig.p", "zig", "fast", 120, "FLAKY", (full_attempt(1, "LEAK"), full_attempt(2, "PASS")),
                          repeat=2, attribution=Attribution("re-run", SITES, "LEAK", "1 site grew", "/runs/x/t")),
              ProbeResult("node.r", "node", "fast", 120, "ERROR", (full_attempt(1, "ERROR"),)),  # interrupted
              ProbeResult("python.q", "python", "fast", 40, "ERROR", (Attempt(1, "ERROR", ("no command",), "", None,
                                                                              "start", None, 0.0, 0, {}),)))
    provenance = Provenance(time="2026-12-01T10:00:00+00:00", commit="c" * 40, dirty=True,
                            machine=Machine("vm", "Linux", 2, 25_000_000_000, 0.5),
                            versions={"leakcheck": "0.1.0", "node": None}, subject="libsubject",
                            library_path="/lib/libsubject.so")
    selection = RunSelection(suite="fast", lang="zig,python", patterns=("p",), excluded=("slow",), repeat=2,
                             retries=1, timeout=60.0, shard="1/2", jobs=2, tool="valgrind", tool_iterations=30,
                             tool_subject="libsubject", log_cap=16_777_216, tracemalloc=True)
    return RunDocument(probes=probes, provenance=provenance, config="/p/leakcheck.toml", run_dir="/runs/x",
                       selection=selection, complete=True, interrupted=False, exit_code=1, summary=summarise(probes),
                       harness={"wall_seconds": 4.0}, mutant="result-buffer",
                       shards=(ShardSource("/runs/a/results.json", selection, provenance),))


def test_every_field_round_trips_through_the_document_and_its_json() -> None:
    run = full_run()
    assert run_from_document(run_document(run)) == run
    assert run_from_document(json.loads(json.dumps(run_document(run)))) == run
    assert run_from_document(run_document(RunDocument(probes=()))) == RunDocument(probes=())


def test_the_file_the_run_writes_reads_back_whole(tmp_path: Path) -> None:
    """What JsonResults writes and what the schema writes are one shape: no key left out of the schema."""
    header = {"provenance": run_document(full_run())["provenance"], "config": "/p/leakcheck.toml",
              "run_dir": str(tmp_path), "selection": run_document(full_run())["selection"]}
    writer = JsonResults([tmp_path / "results.json"], header)
    for probe in full_run().probes:
        writer.add(probe)
    writer.finish(interrupted=False, exit_code=1, harness={"wall_seconds": 4.0})
    written = json.loads((tmp_path / "results.json").read_text())
    run = read_run(tmp_path)
    assert run.probes == full_run().probes and run.summary == {"FLAKY": 1, "ERROR": 2}
    assert json.loads(json.dumps(run_document(run))) == written


def test_every_field_of_an_attempt_and_a_probe_is_written() -> None:
    """The writers name each field: one added to the runtime objects must be added to the document too."""
    probe = full_run().probes[0]
    assert {f.name for f in dataclasses.fields(Attempt)} <= set(attempt_document(probe.attempts[0]))
    assert {f.name for f in dataclasses.fields(ProbeResult)} <= set(probe_document(probe))
    assert {f.name for f in dataclasses.fields(RunDocument)} - {"schema_version"} <= set(run_document(full_run()))


def _document() -> dict[str, Any]:
    return json.loads(json.dumps(run_document(full_run())))


def _set(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target: Any = changed
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


@pytest.mark.parametrize(("path", "value", "message"), [
    (("probes", 1, "name"), KeyError, "probes[1].name: missing"),
    (("summary",), ["PASS"], "summary: expected an object, got ['PASS']"),
    (("provenance",), "yesterday", "provenance: expected an object, got 'yesterday'"),
    (("probes", 0, "attempts", 1, "samples", "rows", 3, 2), "x",
     "probes[0].attempts[1].samples.rows[3][2]: expected a number, got 'x'"),
    (("probes", 0, "attempts", 0, "samples", "rows", 0), [1, 2],
     "probes[0].attempts[0].samples.rows[0]: expected a row of 8 values, got [1, 2]"),
    (("probes", 1, "attempts"), [], "probes[1].attempts: expected at least one attempt, got []"),
    (("probes", 0, "attempts", 0, "peak_rss"), "x", "probes[0].attempts[0].peak_rss: expected a number, got 'x'"),
    (("probes", 0, "attempts", 0, "peak_rss"), 1.5, "probes[0].attempts[0].peak_rss: expected a whole number"),
    (("probes", 0, "attempts", 0, "ticks", 1, "counters", "lib_live_bytes"), None,
     "probes[0].attempts[0].ticks[1].counters.lib_live_bytes: expected a number, got None"),
    (("probes", 0, "attempts", 0, "crash", "signal"), KeyError, "probes[0].attempts[0].crash.signal: missing"),
    (("probes", 0, "attempts", 0, "tool", "records", 0, "stack", 1, "line"), "143",
     "probes[0].attempts[0].tool.records[0].stack[1].line: expected a number, got '143'"),
    (("probes", 0, "attempts", 0, "findings", 0, "failed"), "yes",
     "probes[0].attempts[0].findings[0].failed: expected true or false, got 'yes'"),
    (("probes", 0, "attempts", 0, "hello", "protocol"), None,
     "probes[0].attempts[0].hello.protocol: expected a number, got None"),
    (("probes", 0, "repeat"), True, "probes[0].repeat: expected a number, got True"),
    (("probes", 0, "attempts", 0, "left_running", 0, "pid"), "4242",
     "probes[0].attempts[0].left_running[0].pid: expected a number, got '4242'"),
    (("probes", 0, "attempts", 0, "log_cuts", "stdout"), 5, "probes[0].attempts[0].log_cuts.stdout: expected an object"),
    (("probes", 0, "attempts", 0, "exit_snapshot", "fds"), "4",
     "probes[0].attempts[0].exit_snapshot.fds: expected a number, got '4'"),
    (("probes", 0, "attempts", 0, "exit_snapshot"), [4], "probes[0].attempts[0].exit_snapshot: expected an object"),
    (("selection", "patterns"), "p", "selection.patterns: expected a list, got 'p'"),
    (("probes", 0, "attempts", 0, "sites", "sites", 0, "line"), "37",
     "probes[0].attempts[0].sites.sites[0].line: expected a number, got '37'"),
    (("probes", 0, "attribution", "report", "iterations"), KeyError,
     "probes[0].attribution.report.iterations: missing"),
    (("exit_code",), "1", "exit_code: expected a number, got '1'"),
    (("probes",), {}, "probes: expected a list, got {}"),
    (("probes", 0), "zig.p", "probes[0]: expected an object, got 'zig.p'"),
])
def test_a_bad_field_is_an_error_naming_its_path(path: tuple[str | int, ...], value: Any, message: str) -> None:
    with pytest.raises(SchemaError) as raised:
        run_from_document(_set(_document(), path, value))
    assert str(raised.value).startswith(message)


def test_fields_that_have_defaults_may_be_missing_and_unknown_keys_are_ignored() -> None:
    document = _document()
    attempt = document["probes"][2]["attempts"][0]
    for key in ("samples", "ticks", "checks", "findings", "started_at", "crash", "hang", "sampler", "output_tail",
                "hello", "notes", "exit_snapshot"):
        attempt.pop(key, None)
    attempt["added_later"] = {"anything": 1}
    for key in ("provenance", "selection", "harness", "mutant", "shards", "config", "run_dir"):
        document.pop(key)
    run = run_from_document(document)
    assert run.probes[2] == full_run().probes[2] and run.provenance == Provenance()
    assert run.selection == RunSelection() and run.harness is None


def test_read_run_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(_set(_document(), ("probes", 0, "attempts", 0, "duration_s"), [])))
    with pytest.raises(RunFileError, match=r"results.json: probes\[0\]\.attempts\[0\]\.duration_s: expected a "
                                           r"number, got \[\]"):
        read_run(path)
