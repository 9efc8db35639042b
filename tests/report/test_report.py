"""The HTML report and Markdown summary: the view-model's content, escaping, and a real browser load."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from history.runs import SyntheticProbe, write_run
from PIL import Image

from leakcheck.cli import main
from leakcheck.history.index import entry_for, load_history
from leakcheck.history.store import load_run, read_run
from leakcheck.history.trend import probe_trends
from leakcheck.report.html import commit_positions, render_html, trend_chart
from leakcheck.report.markdown import render_markdown
from leakcheck.report.model import build_report, peak_text
from leakcheck.units import format_bytes

from .browser import CHROMIUM, load_page

HOSTILE = "<script>document.title='pwned'</script>"
SHOWN = "&lt;script&gt;document.title="
"""How the hostile text reads in the page's source and in the browser's DOM: escaped, as text."""


def _run(tmp_path: Path) -> Path:
    probes = [SyntheticProbe("zig.steady"), SyntheticProbe("zig.leaky", "LEAK", leak_per_iter=2048),
              SyntheticProbe("python.crashes", "CRASH", crash=True), SyntheticProbe("node.fine")]
    return write_run(tmp_path / "runs" / "20261123T120000Z-fast", probes)


def test_view_model_puts_failures_first_and_carries_chart_data(tmp_path: Path) -> None:
    view = build_report(load_run(_run(tmp_path)), "run-1")
    assert [p.outcome for p in view.probes] == ["LEAK", "CRASH", "PASS", "PASS"]
    assert view.counts == (("PASS", 2), ("LEAK", 1), ("CRASH", 1))
    leaky = view.probes[0].chart
    assert leaky.warmup_end == 100 and ("measure", 100.0) in leaky.phases
    assert leaky.slope is not None and 1800 < leaky.slope.slope < 2300
    assert len(leaky.memory["rss"][0]) == 400 and "lib_live_bytes" in leaky.counters
    assert leaky.limits and leaky.limits[0][0] == "rss_growth limit"
    crash = view.probes[1].failure
    assert crash is not None and crash.kind == "crash" and "SIGSEGV" in crash.title and "pyjamaz_optimize" in crash.stacks
    assert ("commit", "a" * 40) in view.provenance


def test_probe_name_and_output_are_escaped(tmp_path: Path) -> None:
    path = write_run(tmp_path / "runs" / "r", [SyntheticProbe(f"python.{HOSTILE}", "LEAK", leak_per_iter=512)])
    document = load_run(path)
    document["probes"][0]["attempts"][0]["output_tail"] = f"stderr {HOSTILE}"
    view = build_report(document, "r")
    page = render_html(view)
    assert "<script" not in page
    assert page.count(SHOWN) >= 3  # summary row, section heading, output tail
    summary = render_markdown(view)
    assert "<script" not in summary and "&lt;script&gt;" in summary


def test_markdown_keeps_quotes_as_text(tmp_path: Path) -> None:
    path = write_run(tmp_path / "runs" / "r", [SyntheticProbe("python.quoted", "PASS")])
    document = load_run(path)
    document["probes"][0]["attempts"][0]["reasons"] = ["not a leak: the slope's 95% CI includes 0 (\"flat\")"]
    summary = render_markdown(build_report(document, "r"))
    assert "the slope's 95% CI includes 0 (\"flat\")" in summary and "&#x27;" not in summary


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh installs it)")
def test_page_loads_in_chromium_without_errors_or_requests_and_shows_hostile_text(tmp_path: Path) -> None:
    path = write_run(tmp_path / "runs" / "r", [SyntheticProbe(f"python.{HOSTILE}", "LEAK", leak_per_iter=512),
                                               SyntheticProbe("zig.steady")])
    document = load_run(path)
    document["probes"][0]["attempts"][0]["output_tail"] = f"stderr {HOSTILE}"
    page = tmp_path / "report.html"
    page.write_text(render_html(build_report(document, "r")))
    loaded = load_page(page, tmp_path)
    assert loaded.console == ()
    assert loaded.page_requests == ()
    assert "<title>leakcheck r</title>" in loaded.dom  # the hostile script did not rename the page
    assert SHOWN in loaded.dom  # shown as text
    with Image.open(loaded.screenshot) as shot:
        colours = shot.convert("L").getextrema()
    assert colours[1] - colours[0] > 100  # not a blank page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh installs it)")
def test_browser_check_sees_a_page_request_and_a_console_error(tmp_path: Path) -> None:
    """The checks above can fail: a page that loads a remote image and logs an error is caught."""
    page = tmp_path / "bad.html"
    page.write_text('<html><body><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script>'
                    "</body></html>")
    loaded = load_page(page, tmp_path)
    assert any("127.0.0.1:9" in url for url in loaded.page_requests)
    assert any("boom" in line for line in loaded.console)


def test_report_command_writes_html_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _run(tmp_path)
    out, md = tmp_path / "out" / "report.html", tmp_path / "summary.md"
    assert main(["report", str(run.parent), "-o", str(out), "--summary-md", str(md),
                 "--runs-dir", str(tmp_path / "runs")]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert "| zig.leaky | zig | ❌ LEAK |" in md.read_text()
    assert main(["report", "no-such-run", "-o", str(out), "--runs-dir", str(tmp_path / "runs")]) == 2
    assert "no-such-run" in capsys.readouterr().err


def test_page_size_does_not_grow_with_the_length_of_the_series(tmp_path: Path) -> None:
    """Charts are drawn from a bounded number of points, so a long run makes no bigger page (the time for
    20 probes x 30,000 samples is measured by tests/report/benchmark_report.py, not asserted here)."""
    sizes = []
    for samples in (3_000, 30_000):
        probes = [SyntheticProbe(f"zig.probe_{k}", "LEAK" if k == 0 else "PASS", leak_per_iter=1024 * (k == 0),
                                 iterations=samples, samples=samples) for k in range(2)]
        document = load_run(write_run(tmp_path / "runs" / f"run-{samples}", probes))
        sizes.append(len(render_html(build_report(document, f"run-{samples}")).encode()))
    assert sizes[1] <= 1.1 * sizes[0], sizes
    assert sizes[1] <= 2 * 250_000  # the done-when budget: <= 5 MB for 20 probes


def test_the_trend_across_runs_keeps_to_the_suite_and_library_and_groups_runs_by_commit(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    probes = [SyntheticProbe("zig.a")]
    write_run(runs / "20261123T100000Z-fast", probes, commit="1" * 40, library="/lib/libx.so")
    write_run(runs / "20261123T100500Z-fast", probes, commit="1" * 40, library="/lib/libx.so")
    write_run(runs / "20261123T101000Z-medium", probes, commit="1" * 40, suite="medium", library="/lib/libx.so")
    write_run(runs / "20261123T102000Z-fast", probes, commit="2" * 40, library="/mutants/leaky/libx.so")
    last = write_run(runs / "20261123T103000Z-fast", probes, commit="2" * 40, library="/lib/libx.so")
    history = load_history(runs)
    view = build_report(load_run(last), "20261123T103000Z-fast", probe_trends(history, entry_for(load_run(last), last)))
    trend = view.probes[0].trend
    assert [p.run_id for p in trend] == ["20261123T100000Z-fast", "20261123T100500Z-fast", "20261123T103000Z-fast"]
    assert commit_positions(trend) == (-0.3, 0.3, 1.0)  # two runs of commit 1 side by side, then commit 2
    chart = str(trend_chart(trend))
    assert ">1111111</text>" in chart and ">2222222</text>" in chart


def test_a_run_directory_outside_the_history_gets_the_trend_of_its_own_suite(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    probes = [SyntheticProbe("zig.a")]
    write_run(runs / "20261123T100000Z-fast", probes, time="2026-11-23T10:00:00+00:00", library="/lib/libx.so")
    write_run(runs / "20261123T101000Z-pressure", probes, time="2026-11-23T10:10:00+00:00", suite="pressure",
              library="/lib/libx.so")
    write_run(runs / "20261123T103000Z-pressure", probes, time="2026-11-23T10:30:00+00:00", suite="pressure",
              library="/lib/libx.so")
    elsewhere = write_run(tmp_path / "elsewhere" / "pressure-python", probes, time="2026-11-23T10:20:00+00:00",
                          suite="pressure", library="/lib/libx.so")
    trend = probe_trends(load_history(runs), entry_for(load_run(elsewhere), elsewhere))["zig.a"]
    assert [p.run_id for p in trend] == ["20261123T101000Z-pressure"]  # its suite, and not after it


def test_trend_across_runs_marks_the_run_where_a_probe_starts_failing(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write_run(runs / "20261123T100000Z-fast", [SyntheticProbe("zig.a"), SyntheticProbe("zig.b")], commit="1" * 40)
    write_run(runs / "20261123T110000Z-fast", [SyntheticProbe("zig.a"), SyntheticProbe("zig.b")], commit="2" * 40)
    last = write_run(runs / "20261123T120000Z-fast",
                     [SyntheticProbe("zig.a", "LEAK", leak_per_iter=4096), SyntheticProbe("zig.b")], commit="3" * 40)
    history = load_history(runs)
    view = build_report(load_run(last), "20261123T120000Z-fast", probe_trends(history, entry_for(load_run(last), last)))
    assert view.regressions == ("zig.a",)
    trend = {p.name: p.trend for p in view.probes}
    assert [point.commit[0] for point in trend["zig.a"]] == ["1", "2", "3"]
    assert [point.regression for point in trend["zig.a"]] == [False, False, True]
    assert not any(point.regression for point in trend["zig.b"])
    assert trend["zig.a"][-1].slope is not None and trend["zig.a"][-1].slope > 3000
    middle = runs / "20261123T110000Z-fast"
    earlier = build_report(load_run(middle), "20261123T110000Z-fast",
                           probe_trends(history, entry_for(load_run(middle), middle)))
    assert earlier.regressions == () and len(earlier.probes[0].trend) == 2  # runs after it are not its trend
    assert "Across runs" in render_html(view)


def test_the_peak_names_the_probe_s_own_process_when_the_processes_it_started_held_memory(tmp_path: Path) -> None:
    attempt = read_run(_run(tmp_path)).probes[0].final
    tree, own = 572 * 2**20, 333 * 2**20
    assert peak_text(replace(attempt, peak_rss=tree, probe_peak_rss=own)) == (
        f"{format_bytes(tree)} (the probe's own process {format_bytes(own)})")
    # Alone, or from results written before the figure existed (0): the tree's figure only.
    assert peak_text(replace(attempt, peak_rss=tree, probe_peak_rss=tree - 4096)) == format_bytes(tree)
    assert peak_text(replace(attempt, peak_rss=tree, probe_peak_rss=0)) == format_bytes(tree)
