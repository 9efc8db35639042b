"""One results.json that parses and names the schema but has a bad field: history, report and compare (the
real CLI, in its own process) skip it with one warning naming the file and the field, and show the others."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .runs import SyntheticProbe, write_run

HEALTHY, BAD = "20261123T100000Z-fast", "20261123T110000Z-fast"
"""The bad run is the newer one: `latest` and the index must step over it."""
PROBES = [SyntheticProbe("zig.steady", samples=40, iterations=200), SyntheticProbe("node.fine", samples=40,
                                                                                    iterations=200)]


@dataclass(frozen=True)
class Damage:
    name: str
    path: tuple[str | int, ...]
    value: Any
    field: str
    """What the warning names."""


DAMAGES = [
    Damage("probe without name", ("probes", 1, "name"), KeyError, "probes[1].name: missing"),
    Damage("summary a list", ("summary",), ["PASS", 2], "summary: expected an object, got ['PASS', 2]"),
    Damage("provenance a string", ("provenance",), "unknown", "provenance: expected an object, got 'unknown'"),
    Damage("non-numeric sample row", ("probes", 0, "attempts", 0, "samples", "rows", 5), ["t", 1, "x", 0, 0, 0, 0, None],
           "probes[0].attempts[0].samples.rows[5][0]: expected a number, got 't'"),
    Damage("no attempts", ("probes", 0, "attempts"), [], "probes[0].attempts: expected at least one attempt, got []"),
]


def _damaged(document: dict[str, Any], damage: Damage) -> dict[str, Any]:
    target: Any = document
    for key in damage.path[:-1]:
        target = target[key]
    if damage.value is KeyError:
        del target[damage.path[-1]]
    else:
        target[damage.path[-1]] = damage.value
    return document


def leakcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leakcheck.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, check=False)


def _reports(tmp_path: Path, damage: Damage) -> tuple[Path, Path]:
    runs = tmp_path / "reports" / "runs"
    write_run(runs / HEALTHY, PROBES, commit="1" * 40)
    bad = write_run(runs / BAD, PROBES, commit="2" * 40)
    bad.write_text(json.dumps(_damaged(json.loads(bad.read_text()), damage)))
    return runs, bad


def _warned(stderr: str, bad: Path, damage: Damage) -> None:
    assert "Traceback" not in stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("leakcheck: warning: skipped")]
    assert warnings == [f"leakcheck: warning: skipped {bad}: {damage.field}"]


@pytest.mark.parametrize("damage", DAMAGES, ids=[d.name for d in DAMAGES])
def test_history_report_and_compare_skip_the_bad_run_and_show_the_healthy_one(tmp_path: Path,
                                                                              damage: Damage) -> None:
    runs, bad = _reports(tmp_path, damage)
    history = leakcheck("history", "--runs-dir", str(runs), cwd=tmp_path)
    assert history.returncode == 0, history.stderr
    _warned(history.stderr, bad, damage)
    assert "1 recorded run(s)" in history.stdout and HEALTHY in history.stdout and BAD not in history.stdout

    page = tmp_path / "report.html"
    report = leakcheck("report", "latest", "-o", str(page), "--runs-dir", str(runs), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    _warned(report.stderr, bad, damage)
    assert f"leakcheck {HEALTHY}" in page.read_text() and "zig.steady" in page.read_text()

    compare = leakcheck("compare", HEALTHY, "latest", "--runs-dir", str(runs), cwd=tmp_path)
    assert compare.returncode == 0, compare.stderr
    _warned(compare.stderr, bad, damage)
    assert f"base {HEALTHY}" in compare.stdout and f"head {HEALTHY}" in compare.stdout


@pytest.mark.parametrize("damage", DAMAGES[::2], ids=[d.name for d in DAMAGES[::2]])
def test_naming_the_bad_run_is_a_usage_error_that_names_the_file_and_field(tmp_path: Path, damage: Damage) -> None:
    runs, bad = _reports(tmp_path, damage)
    for command in (["compare", str(bad), HEALTHY, "--runs-dir", str(runs)],
                    ["report", str(bad.parent), "-o", str(tmp_path / "r.html"), "--runs-dir", str(runs)],
                    ["merge", str(bad), str(runs / HEALTHY), "-o", str(tmp_path / "merged.json")]):
        completed = leakcheck(*command, cwd=tmp_path)
        assert completed.returncode == 2, completed.stderr
        assert "Traceback" not in completed.stderr
        assert f"leakcheck {command[0]}: {bad}: {damage.field}" in completed.stderr
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "merged.json").exists()


def test_a_damaged_index_entry_is_read_again_from_its_results_file(tmp_path: Path) -> None:
    runs, _ = _reports(tmp_path, DAMAGES[0])
    assert leakcheck("history", "--runs-dir", str(runs), cwd=tmp_path).returncode == 0
    index = runs.parent / "history" / "index.json"
    document = json.loads(index.read_text())
    entry = document["runs"][str(runs / HEALTHY / "results.json")]
    entry["probes"][0]["peak_rss"] = "lots"
    index.write_text(json.dumps(document))
    history = leakcheck("history", "zig.steady", "--runs-dir", str(runs), cwd=tmp_path)
    assert history.returncode == 0 and "Traceback" not in history.stderr
    assert HEALTHY in history.stdout and "MiB" in history.stdout
    assert json.loads(index.read_text())["runs"][str(runs / HEALTHY / "results.json")]["probes"][0]["peak_rss"] > 0


def test_a_base_whose_probe_sampled_nothing_is_no_regression(tmp_path: Path) -> None:
    """A probe that never started (ERROR, no samples, peak RSS 0 B) in the base: its figures are not compared."""
    runs = tmp_path / "reports" / "runs"
    base = write_run(runs / HEALTHY, PROBES)
    document = json.loads(base.read_text())
    for probe in document["probes"]:
        probe["outcome"] = "ERROR"
        probe["attempts"] = [{**probe["attempts"][0], "outcome": "ERROR", "peak_rss": 0, "duration_s": 0.0,
                              "samples": {"columns": ["t", "i", "rss", "vms", "fds", "threads", "processes"],
                                          "rows": []},
                              "ticks": [], "findings": []}]
    document["summary"] = {"ERROR": 2}
    base.write_text(json.dumps(document))
    write_run(runs / BAD, PROBES, seed=1)
    compare = leakcheck("compare", HEALTHY, BAD, "--runs-dir", str(runs), cwd=tmp_path)
    assert compare.returncode == 0, compare.stdout
    assert "Traceback" not in compare.stderr and "0 B →" not in compare.stdout
    assert "zig.steady: peak RSS: no data in the base run: not compared" in compare.stdout
    assert "node.fine: duration: no data in the base run: not compared" in compare.stdout
    assert compare.stdout.rstrip().endswith("no regression")
