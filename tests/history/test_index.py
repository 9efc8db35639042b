"""The history index: skips bad files with a warning naming them, stays fast, survives concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path

from leakcheck.history.index import index_path, load_history

from .runs import SyntheticProbe, write_run

PROBES = [SyntheticProbe("zig.a", samples=50, iterations=200), SyntheticProbe("node.b", samples=50, iterations=200)]


def test_corrupt_and_unknown_version_files_are_skipped_with_a_warning_naming_them(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write_run(runs / "20261123T100000Z-fast", PROBES)
    (runs / "20261123T110000Z-fast").mkdir()
    (runs / "20261123T110000Z-fast" / "results.json").write_text('{"schema": "leakcheck.run", "schema_ver')
    future = write_run(runs / "20261123T120000Z-fast", PROBES)
    future.write_text(json.dumps({**json.loads(future.read_text()), "schema_version": 99}))
    history = load_history(runs)
    assert [r.run_id for r in history.runs] == ["20261123T100000Z-fast"]
    assert len(history.warnings) == 2
    assert "20261123T110000Z-fast/results.json: not valid JSON" in history.warnings[0]
    assert "unknown schema_version 99" in history.warnings[1]


def test_hundreds_of_runs_are_read_once_then_from_the_index(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    template = write_run(runs / "20261123T000000Z-fast", PROBES).read_text()
    for k in range(1, 300):
        (runs / f"20261123T{k:06d}Z-fast").mkdir()
        (runs / f"20261123T{k:06d}Z-fast" / "results.json").write_text(template)
    started = time.monotonic()
    assert len(load_history(runs).runs) == 300
    first = time.monotonic() - started
    started = time.monotonic()
    history = load_history(runs)
    cached = time.monotonic() - started
    print(f"300 runs: first {first:.2f} s, from the index {cached:.3f} s")
    assert len(history.runs) == 300 and cached < 1.0 and cached < first


def _update(runs: str, start: int) -> None:
    for k in range(start, start + 10):
        write_run(Path(runs) / f"20261123T{k:06d}Z-fast", PROBES, seed=k)
        load_history(Path(runs))


def test_concurrent_writers_leave_a_complete_valid_index(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_update, args=(str(runs), start)) for start in (0, 100, 200)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    json.loads(index_path(runs).read_text())  # never a half-written file
    history = load_history(runs)
    assert len(history.runs) == 30 and history.warnings == ()


def test_history_command_lists_runs_and_a_probe_and_warns_about_bad_files(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from leakcheck.cli import main

    runs = tmp_path / "runs"
    write_run(runs / "20261123T100000Z-fast", PROBES, commit="1" * 40)
    write_run(runs / "20261123T110000Z-fast", [SyntheticProbe("zig.a", "LEAK", leak_per_iter=4096, samples=50,
                                                              iterations=200)], commit="2" * 40)
    (runs / "20261123T120000Z-fast").mkdir()
    (runs / "20261123T120000Z-fast" / "results.json").write_text("not json")
    assert main(["history", "--runs-dir", str(runs)]) == 0
    captured = capsys.readouterr()
    assert "2 recorded run(s)" in captured.out and "20261123T110000Z-fast" in captured.out
    assert "20261123T120000Z-fast/results.json: not valid JSON" in captured.err
    assert main(["history", "zig.a", "--runs-dir", str(runs)]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "LEAK" in out and "2222222222" in out
    assert main(["history", "zig.nothing", "--runs-dir", str(runs)]) == 1
    assert "no recorded run has probe 'zig.nothing'" in capsys.readouterr().err
