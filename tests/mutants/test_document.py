"""The score's JSON document and its view-model (terminal table and HTML section), from a real mutation run;
`leakcheck report` finds the latest score beside the runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from history.runs import SyntheticProbe, write_run

from leakcheck.cli import main
from leakcheck.mutants.document import (
    SCHEMA,
    SCORE_NAME,
    ScoreFileError,
    latest_score_file,
    load_score,
    previous_catches,
    score_document,
    write_score,
)
from leakcheck.mutants.run import MutationRun
from leakcheck.mutants.view import build_mutation_view
from leakcheck.report.html import render_html
from leakcheck.report.model import build_mutation_report

HOSTILE = "<script>document.title='pwned'</script>"
HEADER = {"provenance": {"commit": "b" * 40, "time": "2026-11-23T17:00:00+00:00"},
          "selection": {"suite": "fast", "first_catch": False, "budget": None}}


@pytest.fixture
def document(every_probe: MutationRun, tmp_path: Path) -> dict[str, object]:
    return _document(every_probe, tmp_path / "scores" / "20261123T170000Z-fast" / SCORE_NAME)


def _document(run: MutationRun, path: Path) -> dict[str, object]:
    write_score(score_document(run.score, HEADER, out_of_budget=run.out_of_budget, exit_code=1, wall_s=12.5), [path])
    return load_score(path)


def test_the_document_is_versioned_and_carries_cells_signals_and_scores(document: dict[str, object]) -> None:
    assert document["schema"] == SCHEMA and document["schema_version"] == 1
    assert document["languages"] == ["python", "zig"] and document["passed"] is False
    both = document["mutants"][0]  # type: ignore[index]
    assert both["name"] == "both" and both["languages"]["zig"] == {"status": "caught", "caught_by": ["zig.only"],
                                                                  "ran": ["zig.only"]}
    quick = next(p for p in both["probes"] if p["probe"] == "python.quick")
    assert {"kind": "exact counter", "detail": "lib_live_bytes"} in quick["signals"] and quick["caught"]
    assert document["scores"] == [{"lang": "python", "caught": 2, "total": 2, "percent": 100.0},
                                  {"lang": "zig", "caught": 1, "total": 2, "percent": 50.0}]
    assert document["misses"] == [{"mutant": "python-only", "lang": "zig", "status": "hole"}]


def test_the_view_lists_catches_by_signal_and_holes_per_language(document: dict[str, object]) -> None:
    view = build_mutation_view(document, run_commit="c" * 40)
    assert view.languages == ("python", "zig") and [row.name for row in view.rows] == ["both", "python-only"]
    both_zig = view.rows[0].cells[1]
    assert both_zig.caught and both_zig.catches[0].probe == "zig.only" and both_zig.catches[0].signals == "crash SIGABRT in measure"
    quick = view.rows[0].cells[0].catches[0]
    assert (quick.probe, quick.kinds, quick.signals) == ("python.quick", "exact counter", "exact counter lib_live_bytes")
    hole = view.rows[1].cells[1]
    assert (hole.status, hole.ran) == ("hole", 1)
    assert [(s.lang, s.caught, s.total, s.holes) for s in view.scores] == [("python", 2, 2, ()), ("zig", 1, 2, ("python-only",))]
    assert not view.passed and view.production_passed and view.mode == "every probe" and view.wall_s == 12.5
    assert view.notes == ("scored at commit bbbbbbbbbb, not at this run's commit cccccccccc",)


def test_the_page_shows_the_section_and_escapes_what_it_shows(document: dict[str, object]) -> None:
    document["mutants"][0]["description"] = HOSTILE  # type: ignore[index]
    page = render_html(build_mutation_report(document, "20261123T170000Z-fast"))
    assert 'id="mutation-matrix"' in page and "HOLE" in page and "zig.only" in page and "50%" in page
    assert "<script" not in page and "&lt;script&gt;" in page
    assert 'id="summary"' not in page  # no run of its own: no empty summary table


def test_report_adds_the_latest_score_beside_the_runs_and_names_a_broken_one(
        document: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = tmp_path / "reports"
    write_run(reports / "runs" / "20261123T120000Z-fast", [SyntheticProbe("zig.steady")])
    scores = reports / "mutants"
    write_score(document, [scores / "20261123T110000Z-fast" / SCORE_NAME])
    (scores / "20261123T100000Z-fast").mkdir()
    (scores / "20261123T100000Z-fast" / SCORE_NAME).write_text("{}")
    assert latest_score_file(scores) == scores / "20261123T110000Z-fast" / SCORE_NAME
    page, summary = tmp_path / "report.html", tmp_path / "summary.md"
    assert main(["report", "--runs-dir", str(reports / "runs"), "-o", str(page), "--summary-md", str(summary)]) == 0
    html = page.read_text()
    assert 'id="mutation"' in html and "scored at commit bbbbbbbbbb, not at this run&#39;s commit aaaaaaaaaa" in html
    assert "❌ **Mutation score** (every probe): python 2/2, zig 1/2 (holes: python-only)" in summary.read_text()
    (scores / "20261123T130000Z-fast").mkdir()
    (scores / "20261123T130000Z-fast" / SCORE_NAME).write_text("not json")
    assert main(["report", "--runs-dir", str(reports / "runs"), "-o", str(page)]) == 0
    assert 'id="mutation"' not in page.read_text()
    assert "mutants.json: not valid JSON" in capsys.readouterr().err


def test_the_previous_catches_come_from_the_newest_readable_score(document: dict[str, object], tmp_path: Path) -> None:
    assert previous_catches(tmp_path / "none") == {}
    write_score(document, [tmp_path / "20261123T110000Z-fast" / SCORE_NAME])
    assert previous_catches(tmp_path) == {"both": {"python.quick", "zig.only"}, "python-only": {"python.slow"}}
    (tmp_path / "20261123T120000Z-fast").mkdir()
    (tmp_path / "20261123T120000Z-fast" / SCORE_NAME).write_text("{")
    assert previous_catches(tmp_path) == {}


@pytest.mark.parametrize(("content", "message"), [
    ("[1]", "not a leakcheck mutation score"),
    (json.dumps({"schema": SCHEMA, "schema_version": 7}), "unknown schema_version 7"),
])
def test_a_file_that_is_not_a_score_is_refused_by_name(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / SCORE_NAME
    path.write_text(content)
    with pytest.raises(ScoreFileError, match=message):
        load_score(path)
